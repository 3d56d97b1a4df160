from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast
from plcops.st.types import REALS, integer_literal_value


def _is_zero(expr: ast.Expr) -> bool:
    """Whether an expression is a literal zero (``0.0``, ``0``, ``REAL#0``, ``-0.0``, ``(0.0)``)."""
    while isinstance(expr, (ast.Paren, ast.UnaryOp)) and (isinstance(expr, ast.Paren) or expr.op in ("-", "+")):
        expr = expr.expr if isinstance(expr, ast.Paren) else expr.operand
    if not isinstance(expr, ast.Literal) or expr.kind not in ("INTEGER", "BASED_INT", "REAL", "TYPED_LITERAL"):
        return False
    if expr.kind != "REAL":
        return integer_literal_value(expr.text) == 0 or _real_value(expr.text.split("#", 1)[-1]) == 0.0
    return _real_value(expr.text) == 0.0


def _real_value(text: str) -> float | None:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return None


class PLC011(Rule):
    """REAL or LREAL values are compared with ``=`` or ``<>``.

    Why: floating-point results carry rounding errors (0.1 + 0.2 is not 0.3 in binary), so exact
    equality is true by accident or never. Compare against a tolerance. Comparisons with a literal zero
    (``fDivisor <> 0.0``) are not reported: zero is exact in IEEE 754 (as in CODESYS/TwinCAT SA0054).

    Anti-pattern:
    ```st
    IF fLevel = 0.3 THEN
    ```

    Best practice:
    ```st
    IF ABS(fLevel - 0.3) < 0.001 THEN
    ```
    """

    code = "PLC011"
    name = "real-equality"
    groups = ("correctness",)
    level = Level.error
    sa = ("SA0054",)
    plcopen = ("CP8",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.BinaryOp):
            if node.op not in ("=", "<>") or _is_zero(node.left) or _is_zero(node.right):
                continue  # 0.0 is exact in IEEE 754: SA0054 does not report comparisons with it either
            scope = context.scope_of(parents)
            if scope is None:
                continue
            for side in (node.left, node.right):
                kind = scope.types.index.resolve(scope.types.of(side))
                if kind is not None and kind.elementary in REALS:
                    yield self.finding(f"{kind.elementary} values compared with '{node.op}'", node, scope.name)
                    break
