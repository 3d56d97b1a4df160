"""The HIL runner: the scenario files of ``plcops test``, against a real or emulated controller over Modbus.

For each scenario, :class:`ModbusTarget` plays the scenario's timeline through the rig's transport:
signals are written and read at their Modbus addresses (from the rig's ``[signals]``, else from the
variables' ``AT`` addresses in the field-wiring view), plant models run in closed loop, and expectations
are judged with the rig's timing tolerance. Against the virtual PLC in lockstep the PLC scans exactly
one cycle per step, so a deterministic scenario gives the verdict it gives on the simulator.

Safety first: on a failure, a timeout, a lost connection, Ctrl-C or SIGTERM, the runner writes the rig's safe
state to everything it drives and says so; bounded retries; a rig lock stops two runs from driving one
rig; errors name the address, the variable and what the device answered.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import signal as os_signal  # 'signal' is a rig signal everywhere else in this module
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerType

from hil.iomap import FIELD_UNIT, IoMap, Location, Point, from_words, to_words
from hil.modbus import EXCEPTION_NAMES
from hil.plants import PlantModel, load_plant
from hil.rig import Rig
from hil.virtual_plc import CONTROL
from plcops.render import render
from plcops.st.literals import format_duration
from plcops.testing.scenario import Scenario, ScenarioResult, run_scenario


class HilError(Exception):
    """A communication problem, with the address, the signal and what happened."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or, under :func:`stop_signals`, SIGTERM) during a run: the safe state was applied;
    ``results`` holds the scenarios run so far, the interrupted one last (its error says so, its
    safe_state what was written); ``cause`` is ``"Ctrl-C"`` or ``"SIGTERM"``."""

    def __init__(self, results: list[HilResult], cause: str) -> None:
        super().__init__(f"interrupted ({cause})")
        self.results = results
        self.cause = cause


@dataclass
class _Stopping:
    """What :func:`stop_signals` knows: the first stop signal's cause, and whether it is held back."""

    cause: str = ""
    shielded: int = 0  # depth of shielded() blocks: a stop signal waits until they end
    pending: bool = False


_stopping: _Stopping | None = None


def cause_of(interrupt: KeyboardInterrupt) -> str:
    """``"Ctrl-C"`` or ``"SIGTERM"``: what stopped a run (a bare KeyboardInterrupt is Ctrl-C)."""
    return str(interrupt.args[0]) if interrupt.args else "Ctrl-C"


@contextmanager
def stop_signals() -> Iterator[None]:
    """Within: SIGTERM (a cancelled CI job, ``systemctl stop``) stops a run the way Ctrl-C does; a stop
    signal that arrives while the safe state is written (:func:`shielded`) waits until it is done; and
    signals after the first are ignored, so that nothing cuts the safe state or the reports short.

    SIGINT left ignored by the parent (a background job) stays ignored, as Unix programs do. Outside the
    main thread (where Python cannot take signals) this does nothing.
    """
    global _stopping
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    state = _Stopping()

    def stop(number: int, _frame: Any) -> None:
        if state.cause:
            return  # already stopping
        state.cause = "Ctrl-C" if number == os_signal.SIGINT else os_signal.Signals(number).name
        if state.shielded:
            state.pending = True
            return
        raise KeyboardInterrupt(state.cause)

    taken = [s for s in (os_signal.SIGINT, os_signal.SIGTERM) if os_signal.getsignal(s) is not os_signal.SIG_IGN]
    previous = {number: os_signal.signal(number, stop) for number in taken}
    outer, _stopping = _stopping, state
    try:
        yield
    finally:
        _stopping = outer
        for number, handler in previous.items():
            os_signal.signal(number, handler)


@contextmanager
def shielded() -> Iterator[None]:
    """Within: a stop signal (under :func:`stop_signals`) is held back until the block ends, then
    reported by :func:`held_stop`: writing the safe state must not be cut short."""
    state = _stopping
    if state is None:
        yield
        return
    state.shielded += 1
    try:
        yield
    finally:
        state.shielded -= 1


def held_stop() -> str:
    """The cause of a stop signal held back by :func:`shielded` and not yet acted on ('' when none)."""
    state = _stopping
    if state is None or not state.pending:
        return ""
    state.pending = False
    return state.cause


