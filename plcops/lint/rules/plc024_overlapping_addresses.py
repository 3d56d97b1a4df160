from __future__ import annotations

import re
from typing import Any, Iterable

from plcops.lint.context import FileContext, ProjectFacts
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast
from plcops.st.types import BIT_STRINGS, INTEGERS, REALS, integer_literal_value

_ADDRESS = re.compile(r"^%([IQM])([XBWDL]?)(\d+)(?:\.(\d+))?$", re.IGNORECASE)
_SIZE = {"X": 0, "": 0, "B": 1, "W": 2, "D": 4, "L": 8}
# Bits of the elementary types that are not integers, bit strings or reals.
_OTHER_BITS = {
    **dict.fromkeys(("TIME", "DATE", "TOD", "TIME_OF_DAY", "DT", "DATE_AND_TIME"), 32),
    "LTIME": 64,
    "CHAR": 8,
    "WCHAR": 16,
}
_DEFAULT_STRING_LENGTH = 80


def bit_range(address: str, bits: int | None = None) -> tuple[str, int, int] | None:
    """``(area, first bit, last bit)`` of a located address, in bits from the start of the area.

    Byte addressing as in CODESYS/TwinCAT: ``%IW2`` is bytes 4..5 (word 2), ``%IX0.3`` is bit 3 of byte 0.
    ``bits`` is the size of the located variable's type when known: a DINT or an array at ``%IB8`` takes
    as many bytes as it needs from there.
    """
    match = _ADDRESS.match(address)
    if match is None:
        return None
    area, size, number, bit = match.group(1).upper(), match.group(2).upper(), int(match.group(3)), match.group(4)
    if size in ("X", "") and bit is not None:
        first = number * 8 + int(bit)
        return area, first, first
    if size in ("X", ""):
        return area, number, number  # %IX5 without a byte: bit 5
    width = _SIZE[size] * 8
    first = number * width
    return area, first, first + max(width, bits or 0) - 1


def type_bits(spec: ast.TypeSpec, context: FileContext) -> int | None:
    """The size in bits of a declared type, for elementary types, strings and arrays of them with literal
    bounds; None when unknown (structures, user types)."""
    if isinstance(spec, ast.NamedType):
        name = spec.name.upper()
        if name == "BOOL":
            return 8  # a BOOL located at a byte address takes the byte
        if name in INTEGERS:
            return INTEGERS[name].bits
        if name in BIT_STRINGS:
            return BIT_STRINGS[name]
        if name in REALS:
            return REALS[name]
        if name in ("STRING", "WSTRING"):
            return (_DEFAULT_STRING_LENGTH + 1) * (8 if name == "STRING" else 16)
        return _OTHER_BITS.get(name)
    if isinstance(spec, ast.SizedType) and isinstance(spec.size, ast.Literal):
        length = integer_literal_value(spec.size.text)
        return None if length is None else (length + 1) * (8 if spec.name.upper() == "STRING" else 16)
    if isinstance(spec, ast.ArrayType):
        element = type_bits(spec.element, context)
        count = 1
        for dim in spec.dims:
            low = integer_literal_value(context.text_of(dim.low)) if dim.low is not None else None
            high = integer_literal_value(context.text_of(dim.high)) if dim.high is not None else None
            if low is None or high is None:
                return None
            count *= high - low + 1
        return None if element is None else element * count
    return None


class PLC024(Rule):
    """Two variables are located at overlapping addresses.

    Why: writing one changes the other. Sometimes intended (a word and its bits), mostly a copy-paste
    error in the I/O map that makes two signals share a wire. Addresses are compared as CODESYS and
    TwinCAT lay them out (``%IW2`` is bytes 4..5), and a variable takes the bytes its type needs
    (``aIn AT %IB0 : ARRAY[0..3] OF BYTE`` is bytes 0..3). All located declarations of the project are
    compared, across GVL files.

    Anti-pattern:
    ```st
    bPumpOn   AT %QX0.1 : BOOL;
    bValveOn  AT %QX0.1 : BOOL;
    ```

    Best practice: one address per signal; if a word and its bits are meant to alias, say so with
    ``{analysis -28}``.
    ```st
    bPumpOn   AT %QX0.1 : BOOL;
    bValveOn  AT %QX0.2 : BOOL;
    nStatus   AT %IW0 : WORD;
    {analysis -28}
    bReady    AT %IX0.0 : BOOL;   // bit 0 of nStatus, on purpose
    ```
    """

    code = "PLC024"
    name = "overlapping-addresses"
    groups = ("correctness",)
    level = Level.error
    sa = ("SA0028",)
    plcopen = ("CP4",)

    project = True

    def file_facts(self, context: FileContext) -> list[list[Any]]:
        """Every located declaration: [area, first bit, last bit, name, address, line, column, POU]."""
        found: list[list[Any]] = []
        for decl, parents in context.nodes(ast.VarDecl):
            if not decl.address:
                continue
            located = bit_range(decl.address, type_bits(decl.type, context))
            if located is None:
                continue
            name = decl.names[0]
            line, column = context.source.location(name.span.start)
            scope = context.scope_of(parents)
            found.append([*located, name.text, decl.address, line, column, scope.name if scope else ""])
        return found

    def check_project(self, facts: ProjectFacts) -> Iterable[Finding]:
        # Declarations in file order, then line order: the later of two overlapping ones is reported,
        # naming the earlier (in another file, with its path).
        seen: list[tuple[str, list[Any]]] = []
        for file in sorted(facts.files, key=lambda f: f.path):
            for located in file.extra.get(self.code, []):
                area, first, last, name, address, line, column, pou = located
                for other_path, other in seen:
                    if area == other[0] and first <= other[2] and other[1] <= last:
                        where = f"line {other[5]}" if other_path == file.path else f"{other_path}:{other[5]}"
                        finding = Finding(
                            self.code, f"{name} AT {address} overlaps {other[3]} AT {other[4]} ({where})", 0, 0, pou
                        )
                        finding.path, finding.line, finding.column = file.path, line, column
                        finding.end_line, finding.end_column = line, column + len(name)
                        yield finding
                        break
                seen.append((file.path, located))
