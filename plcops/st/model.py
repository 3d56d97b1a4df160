"""The declarations of a whole project, resolved: types, POUs with their variables, GVLs, configurations.

:class:`Model` is built from parsed files (and the bundled IEC standard library). Names are resolved
case-insensitively, types are resolved to :class:`Type` objects (array bounds, string lengths and enum
values folded to constants), and every declaration knows its AST node and file for diagnostics. The
checker (:mod:`plcops.st.checker`) types the POU bodies on top of it; the simulator compiles from both.

Unknown types become :class:`UnknownType` and are reported once per name, so a project that uses a vendor
library plcops does not have (``Tc2_MC2.MC_Power``) gets one clear message, not a cascade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from plcops.st import ast
from plcops.st.diagnostics import Diagnostic, Severity
from plcops.st.intrinsics import Intrinsic
from plcops.st.library import LIBRARY_PATH, standard_library_text
from plcops.st.literals import (
    TIME_LITERAL_SHAPES,
    LiteralError,
    date_and_time_ns,
    date_ns,
    duration_ns,
    integer_value,
    malformed_time_literal,
    real_value,
    string_value,
    time_of_day_ns,
)
from plcops.st.parser import ParseResult, parse_text
from plcops.st.source import SourceText
from plcops.st.types import BIT_STRINGS, INTEGERS, REALS

DEFAULT_STRING_LENGTH = 80  # CODESYS and TwinCAT

# ---------------------------------------------------------------------------------------------- types


class Type:
    """A resolved data type."""

    name: str = "?"

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class ElementaryType(Type):
    """BOOL, the integers, bit strings, reals, durations, dates and CHAR/WCHAR."""

    name: str

    @property
    def is_integer(self) -> bool:
        return self.name in INTEGERS

    @property
    def is_bits(self) -> bool:
        """BYTE/WORD/DWORD/LWORD (and BOOL, a one-bit string)."""
        return self.name in BIT_STRINGS

    @property
    def is_real(self) -> bool:
        return self.name in REALS

    @property
    def is_numeric(self) -> bool:
        return self.is_integer or self.is_real

    @property
    def is_duration(self) -> bool:
        return self.name in ("TIME", "LTIME")

    @property
    def is_date(self) -> bool:
        return self.name in _DATE_NAMES

    @property
    def bits(self) -> int:
        """The width of an integer or bit string (REAL 32, LREAL 64)."""
        if self.name in INTEGERS:
            return INTEGERS[self.name].bits
        if self.name in BIT_STRINGS:
            return BIT_STRINGS[self.name]
        return REALS.get(self.name, 64)

    @property
    def signed(self) -> bool:
        return self.name in INTEGERS and INTEGERS[self.name].signed

    @property
    def minimum(self) -> int:
        return INTEGERS[self.name].minimum if self.name in INTEGERS else 0

    @property
    def maximum(self) -> int:
        if self.name in INTEGERS:
            return INTEGERS[self.name].maximum
        return (1 << BIT_STRINGS.get(self.name, 64)) - 1


_DATE_NAMES = {"DATE", "LDATE", "TOD", "LTOD", "DT", "LDT"}
_ALIASES = {
    "TIME_OF_DAY": "TOD",
    "LTIME_OF_DAY": "LTOD",
    "DATE_AND_TIME": "DT",
    "LDATE_AND_TIME": "LDT",
}
_ELEMENTARY_NAMES = [
    "BOOL",
    *INTEGERS,
    "BYTE",
    "WORD",
    "DWORD",
    "LWORD",
    "REAL",
    "LREAL",
    "TIME",
    "LTIME",
    "DATE",
    "LDATE",
    "TOD",
    "LTOD",
    "DT",
    "LDT",
    "CHAR",
    "WCHAR",
]
ELEMENTARY: dict[str, ElementaryType] = {name: ElementaryType(name) for name in _ELEMENTARY_NAMES}
BOOL = ELEMENTARY["BOOL"]
TIME = ELEMENTARY["TIME"]
LREAL = ELEMENTARY["LREAL"]
DINT = ELEMENTARY["DINT"]


def elementary(name: str) -> ElementaryType | None:
    """The elementary type of a name (``time_of_day`` is TOD), or None."""
    upper = name.upper()
    return ELEMENTARY.get(_ALIASES.get(upper, upper))


@dataclass(eq=False)
class StringType(Type):
    """STRING(n) / WSTRING(n): ``length`` characters at most."""

    wide: bool
    length: int

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{'WSTRING' if self.wide else 'STRING'}({self.length})"


@dataclass(eq=False)
class ArrayType(Type):
    """ARRAY[lo..hi, ...] OF element; ``dims`` None for ``ARRAY[*]`` (VAR_IN_OUT of any size)."""

    element: Type
    dims: list[tuple[int, int]] | None

    @property
    def name(self) -> str:  # type: ignore[override]
        bounds = "*" if self.dims is None else ", ".join(f"{lo}..{hi}" for lo, hi in self.dims)
        return f"ARRAY[{bounds}] OF {self.element}"

    @property
    def size(self) -> int:
        count = 1
        for lo, hi in self.dims or []:
            count *= hi - lo + 1
        return count


@dataclass(eq=False)
class Field:
    """A member of a structure or union."""

    name: str
    type: Type
    init: ast.Expr | None
    decl: ast.VarDecl | None = None


@dataclass(eq=False)
class StructType(Type):
    """A STRUCT (or UNION) with its fields, inherited ones first."""

    name: str
    fields: dict[str, Field] = field(default_factory=dict)  # by case-folded name, in order
    union: bool = False
    node: ast.TypeDecl | None = None
    path: str = ""


@dataclass(eq=False)
class EnumType(Type):
    """An enumeration: values by case-folded name, as (spelling, integer)."""

    name: str
    values: dict[str, tuple[str, int]] = field(default_factory=dict)
    base: ElementaryType = field(default_factory=lambda: ELEMENTARY["INT"])
    node: ast.Node | None = None

    @property
    def default(self) -> int:
        """The initial value of a variable of this type: its first value."""
        return next(iter(self.values.values()))[1] if self.values else 0

    def spelling(self, value: int) -> str | None:
        """The name of a value (the first one declared with it)."""
        for spelled, number in self.values.values():
            if number == value:
                return spelled
        return None


@dataclass(eq=False)
class SubrangeType(Type):
    """An integer type restricted to ``low..high``."""

    base: ElementaryType
    low: int
    high: int

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.base}({self.low}..{self.high})"


@dataclass(eq=False)
class PointerType(Type):
    """POINTER TO target."""

    target: Type

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"POINTER TO {self.target}"


@dataclass(eq=False)
class ReferenceType(Type):
    """REFERENCE TO target."""

    target: Type

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"REFERENCE TO {self.target}"


@dataclass(eq=False)
class PouType(Type):
    """The type of an instance of a function block, program, class or interface."""

    pou: PouInfo

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.pou.name


@dataclass(eq=False)
class UnknownType(Type):
    """A type that could not be resolved (already reported): checks involving it stay quiet."""

    name: str


def resolved(kind: Type) -> Type:
    """A subrange's base type; other types unchanged."""
    return kind.base if isinstance(kind, SubrangeType) else kind


