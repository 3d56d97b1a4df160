"""Which Modbus addresses stand for which PLC variables: the default map from ``AT`` addresses, and map files.

Two unit ids, two views of the same controller (docs/hil.md gives the table):

* **unit 1**, the controller as a SCADA/HMI sees it (OpenPLC-compatible): ``%QXm.n`` -> coil ``8m+n``,
  ``%IXm.n`` -> discrete input ``8m+n``, ``%IWn`` -> input register ``n``, ``%QWn`` -> holding register
  ``n``, ``%MWn`` -> holding register ``1024+n``, ``%MDn`` -> holding registers ``2048+2n`` and ``+1``,
  ``%MLn`` -> holding registers ``4096+4n`` .. ``+3`` (high word first). Only memory (``%M``) is writable:
  a SCADA may not write the PLC's outputs, and inputs come from the field.
* **unit 2**, the field wiring as a test rig sees it (the mirror image): ``%IXm.n`` -> coil ``8m+n`` and
  ``%IWn`` -> holding register ``n``, both writable (this is how a rig drives the PLC's inputs);
  ``%QXm.n`` -> discrete input ``8m+n`` and ``%QWn`` -> input register ``n``, read-only.

16-bit values travel as registers in two's complement (INT -1 is 65535). A map file adds variables that
have no ``AT`` address, with their unit, table, address, data type, word order, scaling and access:

```toml
[[point]]
variable = "MAIN.fbStation.nFilled"     # any variable path the simulator knows
unit = 1
table = "input"                          # coil | discrete | holding | input
address = 100
type = "DINT"                            # BOOL, INT, UINT, WORD, DINT, UDINT, DWORD, REAL, LREAL, LINT, ULINT
word_order = "big"                       # big: high word first (default); little
scale = 1.0                              # register = value * scale + offset (numbers only)
offset = 0.0
access = "read"                          # read | readwrite (coils and holding registers only)
```
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from plcops.project.tomlfile import SettingsFile
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.literals import LiteralError, duration_ns
from plcops.st.model import ElementaryType, EnumType, Model, StructType, Type, VarInfo, resolved

TABLES = ("coil", "discrete", "holding", "input")
# The virtual PLC's control block (lockstep scans, counters): unit 2, holding registers 64000..64007.
CONTROL = 64000
CONTROL_WORDS = 8
SCADA_UNIT = 1
FIELD_UNIT = 2
_ADDRESS = re.compile(r"^%([IQM])([XBWDL]?)(\d+)(?:\.(\d+))?$", re.IGNORECASE)
_WORDS = {
    "BOOL": 1,
    "INT": 1,
    "UINT": 1,
    "WORD": 1,
    "SINT": 1,
    "USINT": 1,
    "BYTE": 1,
    "DINT": 2,
    "UDINT": 2,
    "DWORD": 2,
    "REAL": 2,
    "LINT": 4,
    "ULINT": 4,
    "LWORD": 4,
    "LREAL": 4,
    "TIME": 2,
}
WORD_TYPES = frozenset(_WORDS)  # the types a Modbus point can carry
_POINT_KEYS = ("variable", "table", "address", "unit", "type", "access", "word_order", "scale", "offset")


@dataclass(frozen=True)
class Location:
    """An address in one table of one unit."""

    unit: int
    table: str  # coil, discrete, holding, input
    address: int


@dataclass
class Point:
    """A PLC value at one or more Modbus addresses (a DINT takes two registers).

    ``path`` is the variable's dotted path; ``type`` its elementary type name; ``writable`` whether a
    client may write it in this view.
    """

    path: str
    type: str
    location: Location
    writable: bool
    word_order: str = "big"
    scale: float = 1.0
    offset: float = 0.0
    bit: int | None = None  # a bit of a word variable (%MX, or a register's bit)

    @property
    def words(self) -> int:
        return 1 if self.location.table in ("coil", "discrete") else _WORDS.get(self.type, 1)


@dataclass
class IoMap:
    """Every point of both views, with lookups by location and by variable."""

    points: list[Point] = field(default_factory=list)

    def add(self, point: Point) -> None:
        self.points.append(point)

    def at(self) -> dict[Location, tuple[Point, int]]:
        """Each address -> (point, which word of the point)."""
        found: dict[Location, tuple[Point, int]] = {}
        for point in self.points:
            for word in range(point.words):
                location = Location(point.location.unit, point.location.table, point.location.address + word)
                found[location] = (point, word)
        return found

    def for_variable(self, path: str, unit: int | None = None) -> list[Point]:
        key = path.casefold()
        return [p for p in self.points if p.path.casefold() == key and (unit is None or p.location.unit == unit)]

    def units(self) -> list[int]:
        return sorted({p.location.unit for p in self.points} | {SCADA_UNIT, FIELD_UNIT})


def default_map(model: Model, paths: dict[int, str]) -> IoMap:
    """The two views of every located variable (``AT %IX0.0`` ...). ``paths`` gives each located
    variable's dotted path by ``id(VarInfo)`` (globals: ``GVL.x``; program variables: ``MAIN.x``).

    Raises:
        DiagnosticError: at the declaration, for an address that lands beyond register 65535, on the
        control block, or on the same register or bit as another variable's (a map where one of them
        silently vanished would test something else than the project says).
    """
    mapping = IoMap()
    declared: dict[str, VarInfo] = {}
    for variable, path in _located(model, paths):
        declared[path] = variable
        match = _ADDRESS.match(variable.address or "")
        if match is None:
            continue
        area, size, number, bit = match.group(1).upper(), match.group(2).upper(), int(match.group(3)), match.group(4)
        kind = _elementary_name(variable.type)
        if kind is None:
            continue
        if size in ("X", "") and bit is not None:
            index = number * 8 + int(bit)
            if area == "Q":
                mapping.add(Point(path, "BOOL", Location(SCADA_UNIT, "coil", index), writable=False))
                mapping.add(Point(path, "BOOL", Location(FIELD_UNIT, "discrete", index), writable=False))
            elif area == "I":
                mapping.add(Point(path, "BOOL", Location(SCADA_UNIT, "discrete", index), writable=False))
                mapping.add(Point(path, "BOOL", Location(FIELD_UNIT, "coil", index), writable=True))
            continue
        if area == "I" and size == "W":
            mapping.add(Point(path, kind, Location(SCADA_UNIT, "input", number), writable=False))
            mapping.add(Point(path, kind, Location(FIELD_UNIT, "holding", number), writable=True))
        elif area == "Q" and size == "W":
            mapping.add(Point(path, kind, Location(SCADA_UNIT, "holding", number), writable=False))
            mapping.add(Point(path, kind, Location(FIELD_UNIT, "input", number), writable=False))
        elif area == "M" and size == "W":
            mapping.add(Point(path, kind, Location(SCADA_UNIT, "holding", 1024 + number), writable=True))
        elif area == "M" and size == "D":
            mapping.add(Point(path, kind, Location(SCADA_UNIT, "holding", 2048 + 2 * number), writable=True))
        elif area == "M" and size == "L":
            mapping.add(Point(path, kind, Location(SCADA_UNIT, "holding", 4096 + 4 * number), writable=True))
    _check_default_map(mapping, declared, model)
    return mapping


def _check_default_map(mapping: IoMap, declared: dict[str, VarInfo], model: Model) -> None:
    def error(path: str, message: str) -> DiagnosticError:
        variable = declared[path]
        source = model.sources.get(variable.path)
        where = f"{path} AT {variable.address}"
        if source is None:
            return DiagnosticError(Diagnostic(variable.path, 1, 1, f"{where}: {message}"))
        start, end = variable.decl.span
        return DiagnosticError(Diagnostic.at(source, start, f"{where}: {message}", end=end))

    seen: dict[Location, Point] = {}
    for point in mapping.points:
        unit, table, first = point.location.unit, point.location.table, point.location.address
        last = first + point.words - 1
        if last > 65535:
            raise error(
                point.path, f"maps to {table} {first}..{last} of unit {unit}, beyond Modbus's last address 65535"
            )
        if unit == FIELD_UNIT and table == "holding" and first <= CONTROL + CONTROL_WORDS - 1 and last >= CONTROL:
            raise error(
                point.path,
                f"maps to holding {first} of unit 2, the virtual PLC's control block "
                f"({CONTROL}..{CONTROL + CONTROL_WORDS - 1}): writing it would run scans",
            )
        for word in range(point.words):
            location = Location(unit, table, first + word)
            other = seen.get(location)
            if other is not None and other.path != point.path:
                raise error(
                    point.path,
                    f"maps to {table} {location.address} of unit {unit}, as {other.path} AT "
                    f"{declared[other.path].address} does: give one of them another address",
                )
            seen[location] = point


def _located(model: Model, paths: dict[int, str]) -> list[tuple[VarInfo, str]]:
    found = []
    for gvl in model.gvls.values():
        for variable in gvl.variables.values():
            if variable.address and id(variable) in paths:
                found.append((variable, paths[id(variable)]))
    for pou in model.user_pous():
        if pou.kind == "PROGRAM":
            for variable in pou.variables.values():
                if variable.address and id(variable) in paths:
                    found.append((variable, paths[id(variable)]))
    return found


def _elementary_name(kind: Type) -> str | None:
    """The register type of a variable: its elementary type; an enumeration travels as its base type."""
    kind = resolved(kind)
    if isinstance(kind, EnumType):
        return kind.base.name
    if isinstance(kind, ElementaryType):
        return kind.name
    return None


def load_map(path: Path, mapping: IoMap, resolve: Callable[[str], Type]) -> IoMap:
    """Add the points of a map file (see the module docstring) to ``mapping``.

    ``resolve`` gives the type of a variable path (raising KeyError for an unknown one).

    Raises:
        DiagnosticError: ``MAP.toml:line:col: message`` for anything invalid.
    """
    file = SettingsFile.read(path, "map")
    unknown = sorted(set(file.data) - {"point"})
    if unknown:
        raise file.error(unknown[0], f"unknown section [{unknown[0]}] (a map file holds [[point]] tables)")
    numbers: dict[int, int] = {}
    for number, entry in enumerate(file.tables(file.data, "point"), 1):
        where, scope = f"point {number}", ("point", number)
        file.check_keys(entry, _POINT_KEYS, scope, f"{where}:")
        variable = entry.get("variable")
        if not isinstance(variable, str):
            raise file.error("[[point]]", f'{where}: needs variable = "PATH"', scope)
        try:
            kind = resolved(resolve(variable))
        except KeyError as exc:
            raise file.error(variable, f"{where}: {exc.args[0] if exc.args else 'unknown variable'}", scope) from None
        natural = _elementary_name(kind)
        if natural is None:
            what = "a structure" if isinstance(kind, StructType) else f"a {kind}"
            raise file.error(variable, f"{where}: {variable} is {what}: map its elementary members one by one", scope)
        table = entry.get("table")
        if table not in TABLES:
            raise file.error("table", f"{where}: table must be one of {', '.join(TABLES)}", scope)
        type_name = str(entry.get("type", natural)).upper()
        if type_name not in _WORDS:
            raise file.error("type", f"{where}: unsupported type {type_name}", scope)
        if table in ("coil", "discrete") and type_name != "BOOL":
            raise file.error(
                "table", f"{where}: a {table} carries one bit: only BOOL variables, not {type_name}", scope
            )
        access = entry.get("access", "read")
        if access not in ("read", "readwrite"):
            raise file.error("access", f"{where}: access must be read or readwrite", scope)
        if access == "readwrite" and table in ("discrete", "input"):
            raise file.error("access", f"{where}: {table} tables are read-only in Modbus", scope)
        order = entry.get("word_order", "big")
        if order not in ("big", "little"):
            raise file.error("word_order", f"{where}: word_order must be big or little", scope)
        address = file.integer(entry, "address", -1, scope, f"{where}: address", 0, 65535)
        unit = file.integer(entry, "unit", SCADA_UNIT, scope, f"{where}: unit", 1, 247)
        factors = [entry.get(key, default) for key, default in (("scale", 1.0), ("offset", 0.0))]
        for key, value in zip(("scale", "offset"), factors, strict=True):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise file.error(key, f"{where}: {key} must be a finite number, not {value!r}", scope)
        if factors[0] == 0:
            raise file.error("scale", f"{where}: scale must not be 0 (a register could not be read back)", scope)
        point = Point(
            variable,
            type_name,
            Location(unit, table, address),
            access == "readwrite",
            order,
            float(factors[0]),
            float(factors[1]),
        )
        mapping.add(point)
        numbers[id(point)] = number
    _check_overlaps(mapping, file, numbers)
    return mapping


def _check_overlaps(mapping: IoMap, file: SettingsFile, numbers: dict[int, int]) -> None:
    """Refuse points that share a register or bit, run past 65535 or land on the control block;
    ``numbers`` gives each map point's ``[[point]]`` number (by ``id``), for the error's line."""
    seen: dict[Location, Point] = {}
    for point in mapping.points:
        unit, table, first = point.location.unit, point.location.table, point.location.address
        last = first + point.words - 1
        scope = ("point", numbers[id(point)]) if id(point) in numbers else ()
        where = f"point {numbers[id(point)]}: " if id(point) in numbers else ""
        if last > 65535:
            raise file.error("address", f"{where}{point.path} needs {table} {first}..{last}: beyond 65535", scope)
        if unit == FIELD_UNIT and table == "holding" and first < CONTROL + CONTROL_WORDS and last >= CONTROL:
            raise file.error(
                "address", f"{where}holding {first} of unit 2 is the control block ({CONTROL}..{CONTROL + 7})", scope
            )
        for word in range(point.words):
            location = Location(unit, table, first + word)
            other = seen.get(location)
            if other is not None and other is not point:
                raise file.error(
                    "address" if scope else point.path,
                    f"{where}unit {location.unit} {location.table} {location.address} is used by {other.path} and {point.path}",
                    scope,
                )
            seen[location] = point


# ---------------------------------------------------------------------------------------------- encoding


# The values each register type can carry (the range a rig's value must fit; see to_words).
_RANGES = {
    "BOOL": (0, 1),
    "SINT": (-(2**7), 2**7 - 1),
    "USINT": (0, 2**8 - 1),
    "BYTE": (0, 2**8 - 1),
    "INT": (-(2**15), 2**15 - 1),
    "UINT": (0, 2**16 - 1),
    "WORD": (0, 2**16 - 1),
    "DINT": (-(2**31), 2**31 - 1),
    "UDINT": (0, 2**32 - 1),
    "DWORD": (0, 2**32 - 1),
    "TIME": (0, 2**32 - 1),
    "LINT": (-(2**63), 2**63 - 1),
    "ULINT": (0, 2**64 - 1),
    "LWORD": (0, 2**64 - 1),
}
_SIGNED = {"SINT", "INT", "DINT", "LINT"}


def scenario_value(value: Any, point: Point) -> Any:
    """A value a scenario or rig file gives for a point, checked as the simulator checks a write, so
    that a HIL run refuses what ``plcops test`` refuses: BOOL takes TRUE/FALSE (or 0/1), integers take
    integers (1.7 is not rounded), TIME takes ``"T#2s"`` (sent in milliseconds) or milliseconds.

    Raises:
        ValueError: a value of the wrong kind.
    """
    if point.location.table in ("coil", "discrete") or point.type == "BOOL":
        if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            return bool(value)
        raise ValueError(f"{value!r} is not TRUE/FALSE")
    if point.type == "TIME" and isinstance(value, str):
        literal = value.strip()
        try:
            return duration_ns(literal if "#" in literal else f"T#{literal}") // 1_000_000
        except LiteralError:
            raise ValueError(f"{value!r} is not a time") from None
    scaled = point.scale != 1.0 or point.offset != 0.0
    if point.type in ("REAL", "LREAL") or scaled:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{value!r} is not a number")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not an integer")
    return value


def to_words(value: Any, point: Point, *, strict: bool = False) -> list[int]:
    """A PLC value as the registers (or the one coil state) that carry it.

    Integers travel in two's complement. A value the point's type cannot carry raises ValueError when
    ``strict`` (what the HIL runner writes: it must not wrap a scenario's 40000 into an INT's -25536);
    otherwise it wraps, as a PLC's own conversion to a narrower type does (what a server reads out).
    """
    if strict:
        value = scenario_value(value, point)
    kind = point.type
    if point.location.table in ("coil", "discrete"):
        return [1 if value else 0]
    if isinstance(value, bool):
        value = int(value)
    if point.scale != 1.0 or point.offset != 0.0:
        value = value * point.scale + point.offset
    if kind in ("REAL", "LREAL"):
        packed = struct.pack(">f" if kind == "REAL" else ">d", float(value))
    else:
        words = _WORDS.get(kind, 1)
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be carried by {kind}")
        number = round(value)
        low, high = _RANGES.get(kind, (-(2 ** (16 * words - 1)), 2 ** (16 * words) - 1))
        if strict and not low <= number <= high:
            raise ValueError(f"{number} is outside {low}..{high} ({kind})")
        packed = (number & ((1 << (16 * words)) - 1)).to_bytes(2 * words, "big")
    registers = [int.from_bytes(packed[i : i + 2], "big") for i in range(0, len(packed), 2)]
    return registers if point.word_order == "big" else list(reversed(registers))


def from_words(words: list[int], point: Point) -> Any:
    """The PLC value carried by registers (or a coil state).

    A scaled point gives a float (register 215 with scale 10 is 21.5): whether that is rounded depends on
    the variable it goes to, not on the register's type.
    """
    kind = point.type
    if point.location.table in ("coil", "discrete"):
        return bool(words[0])
    ordered = words if point.word_order == "big" else list(reversed(words))
    packed = b"".join(int(w & 0xFFFF).to_bytes(2, "big") for w in ordered)
    if kind in ("REAL", "LREAL"):
        value: float | int = struct.unpack(">f" if kind == "REAL" else ">d", packed)[0]
    else:
        value = int.from_bytes(packed, "big", signed=kind in _SIGNED)
    if point.scale != 1.0 or point.offset != 0.0:
        value = (value - point.offset) / point.scale
    return value
