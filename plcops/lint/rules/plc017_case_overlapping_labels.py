from __future__ import annotations

from typing import Iterable

from plcops.lint.case_labels import label_values
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC017(Rule):
    """CASE labels overlap: a value or range is covered by another range.

    Why: values in the overlap always go to the first branch, so part of the later range is dead.
    Overlaps usually come from a range edited without checking its neighbours.

    Anti-pattern:
    ```st
    CASE nLevel OF
        0..50: Slow();
        40..100: Fast();    // 40..50 never gets here
    END_CASE
    ```

    Best practice: make the ranges disjoint (``0..39`` / ``40..100``).
    ```st
    CASE nLevel OF
        0..39: Slow();
        40..100: Fast();
    END_CASE
    ```
    """

    code = "PLC017"
    name = "case-overlapping-labels"
    groups = ("correctness",)
    level = Level.error

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.CaseStatement):
            scope = context.scope_of(parents)
            intervals: list[tuple[int, int, ast.Node]] = []
            for branch in node.branches:
                for label in branch.labels:
                    value = label_values(label, context, scope)
                    if value is None:
                        continue
                    if value[0] == "range":
                        low, high = value[1]  # type: ignore[misc]
                    elif isinstance(value[1], int):
                        low = high = value[1]
                    else:
                        continue
                    for other_low, other_high, other in intervals:
                        if low <= other_high and other_low <= high and not (low == high == other_low == other_high):
                            line = context.source.location(other.span.start).line
                            yield self.finding(
                                f"CASE label {context.text_of(label)} overlaps {context.text_of(other)} (line {line})",
                                label,
                                scope.name if scope else "",
                            )
                            break
                    intervals.append((low, high, label))
