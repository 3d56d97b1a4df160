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
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from hil.iomap import FIELD_UNIT, IoMap, Location, Point, default_map, from_words, load_map, to_words
from hil.modbus import Cell, PlcContext, ServerLoop, rtu_server, tcp_server
from plcops.sim.simulator import Simulator, parse_duration
from plcops.st.model import Model

CONTROL = 64000  # first register of the control block (unit 2)


@dataclass
class ScanStats:
    """Wall-clock timing of free-running scans."""

    starts: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)

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


class VirtualPlc:
    """A simulator with its I/O map, servable over Modbus TCP and RTU (see the module docstring)."""

    def __init__(self, simulator: Simulator, iomap: IoMap, *, lockstep: bool = False) -> None:
        self.sim = simulator
        self.iomap = iomap
        self.lockstep = lockstep
        self.lock = threading.RLock()
        self.stats = ScanStats()
        self.context = PlcContext(self._views(), self.lock)
        self.loop: ServerLoop | None = None
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
            load_map(map_file, iomap, lambda path: simulator._resolve(path)[2])
        return cls(simulator, iomap, lockstep=lockstep)

    # -------------------------------------------------------------------- the data

    def _views(self) -> dict[int, dict[str, dict[int, Cell]]]:
        views: dict[int, dict[str, dict[int, Cell]]] = {unit: {} for unit in self.iomap.units()}
        for location, (point, word) in self.iomap.at().items():
            getter = self._getter(point, word)
            setter = self._setter(point, word) if point.writable else None
            views.setdefault(location.unit, {}).setdefault(location.table, {})[location.address] = Cell(getter, setter)
        control = views.setdefault(FIELD_UNIT, {}).setdefault("holding", {})
        control[CONTROL] = Cell(lambda: 0, self._run_scans if self.lockstep else None)
        control[CONTROL + 1] = Cell(lambda: (self.sim.scans >> 16) & 0xFFFF)
        control[CONTROL + 2] = Cell(lambda: self.sim.scans & 0xFFFF)
        for index in range(4):
            control[CONTROL + 3 + index] = Cell(self._time_word(48 - 16 * index))
        control[CONTROL + 7] = Cell(lambda: 1 if self.lockstep else 0)
        return views

    def _time_word(self, shift: int) -> Callable[[], int]:
        return lambda: ((self.sim.now_ns // 1_000_000) >> shift) & 0xFFFF

    def _getter(self, point: Point, word: int) -> Any:
        def get() -> int | bool:
            words = to_words(self.sim.raw(point.path), point)
            return words[word]

        return get

    def _setter(self, point: Point, word: int) -> Any:
        def set_word(value: int | bool) -> None:
            if point.location.table == "coil":
                self.sim[point.path] = bool(value)
                return
            words = to_words(self.sim.raw(point.path), point)
            words[word] = int(value)
            try:
                self.sim[point.path] = from_words(words, point)
            except ValueError as exc:
                raise ValueError(str(exc)) from None  # exception 03: a value the PLC refuses

        return set_word

    def _run_scans(self, value: int | bool) -> None:
        count = int(value)
        if not 1 <= count <= 65535:
            raise ValueError("scan count must be 1..65535")
        self.sim.scan(count)

    # -------------------------------------------------------------------- serving

    def serve(
        self,
        *,
        tcp: tuple[str, int] | None = ("127.0.0.1", 0),
        rtu: dict[str, Any] | None = None,
    ) -> VirtualPlc:
        """Start the servers (and, unless lockstep, the scan loop) in a background thread.

        ``tcp`` is (host, port) (port 0: any free port; see :attr:`port`), ``rtu`` the serial settings
        (``device``, ``baudrate``, ``parity``, ``stopbits``). Binds to 127.0.0.1 unless told otherwise.
        """
        factories: list[Callable[[], Any]] = []
        if tcp is not None:
            host, port = tcp
            factories.append(lambda: tcp_server(self.context, host, port))
        if rtu is not None:
            settings = dict(rtu)
            factories.append(
                lambda: rtu_server(
                    self.context,
                    settings["device"],
                    int(settings.get("baudrate", 19200)),
                    str(settings.get("parity", "N")),
                    int(settings.get("stopbits", 1)),
                )
            )
        self.loop = ServerLoop(*factories).start()
        if not self.lockstep:
            self._running = True
            self.loop.call(lambda: asyncio.ensure_future(self._scan_forever()))
        return self

    async def _scan_forever(self) -> None:
        period = self.sim.base_ns / 1e9
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while self._running:
            started = time.perf_counter()
            with self.lock:
                self.sim.scan()
            self.stats.starts.append(started)
            self.stats.durations.append(time.perf_counter() - started)
            if len(self.stats.starts) > 1_000_000:
                del self.stats.starts[:500_000], self.stats.durations[:500_000]
            deadline += period
            await asyncio.sleep(max(0.0, deadline - loop.time()))

    @property
    def port(self) -> int:
        assert self.loop is not None
        return self.loop.port

    def stop(self) -> None:
        self._running = False
        if self.loop is not None:
            self.loop.stop()
            self.loop = None

    def __enter__(self) -> VirtualPlc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


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
    return lines


__all__ = ["CONTROL", "Location", "ScanStats", "VirtualPlc", "describe_map", "located_paths", "parse_duration"]
