from __future__ import annotations

from typing import Any, ClassVar, Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast
from plcops.st.types import BIT_STRINGS, INTEGERS, REALS, integer_literal_value

_NUMERIC_TYPES = frozenset(INTEGERS) | frozenset(BIT_STRINGS) | frozenset(REALS)


def _value(text: str) -> float | None:
    """The numeric value of a literal as written (``1_000``, ``16#FF``, ``2.5E3``), or None."""
    number = integer_literal_value(text)
    if number is not None:
        return number
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return None


def _number(literal: ast.Literal) -> str | None:
    """The number a literal writes (``INT#5`` -> ``5``), or None for other literals (TRUE, T#5S, E_State#Idle)."""
    if literal.kind in ("INTEGER", "REAL", "BASED_INT"):
        return literal.text
    if literal.kind == "TYPED_LITERAL":
        prefix, _, rest = literal.text.partition("#")
        if prefix.upper() in _NUMERIC_TYPES:
            return rest
    return None


def _in_case_label(parents: tuple[ast.Node, ...], literal: ast.Node) -> bool:
    """Whether the literal is (part of) a label of a CASE branch, not a statement inside the branch."""
    for position, parent in enumerate(parents):
        if isinstance(parent, ast.CaseBranch):
            below = parents[position + 1] if position + 1 < len(parents) else literal
            if any(below is label for label in parent.labels):
                return True
    return False


class PLC036(Rule):
    """A number other than a few obvious ones appears in code.

    Why: ``IF nTemp > 87`` does not say what 87 is or where else it must change. A named constant does.
    Off by default (it is noisy on existing code); ``allowed`` lists the numbers that are fine (0, 1, 2,
    -1, 10, 100 by default; compared by value, so ``1.0`` and ``16#0A`` match too). Numbers in
    declarations (initial values, array bounds, constants), CASE labels and array indices are not reported;
    numbers in the statements of a CASE branch are. A negative number is reported with its sign, and
    typed numbers (``INT#500``) count too.

    Anti-pattern:
    ```st
    IF fTemperature > 87.5 THEN
    ```

    Best practice:
    ```st
    VAR CONSTANT
        MAX_TEMPERATURE : REAL := 87.5;
    END_VAR
    IF fTemperature > MAX_TEMPERATURE THEN
    ```
    """

    code = "PLC036"
    name = "magic-number"
    groups = ("style",)
    level = Level.info
    enabled = False
    options: ClassVar[dict[str, Any]] = {"allowed": ["0", "1", "2", "-1", "10", "100", "0.0", "1.0"]}

    def check(self, context: FileContext) -> Iterable[Finding]:
        allowed = {value for value in (_value(str(item)) for item in self.settings["allowed"]) if value is not None}
        for literal, parents in context.nodes(ast.Literal):
            text = _number(literal)
            if text is None:
                continue
            if not any(isinstance(p, ast.Stmt) for p in parents):
                continue  # declarations and initial values
            if any(isinstance(p, (ast.Index, ast.RepeatInit, ast.TaskConfig)) for p in parents):
                continue
            if _in_case_label(parents, literal):
                continue
            node: ast.Node = literal
            value = _value(text)
            # -5 is a unary minus applied to 5: the number the reader sees is -5.
            if parents and isinstance(parents[-1], ast.UnaryOp) and parents[-1].op == "-":
                node = parents[-1]
                value = -value if value is not None else None
            if value is not None and value in allowed:
                continue
            scope = context.scope_of(parents)
            yield self.finding(f"magic number {context.text_of(node)}", node, scope.name if scope else "")
