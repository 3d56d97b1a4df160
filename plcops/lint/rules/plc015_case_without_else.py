from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast


class PLC015(Rule):
    """A CASE statement has no ELSE branch.

    Why: a selector value that no label covers (a corrupted state number, a new enum value) then does
    nothing, silently. In a state machine that usually means the machine stops in an unknown state.
    An ELSE that raises an error or goes to a safe state makes the gap visible.

    Anti-pattern:
    ```st
    CASE nState OF
        0: ...
        10: ...
    END_CASE
    ```

    Best practice:
    ```st
    CASE nState OF
        0: ...
        10: ...
    ELSE
        nState := STATE_FAULT;
    END_CASE
    ```
    """

    code = "PLC015"
    name = "case-without-else"
    groups = ("robustness",)
    sa = ("SA0075",)
    plcopen = ("L17",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.CaseStatement):
            if node.else_branch is None:
                scope = context.scope_of(parents)
                keyword = (node.span.start, node.span.start + len("CASE"))
                yield self.finding("CASE without ELSE", keyword, scope.name if scope else "")