# ---------------------------------------------------------------------------------------------- declarations


@dataclass(eq=False)
class VarInfo:
    """A declared variable (of a POU, a GVL or a configuration)."""

    name: str
    section: str  # VAR_INPUT, VAR_OUTPUT, VAR_IN_OUT, VAR, VAR_TEMP, VAR_STAT, VAR_INST, VAR_GLOBAL, VAR_EXTERNAL...
    type: Type
    decl: ast.VarDecl
    path: str
    constant: bool = False
    retain: bool = False
    persistent: bool = False
    hidden: bool = False
    owner: PouInfo | None = None
    gvl: str = ""  # the GVL of a global
    type_init: ast.Expr | None = None  # the initial value its declared type gives (TYPE T : INT := 100;)

    @property
    def init(self) -> ast.Expr | None:
        """The initial value: the declaration's own, else the one its type declares."""
        return self.decl.init if self.decl.init is not None else self.type_init

    @property
    def address(self) -> str | None:
        return self.decl.address


@dataclass(eq=False)
class PouInfo:
    """A POU or a member of one (method, action, property, accessor) with its own declarations."""

    kind: str
    name: str
    node: ast.Pou | ast.Interface
    path: str
    variables: dict[str, VarInfo] = field(default_factory=dict)
    return_type: Type | None = None
    extends_name: str = ""
    extends: PouInfo | None = None
    implements: list[str] = field(default_factory=list)
    members: dict[str, PouInfo] = field(default_factory=dict)
    owner: PouInfo | None = None
    getter: PouInfo | None = None
    setter: PouInfo | None = None
    library: bool = False
    abstract: bool = False
    opaque_base: bool = False  # EXTENDS a block plcops does not have: its members are unknown, not missing

    @property
    def incomplete(self) -> bool:
        """Whether some of this POU's declarations are unknown (a base from a missing library)."""
        pou: PouInfo | None = self
        for _ in range(32):
            if pou is None:
                return False
            if pou.opaque_base:
                return True
            pou = pou.extends
        return False

    @property
    def qualified_name(self) -> str:
        return f"{self.owner.qualified_name}.{self.name}" if self.owner is not None else self.name

    def variable(self, name: str) -> VarInfo | None:
        """A variable of this POU or of a base it EXTENDS."""
        key = name.casefold()
        pou: PouInfo | None = self
        for _ in range(32):
            if pou is None:
                return None
            if key in pou.variables:
                return pou.variables[key]
            pou = pou.extends
        return None

    def member(self, name: str) -> PouInfo | None:
        """A method, action or property of this POU or of a base."""
        key = name.casefold()
        pou: PouInfo | None = self
        for _ in range(32):
            if pou is None:
                return None
            if key in pou.members:
                return pou.members[key]
            pou = pou.extends
        return None

    def all_variables(self) -> list[VarInfo]:
        """Inherited variables first, then own ones."""
        chain: list[PouInfo] = []
        pou: PouInfo | None = self
        while pou is not None and len(chain) < 32:
            chain.append(pou)
            pou = pou.extends
        return [v for p in reversed(chain) for v in p.variables.values()]

    def derives_from(self, other: PouInfo) -> bool:
        """Whether this POU is ``other`` or EXTENDS it (directly or not)."""
        pou: PouInfo | None = self
        for _ in range(32):
            if pou is None:
                return False
            if pou is other:
                return True
            pou = pou.extends
        return False


