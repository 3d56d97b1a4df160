"""The elementary data types of IEC 61131-3 and how values convert between them.

A :class:`TypeRef` is a small, hashable, JSON-friendly description of a type as far as the tools need it:
the elementary types by name, and structured types (arrays, pointers, references, strings with a length,
user-defined types by name). The linter uses it to spot narrowing or sign-changing conversions and
comparisons of REAL or TIME values; the simulator uses the same facts for its arithmetic.

Implicit conversions follow IEC 61131-3, 3rd edition, table 11: a value converts implicitly only to a
type that holds every value of its own type (INT to DINT, UINT to DINT, INT to REAL, REAL to LREAL, BYTE to
WORD); everything else is narrowing and needs an explicit ``*_TO_*`` conversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plcops.st import ast


@dataclass(frozen=True, slots=True)
class IntType:
    """An integer type: its width in bits and whether it is signed."""

    bits: int
    signed: bool

    @property
    def minimum(self) -> int:
        """The smallest value."""
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def maximum(self) -> int:
        """The largest value."""
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1


INTEGERS: dict[str, IntType] = {
    "SINT": IntType(8, True),
    "INT": IntType(16, True),
    "DINT": IntType(32, True),
    "LINT": IntType(64, True),
    "USINT": IntType(8, False),
    "UINT": IntType(16, False),
    "UDINT": IntType(32, False),
    "ULINT": IntType(64, False),
}
BIT_STRINGS: dict[str, int] = {"BOOL": 1, "BYTE": 8, "WORD": 16, "DWORD": 32, "LWORD": 64}
REALS: dict[str, int] = {"REAL": 32, "LREAL": 64}  # bits of the IEEE 754 format
DURATIONS = frozenset({"TIME", "LTIME"})
DATES = frozenset(
    {"DATE", "LDATE", "TIME_OF_DAY", "TOD", "LTOD", "LTIME_OF_DAY", "DATE_AND_TIME", "DT", "LDT", "LDATE_AND_TIME"}
)
STRINGS = frozenset({"STRING", "WSTRING", "CHAR", "WCHAR"})
ELEMENTARY = frozenset(INTEGERS) | frozenset(BIT_STRINGS) | frozenset(REALS) | DURATIONS | DATES | STRINGS

# Exact integers a REAL/LREAL mantissa holds: an integer type converts implicitly to a real type only
# if every value fits (IEC table 11: INT -> REAL, DINT -> LREAL, not DINT -> REAL).
_MANTISSA = {"REAL": 24, "LREAL": 53}


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A type as the tools see it.

    Attributes:
        kind: ``"named"`` (elementary or user-defined type by name), ``"string"`` (with ``length``),
            ``"array"`` (of ``target``), ``"pointer"`` or ``"reference"`` (to ``target``), ``"enum"``
            (inline enumeration with ``values``), ``"subrange"`` (of the named base ``name``).
        name: the type name, upper case for elementary types; the user type name as written otherwise.
    """

    kind: str
    name: str = ""
    target: TypeRef | None = None
    length: str = ""
    values: tuple[str, ...] = ()

    @property
    def elementary(self) -> str | None:
        """The elementary type name, or None for user-defined and structured types."""
        if self.kind in ("named", "subrange") and self.name.upper() in ELEMENTARY:
            return self.name.upper()
        if self.kind == "string":
            return self.name.upper()
        return None

    def to_json(self) -> dict[str, Any]:
        """A JSON form (for caches)."""
        data: dict[str, Any] = {"kind": self.kind}
        if self.name:
            data["name"] = self.name
        if self.target is not None:
            data["target"] = self.target.to_json()
        if self.length:
            data["length"] = self.length
        if self.values:
            data["values"] = list(self.values)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TypeRef:
        """The inverse of :meth:`to_json`."""
        target = data.get("target")
        return cls(
            data["kind"],
            data.get("name", ""),
            cls.from_json(target) if target else None,
            data.get("length", ""),
            tuple(data.get("values", ())),
        )

    def __str__(self) -> str:
        if self.kind == "array" and self.target is not None:
            return f"ARRAY OF {self.target}"
        if self.kind == "pointer" and self.target is not None:
            return f"POINTER TO {self.target}"
        if self.kind == "reference" and self.target is not None:
            return f"REFERENCE TO {self.target}"
        if self.kind == "string" and self.length:
            return f"{self.name}({self.length})"
        if self.kind == "enum":
            return "(" + ", ".join(self.values) + ")"
        return self.name


def named(name: str) -> TypeRef:
    """The TypeRef of a type name (elementary names upper-cased)."""
    return TypeRef("named", name.upper() if name.upper() in ELEMENTARY else name)


