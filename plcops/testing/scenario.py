"""Scenario files: a timeline of inputs and expected outputs, run on the simulator by ``plcops test`` and on a
real or emulated controller by ``plcops hil run`` (one format for both).

```toml
[scenario]
name = "fills one bottle"
program = "MAIN"            # simulator only: the program to run (default: the CONFIGURATION's tasks)
cycle = "10ms"              # simulator only: scan period
timeout = "30s"             # the whole scenario

[signals]                   # the names the steps use -> variable paths (the HIL rig maps them to I/O)
start = "GVL_IO.bStartButton"
conveyor = "GVL_IO.bConveyorRun"
level = "GVL_IO.nTankLevel"

[[step]]
at = "0s"                   # time from the start of the scenario
set = { start = true, level = "$level" }      # "$name" is a parameter (see [[case]])

[[step]]
at = "50ms"
expect = { conveyor = true }                  # holds at this instant (after the scan)

[[step]]
at = "1s"
set = { start = false }
expect_within = { within = "200ms", conveyor = false }   # becomes so within the window
expect_stays = { for = "500ms", level = { ge = 2000 } }  # holds for the whole window

[[case]]                    # optional: the scenario runs once per case, with these parameters
name = "full tank"
level = 20000
```

Expected values are literals (``true``, ``42``, ``1.5``, ``"T#2s"``, ``"text"``) or a table with one
comparison: ``eq``, ``ne``, ``gt``, ``ge``, ``lt``, ``le`` and, for numbers, ``tolerance``. Times are
``"1.5s"``, ``"T#1s500ms"`` or ``"250ms"``.

Semantics: at every scan time ``t``, first the ``set`` of every step due at ``t`` is applied, then the
scan runs, then expectations are checked on the values the scan left. ``expect`` is checked on the first
scan at or after ``at`` (on hardware, anywhere in ``[at, at + tolerance]``); ``expect_within`` passes when
some scan in ``[at, at + within]`` meets it ("becomes so within"); ``expect_change`` when the signal is
first seen otherwise in that window and then meets it ("rises within" for ``true``: an edge, not a level
that was already there); ``expect_stays`` when every scan in ``[at, at + for]`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from plcops.project.tomlfile import Scope, SettingsFile
from plcops.st.literals import LiteralError, duration_ns, format_duration

SUFFIX = ".scenario.toml"
_COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}


class Target(Protocol):
    """What a scenario drives: the simulator, or a controller over Modbus."""

    cycle_ns: int

    def now_ns(self) -> int: ...

    def write(self, signal: str, value: Any) -> None: ...

    def read(self, signal: str) -> Any: ...

    def step(self) -> None: ...


@dataclass
class Expectation:
    """One expected signal value, checked at an instant or over a window."""

    signal: str
    expected: Any
    mode: str  # "at", "within", "stays"
    start_ns: int
    window_ns: int = 0
    step: int = 0
    # The judgement of one run: set on the copies a run makes (ScenarioResult.expectations), never on the
    # scenario's own, so the same Scenario can be run again (on another rig, over another transport).
    met: bool = False
    broken: bool = False
    observed: list[Any] = field(default_factory=list)

    def describe(self) -> str:
        shown = _show(self.expected)
        start = format_duration(self.start_ns)
        if self.mode == "at":
            return f"step {self.step}: {self.signal} {shown} at {start}"
        window = format_duration(self.window_ns)
        if self.mode == "change":
            return f"step {self.step}: {self.signal} changes to {shown.removeprefix('= ')} within {window} from {start}"
        word = "within" if self.mode == "within" else "for"
        return f"step {self.step}: {self.signal} {shown} {word} {window} from {start}"


@dataclass
class Step:
    """A point of the timeline: values to set and values to expect."""

    at_ns: int
    settings: dict[str, Any] = field(default_factory=dict)
    expectations: list[Expectation] = field(default_factory=list)


@dataclass
class Scenario:
    """A parsed scenario (one case of a scenario file)."""

    name: str
    path: str
    signals: dict[str, str]
    steps: list[Step]
    timeout_ns: int
    program: str | None = None
    cycle: str = "10ms"
    case: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.case}]" if self.case else self.name

    @property
    def end_ns(self) -> int:
        ends = [s.at_ns for s in self.steps] + [e.start_ns + e.window_ns for s in self.steps for e in s.expectations]
        return max(ends, default=0)


@dataclass
class ScenarioResult:
    """The verdict of a scenario run, with the failed expectations and what was observed."""

    scenario: Scenario
    failures: list[str] = field(default_factory=list)
    scans: int = 0
    time_ns: int = 0
    timeline: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (time, signal -> value)
    expectations: list[Expectation] = field(default_factory=list)  # as judged in this run

    @property
    def passed(self) -> bool:
        return not self.failures


# ---------------------------------------------------------------------------------------------- reading


_SCENARIO_KEYS = ("name", "program", "cycle", "timeout")
_STEP_KEYS = ("at", "set", "expect", "expect_within", "expect_change", "expect_stays", "note")


def load_scenarios(path: Path) -> list[Scenario]:
    """The scenarios of a file (one per ``[[case]]``, or one).

    Raises:
        DiagnosticError: malformed TOML or an invalid scenario, with the file and, where known, the line.
    """
    file = SettingsFile.read(path, "scenario")
    unknown = sorted(set(file.data) - {"scenario", "signals", "step", "case"})
    if unknown:
        raise file.error(unknown[0], f"unknown section '{unknown[0]}' (known: scenario, signals, step, case)")
    cases = file.tables(file.data, "case") or [{}]
    return [_scenario(file, case) for case in cases]


def _scenario(file: SettingsFile, case: dict[str, Any]) -> Scenario:
    data, path = file.data, file.name
    head = file.table(data, "scenario")
    file.check_keys(head, _SCENARIO_KEYS, ("scenario",), "[scenario]")
    signals = data.get("signals", {})
    if not isinstance(signals, dict) or not all(isinstance(v, str) for v in signals.values()):
        raise file.error("signals", "[signals] maps names to variable paths (strings)")
    parameters = {k: v for k, v in case.items() if k != "name"}
    steps: list[Step] = []
    for number, entry in enumerate(file.tables(data, "step"), 1):
        scope: Scope = ("step", number)
        unknown_keys = sorted(set(entry) - set(_STEP_KEYS))
        if unknown_keys:
            raise file.error(unknown_keys[0], f"step {number}: unknown key '{unknown_keys[0]}'", scope)
        at = file.duration(entry.get("at", "0s"), "at", scope, f"step {number} at")
        step = Step(at)
        for signal, value in file.table(entry, "set", scope).items():
            step.settings[_signal(signal, signals, file, scope)] = _parameter(value, parameters, file, number)
        for signal, value in file.table(entry, "expect", scope).items():
            step.expectations.append(
                Expectation(
                    _signal(signal, signals, file, scope),
                    _parameter(value, parameters, file, number),
                    "at",
                    at,
                    step=number,
                )
            )
        for key, mode, window_key in (
            ("expect_within", "within", "within"),
            ("expect_change", "change", "within"),
            ("expect_stays", "stays", "for"),
        ):
            table = entry.get(key)
            if table is None:
                continue
            if not isinstance(table, dict) or window_key not in table:
                message = f"step {number}: {key} needs '{window_key} = \"<time>\"' and the expected signals"
                raise file.error(key, message, scope)
            window = file.duration(table[window_key], window_key, scope, f"step {number} {key}")
            for signal, value in table.items():
                if signal == window_key:
                    continue
                expectation = Expectation(
                    _signal(signal, signals, file, scope),
                    _parameter(value, parameters, file, number),
                    mode,
                    at,
                    window,
                    number,
                )
                step.expectations.append(expectation)
        steps.append(step)
    steps.sort(key=lambda s: s.at_ns)
    head_scope: Scope = ("scenario",)
    name = file.string(head, "name", None, head_scope, "[scenario] name") or Path(path).name.removesuffix(SUFFIX)
    cycle = head.get("cycle", "10ms")
    if not isinstance(cycle, str):  # kept as text: the simulator reads it like a task's INTERVAL
        raise file.error("cycle", f'[scenario] cycle must be a positive time such as "10ms", not {cycle!r}', head_scope)
    file.duration(cycle, "cycle", head_scope, "[scenario] cycle", positive=True)
    scenario = Scenario(
        name,
        path,
        dict(signals),
        steps,
        0,
        file.string(head, "program", None, head_scope, "[scenario] program"),
        cycle,
        str(case.get("name", "")) if case else "",
    )
    scenario.timeout_ns = (
        file.duration(head["timeout"], "timeout", head_scope, "[scenario] timeout", positive=True)
        if "timeout" in head
        else scenario.end_ns + 1_000_000_000
    )
    return scenario


def _signal(name: str, signals: dict[str, str], file: SettingsFile, scope: Scope) -> str:
    """A step's signal: a name from [signals], or a variable path written directly."""
    if name in signals:
        return name
    if "." in name:
        return name
    raise file.error(
        name, f"unknown signal '{name}' (declare it in [signals] or write a full path such as GVL.x)", scope
    )