@dataclass(eq=False)
class GvlInfo:
    """A global variable list (a file's VAR_GLOBAL blocks)."""

    name: str
    path: str
    variables: dict[str, VarInfo] = field(default_factory=dict)
    qualified_only: bool = False


@dataclass(eq=False)
class ConfigurationInfo:
    """A CONFIGURATION with where it was declared."""

    node: ast.Configuration
    path: str


class Model:
    """The resolved declarations of a project (see the module docstring)."""

    def __init__(self) -> None:
        self.pous: dict[str, PouInfo] = {}
        self.types: dict[str, Type] = {}
        self.globals: dict[str, VarInfo] = {}
        self.gvls: dict[str, GvlInfo] = {}
        self.configurations: list[ConfigurationInfo] = []
        self.sources: dict[str, SourceText] = {}
        self.units: list[tuple[str, ast.CompilationUnit]] = []
        self.diagnostics: list[Diagnostic] = []
        self._type_nodes: dict[str, tuple[ast.TypeDecl, str]] = {}
        self._resolving: set[str] = set()
        self._reported_unknown: set[str] = set()
        self._enum_values: dict[str, list[tuple[EnumType, int]]] = {}
        self.intrinsics: dict[str, Intrinsic] = {}

    # -------------------------------------------------------------------- building

    @classmethod
    def build(
        cls,
        results: list[ParseResult],
        *,
        library: bool = True,
        libraries: list[ParseResult] = (),  # type: ignore[assignment]
        intrinsics: list[Intrinsic] = (),  # type: ignore[assignment]
    ) -> Model:
        """The model of parsed files.

        Args:
            library: include the IEC standard function blocks.
            libraries: more ST that every project can use (e.g. the test framework's FB_TestSuite); their
                POUs count as library POUs (not reported, overridable by the project).
            intrinsics: functions provided without an ST declaration (see :mod:`plcops.st.intrinsics`).
        """
        model = cls()
        model.intrinsics = {item.name.casefold(): item for item in intrinsics}
        parsed = list(results)
        extra = list(libraries)
        if library:
            standard = parse_text(standard_library_text(), LIBRARY_PATH)
            assert standard.unit is not None and not standard.diagnostics, standard.diagnostics
            extra.insert(0, standard)
        library_paths = {result.source.path for result in extra}
        parsed = extra + parsed
        for result in parsed:
            if result.unit is None:
                continue
            path = result.source.path
            model.sources[path] = result.source
            model.units.append((path, result.unit))
            model._register(result.unit, path, library=path in library_paths)
        # Constants first (array bounds and string lengths use them), then the types, then the POUs.
        for constants in (True, False):
            for path, unit in model.units:
                model._declare_globals(unit, path, constants)
        for name in list(model._type_nodes):
            model.user_type(name)
        for pou in list(model.pous.values()):
            model._declare_pou(pou)
        return model

    def _register(self, unit: ast.CompilationUnit, path: str, library: bool) -> None:
        for item in unit.items:
            if isinstance(item, (ast.Pou, ast.Interface)):
                key = item.name.text.casefold()
                existing = self.pous.get(key)
                if existing is not None and not existing.library:
                    self.error(path, item.name, f"{item.name.text} is declared twice (also in {existing.path})")
                    continue
                self.pous[key] = self._pou_info(item, path, library)
            elif isinstance(item, ast.TypeBlock):
                for decl in item.decls:
                    key = decl.name.text.casefold()
                    if key in self._type_nodes:
                        self.error(path, decl.name, f"type {decl.name.text} is declared twice")
                        continue
                    self._type_nodes[key] = (decl, path)
            elif isinstance(item, ast.Configuration):
                self.configurations.append(ConfigurationInfo(item, path))

    def _pou_info(
        self, node: ast.Pou | ast.Interface, path: str, library: bool, owner: PouInfo | None = None
    ) -> PouInfo:
        kind = node.kind
        info = PouInfo(kind, node.name.text, node, path, owner=owner, library=library)
        extends = getattr(node, "extends", None)
        info.extends_name = extends if isinstance(extends, str) else ""
        info.implements = list(getattr(node, "implements", []) or (extends if isinstance(extends, list) else []))
        info.abstract = "ABSTRACT" in [m.upper() for m in getattr(node, "modifiers", [])]
        for member in getattr(node, "members", []):
            child = self._pou_info(member, path, library, info)
            info.members[member.name.text.casefold()] = child
            if isinstance(member, ast.Property):
                for accessor in (member.getter, member.setter):
                    if accessor is not None:
                        accessor_info = self._pou_info(accessor, path, library, child)
                        if accessor.name.text.upper() == "GET":
                            child.getter = accessor_info
                        else:
                            child.setter = accessor_info
        return info

    def _declare_pou(self, info: PouInfo) -> None:
        node = info.node
        if info.extends_name:
            base = self.pous.get(info.extends_name.casefold()) or self.pous.get(
                info.extends_name.split(".")[-1].casefold()
            )
            if base is None:
                self.unknown(info.path, node.name, info.extends_name, "function block")
                info.opaque_base = True
            elif base is info:
                self.error(info.path, node.name, f"{info.name} extends itself")
            else:
                info.extends = base
        if isinstance(node, ast.Pou):
            blocks = sorted(node.var_blocks, key=lambda block: not block.constant)  # constants first
            for block in blocks:
                self._declare_block(block, info.variables, info.path, info)
        return_spec = getattr(node, "return_type", None) or (
            getattr(node, "type", None) if isinstance(node, ast.Property) else None
        )
        if return_spec is not None:
            info.return_type = self.resolve_type(return_spec, info.path)
        for member in info.members.values():
            self._declare_pou(member)
            for accessor in (member.getter, member.setter):
                if accessor is not None:
                    accessor.return_type = member.return_type
                    self._declare_pou(accessor)

    def _declare_block(
        self, block: ast.VarBlock, into: dict[str, VarInfo], path: str, owner: PouInfo | None, gvl: str = ""
    ) -> None:
        qualifiers = set(block.qualifiers)
        for decl in block.decls:
            kind = self.resolve_type(decl.type, path, owner)
            if decl.ref_init and not isinstance(kind, ReferenceType):
                kind = ReferenceType(kind)
            hidden = any(p.attribute is not None and p.attribute[0].casefold() == "hide" for p in decl.pragmas)
            for name in decl.names:
                key = name.text.casefold()
                if key in into:
                    self.error(path, name, f"'{name.text}' is declared twice")
                    continue
                into[key] = VarInfo(
                    name.text,
                    block.kind,
                    kind,
                    decl,
                    path,
                    constant="CONSTANT" in qualifiers,
                    retain="RETAIN" in qualifiers,
                    persistent="PERSISTENT" in qualifiers,
                    hidden=hidden,
                    owner=owner,
                    gvl=gvl,
                    type_init=self.type_default(decl.type),
                )

    def _declare_globals(self, unit: ast.CompilationUnit, path: str, constants: bool) -> None:
        """Declare a file's global variables: the CONSTANT blocks (``constants``) or the others."""
        stem = Path(path).stem if not path.startswith("<") else path.strip("<>")
        for item in unit.items:
            if isinstance(item, ast.VarBlock) and item.constant != constants:
                continue
            if isinstance(item, ast.Configuration) and constants:
                continue
            if isinstance(item, ast.VarBlock):
                source = self.sources.get(path)
                name = (source.unit_name(item.span.end) if source is not None else "") or stem
                gvl = self.gvls.setdefault(name.casefold(), GvlInfo(name, path))
                if any(p.attribute is not None and p.attribute[0].casefold() == "qualified_only" for p in item.pragmas):
                    gvl.qualified_only = True
                self._declare_block(item, gvl.variables, path, None, gvl.name)
            elif isinstance(item, ast.Configuration):
                gvl = self.gvls.setdefault(item.name.text.casefold(), GvlInfo(item.name.text, path))
                for block in [*item.var_blocks, *(b for r in item.resources for b in r.var_blocks)]:
                    if block.kind in ("VAR_CONFIG", "VAR_ACCESS"):
                        # They name variables declared elsewhere (R.I.b): no storage of their own.
                        for decl in block.decls:
                            if decl.init is not None:
                                self.error(
                                    path,
                                    decl.init,
                                    f"{block.kind} initial values are not simulated: give {', '.join(n.text for n in decl.names)} its initial value where it is declared",
                                    Severity.WARNING,
                                )
                        continue
                    self._declare_block(block, gvl.variables, path, None, gvl.name)
        for gvl in self.gvls.values():
            for key, variable in gvl.variables.items():
                if variable.section == "VAR_GLOBAL" and key not in self.globals:
                    self.globals[key] = variable

    # -------------------------------------------------------------------- diagnostics

    def error(self, path: str, node: ast.Node | Any, message: str, severity: Severity = Severity.ERROR) -> None:
        """Record a diagnostic at a node of a file."""
        source = self.sources.get(path)
        span: Any = node.span if hasattr(node, "span") else node
        if source is None:
            self.diagnostics.append(Diagnostic(path, 1, 1, message, severity, code="check"))
            return
        self.diagnostics.append(Diagnostic.at(source, span[0], message, end=span[1], severity=severity, code="check"))

    def unknown(self, path: str, node: ast.Node, name: str, what: str) -> None:
        """Report an unknown type or POU once per name (later uses stay quiet)."""
        key = name.casefold()
        if key in self._reported_unknown:
            return
        self._reported_unknown.add(key)
        hint = " (from a vendor library plcops does not have?)" if "." in name or what == "function block" else ""
        self.error(path, node, f"unknown {what} '{name}'{hint}")

    # -------------------------------------------------------------------- types

    def type_default(self, spec: ast.TypeSpec) -> ast.Expr | None:
        """The initial value a named user type declares (``TYPE E_Mode : (Idle, Run) := Run;``,
        ``TYPE T_Speed : INT := 100;``), following aliases of aliases; None when it declares none."""
        seen: set[str] = set()
        while isinstance(spec, ast.NamedType) and spec.name.casefold() not in seen:
            seen.add(spec.name.casefold())
            entry = self._type_nodes.get(spec.name.casefold())
            if entry is None:
                return None
            decl = entry[0]
            if decl.init is not None:
                return decl.init
            spec = decl.type
        return None

    def user_type(self, name: str) -> Type | None:
        """A user-defined type (DUT) by name, resolved on first use."""
        key = name.casefold()
        if key in self.types:
            return self.types[key]
        entry = self._type_nodes.get(key)
        if entry is None:
            return None
        decl, path = entry
        if key in self._resolving:
            self.error(path, decl.name, f"type {decl.name.text} is defined in terms of itself")
            return UnknownType(decl.name.text)
        self._resolving.add(key)
        try:
            kind = self._type_of_decl(decl, path)
        finally:
            self._resolving.discard(key)
        self.types[key] = kind
        return kind

    def _type_of_decl(self, decl: ast.TypeDecl, path: str) -> Type:
        spec = decl.type
        name = decl.name.text
        if isinstance(spec, (ast.StructType, ast.UnionType)):
            struct = StructType(name, union=isinstance(spec, ast.UnionType), node=decl, path=path)
            self.types[name.casefold()] = struct  # members may point to the struct itself
            if decl.extends:
                base = self.user_type(decl.extends)
                if isinstance(base, StructType):
                    struct.fields.update(base.fields)
                else:
                    self.unknown(path, decl.name, decl.extends, "structure")
            for member in spec.members:
                kind = self.resolve_type(member.type, path)
                for member_name in member.names:
                    init = member.init if member.init is not None else self.type_default(member.type)
                    struct.fields[member_name.text.casefold()] = Field(member_name.text, kind, init, member)
            return struct
        if isinstance(spec, ast.EnumType):
            return self._enum(name, spec, path)
        return self.resolve_type(spec, path)

    def _enum(self, name: str, spec: ast.EnumType, path: str) -> EnumType:
        base = elementary(spec.base) if spec.base else None
        enum = EnumType(name, base=base or ELEMENTARY["INT"], node=spec)
        following = 0
        for value in spec.values:
            if value.value is not None:
                number = self.const_value(value.value, path)
                if isinstance(number, bool) or not isinstance(number, int):
                    self.error(path, value.value, f"enumeration value {value.name} must be an integer constant")
                    number = following
                following = number
            enum.values[value.name.casefold()] = (value.name, following)
            self._enum_values.setdefault(value.name.casefold(), []).append((enum, following))
            following += 1
        return enum

    def enum_candidates(self, name: str) -> list[tuple[EnumType, int]]:
        """Enumerations that have a value of this name (for unqualified enum values)."""
        return self._enum_values.get(name.casefold(), [])

    def resolve_type(self, spec: ast.TypeSpec, path: str, pou: PouInfo | None = None) -> Type:
        """The type a declaration names (``pou``: whose constants array bounds may use)."""
        if isinstance(spec, ast.NamedType) or isinstance(spec, ast.InstanceType):
            return self.named_type(spec.name, path, spec)
        if isinstance(spec, ast.SizedType) and spec.name.upper() not in ("STRING", "WSTRING"):
            return self.named_type(spec.name, path, spec)  # FB_X(args): an instance with FB_init arguments
        if isinstance(spec, ast.SizedType):
            length = self.const_value(spec.size, path, pou)
            if not isinstance(length, int) or isinstance(length, bool) or length < 1:
                self.error(path, spec.size, "string length must be a positive integer constant")
                length = DEFAULT_STRING_LENGTH
            return StringType(spec.name.upper() == "WSTRING", length)
        if isinstance(spec, ast.ArrayType):
            element = self.resolve_type(spec.element, path, pou)
            if any(dim.low is None for dim in spec.dims):
                return ArrayType(element, None)
            dims = []
            for dim in spec.dims:
                assert dim.low is not None and dim.high is not None
                low, high = self.const_value(dim.low, path, pou), self.const_value(dim.high, path, pou)
                if (
                    not isinstance(low, int)
                    or not isinstance(high, int)
                    or isinstance(low, bool)
                    or isinstance(high, bool)
                ):
                    bad = dim.low if not isinstance(low, int) or isinstance(low, bool) else dim.high
                    text = self.sources[path].text[bad.span[0] : bad.span[1]] if path in self.sources else "bound"
                    self.error(path, bad, f"array bound '{text}' is not a known integer constant")
                    return UnknownType("ARRAY")
                if high < low:
                    self.error(path, dim, f"array upper bound {high} is below the lower bound {low}")
                    return UnknownType("ARRAY")
                dims.append((low, high))
            return ArrayType(element, dims)
        if isinstance(spec, ast.SubrangeType):
            base = elementary(spec.name)
            low, high = self.const_value(spec.low, path, pou), self.const_value(spec.high, path, pou)
            if base is None or not base.is_integer or not isinstance(low, int) or not isinstance(high, int):
                self.error(path, spec, "a subrange needs an integer type and constant bounds")
                return UnknownType(spec.name)
            return SubrangeType(base, low, high)
        if isinstance(spec, ast.PointerType):
            # POINTER TO and IEC's REF_TO are pointers: dereferenced with ^ (REFERENCE TO is an alias).
            return PointerType(self.resolve_type(spec.target, path, pou))
        if isinstance(spec, ast.ReferenceType):
            return ReferenceType(self.resolve_type(spec.target, path, pou))
        if isinstance(spec, ast.EnumType):
            return self._enum("enum", spec, path)
        if isinstance(spec, (ast.StructType, ast.UnionType)):
            struct = StructType("STRUCT", union=isinstance(spec, ast.UnionType), path=path)
            for member in spec.members:
                kind = self.resolve_type(member.type, path)
                for member_name in member.names:
                    init = member.init if member.init is not None else self.type_default(member.type)
                    struct.fields[member_name.text.casefold()] = Field(member_name.text, kind, init, member)
            return struct
        self.error(path, spec, f"unsupported type {type(spec).__name__}")
        return UnknownType(type(spec).__name__)

    def named_type(self, name: str, path: str, node: ast.Node) -> Type:
        """A type by name: elementary, STRING, a user type, or a function block/interface."""
        upper = name.upper()
        if upper in ("STRING", "WSTRING"):
            return StringType(upper == "WSTRING", DEFAULT_STRING_LENGTH)
        found = elementary(name)
        if found is not None:
            return found
        for candidate in (name, name.split(".")[-1]):
            user = self.user_type(candidate)
            if user is not None:
                return user
            pou = self.pous.get(candidate.casefold())
            if pou is not None:
                return PouType(pou)
        self.unknown(path, node, name, "type")
        return UnknownType(name)

    # -------------------------------------------------------------------- constants

    def const_value(self, expr: ast.Node, path: str, pou: PouInfo | None = None) -> Any:
        """The value of a constant expression (literals, CONSTANT variables, enum values, arithmetic on
        them), or None when it is not constant."""
        return _ConstantFolder(self, path, pou).value(expr)

    def constant_variable(self, name: str, pou: PouInfo | None) -> VarInfo | None:
        """A CONSTANT variable visible by plain name from a POU (its own, then global)."""
        variable = pou.variable(name) if pou is not None else None
        if variable is None:
            variable = self.globals.get(name.casefold())
        return variable if variable is not None and variable.constant and variable.init is not None else None

    def user_pous(self) -> Iterator[PouInfo]:
        """The project's own POUs (not the bundled standard library)."""
        return (pou for pou in self.pous.values() if not pou.library)


