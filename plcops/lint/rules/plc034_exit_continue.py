from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC034(Rule):
    """EXIT or CONTINUE is used in a loop.

    Why: the PLCopen guidelines ask for loops with one exit condition, visible in the loop header; EXIT
    and CONTINUE hide extra exits in the body. Informational: a search loop with EXIT is often clearest.

    Anti-pattern:
    ```st
    FOR i := 1 TO 100 DO
        IF aValues[i] = nWanted THEN EXIT; END_IF
    END_FOR
    ```

    Best practice:
    ```st
    i := 1;
    WHILE i <= 100 AND_THEN aValues[i] <> nWanted DO
        i := i + 1;
    END_WHILE
    ```
    """

    code = "PLC034"
    name = "exit-continue"
    groups = ("style",)
    level = Level.info
    plcopen = ("L10",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.Exit, ast.Continue):
            scope = context.scope_of(parents)
            # EXIT leaves the loop; CONTINUE only skips the rest of this pass (IEC 61131-3 3rd ed. 7.3.3.4).
            message = (
                "EXIT leaves the loop from its body"
                if isinstance(node, ast.Exit)
                else "CONTINUE skips the rest of the loop body"
            )
            yield self.finding(message, node, scope.name if scope else "")