@dataclass
class HilResult:
    """One scenario case on the rig."""

    result: ScenarioResult
    safe_state: list[str] = field(default_factory=list)  # what was written to make the rig safe
    error: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.result.passed and not self.error


# ---------------------------------------------------------------------------------------------- target


class ModbusTarget:
    """A scenario target over Modbus (TCP or RTU), with plant models in the loop."""

    def __init__(
        self,
        rig: Rig,
        scenario: Scenario,
        iomap: IoMap | None,
        *,
        lockstep: bool,
        scans_per_cycle: int = 1,
        signals: dict[str, str] | None = None,
    ) -> None:
        self.rig = rig
        self.cycle_ns = rig.cycle_ns
        self.lockstep = lockstep
        self.scans_per_cycle = scans_per_cycle
        self.points = {
            signal: self._point(signal, scenario.signals.get(signal, signal), iomap) for signal in _signals_of(scenario)
        }
        self.plants: list[tuple[Any, PlantModel]] = []
        for spec in rig.plants:
            try:
                self.plants.append((spec, load_plant(spec.model, spec.parameters, base_dir=rig.path.parent)))
            except ValueError as exc:
                raise HilError(str(exc)) from None
            for signal in [*spec.inputs.values(), *spec.outputs.values()]:
                if signal not in self.points:
                    self.points[signal] = self._point(signal, scenario.signals.get(signal, signal), iomap)
        # Every declared safe-state signal gets its point up front: a name no address can be found for
        # fails the scenario before anything is driven.
        known = {**(signals or {}), **scenario.signals}
        for signal in rig.safe_state:
            if signal not in self.points:
                self.points[signal] = self._point(signal, known.get(signal, signal), iomap)
        self.driven: set[str] = set()
        self._received = b""  # the bytes that came back for the last request
        self.client = self._client()
        self._started = time.monotonic_ns()
        self._now = 0
        self._plc_scans: int | None = None  # a lockstep PLC's scan counter, read before the first scan

    def _client(self) -> ModbusTcpClient | ModbusSerialClient:
        transport = self.rig.transport
        client: ModbusTcpClient | ModbusSerialClient
        # retries=0: _call retries, reconnecting first. trace_packet keeps what came back for a request,
        # so "no reply" can be told from "a reply that failed its CRC" (pymodbus drops those silently).
        if transport.kind == "tcp":
            client = ModbusTcpClient(
                transport.host, port=transport.port, timeout=transport.timeout_s, retries=0, trace_packet=self._trace
            )
        else:
            client = ModbusSerialClient(
                transport.device,
                framer=FramerType.RTU,
                baudrate=transport.baudrate,
                parity=transport.parity,
                stopbits=transport.stopbits,
                timeout=transport.timeout_s,
                retries=0,
                trace_packet=self._trace,
            )
        if not client.connect():
            raise HilError(f"cannot connect to {transport.describe()}{_serial_reason(transport)}")
        return client

    def _trace(self, sending: bool, data: bytes) -> bytes:
        if sending:
            self._received = b""
        else:
            self._received += data
        return data

    def _point(self, signal: str, variable: str, iomap: IoMap | None) -> Point:
        entry = self.rig.signals.get(signal)
        if entry is not None:
            table = entry["table"]
            kind = str(entry.get("type", "BOOL" if table in ("coil", "discrete") else "INT")).upper()
            writable = table in ("coil", "holding")
            return Point(
                variable,
                kind,
                Location(self.rig.transport.unit, table, int(entry["address"])),
                writable,
                str(entry.get("word_order", "big")),
            )
        if iomap is not None:
            points = iomap.for_variable(variable, FIELD_UNIT)
            if points:
                point = points[0]
                return Point(
                    point.path,
                    point.type,
                    Location(self.rig.transport.unit, point.location.table, point.location.address),
                    point.writable,
                    point.word_order,
                    point.scale,
                    point.offset,
                )
        raise HilError(
            f"signal '{signal}' ({variable}) has no Modbus address: give it one in the rig's [signals], or an AT address in the project"
        )

    # -------------------------------------------------------------------- the Target protocol

    def now_ns(self) -> int:
        return self._now if self.lockstep else time.monotonic_ns() - self._started

    def write(self, signal: str, value: Any) -> None:
        point = self.points[signal]
        if not point.writable:
            raise HilError(
                f"signal '{signal}' is {point.location.table} {point.location.address}: the rig cannot drive a PLC output"
            )
        self._write(point, value, signal)
        self.driven.add(signal)

    def read(self, signal: str) -> Any:
        return self._read(self.points[signal], signal)

    def step(self) -> None:
        if self.plants:
            self._plants()
        if self.lockstep:
            self._scan()
            self._now += self.cycle_ns
            return
        target = self._started + self._now + self.cycle_ns
        delay = target - time.monotonic_ns()
        if delay > 0:
            time.sleep(delay / 1e9)
        self._now += self.cycle_ns

    def _scan(self) -> None:
        """One cycle of a lockstep PLC. A retried request must not scan twice (the first may have run and
        only its reply been lost), so before a retry the runner asks the scan counter."""
        if self._plc_scans is None:
            self._plc_scans = self._read_scan_counter()
        expected = (self._plc_scans + self.scans_per_cycle) & 0xFFFFFFFF
        unit = self.rig.transport.unit
        self._call(
            "writing",
            Location(FIELD_UNIT, "holding", CONTROL),
            lambda: self.client.write_register(CONTROL, self.scans_per_cycle, device_id=unit),
            "scan control",
            done=lambda: self._scan_counter_says(expected),
        )
        self._plc_scans = expected

    def _read_scan_counter(self) -> int:
        unit = self.rig.transport.unit
        location = Location(FIELD_UNIT, "holding", CONTROL + 1)
        response = self._call(
            "reading",
            location,
            lambda: self.client.read_holding_registers(CONTROL + 1, count=2, device_id=unit),
            "scan counter",
        )
        high, low = response.registers
        return int((high << 16) | low)

    def _scan_counter_says(self, expected: int) -> bool:
        """Whether the scan counter shows ``expected`` scans (False when it cannot be read: then the
        scan request is sent again)."""
        try:
            response = self.client.read_holding_registers(CONTROL + 1, count=2, device_id=self.rig.transport.unit)
        except (ModbusException, OSError):
            self.client.close()
            return False
        if response.isError():
            return False
        high, low = response.registers
        return ((high << 16) | low) == expected

    def _plants(self) -> None:
        dt = self.cycle_ns / 1e9
        for spec, plant in self.plants:
            outputs = {name: self.read(signal) for name, signal in spec.inputs.items()}
            try:
                produced = plant.step(dt, outputs)
            except Exception as exc:  # a user's model: report it as the rig's failure, then go safe
                raise HilError(f"plant model {spec.model} failed: {type(exc).__name__}: {exc}") from None
            if not isinstance(produced, dict):
                raise HilError(f"plant model {spec.model}: step() must return a dict of outputs, not {produced!r}")
            missing = sorted(set(spec.outputs) - set(produced))
            if missing:  # a misspelt output in the rig file would otherwise leave a PLC input undriven
                raise HilError(
                    f"plant model {spec.model} returned no output {missing[0]!r} (it returned: {', '.join(sorted(produced)) or 'nothing'})"
                )
            for name, signal in spec.outputs.items():
                self.write(signal, produced[name])

    # -------------------------------------------------------------------- Modbus

    def _read(self, point: Point, signal: str) -> Any:
        unit, table, address = point.location.unit, point.location.table, point.location.address
        count = point.words
        if table == "coil":
            response = self._call(
                "reading", point.location, lambda: self.client.read_coils(address, count=1, device_id=unit), signal
            )
            return bool(response.bits[0])
        if table == "discrete":
            response = self._call(
                "reading",
                point.location,
                lambda: self.client.read_discrete_inputs(address, count=1, device_id=unit),
                signal,
            )
            return bool(response.bits[0])
        if table == "holding":
            response = self._call(
                "reading",
                point.location,
                lambda: self.client.read_holding_registers(address, count=count, device_id=unit),
                signal,
            )
        else:
            response = self._call(
                "reading",
                point.location,
                lambda: self.client.read_input_registers(address, count=count, device_id=unit),
                signal,
            )
        value = from_words(list(response.registers), point)
        if point.type == "TIME":  # milliseconds on the wire; a TIME literal, as the simulator reads it
            return format_duration(int(value) * 1_000_000)
        return value

    def _write(self, point: Point, value: Any, signal: str) -> None:
        unit, table, address = point.location.unit, point.location.table, point.location.address
        try:
            words = to_words(value, point, strict=True)
        except (TypeError, ValueError) as exc:  # as the simulator refuses it: never wrap a value into another
            raise HilError(
                f"signal '{signal}' ({table} {address} of unit {unit}, {point.type}): {value!r} cannot be written: {exc}"
            ) from None
        if table == "coil":
            state = bool(words[0])
            self._call(
                "writing", point.location, lambda: self.client.write_coil(address, state, device_id=unit), signal
            )
        elif len(words) == 1:
            self._call(
                "writing", point.location, lambda: self.client.write_register(address, words[0], device_id=unit), signal
            )
        else:
            self._call(
                "writing", point.location, lambda: self.client.write_registers(address, words, device_id=unit), signal
            )

    def _call(self, doing: str, location: Location, request: Any, signal: str, done: Any = None) -> Any:
        """Send a request, retrying up to the rig's ``retries`` after no reply or a lost connection
        (reconnecting first). ``done`` tells, before a retry, whether the request took effect after all."""
        where = f"{location.table} {location.address} of unit {location.unit}"
        retries = self.rig.transport.retries
        for attempt in range(retries + 1):
            try:
                if attempt and done is not None and done():
                    return None
                response = request()
                break
            except (ModbusException, OSError) as exc:  # OSError: a connection reset or broken mid-request
                failure = exc
                self.client.close()  # a fresh connection for the next attempt (pymodbus reconnects on use)
                if attempt < retries:
                    time.sleep(min(0.05 * 2**attempt, 0.5))
        else:
            garbled = ""
            if self._received:  # bytes came back, but no frame pymodbus accepted
                garbled = f"; {len(self._received)} bytes came back that are not a valid reply (CRC error or garbled: check baud rate, parity, wiring and termination): {self._received[:16].hex(' ')}"
            # pymodbus counts its own retries in its message ("after 0 retries"); ours are the ones that count.
            reason = re.sub(r"\s*after \d+ retries", "", str(failure))
            raise HilError(
                f"no valid reply {doing} {where} ({self._what(signal)}) from {self.rig.transport.describe()} after {retries} retries: {reason}{garbled}"
            )
        if response.isError():
            code = getattr(response, "exception_code", 0)
            raise HilError(
                f"the device refused {doing} {where} ({self._what(signal)}): exception {code:02d} ({EXCEPTION_NAMES.get(code, 'unknown')})"
            )
        return response

    def _what(self, signal: str) -> str:
        """``signal 'stop', GVL_IO.bStopButton``: the scenario's name and the variable behind it."""
        point = self.points.get(signal)
        return (
            f"signal '{signal}', {point.path}" if point is not None and point.path != signal else f"signal '{signal}'"
        )

    def make_safe(self) -> list[str]:
        """Write the safe state: every declared signal, and everything this run drove (FALSE/0 when not
        declared)."""
        applied = []
        for signal in sorted(self.driven | set(self.rig.safe_state)):
            point = self.points[signal]
            if not point.writable:
                continue
            value = self.rig.safe_state.get(signal, False if point.location.table == "coil" else 0)
            try:
                self._write(point, value, signal)
                applied.append(f"{signal}={value}")
            except HilError as exc:
                applied.append(f"{signal}: NOT applied ({exc})")
        return applied

    def close(self) -> None:
        self.client.close()
        for spec, plant in self.plants:
            closer = getattr(plant, "close", None)
            if callable(closer):
                try:
                    closer()
                except Exception as exc:  # a user's model: nothing to undo, but say so
                    logging.getLogger(__name__).warning("plant model %s: close() failed: %s", spec.model, exc)


