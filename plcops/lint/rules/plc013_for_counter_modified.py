from __future__ import annotations

from typing import Iterable

from plcops.lint.analysis import root_name, statement_lists, written_targets
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC013(Rule):
    """The counter of a FOR loop is assigned inside the loop.

    Why: the loop's number of iterations is then no longer what its header says; it may run forever or
    skip elements. Use WHILE when the step is not fixed.

    Anti-pattern:
    ```st
    FOR i := 1 TO 10 DO
        IF aSkip[i] THEN i := i + 1; END_IF
    END_FOR
    ```

    Best practice:
    ```st
    FOR i := 1 TO 10 DO
        IF NOT aSkip[i] THEN Process(i); END_IF
    END_FOR
    ```
    """

    code = "PLC013"
    name = "for-counter-modified"
    groups = ("correctness",)
    level = Level.error
    sa = ("SA0072",)
    plcopen = ("L12",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        reported: set[int] = set()  # a write inside nested loops on the same counter is reported once
        for loop, parents in context.nodes(ast.ForStatement):
            counter = root_name(loop.variable)
            if counter is None:
                continue
            scope = context.scope_of(parents)
            key = counter.name.casefold()
            pseudo = ast.Program(ast.Identifier("", span=loop.span), [], loop.body, span=loop.span)
            for statements in statement_lists(pseudo):
                for statement in statements:
                    for target in written_targets(statement):
                        root = root_name(target)
                        if root is None or root.name.casefold() != key or id(target) in reported:
                            continue
                        reported.add(id(target))
                        message = f"FOR counter '{counter.name}' is modified inside the loop"
                        yield self.finding(message, target, scope.name if scope else "")
