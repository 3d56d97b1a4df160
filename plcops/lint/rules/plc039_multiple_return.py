from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC039(Rule):
    """A POU has more than one RETURN.

    Why: several exit points make it easy to skip cleanup or an output assignment on one of them. Off
    by default: early returns for guard conditions are common and readable. Each method, property
    accessor and action is counted on its own; TwinCAT's conditional ``RETURN(condition);`` counts as a
    RETURN. Every RETURN after the first is reported. (SA0090 is stricter: it reports any RETURN that is
    not the last statement, even a single guard.)

    Anti-pattern: RETURN in three different IF branches of a long function block.
    ```st
    IF NOT bEnable THEN
        RETURN;
    END_IF
    IF bError THEN
        RETURN;                 // bValveOpen stays TRUE
    END_IF
    fbTimer(IN := bStart, PT := T#5S);
    IF fbTimer.Q THEN
        bDone := TRUE;
        RETURN;                 // and here too
    END_IF
    bValveOpen := bStart;
    ```

    Best practice: one exit at the end, or a single guard RETURN at the top.
    ```st
    IF NOT bEnable THEN
        RETURN;
    END_IF
    IF bError THEN
        bValveOpen := FALSE;
    ELSE
        fbTimer(IN := bStart, PT := T#5S);
        bDone := fbTimer.Q;
        bValveOpen := bStart AND NOT fbTimer.Q;
    END_IF
    ```
    """

    code = "PLC039"
    name = "multiple-return"
    groups = ("style",)
    level = Level.info
    enabled = False
    sa = ("SA0090",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        by_scope: dict[int, list[ast.Return]] = {}
        for node, parents in context.nodes(ast.Return):
            scope = context.scope_of(parents)
            if scope is not None:
                by_scope.setdefault(id(scope), []).append(node)
        for scope in context.scopes():
            for extra in by_scope.get(id(scope), [])[1:]:
                yield self.finding("more than one RETURN in this POU", extra, scope.name)