def _serial_reason(transport: Any) -> str:
    """Why a serial device cannot be opened (pymodbus only says it could not): missing, in use, ..."""
    if transport.kind != "rtu":
        return ""
    import serial  # lazily, as the servers do

    try:
        with serial.Serial(transport.device, exclusive=True):
            return ""
    except (OSError, ValueError, serial.SerialException) as exc:
        return f": {exc}"


def _signals_of(scenario: Scenario) -> list[str]:
    names = {s for step in scenario.steps for s in step.settings}
    names |= {e.signal for step in scenario.steps for e in step.expectations}
    return sorted(names)


# ---------------------------------------------------------------------------------------------- runs


def lock_path(rig: Rig, key: str | None = None) -> Path:
    """The lock file for ``key`` (default: the rig's name): ``plcops-rig-KEY.lock`` in
    ``$PLCOPS_LOCK_DIR``, else the temporary folder.

    Set ``PLCOPS_LOCK_DIR`` (an absolute path) on a bench host where runs do not share one temporary
    folder (users with their own ``TMPDIR``, containers): a lock only keeps out runs that look in the
    same place. The file stays after a run, holding the last PID: deleting a lock file another run may
    have open would let two in.

    Raises:
        HilError: ``PLCOPS_LOCK_DIR`` is relative or not a folder.
    """
    folder = os.environ.get("PLCOPS_LOCK_DIR") or tempfile.gettempdir()
    if not os.path.isabs(folder) or not os.path.isdir(folder):
        raise HilError(f"PLCOPS_LOCK_DIR={folder}: must be an existing folder, given by its absolute path")
    name = rig.name if key is None else key
    return Path(folder) / f"plcops-rig-{''.join(c if c.isalnum() else '_' for c in name)}.lock"


