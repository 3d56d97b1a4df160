"""Where a value is stored in a place of another elementary type (assignments and call arguments),
and whether the conversion can lose data or change the sign."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from plcops.lint.context import FileContext, PouScope
from plcops.st import ast
from plcops.st.stdlib import ARGUMENT_TYPED, REAL_FUNCTIONS, STANDARD_FBS
from plcops.st.symbols import PouSymbols
from plcops.st.types import BIT_STRINGS, INTEGERS, REALS, TypeRef, integer_literal_value, named, wider

# The type of an untyped literal: it takes the type its context needs.
ADAPTS = ""
_ARITHMETIC = frozenset({"+", "-", "*", "/", "MOD", "**"})
_COMPARISONS = frozenset({"=", "<>", "<", ">", "<=", ">="})
_SHIFTS = frozenset({"SHL", "SHR", "ROL", "ROR"})
_MANTISSA = {"REAL": 24, "LREAL": 53}  # exact integer bits of the IEEE formats
# Operators written as functions: CODESYS and TwinCAT do not let a project redefine them, so a POU of
# the same name elsewhere in the sources (a library copy for another runtime) does not replace them.
_STANDARD = ARGUMENT_TYPED | REAL_FUNCTIONS | _SHIFTS | {"SIZEOF"}


@dataclass(frozen=True, slots=True)
class Conversion:
    """A value stored in a place of an elementary type: an assignment or a call argument.

    Attributes:
        value: the expression the finding points at (the value, or the ``Q =>`` output connection).
        source: the elementary type of the value, ``ADAPTS`` for an untyped literal.
        target: the elementary type of the place.
        scope: the POU the code belongs to.
    """

    value: ast.Node
    source: str
    target: str
    scope: str


def integer_like(name: str) -> tuple[int, bool] | None:
    """``(bits, signed)`` of an integer or bit-string type (bit strings and BOOL are unsigned)."""
    if name in INTEGERS:
        return INTEGERS[name].bits, INTEGERS[name].signed
    if name in BIT_STRINGS:
        return BIT_STRINGS[name], False
    return None


def loses_data(source: str, target: str) -> bool:
    """Whether storing a ``source`` value in ``target`` can lose magnitude, fraction or precision.

    A change of signedness alone is not counted here (see PLC022): UINT -> INT keeps the bits.
    """
    s, t = integer_like(source), integer_like(target)
    if s is not None and t is not None:
        return t[0] < s[0]
    if s is not None and target in REALS:
        return s[0] - (1 if s[1] else 0) > _MANTISSA[target]
    if source in REALS:
        return t is not None or (target in REALS and REALS[source] > REALS[target])
    return source == "LTIME" and target == "TIME"


def changes_sign(source: str, target: str) -> bool:
    """Whether storing a ``source`` value in ``target`` reinterprets its sign (bit strings are unsigned;
    an unsigned value into a wider signed type keeps every value)."""
    s, t = integer_like(source), integer_like(target)
    if s is None or t is None or "BOOL" in (source, target) or s[1] == t[1]:
        return False
    return not (t[1] and t[0] > s[0])


def _range(kind: tuple[int, bool]) -> tuple[int, int]:
    bits, signed = kind
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def _wider(a: str, b: str) -> str:
    """The type of an operation on ``a`` and ``b``: the one that holds the other's values. Bit strings
    count as unsigned integers here (BYTE + INT is an INT); without such a type, the next wider signed
    integer (UINT + INT is a DINT)."""
    ka, kb = integer_like(a), integer_like(b)
    if ka is None or kb is None:
        return wider(a, b)
    (low_a, high_a), (low_b, high_b) = _range(ka), _range(kb)
    if low_b <= low_a and high_a <= high_b:
        return b if (low_a, high_a) != (low_b, high_b) else a
    if low_a <= low_b and high_b <= high_a:
        return a
    bits = min(max(ka[0], kb[0]) * 2, 64)
    return {16: "INT", 32: "DINT", 64: "LINT"}.get(bits, "LINT")


def conversions(context: FileContext) -> Iterator[Conversion]:
    """Every assignment and call argument whose value and place both have known elementary types."""
    for statement, parents in context.nodes(ast.Assignment):
        scope = context.scope_of(parents)
        if statement.op != ":=" or scope is None:
            continue
        target = _elementary(scope.types.of(statement.target), scope)
        if target is not None:
            yield from _conversion(statement.value, target, scope)
    for call, parents in context.nodes(ast.Call):
        scope = context.scope_of(parents)
        if scope is None:
            continue
        parameters = _parameters(call, scope)
        if parameters is None:
            continue
        # Positional arguments (functions and methods) bind to inputs and in-outs in declaration order.
        positional = [
            (section, kind) for section, kind in parameters.values() if section in ("VAR_INPUT", "VAR_IN_OUT")
        ]
        for position, argument in enumerate(call.args):
            if isinstance(argument, ast.NamedArg) and argument.value is not None:
                section, kind = parameters.get(argument.name.casefold(), ("", None))
                target = _elementary(kind, scope) if section == "VAR_INPUT" else None
                if target is not None:
                    yield from _conversion(argument.value, target, scope)
            elif isinstance(argument, ast.OutputArg) and argument.target is not None:
                section, kind = parameters.get(argument.name.casefold(), ("", None))
                source = _elementary(kind, scope) if section == "VAR_OUTPUT" else None
                target = _elementary(scope.types.of(argument.target), scope)
                if source is not None and target is not None:
                    yield Conversion(argument, source, target, scope.name)
            elif (
                isinstance(argument, ast.Expr) and position < len(positional) and positional[position][0] == "VAR_INPUT"
            ):
                target = _elementary(positional[position][1], scope)
                if target is not None:
                    yield from _conversion(argument, target, scope)


def _conversion(value: ast.Expr, target: str, scope: PouScope) -> Iterator[Conversion]:
    source = value_type(value, scope, target)
    if source is not None:
        yield Conversion(value, source, target, scope.name)


def _elementary(kind: TypeRef | None, scope: PouScope) -> str | None:
    resolved = scope.types.index.resolve(kind)
    return resolved.elementary if resolved is not None else None


def value_type(expr: ast.Node, scope: PouScope, target: str) -> str | None:
    """The elementary type of a value stored in ``target``; ``ADAPTS`` for untyped literals, which take
    the type their context needs (``rOut := rIn * 0.5`` is all REAL); None when unknown."""
    if isinstance(expr, ast.Paren):
        return value_type(expr.expr, scope, target)
    if isinstance(expr, ast.Literal) and expr.kind in ("INTEGER", "BASED_INT"):
        return ADAPTS
    if isinstance(expr, ast.Literal) and expr.kind == "REAL":
        return target if target in REALS else "LREAL"  # an integer target loses the fraction
    if isinstance(expr, ast.UnaryOp) and expr.op in ("-", "+"):
        return value_type(expr.operand, scope, target)
    if isinstance(expr, ast.BinaryOp) and expr.op in _COMPARISONS:
        return "BOOL"
    if isinstance(expr, ast.BinaryOp) and (expr.op in _ARITHMETIC or expr.op in ("AND", "&", "OR", "XOR")):
        return _common([expr.left, expr.right], scope, target)
    if isinstance(expr, ast.Call) and isinstance(expr.target, ast.Name) and expr.target.name.upper() in _STANDARD:
        name = expr.target.name.upper()
        values = [a.value if isinstance(a, ast.NamedArg) else a for a in expr.args if not isinstance(a, ast.OutputArg)]
        if name == "SIZEOF":
            return None  # a constant the compiler types by its size
        if name in _SHIFTS and values and values[0] is not None:
            return value_type(values[0], scope, target)
        if name in ARGUMENT_TYPED:
            operands = values[1:] if name in ("SEL", "MUX") else values
            return _common([v for v in operands if v is not None], scope, target)
        if name in REAL_FUNCTIONS and values and values[0] is not None:
            # SQRT(REAL) is a REAL; of an integer, an LREAL; of an untyped literal, what the context needs.
            argument = value_type(values[0], scope, target)
            if argument is None or argument in REALS:
                return argument
            return target if argument == ADAPTS and target in REALS else "LREAL"
    return _elementary(scope.types.of(expr), scope)


def _common(operands: list[ast.Expr], scope: PouScope, target: str) -> str | None:
    """The type of an operation on operands: the widest of their types, untyped literals adapting."""
    result: str | None = ADAPTS
    for operand in operands:
        kind = value_type(operand, scope, target)
        if kind is None:
            return None
        if kind != ADAPTS:
            result = kind if result == ADAPTS else _wider(result or kind, kind)
    return result


def _parameters(call: ast.Call, scope: PouScope) -> dict[str, tuple[str, TypeRef | None]] | None:
    """The parameters (section, type) of what a call calls: an FB instance (standard or user), a
    function or a method; None when unknown."""
    index = scope.types.index
    target = call.target
    if isinstance(target, ast.Name):
        if target.name.upper() in _STANDARD:
            return None  # their inputs take any type (ANY_NUM, ANY_BIT)
        if scope.types.variable(target.name) is not None:
            return _instance_parameters(scope.types.of(target), scope)
        function = index.pous.get(target.name.casefold())
        if function is not None and function.kind == "FUNCTION":
            return _declared(function)
        for owner in (scope.owner, scope.symbols):
            method = _member(owner, target.name, scope)
            if method is not None:
                return _declared(method)
        return None
    if isinstance(target, ast.MemberAccess):
        container = index.resolve(scope.types.of(target.target))
        if container is not None and container.kind == "named":
            method = _member(index.pous.get(container.name.casefold()), target.member, scope)
            if method is not None:
                return _declared(method)
    if isinstance(target, (ast.MemberAccess, ast.Index)):
        return _instance_parameters(scope.types.of(target), scope)
    return None


def _member(pou: PouSymbols | None, name: str, scope: PouScope) -> PouSymbols | None:
    """A method of a POU or of one it extends."""
    depth = 0
    while pou is not None and depth < 10:
        method = pou.members.get(name.casefold())
        if method is not None and method.kind == "METHOD":
            return method
        pou = scope.types.index.pous.get(pou.extends.casefold()) if pou.extends else None
        depth += 1
    return None


def _instance_parameters(kind: TypeRef | None, scope: PouScope) -> dict[str, tuple[str, TypeRef | None]] | None:
    resolved = scope.types.index.resolve(kind)
    if resolved is None or resolved.kind != "named":
        return None
    standard = STANDARD_FBS.get(resolved.name.upper())
    if standard is not None:
        return {
            name.casefold(): (section, named(t)) for section, names in standard.items() for name, t in names.items()
        }
    pou = scope.types.index.pous.get(resolved.name.casefold())
    found: dict[str, tuple[str, TypeRef | None]] = {}
    depth = 0
    while pou is not None and depth < 10:
        for key, symbol in _declared(pou).items():
            found.setdefault(key, symbol)
        pou = scope.types.index.pous.get(pou.extends.casefold()) if pou.extends else None
        depth += 1
    return found or None


def _declared(pou: PouSymbols) -> dict[str, tuple[str, TypeRef | None]]:
    return {key: (symbol.section, symbol.type) for key, symbol in pou.variables.items()}


def literal_value(expr: ast.Node) -> int | None:
    """The value of an untyped integer literal, with its sign (``-1``), or None."""
    sign = 1
    while isinstance(expr, (ast.UnaryOp, ast.Paren)):
        if isinstance(expr, ast.UnaryOp):
            if expr.op not in ("-", "+"):
                return None
            sign = -sign if expr.op == "-" else sign
            expr = expr.operand
        else:
            expr = expr.expr
    if isinstance(expr, ast.Literal) and expr.kind in ("INTEGER", "BASED_INT"):
        value = integer_literal_value(expr.text)
        return None if value is None else sign * value
    return None
