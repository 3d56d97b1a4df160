from __future__ import annotations

from typing import Any, ClassVar, Iterable

from plcops.lint.analysis import statement_lists
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC030(Rule):
    """A POU has more statements than the limit.

    Why: long POUs mix responsibilities; they are reviewed less carefully and changed more riskily.
    Split behaviour into methods or smaller blocks; at most ``max_statements`` (200).

    Counted like the NOS metric of TwinCAT/CODESYS static analysis: every executable statement, an IF,
    CASE or loop counting once itself plus the statements in it; empty statements, labels, declarations
    and pragmas do not count. Methods, actions and property accessors are counted on their own.

    Anti-pattern: a 1,500-line MAIN program.
    ```st
    PROGRAM MAIN
    // conveyor 1
    IF bConveyor1Start AND NOT bConveyor1Fault THEN
        bConveyor1Motor := TRUE;
        nConveyor1Count := nConveyor1Count + 1;
    ELSE
        bConveyor1Motor := FALSE;
    END_IF
    // ... the same for 19 more conveyors, then dosing, alarms and HMI handling, one after another
    END_PROGRAM
    ```

    Best practice: MAIN calls a handful of function blocks, each with one job.
    ```st
    PROGRAM MAIN
    fbConveyor(bEnable := bAuto);
    fbDosing(bEnable := bAuto AND fbConveyor.bRunning);
    fbAlarms(bAck := bAckButton);
    END_PROGRAM
    ```
    """

    code = "PLC030"
    name = "statements-per-pou"
    groups = ("complexity",)
    level = Level.info
    sa = ("SA0150",)
    plcopen = ("CP9",)
    options: ClassVar[dict[str, Any]] = {"max_statements": 200}

    def check(self, context: FileContext) -> Iterable[Finding]:
        limit = int(self.settings["max_statements"])
        for scope in context.scopes():
            count = sum(
                1
                for statements in statement_lists(scope.node)
                for statement in statements
                if not isinstance(statement, (ast.EmptyStatement, ast.LabelStatement))
            )
            if count > limit:
                yield self.finding(f"{count} statements (limit {limit})", scope.node.name, scope.name)
