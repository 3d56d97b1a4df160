from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast


class PLC045(Rule):
    """An IF or ELSIF condition is the constant TRUE or FALSE.

    Why: the branch always runs (or never runs); this is debugging left in the code, or a condition that
    was meant to be a variable. ``WHILE TRUE`` loops are not reported (a loop left with EXIT).

    Anti-pattern:
    ```st
    IF FALSE THEN   // disabled for commissioning
        CheckDoors();
    END_IF
    ```

    Best practice: delete the dead branch, or use a named configuration constant.
    ```st
    VAR CONSTANT
        DOOR_CHECK_ENABLED : BOOL := FALSE;   // TRUE once commissioning is done
    END_VAR
    IF DOOR_CHECK_ENABLED THEN
        CheckDoors();
    END_IF
    ```
    """

    code = "PLC045"
    name = "constant-condition"
    groups = ("correctness",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for branch, parents in context.nodes(ast.IfBranch):
            condition = branch.condition
            while isinstance(condition, ast.Paren):
                condition = condition.expr
            if isinstance(condition, ast.Literal) and condition.kind in ("TRUE", "FALSE"):
                scope = context.scope_of(parents)
                yield self.finding(
                    f"condition is always {condition.kind}", branch.condition, scope.name if scope else ""
                )
