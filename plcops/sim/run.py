"""``plcops sim run`` as a library function: load, set, scan, trace, and report the program's variables."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from plcops.project.config import target_of
from plcops.sim.simulator import Simulator, parse_duration
from plcops.sim.trace import Signal, Trace, elementary_paths, program_signals
from plcops.st.intrinsics import Intrinsic
from plcops.st.literals import format_duration
from plcops.st.model import PouType
from plcops.st.parser import ParseResult


@dataclass
class RunResult:
    """What a run reports: the ``--json`` object, and the trace when one was asked for."""

    program: str
    cycles: int
    time_ns: int
    variables: dict[str, Any]
    programs: dict[str, dict[str, Any]]
    trace: Trace | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "program": self.program,
            "cycles": self.cycles,
            "time": format_duration(self.time_ns),
            "variables": json_safe(self.variables),
        }
        if len(self.programs) > 1:
            data["programs"] = json_safe(self.programs)
        return data


def json_safe(value: Any) -> Any:
    """A value JSON can carry: REAL infinities and NaN (which JSON has no numbers for) become the strings
    ``"inf"``, ``"-inf"`` and ``"nan"``; everything else is unchanged."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


def parse_setting(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` with VALUE as ST writes it: TRUE, 42, -1.5, T#2s, 'text', E_State.Idle.

    Raises:
        ValueError: no ``=``, or a value that is not an ST literal.
    """
    name, separator, value = text.partition("=")
    if not separator or not name.strip():
        raise ValueError(f"--set needs NAME=VALUE, not {text!r}")
    return name.strip(), literal(value.strip())


def literal(text: str) -> Any:
    """A Python value for an ST literal written on the command line."""
    upper = text.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE"
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if "#" in text and upper.split("#", 1)[0] in ("T", "TIME", "LT", "LTIME"):
        return parse_duration(text)
    try:
        return (
            int(text.replace("_", ""), 0) if not any(c in text for c in ".eE") or text.startswith("0x") else float(text)
        )
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text  # an enumeration value by name


def run(
    paths: Sequence[Path | str],
    *,
    program: str | None = None,
    cycles: int | None = None,
    duration: str | None = None,
    cycle_time: str | None = None,
    settings: Sequence[tuple[str, Any]] = (),
    trace_variables: Sequence[str] = (),
    trace: bool = False,
    libraries: Sequence[ParseResult] = (),
    intrinsics: Sequence[Intrinsic] = (),
) -> RunResult:
    """Simulate a project (see ``docs/commands/sim.md``); ``libraries`` and ``intrinsics`` declare what
    code outside the project provides (the CLI passes the test framework's, so test suites load).

    Raises:
        SimulationError: the project cannot be loaded; ScanError: a runtime error; ValueError/KeyError:
        a bad setting.
    """
    target = target_of(paths)  # plcops.toml [target]: the defaults for program and scan period
    sim = Simulator.load(
        paths,
        program=program or target.program,
        cycle_time=cycle_time or target.cycle,
        libraries=libraries,
        intrinsics=intrinsics,
    )
    program = program or target.program
    names = sim.program_names()
    main = program or names[0]
    for name, value in settings:
        sim[name if "." in name else f"{main}.{name}"] = value
    count = cycles if cycles is not None else math.ceil(parse_duration(duration or "0ms") / sim.base_ns)
    recording = _trace(sim, main, trace_variables) if trace or trace_variables else None
    if recording is None:
        sim.scan(count)
    else:
        for _ in range(count):
            time_ns, scan = sim.now_ns, sim.scans
            sim.scan()
            recording.sample(time_ns, scan, [sim.raw(signal.path) for signal in recording.signals])
    programs = {name: sim.variables(name) for name in names}
    shown = _display_name(sim, main)
    return RunResult(shown, count, sim.now_ns, sim.variables(main), programs, recording)


def _display_name(sim: Simulator, name: str) -> str:
    """The PROGRAM's declared name (a CONFIGURATION instance is reported under its program's name)."""
    entry = sim.instances.get(name.casefold())
    return entry[0].name if entry is not None else name


def _renamed(signal: Signal, old: str, new: str) -> Signal:
    """A program's signal under the instance name the trace uses."""
    return Signal(new + signal.path[len(old) :], signal.kind, signal.width)


def _trace(sim: Simulator, program: str, variables: Sequence[str]) -> Trace:
    if not variables:
        pou, _ = sim.instances[program.casefold()]
        return Trace([_renamed(signal, pou.name, program) for signal in program_signals(pou)])
    signals: list[Signal] = []
    for path in variables:
        full = path if "." in path else f"{program}.{path}"
        _, _, kind = sim._resolve(full)
        found = list(elementary_paths(full, kind))
        if not found:
            raise KeyError(f"{path}: nothing to trace (no elementary values)")
        signals.extend(signal for _, signal in found)
    return Trace(signals)


__all__ = ["PouType", "RunResult", "literal", "parse_setting", "run"]
