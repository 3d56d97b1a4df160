"""The rig file: which controller the HIL runner drives, how, and what is safe.

```toml
[rig]
name = "bench-1"                 # also names the lock that stops two runs from driving one rig
project = "."                    # optional: the plcops project, to map signals through AT addresses

[transport]
kind = "tcp"                     # tcp | rtu
host = "127.0.0.1"
port = 502
# kind = "rtu"  device = "/dev/ttyUSB0"  baudrate = 19200  parity = "E"  stopbits = 1
unit = 2                         # the field-wiring view (the virtual PLC's unit 2)
timeout = "500ms"                # per request
retries = 2                      # bounded

[timing]
cycle = "10ms"                   # how often the runner steps, samples and checks
tolerance = "50ms"               # how late an expectation may be met on real hardware
lockstep = false                 # virtual PLC only: scan on the runner's command (deterministic)

[map]
file = "map.toml"                # optional: extra points (see hil/iomap.py)

[signals]                        # scenario signal -> Modbus point (else: the variable's AT address)
start = { table = "coil", address = 0 }
level = { table = "holding", address = 1, type = "INT" }

[safe_state]                     # written to everything the runner drives on failure, timeout,
start = false                    # lost connection or Ctrl-C (signals not listed: FALSE / 0)
level = 0

[[plant]]                        # plant models in closed loop
model = "hil.plants:Conveyor"
inputs = { running = "conveyor" }           # model input <- PLC output (signal)
outputs = { bottle_in_place = "bottle" }    # model output -> PLC input (signal)
parameters = { travel_time = 1.5 }
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hil.iomap import WORD_TYPES
from plcops.project.tomlfile import Scope, SettingsFile

_SECTIONS = {"rig", "transport", "timing", "map", "signals", "safe_state", "plant"}


@dataclass
class Transport:
    """How to reach the controller."""

    kind: str = "tcp"
    host: str = "127.0.0.1"
    port: int = 502
    device: str = ""
    baudrate: int = 19200
    parity: str = "N"
    stopbits: int = 1
    unit: int = 2
    timeout_s: float = 0.5
    retries: int = 2

    def describe(self) -> str:
        if self.kind == "tcp":
            return f"{self.host}:{self.port} unit {self.unit}"
        return f"{self.device} ({self.baudrate} {self.parity} {self.stopbits}) unit {self.unit}"


@dataclass
class PlantSpec:
    """A plant model in the loop: ``module:Class``, its signals and parameters."""

    model: str
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rig:
    """A parsed rig file (see the module docstring)."""

    path: Path
    name: str = "rig"
    project: Path | None = None
    transport: Transport = field(default_factory=Transport)
    cycle_ns: int = 10_000_000
    tolerance_ns: int = 0
    lockstep: bool | None = None  # None: lockstep when emulating, free-running on hardware
    map_file: Path | None = None
    signals: dict[str, dict[str, Any]] = field(default_factory=dict)
    safe_state: dict[str, Any] = field(default_factory=dict)
    plants: list[PlantSpec] = field(default_factory=list)


_KEYS = {
    "rig": ("name", "project"),
    "transport": ("kind", "host", "port", "device", "baudrate", "parity", "stopbits", "unit", "timeout", "retries"),
    "timing": ("cycle", "tolerance", "lockstep"),
    "map": ("file",),
    "plant": ("model", "inputs", "outputs", "parameters"),
    "signal": ("table", "address", "type", "word_order"),
}


def load_rig(path: Path) -> Rig:
    """Read and validate a rig file.

    Raises:
        DiagnosticError: ``rig.toml:line:col: error: ...`` for anything invalid.
    """
    file = SettingsFile.read(path, "rig file")
    data = file.data
    unknown = sorted(set(data) - _SECTIONS)
    if unknown:
        raise file.error(unknown[0], f"unknown section [{unknown[0]}] (known: {', '.join(sorted(_SECTIONS))})")
    for section in ("rig", "transport", "timing", "map"):
        file.check_keys(file.table(data, section), _KEYS[section], (section,), f"[{section}]")
    base = path.parent
    head = data.get("rig", {})
    rig = Rig(path, file.string(head, "name", path.stem, ("rig",), "[rig] name") or path.stem)
    project = file.string(head, "project", None, ("rig",), "[rig] project")
    if project:
        rig.project = (base / project).resolve()
    rig.transport = _transport(file)
    timing = data.get("timing", {})
    scope: Scope = ("timing",)
    rig.cycle_ns = file.duration(timing.get("cycle", "10ms"), "cycle", scope, "cycle", positive=True)
    rig.tolerance_ns = file.duration(timing.get("tolerance", "0ms"), "tolerance", scope, "tolerance")
    if rig.tolerance_ns < 0:
        raise file.error("tolerance", "tolerance must not be negative", scope)
    if "lockstep" in timing and not isinstance(timing["lockstep"], bool):
        raise file.error("lockstep", f"lockstep must be true or false, not {timing['lockstep']!r}", scope)
    rig.lockstep = timing.get("lockstep")
    map_file = file.string(data.get("map", {}), "file", None, ("map",), "[map] file")
    if map_file:
        rig.map_file = (base / map_file).resolve()
    for signal, entry in file.table(data, "signals").items():
        scope = ("signals",)
        if (
            not isinstance(entry, dict)
            or entry.get("table") not in ("coil", "discrete", "holding", "input")
            or not isinstance(entry.get("address"), int)
        ):
            raise file.error(
                signal, f"signal {signal}: needs table (coil, discrete, holding, input) and address", scope
            )
        file.check_keys(entry, _KEYS["signal"], scope, f"signal {signal}:")
        file.integer(entry, "address", 0, scope, f"signal {signal}: address", 0, 65535)
        if str(entry.get("type", "INT")).upper() not in WORD_TYPES:
            raise file.error("type", f"signal {signal}: unsupported type {entry['type']!r}", scope)
        if entry.get("word_order", "big") not in ("big", "little"):
            raise file.error("word_order", f"signal {signal}: word_order must be big or little", scope)
        rig.signals[signal] = dict(entry)
    rig.safe_state = dict(file.table(data, "safe_state"))
    for signal, value in rig.safe_state.items():
        # TRUE/FALSE, a number, or a TIME literal: "false" in quotes would be a string, and a string is TRUE.
        if (isinstance(value, str) and not value.upper().startswith(("T#", "TIME#"))) or isinstance(
            value, (list, dict)
        ):
            raise file.error(
                signal,
                f"[safe_state] {signal}: {value!r} is not a value (write true, false or a number)",
                ("safe_state",),
            )
    for number, entry in enumerate(file.tables(data, "plant"), 1):
        scope = ("plant", number)
        file.check_keys(entry, _KEYS["plant"], scope, f"[[plant]] {number}:")
        if ":" not in str(entry.get("model", "")):
            raise file.error("model", '[[plant]] needs model = "module:Class"', scope)
        rig.plants.append(
            PlantSpec(
                str(entry["model"]),
                dict(file.table(entry, "inputs", scope)),
                dict(file.table(entry, "outputs", scope)),
                dict(file.table(entry, "parameters", scope)),
            )
        )
    return rig


def _transport(file: SettingsFile) -> Transport:
    table, scope = file.data.get("transport", {}), ("transport",)
    kind = table.get("kind", "tcp")
    if kind not in ("tcp", "rtu"):
        raise file.error("kind", "transport kind must be tcp or rtu", scope)
    # RTU addresses 0 (broadcast, never answered) and 248..255 (reserved) cannot be polled.
    units = (1, 247) if kind == "rtu" else (0, 255)
    transport = Transport(
        kind=kind,
        host=file.string(table, "host", "127.0.0.1", scope, "host") or "127.0.0.1",
        port=file.integer(table, "port", 502, scope, "port", 1, 65535),
        device=file.string(table, "device", "", scope, "device") or "",
        baudrate=file.integer(table, "baudrate", 19200, scope, "baudrate", 1, 10_000_000),
        parity=str(table.get("parity", "N")).upper()[:1],  # "E", "even" and "Even" alike
        stopbits=file.integer(table, "stopbits", 1, scope, "stopbits", 1, 2),
        unit=file.integer(table, "unit", 2, scope, f"unit (on {kind})", *units),
        timeout_s=file.duration(table.get("timeout", "500ms"), "timeout", scope, "timeout", positive=True) / 1e9,
        retries=file.integer(table, "retries", 2, scope, "retries (bounded)", 0, 10),
    )
    if kind == "rtu" and not transport.device:
        raise file.error("rtu", 'an rtu transport needs device = "/dev/..."', scope)
    if transport.parity not in ("N", "E", "O"):
        raise file.error("parity", "parity must be N, E or O", scope)
    return transport