def _endpoint(rig: Rig) -> str:
    """What the rig drives: two rig files for one controller must not run at once either."""
    transport = rig.transport
    return f"tcp {transport.host}:{transport.port}" if transport.kind == "tcp" else f"rtu {transport.device}"


@contextmanager
def rig_lock(rig: Rig) -> Iterator[None]:
    """Hold the rig's locks for the run: one for its name, one for the controller it drives (host and
    port, or serial device). Another run on either fails at once, naming the lock."""
    with _lock(lock_path(rig), f"rig '{rig.name}' is in use by another run"):
        with _lock(lock_path(rig, _endpoint(rig)), f"{_endpoint(rig)} is driven by another run"):
            yield


@contextmanager
def _lock(path: Path, busy: str) -> Iterator[None]:
    handle = open(path, "a+")  # not "w": a run that is turned away must not erase the holder's PID
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise HilError(f"{busy} (lock {path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def run_on_rig(
    rig: Rig,
    scenarios: list[Scenario],
    iomap: IoMap | None,
    *,
    lockstep: bool,
    scans_per_cycle: int = 1,
    before_each: Callable[[Scenario], None] | None = None,
    locked: bool = True,
) -> list[HilResult]:
    """Run scenarios one after another on the rig, holding its locks (unless ``locked`` is False: a
    private virtual PLC); the safe state after each one that fails or errs, and on any interruption.
    ``before_each`` prepares the controller for a scenario (with ``--emulate``: a fresh virtual PLC, as
    ``plcops test`` gives each scenario a fresh simulator).

    Raises:
        HilError: the rig is in use by another run.
        RunInterrupted: Ctrl-C or, under :func:`stop_signals`, SIGTERM (after the safe state was applied).
    """
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    results: list[HilResult] = []
    # Declared safe-state signals are written after a failure even when that scenario never named them.
    signals = {name: path for scenario in scenarios for name, path in scenario.signals.items()}
    try:
        with rig_lock(rig) if locked else contextlib.nullcontext():
            for scenario in scenarios:
                outcome, cause = _run_one(rig, scenario, iomap, signals, lockstep, scans_per_cycle, before_each)
                results.append(outcome)
                if cause:
                    raise RunInterrupted(results, cause)
    except RunInterrupted:
        raise
    except KeyboardInterrupt as stopped:  # between scenarios: nothing is being driven
        raise RunInterrupted(results, cause_of(stopped)) from None
    return results


