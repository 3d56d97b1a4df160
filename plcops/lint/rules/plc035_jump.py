from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC035(Rule):
    """JMP is used.

    Why: jumps make the order of execution depend on labels scattered through the code; every ST jump
    can be written with IF, CASE or a loop, which the reader (and the linter's flow analysis) follows.

    Anti-pattern:
    ```st
    IF bSkip THEN JMP lblEnd; END_IF
    Process();
    lblEnd:
    ```

    Best practice:
    ```st
    IF NOT bSkip THEN
        Process();
    END_IF
    ```
    """

    code = "PLC035"
    name = "jump"
    groups = ("style",)
    level = Level.info

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.Jump):
            scope = context.scope_of(parents)
            yield self.finding(f"JMP {node.label}", node, scope.name if scope else "")
