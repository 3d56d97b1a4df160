"""Recording variables over scans and writing them as VCD (GTKWave, Surfer) or CSV.

A :class:`Trace` samples chosen variables after every scan. ``plcops sim run --trace OUT.vcd`` records
every elementary variable of the program (members of function block instances and structures included,
by dotted path); ``--trace-var`` narrows it down.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from plcops.sim.compiler import ident
from plcops.st.model import (
    ArrayType,
    ElementaryType,
    EnumType,
    PouInfo,
    PouType,
    StringType,
    StructType,
    Type,
    resolved,
)


@dataclass
class Signal:
    """A traced variable: its path and how VCD shows it."""

    path: str
    kind: str  # "bool", "integer", "real", "string"
    width: int


@dataclass
class Trace:
    """Samples of signals, one row per scan: (time in ns, scan number, values)."""

    signals: list[Signal]
    rows: list[tuple[int, int, list[Any]]] = field(default_factory=list)

    def sample(self, time_ns: int, scan: int, values: list[Any]) -> None:
        self.rows.append((time_ns, scan, values))

    def write(self, path: Path) -> None:
        """Write as VCD (``.vcd``) or CSV (anything else)."""
        text = self.vcd() if path.suffix.lower() == ".vcd" else self.csv()
        path.write_text(text, encoding="utf-8")

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["time_ns", "scan", *(signal.path for signal in self.signals)])
        for time_ns, scan, values in self.rows:
            writer.writerow([time_ns, scan, *(_csv_value(v) for v in values)])
        return out.getvalue()

    def vcd(self) -> str:
        lines = ["$date plcops simulation $end", "$version plcops sim $end", "$timescale 1ns $end"]
        codes = [_vcd_code(number) for number in range(len(self.signals))]
        scopes: dict[tuple[str, ...], list[tuple[str, Signal, str]]] = {}
        for signal, code in zip(self.signals, codes, strict=True):
            *scope, name = signal.path.split(".")
            scopes.setdefault(tuple(scope), []).append((name, signal, code))
        for scope_path, members in scopes.items():
            for part in scope_path:
                lines.append(f"$scope module {part} $end")
            for name, signal, code in members:
                kind = {"bool": "wire", "integer": "integer", "real": "real", "string": "string"}[signal.kind]
                lines.append(f"$var {kind} {signal.width} {code} {name.replace(' ', '_')} $end")
            lines.extend("$upscope $end" for _ in scope_path)
        lines.append("$enddefinitions $end")
        previous: list[Any] = [object()] * len(self.signals)
        for time_ns, _scan, values in self.rows:
            changes = []
            for index, (value, signal, code) in enumerate(zip(values, self.signals, codes, strict=True)):
                if value != previous[index]:
                    changes.append(_vcd_value(value, signal, code))
                    previous[index] = value
            if changes:
                lines.append(f"#{time_ns}")
                lines.extend(changes)
        return "\n".join(lines) + "\n"


def elementary_paths(prefix: str, kind: Type, depth: int = 0) -> Iterator[tuple[str, Signal]]:
    """Every elementary variable below a variable of ``kind``, as (path, signal)."""
    kind = resolved(kind)
    if depth > 8:
        return
    if isinstance(kind, ElementaryType):
        if kind.name == "BOOL":
            yield prefix, Signal(prefix, "bool", 1)
        elif kind.is_real:
            yield prefix, Signal(prefix, "real", 64)
        elif kind.name in ("CHAR", "WCHAR"):
            yield prefix, Signal(prefix, "string", 1)
        else:
            yield prefix, Signal(prefix, "integer", kind.bits if kind.is_integer or kind.is_bits else 64)
    elif isinstance(kind, EnumType):
        yield prefix, Signal(prefix, "integer", kind.base.bits)
    elif isinstance(kind, StringType):
        yield prefix, Signal(prefix, "string", 1)
    elif isinstance(kind, StructType):
        for member in kind.fields.values():
            yield from elementary_paths(f"{prefix}.{member.name}", member.type, depth + 1)
    elif isinstance(kind, PouType) and kind.pou.kind != "INTERFACE":
        for variable in kind.pou.all_variables():
            if not variable.hidden and variable.section not in ("VAR_TEMP", "VAR_IN_OUT"):
                yield from elementary_paths(f"{prefix}.{variable.name}", variable.type, depth + 1)
    elif isinstance(kind, ArrayType) and kind.dims is not None and len(kind.dims) == 1 and kind.size <= 64:
        low, high = kind.dims[0]
        for index in range(low, high + 1):
            yield from elementary_paths(f"{prefix}[{index}]", kind.element, depth + 1)


def program_signals(program: PouInfo) -> list[Signal]:
    """The elementary variables of a program (for a full trace)."""
    return [signal for _, signal in elementary_paths(program.name, PouType(program))]


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


def _vcd_code(number: int) -> str:
    alphabet = "".join(chr(c) for c in range(33, 127))
    code = ""
    number += 1
    while number:
        number, digit = divmod(number - 1, len(alphabet))
        code = alphabet[digit] + code
    return code


def _vcd_value(value: Any, signal: Signal, code: str) -> str:
    if signal.kind == "bool":
        return f"{1 if value else 0}{code}"
    if signal.kind == "real":
        return f"r{float(value)!r} {code}"
    if signal.kind == "string":
        text = str(value).replace(" ", "\\x20") or "\\x00"
        return f"s{text} {code}"
    number = int(value)
    if number < 0:
        number &= (1 << signal.width) - 1
    return f"b{number:b} {code}"


__all__ = ["Signal", "Trace", "elementary_paths", "ident", "program_signals"]
