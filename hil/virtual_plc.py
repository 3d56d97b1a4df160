"""The virtual PLC: a project running in the simulator on the wall clock, its I/O served over Modbus.

```python
from hil.virtual_plc import VirtualPlc

plc = VirtualPlc.load(["docs/examples/filling_station"])
with plc.serve(tcp=("127.0.0.1", 0)):       # scans every 10 ms in the background
    print(plc.port)                          # a Modbus client may now read and write the I/O
```

Free-running, the PLC scans at its task period on the wall clock (the virtual clock advances by the
period each scan, so it follows real time) and the scan-period jitter is measured. With ``lockstep`` it
scans only when a client asks, through the control block, which makes CI runs deterministic:

| unit 2 holding register | meaning |
|---|---|
| 64000 | write N (1..65535): run N scans now; the write returns when they are done (lockstep only) |
| 64001-64002 | scans run so far (UDINT, high word first), read-only |
| 64003-64006 | virtual time in milliseconds (ULINT, high word first), read-only |
| 64007 | 1 in lockstep, 0 free-running, read-only |
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from hil.iomap import CONTROL, FIELD_UNIT, IoMap, Location, Point, default_map, from_words, load_map, to_words
from hil.modbus import Binding, ModbusSlave, Views
from hil.servers import RtuServer, SerialSettings, Server, ServerLoop, TcpServer
from plcops.sim.simulator import ScanError, Simulator, Variable, parse_duration
from plcops.st.model import ElementaryType, EnumType, Model, resolved

log = logging.getLogger("plcops.hil")

# However late free-running scans are, the loop gives the GIL away this long this often (see _scan_forever).
_PAUSE_S = 0.0001
_PAUSE_EVERY_S = 0.01


@dataclass
class ScanStats:
    """Wall-clock timing of free-running scans."""

    starts: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    # How far the scans are behind their schedule on the wall clock, in seconds, after the latest scan.
    # Virtual time advances one period per scan, so when scans take longer than the period it falls
    # behind the wall clock by this much (timers run slow); the latest figure and the largest seen.
    lag_s: float = 0.0
    max_lag_s: float = 0.0

    def mean_scan_ms(self) -> float:
        """The mean execution time of the recorded scans, in milliseconds."""
        return statistics.fmean(self.durations) * 1000 if self.durations else 0.0

    def jitter_ms(self, period_ms: float) -> dict[str, float]:
        """Deviation of scan-start intervals from the period: p50, p99 and max, in milliseconds."""
        intervals = [(b - a) * 1000 for a, b in zip(self.starts, self.starts[1:], strict=False)]
        if len(intervals) < 2:
            return {"p50": 0.0, "p99": 0.0, "max": 0.0, "scans": float(len(self.starts))}
        deviations = sorted(abs(i - period_ms) for i in intervals)
        p99 = deviations[min(len(deviations) - 1, int(len(deviations) * 0.99))]
        return {
            "p50": statistics.median(deviations),
            "p99": p99,
            "max": deviations[-1],
            "scans": float(len(self.starts)),
        }


def lag_warning(stats: ScanStats, period_s: float) -> str:
    """A warning when free-running scans cannot keep their period ('' when they can): they take longer
    than the cycle, so virtual time (one period per scan) falls behind the wall clock and every timer runs
    slow by as much. Half a second, or 20 periods, of lag counts: a loaded host's hiccups are caught up."""
    if stats.lag_s <= max(0.5, 20 * period_s):
        return ""
    return (
        f"warning: the virtual PLC cannot keep its {period_s * 1000:g} ms cycle (scans take"
        f" {stats.mean_scan_ms():.2f} ms on average): its virtual time is {stats.lag_s:.1f} s behind the wall"
        " clock and its timers run slow; use a longer --cycle-time or --lockstep"
    )