def type_ref(spec: ast.TypeSpec | None, source: str = "") -> TypeRef | None:
    """The TypeRef of a declared type (``source`` gives array bounds and string lengths their text)."""
    if spec is None:
        return None
    if isinstance(spec, ast.NamedType):
        return named(spec.name)
    if isinstance(spec, ast.SizedType):
        length = source[spec.size.span.start : spec.size.span.end] if source else ""
        return TypeRef("string", spec.name.upper(), length=length)
    if isinstance(spec, ast.SubrangeType):
        return TypeRef("subrange", spec.name.upper())
    if isinstance(spec, ast.ArrayType):
        return TypeRef("array", target=type_ref(spec.element, source))
    if isinstance(spec, ast.PointerType):
        return TypeRef("pointer", target=type_ref(spec.target, source))
    if isinstance(spec, ast.ReferenceType):
        return TypeRef("reference", target=type_ref(spec.target, source))
    if isinstance(spec, ast.EnumType):
        return TypeRef("enum", spec.base or "", values=tuple(v.name for v in spec.values))
    if isinstance(spec, ast.InstanceType):
        return named(spec.name)
    return TypeRef("named", type(spec).__name__)


# Bit strings hold the values of the unsigned integer of their width (CODESYS and TwinCAT convert between
# them implicitly): BYTE -> USINT loses nothing, INT -> WORD changes the sign.
_BITS_AS_INTEGER = {"BYTE": "USINT", "WORD": "UINT", "DWORD": "UDINT", "LWORD": "ULINT"}


def as_integer(name: str) -> str:
    """An integer type's name, or the unsigned integer a bit string (other than BOOL) behaves as."""
    return _BITS_AS_INTEGER.get(name.upper(), name.upper())


def implicitly_converts(source: str, target: str) -> bool:
    """Whether a value of elementary type ``source`` converts to ``target`` without loss (IEC table 11,
    with bit strings read as unsigned integers of their width)."""
    source, target = source.upper(), target.upper()
    if source == target:
        return True
    if source in BIT_STRINGS and target in BIT_STRINGS:
        return BIT_STRINGS[source] <= BIT_STRINGS[target]
    source, target = as_integer(source), as_integer(target)
    if source in INTEGERS and target in INTEGERS:
        a, b = INTEGERS[source], INTEGERS[target]
        return b.minimum <= a.minimum and a.maximum <= b.maximum
    if source in INTEGERS and target in REALS:
        a = INTEGERS[source]
        return a.bits - (1 if a.signed else 0) <= _MANTISSA[target]
    if source in REALS and target in REALS:
        return REALS[source] <= REALS[target]
    if source == "TIME" and target == "LTIME":
        return True
    if source in ("STRING", "CHAR") and target == "STRING":
        return True
    return False


def changes_sign(source: str, target: str) -> bool:
    """Whether converting between two integer types crosses signed and unsigned."""
    source, target = as_integer(source), as_integer(target)
    return source in INTEGERS and target in INTEGERS and INTEGERS[source].signed != INTEGERS[target].signed


def wider(a: str, b: str) -> str:
    """The result type of an arithmetic operation on two elementary types (the one the other converts to)."""
    if implicitly_converts(a, b):
        return b
    if implicitly_converts(b, a):
        return a
    if a in REALS or b in REALS:
        return "LREAL"
    a, b = as_integer(a), as_integer(b)
    if a in INTEGERS and b in INTEGERS:
        # Mixed signedness without a common type: the next wider signed type.
        bits = max(INTEGERS[a].bits, INTEGERS[b].bits) * 2
        return {16: "INT", 32: "DINT", 64: "LINT"}.get(bits, "LINT")
    return a


def integer_fits(value: int, type_name: str) -> bool:
    """Whether an integer literal's value fits an integer or bit-string type."""
    name = type_name.upper()
    if name in INTEGERS:
        return INTEGERS[name].minimum <= value <= INTEGERS[name].maximum
    if name in BIT_STRINGS:
        return 0 <= value < (1 << BIT_STRINGS[name])
    return True


def integer_literal_value(text: str) -> int | None:
    """The value of an integer literal (``42``, ``16#FF``, ``INT#-5``, ``2#1010``), or None."""
    body = text.replace("_", "")
    if "#" in body and not body[0].isdigit():
        body = body.split("#", 1)[1]
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-")
    try:
        if "#" in body:
            base, digits = body.split("#", 1)
            return sign * int(digits, int(base))
        return sign * int(body)
    except ValueError:
        return None