class _ConstantFolder:
    def __init__(self, model: Model, path: str, pou: PouInfo | None) -> None:
        self.model = model
        self.path = path
        self.pou = pou
        self.depth = 0

    def value(self, expr: ast.Node) -> Any:
        self.depth += 1
        try:
            if self.depth > 64:
                return None
            return self._value(expr)
        finally:
            self.depth -= 1

    def _value(self, expr: ast.Node) -> Any:
        if isinstance(expr, ast.Literal):
            try:
                return literal_value(expr)
            except LiteralError:
                return None
        if isinstance(expr, ast.Paren):
            return self.value(expr.expr)
        if isinstance(expr, ast.Name):
            variable = self.model.constant_variable(expr.name, self.pou)
            if variable is not None and variable.init is not None:
                return self.model.const_value(variable.init, variable.path, variable.owner)
            candidates = self.model.enum_candidates(expr.name)
            if len(candidates) == 1:
                return candidates[0][1]
            return None
        if isinstance(expr, ast.MemberAccess) and isinstance(expr.target, ast.Name):
            kind = self.model.user_type(expr.target.name)
            if isinstance(kind, EnumType):
                entry = kind.values.get(expr.member.casefold())
                return entry[1] if entry else None
            gvl = self.model.gvls.get(expr.target.name.casefold())
            variable = gvl.variables.get(expr.member.casefold()) if gvl else None
            if variable is not None and variable.constant and variable.init is not None:
                return self.model.const_value(variable.init, variable.path)
            return None
        if isinstance(expr, ast.UnaryOp):
            operand = self.value(expr.operand)
            if operand is None:
                return None
            if expr.op == "-" and isinstance(operand, (int, float)) and not isinstance(operand, bool):
                return -operand
            if expr.op == "+":
                return operand
            if expr.op == "NOT" and isinstance(operand, bool):
                return not operand
            return None
        if isinstance(expr, ast.BinaryOp):
            left, right = self.value(expr.left), self.value(expr.right)
            if left is None or right is None:
                return None
            return _fold(expr.op, left, right)
        return None


