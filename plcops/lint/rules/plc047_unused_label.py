from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC047(Rule):
    """A jump label is never the target of a JMP.

    Why: an unused label suggests a JMP was removed or misspelled.

    Anti-pattern:
    ```st
    lblRetry:
    nTries := nTries + 1;   // nothing jumps here
    ```

    Best practice: remove the label.
    ```st
    nTries := nTries + 1;
    ```
    """

    code = "PLC047"
    name = "unused-label"
    groups = ("unused",)
    level = Level.info

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            labels = [n for n, p in context.nodes(ast.LabelStatement) if context.scope_of(p) is scope]
            targets = {n.label.casefold() for n, p in context.nodes(ast.Jump) if context.scope_of(p) is scope}
            for label in labels:
                if label.name.casefold() not in targets:
                    yield self.finding(f"label '{label.name}' is never jumped to", label, scope.name)
