"""Symbols across a project: POUs and their variables, user types, global variables, and expression types.

:class:`ProjectIndex` is built per file (:meth:`ProjectIndex.of_unit`) and merged, so a tool that caches
per file can rebuild the project-wide index without re-parsing (the index has a JSON form). Lookups are
case-insensitive, as ST names are.

:class:`ExpressionTypes` answers "what type does this expression have?" as far as declarations tell; it
returns None rather than guess, so rules built on it stay quiet when they cannot be sure.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from plcops.st import ast
from plcops.st.stdlib import STANDARD_FBS, function_result
from plcops.st.types import ELEMENTARY, TypeRef, named, type_ref, wider

_SCALAR_LITERALS = {
    "TRUE": "BOOL",
    "FALSE": "BOOL",
    "TIME_LITERAL": "TIME",
    "DATE_LITERAL": "DATE",
    "TOD_LITERAL": "TOD",
    "DT_LITERAL": "DT",
    "STRING": "STRING",
    "WSTRING": "WSTRING",
}


@dataclass(slots=True)
class Symbol:
    """A declared variable."""

    name: str
    section: str  # VAR_INPUT, VAR_OUTPUT, VAR, VAR_GLOBAL, ...
    type: TypeRef | None
    constant: bool = False
    address: str = ""
    initialised: bool = False
    qualified_only: bool = False  # a global in a GVL with {attribute 'qualified_only'}: only GVL.x reaches it

    def to_json(self) -> list[Any]:
        type_json = self.type.to_json() if self.type else None
        return [self.name, self.section, type_json, self.constant, self.address, self.initialised, self.qualified_only]

    @classmethod
    def from_json(cls, data: list[Any]) -> Symbol:
        name, section, type_json, constant, address, initialised, qualified_only = data
        return cls(
            name,
            section,
            TypeRef.from_json(type_json) if type_json else None,
            constant,
            address,
            initialised,
            qualified_only,
        )


@dataclass(slots=True)
class PouSymbols:
    """The declarations of a POU (or of a method, property accessor or action inside one)."""

    kind: str
    name: str
    path: str = ""
    variables: dict[str, Symbol] = field(default_factory=dict)
    return_type: TypeRef | None = None
    extends: str = ""
    members: dict[str, PouSymbols] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "path": self.path,
            "variables": [s.to_json() for s in self.variables.values()],
            "return_type": self.return_type.to_json() if self.return_type else None,
            "extends": self.extends,
            "members": [m.to_json() for m in self.members.values()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PouSymbols:
        pou = cls(data["kind"], data["name"], data["path"], extends=data["extends"])
        for item in data["variables"]:
            symbol = Symbol.from_json(item)
            pou.variables[symbol.name.casefold()] = symbol
        pou.return_type = TypeRef.from_json(data["return_type"]) if data["return_type"] else None
        for member in data["members"]:
            child = cls.from_json(member)
            pou.members[child.name.casefold()] = child
        return pou


@dataclass(slots=True)
class TypeSymbol:
    """A user-defined type: enumeration, structure, union, alias or subrange."""

    name: str
    kind: str
    values: list[str] = field(default_factory=list)
    members: dict[str, Symbol] = field(default_factory=dict)
    base: TypeRef | None = None
    extends: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "values": self.values,
            "members": [m.to_json() for m in self.members.values()],
            "base": self.base.to_json() if self.base else None,
            "extends": self.extends,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TypeSymbol:
        symbol = cls(
            data["name"],
            data["kind"],
            list(data["values"]),
            base=TypeRef.from_json(data["base"]) if data["base"] else None,
            extends=data["extends"],
        )
        for item in data["members"]:
            member = Symbol.from_json(item)
            symbol.members[member.name.casefold()] = member
        return symbol


def _variables(blocks: list[ast.VarBlock], source: str) -> dict[str, Symbol]:
    found: dict[str, Symbol] = {}
    for block in blocks:
        for decl in block.decls:
            kind = type_ref(decl.type, source)
            for name in decl.names:
                found[name.text.casefold()] = Symbol(
                    name.text, block.kind, kind, block.constant, decl.address or "", decl.init is not None
                )
    return found


def _pou_symbols(pou: ast.Pou | ast.Interface, path: str, source: str) -> PouSymbols:
    symbols = PouSymbols(getattr(pou, "kind", "POU"), pou.name.text, path)
    symbols.variables = _variables(getattr(pou, "var_blocks", []), source)
    symbols.return_type = type_ref(getattr(pou, "return_type", None) or getattr(pou, "type", None), source)
    extends = getattr(pou, "extends", None) or ""
    # An interface may extend several interfaces; only function blocks' single base matters for lookups.
    symbols.extends = extends if isinstance(extends, str) else ""
    for member in getattr(pou, "members", []):
        symbols.members[member.name.text.casefold()] = _pou_symbols(member, path, source)
    if isinstance(pou, ast.Property):
        # GET and SET see the property's declarations and their own.
        for accessor in (pou.getter, pou.setter):
            if accessor is not None:
                own = PouSymbols("ACCESSOR", accessor.name.text, path, dict(symbols.variables), symbols.return_type)
                own.variables.update(_variables(accessor.var_blocks, source))
                symbols.members[accessor.name.text.casefold()] = own
    return symbols


@dataclass(slots=True)
class ProjectIndex:
    """All declarations of a project (or of one file, before merging)."""

    pous: dict[str, PouSymbols] = field(default_factory=dict)
    types: dict[str, TypeSymbol] = field(default_factory=dict)
    globals: dict[str, Symbol] = field(default_factory=dict)
    # GVL name -> its variables (casefolded): ``GVL_Line.bStart`` names a global only where GVL_Line is a
    # GVL that declares bStart (an enumeration or a program would have the same shape).
    gvls: dict[str, dict[str, Symbol]] = field(default_factory=dict)
    _extended: frozenset[str] | None = field(default=None, repr=False, compare=False)

    def extended_names(self) -> frozenset[str]:
        """The (casefolded) names of the POUs that some POU of the index EXTENDS; computed once, as rules
        ask it for every POU."""
        if self._extended is None:
            self._extended = frozenset(p.extends.casefold() for p in self.pous.values() if p.extends)
        return self._extended

    @classmethod
    def of_unit(
        cls, unit: ast.CompilationUnit, path: str, source: str, unit_name: Callable[[int], str] | None = None
    ) -> ProjectIndex:
        """The declarations one parsed file contributes. ``unit_name(end)`` is the vendor file's name
        for a GVL ending there (:meth:`SourceText.unit_name`); else a GVL takes the file's name."""
        index = cls()
        for item in unit.items:
            if isinstance(item, (ast.Pou, ast.Interface)):
                index.pous[item.name.text.casefold()] = _pou_symbols(item, path, source)
            elif isinstance(item, ast.VarBlock):
                found = _variables([item], source)
                if any(p.attribute and p.attribute[0].casefold() == "qualified_only" for p in item.pragmas):
                    for symbol in found.values():
                        symbol.qualified_only = True
                index.globals.update(found)
                # A GVL is named after its file (TwinCAT's GVL_Line.TcGVL, a GVL_Line.st export).
                name = (unit_name(item.span.end) if unit_name else "") or _file_stem(path)
                index.gvls.setdefault(name.casefold(), {}).update(found)
            elif isinstance(item, ast.TypeBlock):
                for decl in item.decls:
                    index.types[decl.name.text.casefold()] = _type_symbol(decl, source)
            elif isinstance(item, ast.Configuration):
                found = _variables(item.var_blocks, source)
                for resource in item.resources:
                    found.update(_variables(resource.var_blocks, source))
                index.globals.update(found)
                index.gvls.setdefault(item.name.text.casefold(), {}).update(found)
        return index

    def merge(self, other: ProjectIndex) -> None:
        """Add another file's declarations (the first declaration of a name wins)."""
        self._extended = None
        for key, pou in other.pous.items():
            self.pous.setdefault(key, pou)
        for key, kind in other.types.items():
            self.types.setdefault(key, kind)
        for key, symbol in other.globals.items():
            self.globals.setdefault(key, symbol)
        for name, variables in other.gvls.items():
            merged = self.gvls.setdefault(name, {})
            for key, symbol in variables.items():
                merged.setdefault(key, symbol)

    def overlaid(self, local: ProjectIndex) -> ProjectIndex:
        """This index with one file's own declarations taking precedence (a name declared twice in a
        project means, inside that file, the file's own declaration)."""
        return ProjectIndex(
            {**self.pous, **local.pous},
            {**self.types, **local.types},
            {**self.globals, **local.globals},
            {**self.gvls, **local.gvls},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "pous": [p.to_json() for p in self.pous.values()],
            "types": [t.to_json() for t in self.types.values()],
            "globals": [g.to_json() for g in self.globals.values()],
            "gvls": {name: [g.to_json() for g in variables.values()] for name, variables in self.gvls.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProjectIndex:
        index = cls()
        for item in data["pous"]:
            pou = PouSymbols.from_json(item)
            index.pous[pou.name.casefold()] = pou
        for item in data["types"]:
            kind = TypeSymbol.from_json(item)
            index.types[kind.name.casefold()] = kind
        for item in data["globals"]:
            symbol = Symbol.from_json(item)
            index.globals[symbol.name.casefold()] = symbol
        for name, variables in data.get("gvls", {}).items():
            index.gvls[name] = {symbol.name.casefold(): symbol for symbol in map(Symbol.from_json, variables)}
        return index

    def digest(self) -> str:
        """A digest of all declarations: results that depend on other files' declarations key on it."""
        return hashlib.blake2b(json.dumps(self.to_json(), sort_keys=True).encode(), digest_size=16).hexdigest()

    # -------------------------------------------------------------------- lookups

    def user_type(self, ref: TypeRef | None) -> TypeSymbol | None:
        """The user type a TypeRef names (aliases followed), or None."""
        seen = 0
        while ref is not None and ref.kind == "named" and seen < 10:
            symbol = self.types.get(ref.name.casefold())
            if symbol is None:
                return None
            if symbol.kind == "alias" and symbol.base is not None:
                ref = symbol.base
                seen += 1
                continue
            return symbol
        return None

    def resolve(self, ref: TypeRef | None) -> TypeRef | None:
        """Follow aliases and subranges to the underlying type."""
        seen = 0
        while ref is not None and seen < 10:
            if ref.kind == "subrange":
                return named(ref.name)
            symbol = self.types.get(ref.name.casefold()) if ref.kind == "named" else None
            if symbol is None or symbol.base is None or symbol.kind not in ("alias", "subrange"):
                return ref
            ref = symbol.base
            seen += 1
        return ref

    def enum_values(self, ref: TypeRef | None) -> list[str] | None:
        """The values of an enumeration type, or None when ``ref`` is not one."""
        if ref is not None and ref.kind == "enum":
            return list(ref.values)
        symbol = self.user_type(ref)
        return list(symbol.values) if symbol is not None and symbol.kind == "enum" else None

    def member_type(self, container: TypeRef | None, member: str) -> TypeRef | None:
        """The type of ``container.member`` for structures, FB instances and standard FBs."""
        container = self.resolve(container)
        if container is None:
            return None
        key = member.casefold()
        if container.kind == "named":
            standard = STANDARD_FBS.get(container.name.upper())
            if standard is not None:
                for section in standard.values():
                    for name, kind in section.items():
                        if name.casefold() == key:
                            return named(kind)
                return None
            symbol = self.types.get(container.name.casefold())
            depth = 0
            while symbol is not None and depth < 10:
                if key in symbol.members:
                    return symbol.members[key].type
                symbol = self.types.get(symbol.extends.casefold()) if symbol.extends else None
                depth += 1
            pou = self.pous.get(container.name.casefold())
            depth = 0
            while pou is not None and depth < 10:
                if key in pou.variables:
                    return pou.variables[key].type
                if key in pou.members:
                    return pou.members[key].return_type
                pou = self.pous.get(pou.extends.casefold()) if pou.extends else None
                depth += 1
        return None


def _file_stem(path: str) -> str:
    """``src/GVL_Line.st`` -> ``GVL_Line`` (a file name's stem, either slash)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.split(".", 1)[0] if not name.startswith(".") else name


def _type_symbol(decl: ast.TypeDecl, source: str) -> TypeSymbol:
    spec = decl.type
    name = decl.name.text
    if isinstance(spec, ast.EnumType):
        return TypeSymbol(
            name, "enum", [v.name for v in spec.values], base=named(spec.base) if spec.base else named("INT")
        )
    if isinstance(spec, (ast.StructType, ast.UnionType)):
        kind = "struct" if isinstance(spec, ast.StructType) else "union"
        members = _variables([ast.VarBlock("VAR", [], spec.members, span=spec.span)], source)
        return TypeSymbol(name, kind, members=members, extends=decl.extends or "")
    if isinstance(spec, ast.SubrangeType):
        return TypeSymbol(name, "subrange", base=named(spec.name))
    return TypeSymbol(name, "alias", base=type_ref(spec, source))


class ExpressionTypes:
    """Types of expressions inside one POU, from the project's declarations.

    Args:
        index: the project's declarations.
        pou: the POU (or method) whose code is typed; its variables shadow globals.
        owner: for a method or action, the POU it belongs to (whose variables it sees).
    """

    def __init__(self, index: ProjectIndex, pou: PouSymbols | None, owner: PouSymbols | None = None) -> None:
        self.index = index
        self.pou = pou
        self.owner = owner

    def variable(self, name: str) -> Symbol | None:
        """The variable a plain name refers to (local, then owner's, then inherited, then global)."""
        key = name.casefold()
        for scope in (self.pou, self.owner):
            depth = 0
            while scope is not None and depth < 10:
                if key in scope.variables:
                    return scope.variables[key]
                scope = self.index.pous.get(scope.extends.casefold()) if scope.extends else None
                depth += 1
        if self.pou is not None and key == self.pou.name.casefold() and self.pou.return_type is not None:
            return Symbol(self.pou.name, "RESULT", self.pou.return_type)
        symbol = self.index.globals.get(key)
        return None if symbol is None or symbol.qualified_only else symbol

    def of(self, expr: ast.Node | None) -> TypeRef | None:
        """The type of an expression, or None when the declarations do not tell."""
        if expr is None:
            return None
        if isinstance(expr, ast.Paren):
            return self.of(expr.expr)
        if isinstance(expr, ast.Literal):
            if expr.kind in _SCALAR_LITERALS:
                return named(_SCALAR_LITERALS[expr.kind])
            if expr.kind == "TYPED_LITERAL":
                prefix = expr.text.split("#", 1)[0]
                if prefix.upper() in ELEMENTARY:
                    return named(prefix)
                return named(prefix)  # an enumeration value E#V
            if expr.kind == "REAL":
                # An untyped real literal is ANY_REAL and takes the type of its context; REAL is the
                # narrowest, so "rValue := 0.5" is never mistaken for an LREAL narrowed to REAL.
                return named("REAL")
            return None  # untyped integer literals fit any integer type their value fits
        if isinstance(expr, ast.Name):
            symbol = self.variable(expr.name)
            if symbol is not None:
                return symbol.type
            return None
        if isinstance(expr, ast.MemberAccess):
            if isinstance(expr.target, ast.Name):
                # GVL.x, E_Enum.Value
                if expr.target.name.casefold() in self.index.types and self.variable(expr.target.name) is None:
                    user_type = self.index.types[expr.target.name.casefold()]
                    if user_type.kind == "enum":
                        return named(user_type.name)
                if self.variable(expr.target.name) is None and expr.member.casefold() in self.index.globals:
                    return self.index.globals[expr.member.casefold()].type
            return self.index.member_type(self.of(expr.target), expr.member)
        if isinstance(expr, ast.BitAccess):
            return named("BOOL")
        if isinstance(expr, ast.Index):
            container = self.index.resolve(self.of(expr.target))
            if container is not None and container.kind == "array":
                return container.target
            if container is not None and container.kind == "string":
                return named("STRING")
            return None
        if isinstance(expr, ast.Deref):
            container = self.index.resolve(self.of(expr.target))
            if container is not None and container.kind in ("pointer", "reference"):
                return container.target
            return None
        if isinstance(expr, ast.UnaryOp):
            return named("BOOL") if expr.op == "NOT" and self._is_bool(expr.operand) else self.of(expr.operand)
        if isinstance(expr, ast.BinaryOp):
            if expr.op in ("=", "<>", "<", ">", "<=", ">="):
                return named("BOOL")
            left, right = self.of(expr.left), self.of(expr.right)
            if expr.op in ("AND", "&", "OR", "XOR", "AND_THEN", "OR_ELSE"):
                return left or right
            a = self.index.resolve(left)
            b = self.index.resolve(right)
            if a is not None and b is not None and a.elementary and b.elementary:
                return named(wider(a.elementary, b.elementary))
            return a or b
        if isinstance(expr, ast.Call):
            target = expr.target
            name = (
                target.name
                if isinstance(target, ast.Name)
                else target.member
                if isinstance(target, ast.MemberAccess)
                else ""
            )
            if isinstance(target, ast.Name):
                method = self._own_method(name)
                if method is not None:
                    return method.return_type
                pou = self.index.pous.get(name.casefold())
                if pou is not None and pou.kind == "FUNCTION":
                    return pou.return_type
                arguments = [self.of(a if isinstance(a, ast.Expr) else getattr(a, "value", None)) for a in expr.args]
                return function_result(name, arguments)
            if isinstance(target, ast.MemberAccess):
                if isinstance(target.target, ast.Deref) and isinstance(target.target.target, ast.Name):
                    if target.target.target.name.upper() in ("THIS", "SUPER"):
                        method = self._own_method(name)
                        return method.return_type if method is not None else None
                container = self.index.resolve(self.of(target.target))
                if container is not None and container.kind == "named":
                    pou = self.index.pous.get(container.name.casefold())
                    method = pou.members.get(name.casefold()) if pou else None
                    return method.return_type if method else None
            return None
        return None

    def _own_method(self, name: str) -> PouSymbols | None:
        """A method of the function block whose code this is (or of its bases), by name."""
        block = self.owner or self.pou
        depth = 0
        while block is not None and depth < 10:
            member = block.members.get(name.casefold())
            if member is not None and member.kind == "METHOD":
                return member
            block = self.index.pous.get(block.extends.casefold()) if block.extends else None
            depth += 1
        return None

    def _is_bool(self, expr: ast.Node) -> bool:
        kind = self.index.resolve(self.of(expr))
        return kind is not None and kind.elementary == "BOOL"
