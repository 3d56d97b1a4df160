from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast
from plcops.st.types import integer_literal_value


def _is_zero(expr: ast.Node) -> bool:
    """Whether an expression is a literal zero (``0``, ``16#0``, ``INT#0``, ``0.0``, ``LREAL#0.0``)."""
    while isinstance(expr, ast.Paren):
        expr = expr.expr
    if isinstance(expr, ast.Literal):
        if expr.kind in ("INTEGER", "BASED_INT", "TYPED_LITERAL") and integer_literal_value(expr.text) == 0:
            return True
        if expr.kind in ("REAL", "TYPED_LITERAL"):
            try:
                return float(expr.text.rsplit("#", 1)[-1].replace("_", "")) == 0.0
            except ValueError:
                return False
    return False


def _zero_constant(name: str, parents: tuple[ast.Node, ...], context: FileContext) -> bool:
    """Whether ``name`` is a constant declared zero, looked up as ST resolves it (the POU or method,
    the POU that owns it, then global lists) among the declarations of this file. A name declared
    elsewhere is unknown, and unknown is not zero."""
    key = name.casefold()
    pous = [parent for parent in reversed(parents) if isinstance(parent, ast.Pou)]
    globals_ = [item for item in context.unit.items if isinstance(item, ast.VarBlock)]
    for blocks in [pou.var_blocks for pou in pous] + [globals_]:
        for block in blocks:
            for decl in block.decls:
                if any(n.text.casefold() == key for n in decl.names):
                    return block.constant and decl.init is not None and _is_zero(decl.init)
    return False


def _divides_by_zero(divisor: ast.Node, parents: tuple[ast.Node, ...], context: FileContext) -> bool:
    while isinstance(divisor, ast.Paren):
        divisor = divisor.expr
    if isinstance(divisor, ast.Name):
        return _zero_constant(divisor.name, parents, context)
    return _is_zero(divisor)


class PLC020(Rule):
    """Division or MOD by the constant zero.

    Why: an integer division by zero stops the PLC with an exception (or, on some runtimes, gives 0
    silently); a real division gives infinity that then spreads through the calculation.

    The divisor is a zero literal (``0``, ``16#0``, ``INT#0``, ``0.0``) or a constant declared zero
    (``VAR CONSTANT c_nZero : INT := 0;`` in the same file). Variables that may be zero at run time
    are not reported.

    Anti-pattern:
    ```st
    nAverage := nSum / 0;
    ```

    Best practice:
    ```st
    IF nCount <> 0 THEN
        nAverage := nSum / nCount;
    END_IF
    ```
    """

    code = "PLC020"
    name = "division-by-zero"
    groups = ("correctness",)
    level = Level.error
    sa = ("SA0040",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.BinaryOp):
            if node.op in ("/", "MOD") and _divides_by_zero(node.right, parents, context):
                scope = context.scope_of(parents)
                yield self.finding(
                    f"{'division' if node.op == '/' else 'MOD'} by zero", node, scope.name if scope else ""
                )
        for call, parents in context.nodes(ast.Call):
            if isinstance(call.target, ast.Name) and call.target.name.upper() in ("DIV", "MOD") and len(call.args) == 2:
                divisor = call.args[1]
                value = divisor.value if isinstance(divisor, ast.NamedArg) else divisor
                if value is not None and _divides_by_zero(value, parents, context):
                    scope = context.scope_of(parents)
                    yield self.finding(f"{call.target.name.upper()} by zero", call, scope.name if scope else "")