class VirtualPlc:
    """A simulator with its I/O map, servable over Modbus TCP and RTU (see the module docstring).

    Free-running, a runtime error stops the PLC as a real one goes to STOP: :attr:`fault` holds the
    error and every request is answered with exception 04 (device failure) until :meth:`restart`. In
    lockstep the scan request that hit the error gets exception 04 and the next one scans again.
    """

    def __init__(self, simulator: Simulator, iomap: IoMap, *, lockstep: bool = False) -> None:
        self.sim = simulator
        self.iomap = iomap
        self.lockstep = lockstep
        self.lock = threading.RLock()
        self.stats = ScanStats()
        self.fault: ScanError | None = None  # free-running: the error that stopped the PLC
        self.last_error: ScanError | None = None  # the latest runtime error, in either mode
        self.slave = ModbusSlave(self._views(), self.lock)
        self.loop: ServerLoop | None = None
        self.servers: list[Server] = []
        self._running = False

    @classmethod
    def load(
        cls,
        paths: Sequence[Path | str],
        *,
        program: str | None = None,
        cycle_time: str = "10ms",
        map_file: Path | None = None,
        lockstep: bool = False,
        libraries: Sequence[Any] = (),
        intrinsics: Sequence[Any] = (),
    ) -> VirtualPlc:
        """Load a project and build its map (the default map from AT addresses, plus a map file).

        Raises:
            SimulationError: the project does not load; DiagnosticError: the map file is invalid.
        """
        simulator = Simulator.load(
            paths, program=program, cycle_time=cycle_time, libraries=libraries, intrinsics=intrinsics
        )
        iomap = default_map(simulator.model, located_paths(simulator))
        if map_file is not None:
            load_map(map_file, iomap, simulator.type_of)
        return cls(simulator, iomap, lockstep=lockstep)

    # -------------------------------------------------------------------- the data

    def _views(self) -> Views:
        views: Views = {unit: {} for unit in self.iomap.units()}
        bindings: dict[int, Binding] = {}
        for location, (point, word) in self.iomap.at().items():
            binding = bindings.get(id(point))
            if binding is None:
                binding = bindings[id(point)] = self._binding(point)
            views.setdefault(location.unit, {}).setdefault(location.table, {})[location.address] = (binding, word)
        control = views.setdefault(FIELD_UNIT, {}).setdefault("holding", {})
        scan = Binding(1, lambda: [0], self._prepare_scans if self.lockstep else None)
        scans = Binding(2, lambda: [(self.sim.scans >> 16) & 0xFFFF, self.sim.scans & 0xFFFF])
        millis = Binding(4, lambda: _split(self.sim.now_ns // 1_000_000, 4))
        mode = Binding(1, lambda: [1 if self.lockstep else 0])
        for offset, slot in enumerate([(scan, 0), (scans, 0), (scans, 1), *((millis, i) for i in range(4)), (mode, 0)]):
            control[CONTROL + offset] = slot
        return views

    def _binding(self, point: Point) -> Binding:
        """The variable behind a point: read through the map's encoding, written through the
        simulator's checks (a value outside the variable's type or subrange is refused: exception 03)."""
        path = point.path
        sim = self.sim
        kind = resolved(sim.type_of(path))
        integer = isinstance(kind, EnumType) or (isinstance(kind, ElementaryType) and not kind.is_real)
        unit = 1_000_000 if isinstance(kind, ElementaryType) and kind.is_duration else 1  # TIME travels in ms
        current, generation = sim.bind(path), sim.generation

        def variable() -> Variable:
            nonlocal current, generation
            if generation != sim.generation:  # bound again after a restart (new instances)
                current, generation = sim.bind(path), sim.generation
            return current

        def read() -> list[int]:
            value = variable().raw()
            return to_words(value // unit if unit != 1 else value, point)

        def prepare(words: list[int]) -> Callable[[], None]:
            value = from_words(words, point)
            if integer and not isinstance(value, bool):
                value = round(value) * unit
            return variable().prepare_write(value)

        return Binding(point.words, read, prepare if point.writable else None)

    def _prepare_scans(self, words: list[int]) -> Callable[[], None]:
        count = words[0]
        if not 1 <= count <= 65535:
            raise ValueError("scan count must be 1..65535")

        def scan() -> None:
            try:
                self.sim.scan(count)
            except ScanError as error:  # answered with exception 04; the next request may scan again
                self.last_error = error
                raise

        return scan

    # -------------------------------------------------------------------- serving

    def serve(
        self,
        *,
        tcp: tuple[str, int] | None = ("127.0.0.1", 0),
        rtu: dict[str, Any] | SerialSettings | None = None,
    ) -> VirtualPlc:
        """Start the servers (and, unless lockstep, the scan loop) in a background thread.

        ``tcp`` is (host, port) (port 0: any free port; see :attr:`port`), ``rtu`` the serial settings
        (``device``, ``baudrate``, ``parity``, ``stopbits``). Binds to 127.0.0.1 unless told otherwise.

        Raises:
            OSError: the port is taken or the address is not this machine's; serial.SerialException: the
            serial device cannot be opened (missing, or in use: it is opened exclusively).
        """
        self.servers = []
        if tcp is not None:
            self.servers.append(TcpServer(self.slave, *tcp))
        if rtu is not None:
            settings = rtu if isinstance(rtu, SerialSettings) else _serial_settings(rtu)
            self.servers.append(RtuServer(self.slave, settings))
        self.loop = ServerLoop(*self.servers).start()
        if not self.lockstep and self.fault is None:
            self._running = True
            self.loop.spawn(self._scan_forever)
        return self

    def lost_line(self) -> str:
        """Why the PLC serves nowhere any more ('' while it does): its only servers were serial lines,
        and every one of them failed (a USB adapter unplugged)."""
        lines = [server for server in self.servers if isinstance(server, RtuServer)]
        if not lines or len(lines) != len(self.servers) or not all(line.failure for line in lines):
            return ""
        return "; ".join(line.failure for line in lines)

    async def _scan_forever(self) -> None:
        period = self.sim.base_ns / 1e9
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        last_pause = time.perf_counter()
        while self._running:
            started = time.perf_counter()
            try:
                with self.lock:
                    self.sim.scan()
            except ScanError as error:  # the PLC goes to STOP, and says so to every client
                self.fault = self.last_error = error
                self.slave.fault = str(error)
                log.error("the virtual PLC stopped: %s", error)
                return
            self.stats.starts.append(started)
            self.stats.durations.append(time.perf_counter() - started)
            if len(self.stats.starts) > 1_000_000:
                del self.stats.starts[:500_000], self.stats.durations[:500_000]
            deadline += period
            behind = loop.time() - deadline
            self.stats.lag_s = max(behind, 0.0)
            self.stats.max_lag_s = max(self.stats.max_lag_s, behind)
            if behind < 0:
                await asyncio.sleep(-behind)
                continue
            # Late: scan again at once, but every 10 ms give the GIL away for real. asyncio.sleep(0)
            # releases it only for a select() call, which resets CPython's forced switching, and the main
            # thread (signals, `serve --duration`) starved behind a loop of short late scans for seconds.
            # (A short asyncio.sleep would not do: the event loop rounds timeouts up to 1 ms.)
            now = time.perf_counter()
            if now - last_pause >= _PAUSE_EVERY_S:
                time.sleep(_PAUSE_S)
                last_pause = now
            await asyncio.sleep(0)

    def restart(self, mode: str = "origin") -> None:
        """Restart the program (see :meth:`Simulator.restart`; ``origin`` is a fresh PLC) and clear a fault."""
        with self.lock:
            self.sim.restart(mode)
            self.fault = None
            self.slave.fault = None

    @property
    def port(self) -> int:
        """The TCP port served (useful after ``tcp=(host, 0)``)."""
        for server in self.servers:
            if isinstance(server, TcpServer):
                return server.port
        raise RuntimeError("the virtual PLC serves no TCP")

    def stop(self) -> None:
        self._running = False
        if self.loop is not None:
            self.loop.stop()
            self.loop = None

    def __enter__(self) -> VirtualPlc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _split(value: int, words: int) -> list[int]:
    """An unsigned value as 16-bit words, high word first."""
    return [(value >> (16 * (words - 1 - index))) & 0xFFFF for index in range(words)]


def _serial_settings(settings: dict[str, Any]) -> SerialSettings:
    return SerialSettings(
        str(settings["device"]),
        int(settings.get("baudrate", 19200)),
        str(settings.get("parity", "N")).upper(),
        int(settings.get("stopbits", 1)),
    )


def located_paths(simulator: Simulator) -> dict[int, str]:
    """The dotted path of every global and program variable (for the map), by ``id(VarInfo)``."""
    model: Model = simulator.model
    paths: dict[int, str] = {}
    for gvl in model.gvls.values():
        for variable in gvl.variables.values():
            paths[id(variable)] = f"{gvl.name}.{variable.name}"
    for name, (pou, _) in simulator.instances.items():
        for variable in pou.variables.values():
            paths.setdefault(id(variable), f"{pou.name if name == pou.name.casefold() else name}.{variable.name}")
    return paths


def describe_map(iomap: IoMap) -> list[str]:
    """One line per address, for ``plcops hil serve --show-map`` and the docs."""
    lines = []
    for location, (point, word) in sorted(
        iomap.at().items(), key=lambda item: (item[0].unit, item[0].table, item[0].address)
    ):
        access = "read/write" if point.writable else "read"
        suffix = f" word {word}" if point.words > 1 else ""
        lines.append(
            f"unit {location.unit} {location.table:<8} {location.address:>5}  {access:<10} {point.path} ({point.type}){suffix}"
        )
    # The control block is served as well (docs/hil.md, Lockstep): list it, so the map shows every address.
    for offset, (access, meaning) in enumerate(_CONTROL_BLOCK):
        lines.append(f"unit {FIELD_UNIT} {'holding':<8} {CONTROL + offset:>5}  {access:<10} {meaning}")
    return lines


_CONTROL_BLOCK = [
    ("write", "control: run N scans (lockstep)"),
    ("read", "control: scans so far, high word"),
    ("read", "control: scans so far, low word"),
    *(("read", f"control: virtual time in ms, word {word}") for word in range(4)),
    ("read", "control: 1 in lockstep, 0 free-running"),
]


__all__ = ["CONTROL", "Location", "ScanStats", "VirtualPlc", "describe_map", "located_paths", "parse_duration"]
