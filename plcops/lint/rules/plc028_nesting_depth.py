from __future__ import annotations

from typing import Any, ClassVar, Iterable

from plcops.lint.analysis import bodies
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC028(Rule):
    """Control statements are nested too deeply.

    Why: every level of IF/CASE/loop multiplies the paths a reader must follow; beyond four or five
    levels, errors hide in the combinations. Extract the inner part into a method or function, or turn
    it into a state machine.

    An IF/CASE/loop at the top of a body is level 1; ELSIF and ELSE arms are on the level of their IF.
    Each POU, method, action and property accessor is measured on its own and reported once, at the
    first statement that goes too deep.

    Anti-pattern: an IF inside an IF inside a CASE inside a FOR inside an IF inside an IF.
    ```st
    IF bAuto THEN
        IF bEnabled THEN
            FOR i := 1 TO 10 DO
                CASE aStation[i].eState OF
                    E_Station.Fill:
                        IF aStation[i].bLevelHigh THEN
                            IF bValveOk THEN    // level 6
                                aStation[i].eState := E_Station.Heat;
                            END_IF
                        END_IF
                END_CASE
            END_FOR
        END_IF
    END_IF
    ```

    Best practice: at most ``max_depth`` levels (default 5).
    ```st
    IF bAuto AND bEnabled THEN
        FOR i := 1 TO 10 DO
            aStation[i].Cycle(bValveOk := bValveOk);   // aStation : ARRAY[1..10] OF FB_Station
        END_FOR
    END_IF

    METHOD Cycle    // of FB_Station
    CASE eState OF
        E_Station.Fill:
            IF bLevelHigh AND bValveOk THEN
                eState := E_Station.Heat;
            END_IF
    END_CASE
    ```
    """

    code = "PLC028"
    name = "nesting-depth"
    groups = ("complexity",)
    level = Level.info
    sa = ("SA0150",)
    plcopen = ("CP9",)
    options: ClassVar[dict[str, Any]] = {"max_depth": 5}

    def check(self, context: FileContext) -> Iterable[Finding]:
        limit = int(self.settings["max_depth"])
        for scope in context.scopes():
            statement, depth = _first_too_deep(scope.node.body, 0, limit)
            if statement is not None:
                yield self.finding(f"statements nested {depth} deep (more than {limit})", statement, scope.name)


def _first_too_deep(statements: list[ast.Stmt], depth: int, limit: int) -> tuple[ast.Stmt | None, int]:
    """The first compound statement (in source order) nested deeper than ``limit``, with its depth;
    one finding per POU is enough to point at the code to restructure."""
    for statement in statements:
        arms = bodies(statement)
        if not arms:
            continue
        if depth + 1 > limit:
            return statement, depth + 1
        for arm in arms:
            found = _first_too_deep(arm, depth + 1, limit)
            if found[0] is not None:
                return found
    return None, 0
