"""Values of CASE labels, for the duplicate, overlap and enum-coverage rules."""

from __future__ import annotations

from dataclasses import dataclass

from plcops.lint.context import FileContext, PouScope
from plcops.st import ast
from plcops.st.types import integer_literal_value


def constant_value(
    expr: ast.Node, scope: PouScope | None, context: FileContext | None = None, depth: int = 0
) -> int | str | None:
    """An integer for integer literals (with unary minus) and for constants declared with one (``VAR
    CONSTANT cFive : INT := 5;`` in the POU, the block a method belongs to, or a global list of the file),
    an enum key for enumeration values, else None."""
    if isinstance(expr, ast.Paren):
        return constant_value(expr.expr, scope, context, depth)
    if isinstance(expr, ast.UnaryOp) and expr.op == "-":
        inner = constant_value(expr.operand, scope, context, depth)
        return -inner if isinstance(inner, int) else None
    if isinstance(expr, ast.Literal):
        if expr.kind in ("INTEGER", "BASED_INT"):
            return integer_literal_value(expr.text)
        if expr.kind == "TYPED_LITERAL":
            prefix, value = expr.text.split("#", 1)
            number = integer_literal_value(expr.text)
            return number if number is not None else f"{prefix.casefold()}.{value.casefold()}"
        return None
    if isinstance(expr, ast.MemberAccess) and isinstance(expr.target, ast.Name):
        return f"{expr.target.name.casefold()}.{expr.member.casefold()}"
    if isinstance(expr, ast.Name):
        init = _constant_init(expr.name, scope, context) if context is not None and depth < 8 else None
        if init is not None:
            known = constant_value(init, scope, context, depth + 1)
            if isinstance(known, int):
                return known
        return f".{expr.name.casefold()}"  # an unqualified enum value, or a constant of unknown value
    return None


def _constant_init(name: str, scope: PouScope | None, context: FileContext) -> ast.Expr | None:
    """The initial value of a constant as ST resolves the name: the POU, the block owning a method, then
    the file's global lists (a constant declared in another file is not known here)."""
    key = name.casefold()
    blocks: list[ast.VarBlock] = []
    if scope is not None:
        blocks += scope.node.var_blocks
        owner = next(
            (item for item in context.unit.items if scope.node in getattr(item, "members", [])),
            None,
        )
        blocks += getattr(owner, "var_blocks", [])
    blocks += [item for item in context.unit.items if isinstance(item, ast.VarBlock)]
    for block in blocks:
        for decl in block.decls:
            if any(n.text.casefold() == key for n in decl.names):
                return decl.init if block.constant else None
    return None


def label_values(label: ast.Node, context: FileContext, scope: PouScope | None) -> tuple[str, object] | None:
    """``("single", value)`` or ``("range", (low, high))`` for a label whose value is known."""
    if isinstance(label, ast.CaseRange):
        low, high = constant_value(label.low, scope, context), constant_value(label.high, scope, context)
        if isinstance(low, int) and isinstance(high, int):
            return "range", (low, high)
        return None
    value = constant_value(label, scope, context)
    return ("single", value) if value is not None else None


@dataclass(frozen=True, slots=True)
class SelectorEnum:
    """The enumeration a CASE selector has: its values, and the names a label may qualify them with
    (the type named in the declaration, and the enumeration it is an alias of)."""

    title: str
    values: list[str]
    owners: frozenset[str]

    def member(self, key: object) -> str | None:
        """The value (case-folded) a label's key from :func:`label_values` stands for, or None."""
        if not isinstance(key, str):
            return None
        owner, _, member = key.rpartition(".")
        if owner in self.owners and member in {v.casefold() for v in self.values}:
            return member
        return None


def selector_enum(selector: ast.Expr, scope: PouScope) -> SelectorEnum | None:
    """The enumeration type of a CASE selector, or None when it is not (known to be) one."""
    index = scope.types.index
    kind = scope.types.of(selector)
    values = index.enum_values(kind)
    if not values or kind is None:
        return None
    owners = {""}  # an unqualified value
    if kind.kind == "named":
        owners.add(kind.name.casefold())
        symbol = index.user_type(kind)
        if symbol is not None:
            owners.add(symbol.name.casefold())
    return SelectorEnum(str(kind), values, frozenset(owners))


def label_members(label: ast.Node, context: FileContext, scope: PouScope, enum: SelectorEnum) -> list[str] | None:
    """The enumeration values a label covers, or None when the label cannot be read as such."""
    value = label_values(label, context, scope)
    if value is None and isinstance(label, ast.MemberAccess):
        # A namespace-qualified value (Lib.E_State.Idle): the member name tells which value it is.
        qualified = label.member.casefold()
        return [qualified] if qualified in {v.casefold() for v in enum.values} else None
    member = enum.member(value[1]) if value is not None and value[0] == "single" else None
    return [member] if member is not None else None
