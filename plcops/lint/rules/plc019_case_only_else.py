from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast


class PLC019(Rule):
    """A CASE statement has no label, only an ELSE branch.

    Why: the selector is evaluated for nothing; the statement is a plain block in disguise and usually
    the remains of a state machine whose branches were deleted.

    Anti-pattern:
    ```st
    CASE nState OF
    ELSE
        Reset();
    END_CASE
    ```

    Best practice:
    ```st
    Reset();
    ```
    """

    code = "PLC019"
    name = "case-only-else"
    groups = ("style",)
    sa = ("SA0078",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.CaseStatement):
            if not node.branches and node.else_branch is not None:
                scope = context.scope_of(parents)
                keyword = (node.span.start, node.span.start + len("CASE"))
                yield self.finding("CASE with only an ELSE branch", keyword, scope.name if scope else "")
