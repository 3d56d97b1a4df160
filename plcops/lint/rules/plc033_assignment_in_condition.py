from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast


class PLC033(Rule):
    """An assignment is made inside a condition.

    Why: ``IF (bDone := bReady) THEN`` looks like a comparison at a glance; the side effect in a
    condition is easy to miss (and with AND_THEN/OR_ELSE it may not even run). Assign first, then test.

    Anti-pattern:
    ```st
    IF (nState := F_Next(nState)) > 10 THEN
    ```

    Best practice:
    ```st
    nState := F_Next(nState);
    IF nState > 10 THEN
    ```
    """

    code = "PLC033"
    name = "assignment-in-condition"
    groups = ("correctness",)
    sa = ("SA0095",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        conditions: list[tuple[ast.Node, tuple[ast.Node, ...]]] = []
        for node, parents in context.nodes(ast.IfBranch, ast.WhileStatement, ast.RepeatStatement, ast.CaseStatement):
            if isinstance(node, ast.CaseStatement):
                conditions.append((node.selector, parents))
            elif isinstance(node, (ast.IfBranch, ast.WhileStatement, ast.RepeatStatement)):
                conditions.append((node.condition, parents))
        for condition, parents in conditions:
            stack = [condition]
            while stack:
                current = stack.pop()
                if isinstance(current, ast.AssignExpr):
                    scope = context.scope_of(parents)
                    yield self.finding("assignment inside a condition", current, scope.name if scope else "")
                stack.extend(current.children())
