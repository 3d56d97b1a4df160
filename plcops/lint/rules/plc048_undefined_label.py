from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC048(Rule):
    """JMP to a label that does not exist in the POU.

    Why: the compiler rejects it; plcops reports it before you download.

    Anti-pattern:
    ```st
    JMP lblEnd;
    ...
    lbl_End:
    ```

    Best practice: jump to a label of the same POU, spelled the same.
    ```st
    JMP lblEnd;
    ...
    lblEnd:
    ```
    """

    code = "PLC048"
    name = "undefined-label"
    groups = ("correctness",)
    level = Level.error

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            labels = {n.name.casefold() for n, p in context.nodes(ast.LabelStatement) if context.scope_of(p) is scope}
            for jump, parents in context.nodes(ast.Jump):
                if context.scope_of(parents) is scope and jump.label.casefold() not in labels:
                    yield self.finding(f"JMP to undefined label '{jump.label}'", jump, scope.name)
