from __future__ import annotations

from typing import Iterable

from plcops.lint.case_labels import label_values, selector_enum
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC016(Rule):
    """A CASE label appears more than once.

    Why: only the first branch with a given label ever runs; the later one is dead code that looks
    alive. No vendor's static analysis checks this. Values compare as numbers (``10``, ``16#0A`` and
    ``INT#10`` are one value) and, for a selector of an enumeration type, as enumeration values
    (``Idle``, ``E_State.Idle`` and ``E_State#Idle`` are one value).

    Anti-pattern:
    ```st
    CASE nState OF
        10: StartPump();
        20: Fill();
        10: OpenValve();   // never runs
    END_CASE
    ```

    Best practice: merge the branches, or fix the label.
    ```st
    CASE nState OF
        10: StartPump();
        20: Fill();
        30: OpenValve();
    END_CASE
    ```
    """

    code = "PLC016"
    name = "case-duplicate-label"
    groups = ("correctness",)
    level = Level.error

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.CaseStatement):
            scope = context.scope_of(parents)
            enum = selector_enum(node.selector, scope) if scope is not None else None
            seen: dict[object, int] = {}
            for branch in node.branches:
                for label in branch.labels:
                    value = label_values(label, context, scope)
                    if value is None or value[0] != "single":
                        continue
                    key = value[1]
                    if enum is not None and (member := enum.member(key)) is not None:
                        key = ("enum", member)  # Idle, E_State.Idle and E_State#Idle are one value
                    if key in seen:
                        line = context.source.location(seen[key]).line
                        yield self.finding(
                            f"CASE label {context.text_of(label)} already used on line {line}",
                            label,
                            scope.name if scope else "",
                        )
                    else:
                        seen[key] = label.span.start
