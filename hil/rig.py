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

from plcops.project.tomlfile import error_at, read_toml, table_in, tables_in
from plcops.st.literals import LiteralError, duration_ns

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


def load_rig(path: Path) -> Rig:
    """Read and validate a rig file.

    Raises:
        DiagnosticError: ``rig.toml:line:col: error: ...`` for anything invalid.
    """
    name = str(path)
    text, data = read_toml(path, "rig file")
    unknown = set(data) - _SECTIONS
    if unknown:
        key = sorted(unknown)[0]
        raise error_at(name, text, key, f"unknown section [{key}] (known: {', '.join(sorted(_SECTIONS))})")
    base = path.parent
    head = table_in(data, "rig", name, text)
    rig = Rig(path, str(head.get("name", path.stem)))
    if head.get("project"):
        rig.project = (base / str(head["project"])).resolve()
    transport = table_in(data, "transport", name, text)
    kind = transport.get("kind", "tcp")
    if kind not in ("tcp", "rtu"):
        raise error_at(name, text, "kind", "transport kind must be tcp or rtu")
    rig.transport = Transport(
        kind=kind,
        host=str(transport.get("host", "127.0.0.1")),
        port=_integer(transport, "port", 502, name, text),
        device=str(transport.get("device", "")),
        baudrate=_integer(transport, "baudrate", 19200, name, text),
        parity=str(transport.get("parity", "N")).upper()[:1],
        stopbits=_integer(transport, "stopbits", 1, name, text),
        unit=_integer(transport, "unit", 2, name, text),
        timeout_s=_time(transport.get("timeout", "500ms"), name, text, "timeout") / 1e9,
        retries=_integer(transport, "retries", 2, name, text),
    )
    if kind == "rtu" and not rig.transport.device:
        raise error_at(name, text, "rtu", 'an rtu transport needs device = "/dev/..."')
    if rig.transport.parity not in ("N", "E", "O"):
        raise error_at(name, text, "parity", "parity must be N, E or O")
    if not 1 <= rig.transport.port <= 65535:
        raise error_at(name, text, "port", "port must be 1..65535")
    if not (1 <= rig.transport.unit <= 247 if kind == "rtu" else 0 <= rig.transport.unit <= 255):
        # RTU addresses 0 (broadcast, never answered) and 248..255 (reserved) cannot be polled.
        raise error_at(name, text, "unit", "unit must be 1..247 on rtu (0..255 on tcp)")
    if rig.transport.stopbits not in (1, 2):
        raise error_at(name, text, "stopbits", "stopbits must be 1 or 2")
    if rig.transport.baudrate <= 0:
        raise error_at(name, text, "baudrate", "baudrate must be positive")
    if not 0 <= rig.transport.retries <= 10:
        raise error_at(name, text, "retries", "retries must be 0..10 (bounded)")
    timing = table_in(data, "timing", name, text)
    rig.cycle_ns = _time(timing.get("cycle", "10ms"), name, text, "cycle")
    rig.tolerance_ns = _time(timing.get("tolerance", "0ms"), name, text, "tolerance")
    rig.lockstep = bool(timing["lockstep"]) if "lockstep" in timing else None
    if table_in(data, "map", name, text).get("file"):
        rig.map_file = (base / str(data["map"]["file"])).resolve()
    for signal, entry in table_in(data, "signals", name, text).items():
        if (
            not isinstance(entry, dict)
            or entry.get("table") not in ("coil", "discrete", "holding", "input")
            or not isinstance(entry.get("address"), int)
        ):
            raise error_at(
                name, text, signal, f"signal {signal}: needs table (coil, discrete, holding, input) and address"
            )
        rig.signals[signal] = dict(entry)
    rig.safe_state = dict(table_in(data, "safe_state", name, text))
    for entry in tables_in(data, "plant", name, text):
        if not isinstance(entry, dict) or ":" not in str(entry.get("model", "")):
            raise error_at(name, text, "model", '[[plant]] needs model = "module:Class"')
        rig.plants.append(
            PlantSpec(
                str(entry["model"]),
                dict(entry.get("inputs", {})),
                dict(entry.get("outputs", {})),
                dict(entry.get("parameters", {})),
            )
        )
    return rig


def _integer(table: dict[str, Any], key: str, default: int, path: str, text: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise error_at(path, text, key, f"{key} must be a whole number, not {value!r}")
    return value


def _time(value: Any, path: str, text: str, key: str) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(value * 1e9)
    try:
        literal = str(value).strip()
        return duration_ns(literal if "#" in literal else f"T#{literal}")
    except LiteralError:
        raise error_at(path, text, key, f"{key}: '{value}' is not a time") from None