def _fold(op: str, left: Any, right: Any) -> Any:
    numbers = (int, float)
    if isinstance(left, bool) or isinstance(right, bool):
        if op in ("AND", "&"):
            return bool(left) and bool(right)
        if op == "OR":
            return bool(left) or bool(right)
        if op == "XOR":
            return bool(left) != bool(right)
        return None
    if not isinstance(left, numbers) or not isinstance(right, numbers):
        return None
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        if right == 0:
            return None
        if isinstance(left, int) and isinstance(right, int):
            quotient = abs(left) // abs(right)
            return quotient if (left >= 0) == (right >= 0) else -quotient
        return left / right
    if op == "MOD" and isinstance(left, int) and isinstance(right, int) and right != 0:
        return left - right * _fold("/", left, right)
    if op == "**":
        return float(left) ** float(right)
    return None


def literal_value(literal: ast.Literal) -> Any:
    """The value of a literal (see :mod:`plcops.st.literals` for the representation).

    Raises:
        LiteralError: for malformed literals.
    """
    kind, text = literal.kind, literal.text
    if kind == "TRUE":
        return True
    if kind == "FALSE":
        return False
    if kind in ("INTEGER", "BASED_INT"):
        return integer_value(text)
    if kind == "REAL":
        return real_value(text)
    if kind == "TIME_LITERAL":
        return duration_ns(text)
    if kind == "DATE_LITERAL":
        return date_ns(text)
    if kind == "TOD_LITERAL":
        return time_of_day_ns(text)
    if kind == "DT_LITERAL":
        return date_and_time_ns(text)
    if kind in ("STRING", "WSTRING"):
        return string_value(text)
    if kind == "TYPED_LITERAL":
        prefix, body = text.split("#", 1)
        kind_type = elementary(prefix)
        if kind_type is None:
            raise LiteralError(f"not a typed literal: {text}")  # an enum value E#V: resolved by the checker
        if kind_type.name == "BOOL":
            if body.upper() not in ("TRUE", "FALSE", "1", "0"):
                raise LiteralError(f"{text} is not a BOOL literal (BOOL#TRUE, BOOL#FALSE, BOOL#1 or BOOL#0)")
            return body.upper() in ("TRUE", "1")
        if kind_type.is_real:
            return real_value(body) if "#" not in body else float(integer_value(body))
        if kind_type.is_duration:
            try:
                return duration_ns(text)
            except LiteralError:
                raise malformed_time_literal(text) from None
        if prefix.upper() in TIME_LITERAL_SHAPES:  # TOD#25, D#2024: the lexer found no date or time here
            raise malformed_time_literal(text)
        if kind_type.name in ("CHAR", "WCHAR"):
            return string_value(body)
        return integer_value(body)
    raise LiteralError(f"unknown literal {text}")