def _run_one(
    rig: Rig,
    scenario: Scenario,
    iomap: IoMap | None,
    signals: dict[str, str],
    lockstep: bool,
    scans_per_cycle: int,
    before_each: Callable[[Scenario], None] | None,
) -> tuple[HilResult, str]:
    """One scenario; the safe state unless it passed. Returns the result and what interrupted it ('')."""
    began = time.perf_counter()
    outcome = HilResult(ScenarioResult(scenario))
    target: ModbusTarget | None = None
    cause = ""
    try:
        if before_each is not None:
            before_each(scenario)
        target = ModbusTarget(rig, scenario, iomap, lockstep=lockstep, scans_per_cycle=scans_per_cycle, signals=signals)
        run_scenario(scenario, target, tolerance_ns=rig.tolerance_ns, into=outcome.result)
    except HilError as exc:
        outcome.error = str(exc)
    except KeyboardInterrupt as stopped:
        cause = cause_of(stopped)
    except Exception as exc:  # a failure nobody foresaw must still leave the rig safe, and say what it was
        outcome.error = f"the run failed: {type(exc).__name__}: {exc}"
    while target is not None:
        try:
            with shielded():
                if cause or not outcome.passed:
                    outcome.safe_state = target.make_safe()
                target.close()
                target = None
        except KeyboardInterrupt as stopped:  # came just before the shield went up: write it again, shielded
            cause = cause or cause_of(stopped)
    cause = cause or held_stop()
    if cause:
        outcome.error = f"interrupted ({cause})"
    outcome.seconds = time.perf_counter() - began
    return outcome, cause


