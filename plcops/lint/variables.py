"""How the code of a POU uses and writes its variables: reads, writes (whole, partial, through
addresses and VAR_IN_OUT), and when declarations are used by code the linter cannot see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from plcops.lint.analysis import written_targets
from plcops.lint.context import FileContext, PouScope
from plcops.st import ast
from plcops.st.stdlib import ARGUMENT_TYPED, REAL_FUNCTIONS, function_result
from plcops.st.symbols import PouSymbols, ProjectIndex, Symbol

LOCAL_SECTIONS = {"VAR", "VAR_TEMP", "VAR_STAT", "VAR_INST"}
CODE_POUS = (ast.Program, ast.FunctionBlock, ast.Function, ast.Method, ast.PropertyAccessor, ast.Class)


def is_this(expr: ast.Node) -> bool:
    """Whether an expression is ``THIS^`` or ``SUPER^`` (whose members are the POU's own variables)."""
    if not isinstance(expr, ast.Deref) or not isinstance(expr.target, ast.Name):
        return False
    return expr.target.name.casefold() in ("this", "super")


def used_names(scope: PouScope, context: FileContext) -> set[str]:
    """Case-folded names used anywhere in a POU, its members and its initial values (``THIS^.x`` uses x)."""
    used: set[str] = set()
    stack: list[ast.Node] = [scope.node]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            used.add(node.name.casefold())
        elif isinstance(node, ast.MemberAccess) and is_this(node.target):
            used.add(node.member.casefold())
        # Formal parameter names of calls (NamedArg.name) are strings, not Names: they are not uses.
        stack.extend(node.children())
    return used


def implemented_elsewhere(node: ast.Pou) -> bool:
    """Whether a POU is only declared here (``{external}``, ``{attribute 'external'}``): its code, which
    uses its variables, is not ST of this project."""
    for pragma in node.pragmas:
        attribute = pragma.attribute
        if pragma.content.casefold() == "external" or (attribute is not None and attribute[0].casefold() == "external"):
            return True
    return False


def extended_in_project(scope: PouScope, index: ProjectIndex) -> bool:
    """Whether another POU of the project EXTENDS this one: its code may use what this one declares."""
    if not isinstance(scope.node, (ast.FunctionBlock, ast.Class, ast.Program)):
        return False
    return scope.node.name.text.casefold() in index.extended_names()


# Functions whose argument's address escapes: the memory may be written through it.
_ADDRESS_OF = {"adr", "adr64", "__qwordaddr", "ref", "__new"}
# Library functions that take pointers (the write goes through ADR()) and values, never VAR_IN_OUT.
_BY_VALUE = {"MEMCPY", "MEMSET", "MEMMOVE", "MEMCMP"}


def written_root(target: ast.Node) -> ast.Node | None:
    """The variable an lvalue writes into: the Name ``a`` of ``a.b[i].0``, or the MemberAccess of
    ``THIS^.a`` (whose member is the POU's own variable); None through pointers and calls."""
    while True:
        if isinstance(target, ast.MemberAccess) and is_this(target.target):
            return target
        if not isinstance(target, (ast.MemberAccess, ast.Index, ast.BitAccess)):
            break
        target = target.target
    return target if isinstance(target, ast.Name) else None


def root_variable(root: ast.Node, scope: PouScope) -> Symbol | None:
    """The declaration of a root from :func:`written_root`: a plain name is looked up as the code sees it
    (locals first); ``THIS^.x`` in the block the code belongs to, ``SUPER^.x`` in its base."""
    if isinstance(root, ast.Name):
        return scope.types.variable(root.name)
    if not isinstance(root, ast.MemberAccess) or not is_this(root.target):
        return None
    index = scope.types.index
    pou: PouSymbols | None = scope.owner if scope.owner is not None else scope.symbols
    if root.target.target.name.casefold() == "super":  # type: ignore[attr-defined]
        pou = _base(pou, index)
    key = root.member.casefold()
    for _ in range(10):
        if pou is None:
            return None
        if key in pou.variables:
            return pou.variables[key]
        pou = _base(pou, index)
    return None


def _base(pou: PouSymbols | None, index: ProjectIndex) -> PouSymbols | None:
    extends = pou.extends if pou is not None else ""
    return index.pous.get(extends.casefold()) if isinstance(extends, str) and extends else None


def root_key(target: ast.Node) -> str | None:
    """The case-folded name of the variable an lvalue writes into (see :func:`written_root`)."""
    root = written_root(target)
    if isinstance(root, ast.Name):
        return root.name.casefold()
    if isinstance(root, ast.MemberAccess):
        return root.member.casefold()
    return None


@dataclass(slots=True)
class Writes:
    """How the code of a POU writes its variables (case-folded names)."""

    whole: set[str] = field(default_factory=set)  # x := ..., x REF= ..., FOR x, => x
    partial: set[str] = field(default_factory=set)  # x.member := ..., x[i] := ..., x.0 := ...
    indirect: set[str] = field(default_factory=set)  # ADR(x), VAR_IN_OUT arguments, REF= x

    @property
    def any(self) -> set[str]:
        return self.whole | self.partial | self.indirect


def writes_in(node: ast.Node, scope: PouScope) -> Writes:
    """Every write to a variable in ``node`` (a POU with its members, or a statement list's owner)."""
    writes = Writes()
    stack: list[ast.Node] = [node]
    while stack:
        current = stack.pop()
        stack.extend(current.children())
        if isinstance(current, ast.Stmt):
            for target in written_targets(current):
                key = root_key(target)
                if key is not None:
                    whole = target is written_root(target)  # x or THIS^.x itself, not a part of it
                    (writes.whole if whole else writes.partial).add(key)
            if isinstance(current, ast.Assignment) and current.op == "REF=":
                _add(writes.indirect, current.value)  # written later through the reference
        if isinstance(current, ast.Call):
            writes.indirect.update(call_writes(current, scope))
    return writes


def _add(found: set[str], expr: ast.Node | None) -> None:
    key = root_key(expr) if expr is not None else None
    if key is not None:
        found.add(key)


def call_writes(call: ast.Call, scope: PouScope) -> Iterator[str]:
    """Variables a call may write: arguments of ADR() and the like, and VAR_IN_OUT arguments (every
    positional argument when the callee is neither in the project nor a standard function)."""
    target = call.target
    name = target.name if isinstance(target, ast.Name) else ""
    if isinstance(target, ast.MemberAccess):
        name = target.member
    if name.casefold() in _ADDRESS_OF:
        for arg in call.args:
            value = arg.value if isinstance(arg, ast.NamedArg) else arg
            key = root_key(value) if isinstance(value, ast.Expr) else None
            if key is not None:
                yield key
        return
    callee = _callee(call, scope)
    if callee is None:
        if _is_standard(name):
            return
        for arg in call.args:
            if isinstance(arg, ast.Expr):
                key = root_key(arg)
                if key is not None:
                    yield key
        return
    in_outs = {key for key, symbol in callee.variables.items() if symbol.section == "VAR_IN_OUT"}
    parameters = [key for key, symbol in callee.variables.items() if symbol.section in ("VAR_INPUT", "VAR_IN_OUT")]
    for position, arg in enumerate(call.args):
        if isinstance(arg, ast.NamedArg):
            if arg.name.casefold() in in_outs and arg.value is not None:
                key = root_key(arg.value)
                if key is not None:
                    yield key
        elif isinstance(arg, ast.Expr) and position < len(parameters) and parameters[position] in in_outs:
            key = root_key(arg)
            if key is not None:
                yield key


def _callee(call: ast.Call, scope: PouScope) -> PouSymbols | None:
    """The declarations of the called function, FB instance's type or method, when the project has them."""
    index = scope.types.index
    target = call.target
    if isinstance(target, ast.Name):
        pou = index.pous.get(target.name.casefold())
        if pou is not None:
            return pou
        if scope.owner is not None and target.name.casefold() in scope.owner.members:
            return scope.owner.members[target.name.casefold()]
        if target.name.casefold() in scope.symbols.members:
            return scope.symbols.members[target.name.casefold()]
        kind = index.resolve(scope.types.of(target))
        return index.pous.get(kind.name.casefold()) if kind is not None and kind.kind == "named" else None
    if isinstance(target, ast.MemberAccess):
        kind = index.resolve(scope.types.of(target.target))
        pou = index.pous.get(kind.name.casefold()) if kind is not None and kind.kind == "named" else None
        return pou.members.get(target.member.casefold()) if pou is not None else None
    return None


def _is_standard(name: str) -> bool:
    """Whether a name is a standard function or function block (whose parameters are never VAR_IN_OUT)."""
    upper = name.upper()
    if upper in _BY_VALUE or upper in ARGUMENT_TYPED or upper in REAL_FUNCTIONS:
        return True
    return function_result(upper, []) is not None
