from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Edit, Finding, Fix, Level, Rule
from plcops.st import ast


def _operand(node: ast.Node) -> bool:
    """Whether a node can stand after NOT without parentheses (a name, member, call, literal...)."""
    return isinstance(
        node, (ast.Name, ast.MemberAccess, ast.BitAccess, ast.Index, ast.Deref, ast.Call, ast.Paren, ast.Literal)
    )


def _negated(context: FileContext, node: ast.Expr) -> str:
    """The text of ``NOT node``: ``NOT (a OR b)`` where NOT would bind tighter, and ``x`` for ``NOT x``."""
    if isinstance(node, ast.UnaryOp) and node.op == "NOT":
        return context.text_of(node.operand)  # the operand of NOT binds at least as tight as '=' does
    text = context.text_of(node)
    return f"NOT {text}" if _operand(node) else f"NOT ({text})"


class PLC042(Rule):
    """A BOOL is compared with TRUE or FALSE.

    Why: ``bReady = TRUE`` is ``bReady`` with extra words, and ``bReady = FALSE`` reads worse than
    ``NOT bReady``. Safe fix: only for operands declared BOOL; it adds parentheses where NOT would
    otherwise bind tighter (``a > b = FALSE`` becomes ``NOT (a > b)``).

    Anti-pattern:
    ```st
    IF bReady = TRUE AND bFault = FALSE THEN
    ```

    Best practice:
    ```st
    IF bReady AND NOT bFault THEN
    ```
    """

    code = "PLC042"
    name = "bool-literal-comparison"
    groups = ("style",)
    level = Level.info
    fix = "safe"

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.BinaryOp):
            if node.op not in ("=", "<>"):
                continue
            literal, other = (node.right, node.left) if isinstance(node.right, ast.Literal) else (node.left, node.right)
            if not isinstance(literal, ast.Literal) or literal.kind not in ("TRUE", "FALSE"):
                continue
            scope = context.scope_of(parents)
            if scope is None:
                continue
            kind = scope.types.index.resolve(scope.types.of(other))
            fix = None
            if kind is not None and kind.elementary == "BOOL":
                positive = (literal.kind == "TRUE") == (node.op == "=")
                replacement = context.text_of(other) if positive else _negated(context, other)
                fix = Fix(
                    f"replace with '{replacement}'", (Edit(node.span.start, node.span.end, replacement),), safe=True
                )
            yield self.finding(f"comparison with {literal.kind}", node, scope.name, fix)