# ---------------------------------------------------------------------------------------------- reports


def junit(results: list[HilResult], rig: Rig) -> str:
    """JUnit XML: a testsuite for the rig, a testcase per scenario case."""
    suite = ET.Element("testsuite", name=f"hil {rig.name}", tests=str(len(results)))
    failures = errors = 0
    for result in results:
        case = ET.SubElement(
            suite, "testcase", classname=f"hil.{rig.name}", name=result.result.scenario.id, time=f"{result.seconds:.3f}"
        )
        if result.error:
            errors += 1
            element = ET.SubElement(case, "error", message=result.error)
            element.text = result.error + ("\nsafe state: " + ", ".join(result.safe_state) if result.safe_state else "")
        elif not result.passed:
            failures += 1
            text = "\n".join(result.result.failures)
            element = ET.SubElement(case, "failure", message=result.result.failures[0])
            element.text = text + ("\nsafe state: " + ", ".join(result.safe_state) if result.safe_state else "")
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    return (
        ET.tostring(ET.Element("testsuites"), encoding="unicode").replace(
            "<testsuites />", "<testsuites>" + ET.tostring(suite, encoding="unicode") + "</testsuites>"
        )
        + "\n"
    )


def timing_diagram(result: HilResult) -> str:
    """An HTML page with an SVG timing diagram: every signal over time, expectations as shaded windows
    (green met, red not met). The page is ``templates/reports/timing_diagram.html``; the geometry is
    computed here."""
    scenario = result.result.scenario
    timeline = result.result.timeline
    signals = sorted({name for _, values in timeline for name in values})
    end = max((t for t, _ in timeline), default=1) or 1
    width, row_height, left = 900, 46, 150
    height = row_height * max(len(signals), 1) + 40

    def x(t: int) -> float:
        return left + width * t / end

    rows = []
    for index, name in enumerate(signals):
        top = 20 + index * row_height
        windows = []
        for expectation in result.result.expectations:
            if expectation.signal == name:
                start, stop = expectation.start_ns, expectation.start_ns + max(expectation.window_ns, 10_000_000)
                windows.append(
                    {
                        "x": f"{x(start):.1f}",
                        "width": f"{max(x(stop) - x(start), 2):.1f}",
                        "colour": "#9f9" if expectation.met and not expectation.broken else "#f99",
                        "title": expectation.describe(),
                    }
                )
        values = [(t, v.get(name)) for t, v in timeline]
        numeric = [float(v) for _, v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        low, high = (min(numeric), max(numeric)) if numeric else (0.0, 1.0)
        span = (high - low) or 1.0
        points = []
        for t, value in values:
            level = (
                (1.0 if value else 0.0)
                if isinstance(value, bool) or not isinstance(value, (int, float))
                else (float(value) - low) / span
            )
            points.append(f"{x(t):.1f},{top + (row_height - 12) - level * (row_height - 16):.1f}")
        rows.append(
            {
                "name": name,
                "top": top,
                "label_y": top + 22,
                "height": row_height - 10,
                "windows": windows,
                "points": " ".join(points),
            }
        )
    return render(
        "reports/timing_diagram.html",
        title=scenario.id,
        verdict="passed" if result.passed else "FAILED",
        problems=[*result.result.failures, *([result.error] if result.error else [])],
        width=width + left + 20,
        height=height,
        rows=rows,
        axis={"left": left, "right": left + width - 60, "y": height - 4, "end": f"{end / 1e9:.3f} s"},
    )