def _parameter(value: Any, parameters: dict[str, Any], file: SettingsFile, step: int) -> Any:
    scope = ("step", step)
    if isinstance(value, str) and value.startswith("$"):
        key = value[1:]
        if key not in parameters:
            raise file.error(value, f"step {step}: no parameter '{key}' in this [[case]]", scope)
        return parameters[key]
    if isinstance(value, dict):
        keys = set(value) - {"tolerance"}
        if len(keys) != 1 or not keys <= _COMPARISONS:
            raise file.error(
                "tolerance" if not keys else sorted(keys)[0],
                f"step {step}: a comparison is one of {', '.join(sorted(_COMPARISONS))} (with optional tolerance)",
                scope,
            )
        return {k: _parameter(v, parameters, file, step) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------------------------- running


def run_scenario(
    scenario: Scenario,
    target: Target,
    *,
    tolerance_ns: int = 0,
    record: bool = True,
    into: ScenarioResult | None = None,
) -> ScenarioResult:
    """Drive a target through a scenario and judge it (see the module docstring).

    ``into`` is filled as the run goes (scans, timeline), so that a caller whose target fails half-way
    still has what was observed up to then.
    """
    result = into if into is not None else ScenarioResult(scenario)
    start = target.now_ns()
    pending = list(scenario.steps)
    watched = [replace(e, met=False, broken=False, observed=[]) for step in scenario.steps for e in step.expectations]
    result.expectations = watched
    signals = sorted({e.signal for e in watched} | {s for step in scenario.steps for s in step.settings})
    end = scenario.end_ns + tolerance_ns
    scans = 0
    while True:
        now = target.now_ns() - start
        if now > scenario.timeout_ns:
            result.failures.append(f"scenario timed out after {format_duration(scenario.timeout_ns)}")
            break
        while pending and pending[0].at_ns <= now:
            for signal, value in pending.pop(0).settings.items():
                target.write(signal, value)
        target.step()
        scans += 1
        result.scans = scans
        values = {signal: target.read(signal) for signal in signals}
        if record:
            result.timeline.append((now, values))
        for expectation in watched:
            _observe(expectation, now, values[expectation.signal], tolerance_ns)
        if now >= end and not pending:
            break
    result.scans = scans
    result.time_ns = target.now_ns() - start
    for expectation in watched:
        if expectation.mode == "stays" and not expectation.broken and expectation.observed:
            expectation.met = True
        if not expectation.met or expectation.broken:
            seen = ", ".join(dict.fromkeys(_show(v) for v in expectation.observed[:20])) or "no scan in the window"
            result.failures.append(f"{expectation.describe()}: observed {seen}")
    return result


def _observe(expectation: Expectation, now: int, value: Any, tolerance: int) -> None:
    start = expectation.start_ns
    if now < start:
        return
    if expectation.mode == "at":
        # The first scan at or after the instant decides (on hardware: any scan within the tolerance).
        if expectation.met or expectation.broken:
            return
        expectation.observed.append(value)
        if _matches(value, expectation.expected):
            expectation.met = True
        elif now >= start + tolerance:
            expectation.broken = True
        return
    end = start + expectation.window_ns
    if expectation.mode == "within":
        if expectation.met or now > end + tolerance:
            return
        expectation.observed.append(value)
        expectation.met = _matches(value, expectation.expected)
        return
    if expectation.mode == "change":
        # A transition: seen not matching first (in the window's first scan or later), then matching.
        if expectation.met or now > end + tolerance:
            return
        before = expectation.observed
        expectation.observed.append(value)
        expectation.met = (
            bool(before)
            and _matches(value, expectation.expected)
            and not all(_matches(seen, expectation.expected) for seen in before)
        )
        return
    if now > end:
        return
    expectation.observed.append(value)
    if now >= start + tolerance and not _matches(value, expectation.expected):
        expectation.broken = True


def _as_time(value: Any) -> Any:
    """TIME values as nanoseconds, so they compare as numbers (``"T#1s"`` vs ``"T#500ms"``)."""
    if isinstance(value, str) and value.upper().startswith(("T#", "TIME#", "LT#", "LTIME#")):
        try:
            return duration_ns(value)
        except LiteralError:
            return value
    return value


def _matches(value: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        tolerance_value = expected.get("tolerance", 0)
        tolerance = _as_time(tolerance_value) if isinstance(tolerance_value, str) else float(tolerance_value)
        (operator, limit), *_ = [(k, v) for k, v in expected.items() if k != "tolerance"]
        value, limit = _as_time(value), _as_time(limit)
        if operator == "eq":
            return _equal(value, limit, tolerance)
        if operator == "ne":
            return not _equal(value, limit, tolerance)
        try:
            if operator == "gt":
                return bool(value > limit - tolerance)
            if operator == "ge":
                return bool(value >= limit - tolerance)
            if operator == "lt":
                return bool(value < limit + tolerance)
            return bool(value <= limit + tolerance)
        except TypeError:
            return False
    return _equal(value, expected, 0.0)


def _equal(value: Any, expected: Any, tolerance: float) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return (
            bool(value) == bool(expected)
            if isinstance(value, (bool, int)) and isinstance(expected, (bool, int))
            else False
        )
    if isinstance(expected, (int, float)) and isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return isinstance(expected, float) and math.isnan(expected)
        return abs(value - expected) <= tolerance
    if isinstance(expected, str) and isinstance(value, str) and expected.upper().startswith(("T#", "TIME#", "LT#")):
        try:
            return duration_ns(expected) == duration_ns(value)
        except LiteralError:
            return False
    return bool(value == expected)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dict):
        parts = [
            f"{'=' if k == 'eq' else {'ne': '<>', 'gt': '>', 'ge': '>=', 'lt': '<', 'le': '<='}.get(k, k)} {v!r}"
            for k, v in value.items()
            if k != "tolerance"
        ]
        tolerance = f" ± {value['tolerance']}" if "tolerance" in value else ""
        return " ".join(parts) + tolerance
    return f"= {value!r}" if not isinstance(value, str) else f"= {value}"


# ---------------------------------------------------------------------------------------------- simulator


class SimulatorTarget:
    """A scenario target on the simulator: signals are variable paths."""

    def __init__(self, simulator: Any, signals: dict[str, str]) -> None:
        self.simulator = simulator
        self.signals = signals
        self.cycle_ns = simulator.base_ns

    def now_ns(self) -> int:
        return int(self.simulator.now_ns)

    def _path(self, signal: str) -> str:
        return self.signals.get(signal, signal)

    def write(self, signal: str, value: Any) -> None:
        self.simulator[self._path(signal)] = value

    def read(self, signal: str) -> Any:
        return self.simulator[self._path(signal)]

    def step(self) -> None:
        self.simulator.scan()
