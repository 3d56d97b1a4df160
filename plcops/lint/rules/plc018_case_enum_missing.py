from __future__ import annotations

from typing import Iterable

from plcops.lint.case_labels import label_members, selector_enum
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast


class PLC018(Rule):
    """A CASE on an enumeration has no branch for some of its values (and no ELSE).

    Why: when someone adds a value to the enumeration, every CASE on it should handle it. A missing
    value falls through silently; the state machine stalls in a state nobody wrote code for.

    Labels may name a value qualified (``E_State.Idle``), unqualified (``Idle``) or as a typed literal
    (``E_State#Idle``). When a label cannot be read as a value of the enumeration (a range, a constant),
    the rule says nothing rather than guess.

    Anti-pattern:
    ```st
    CASE eState OF           // E_State has Idle, Running, Fault
        E_State.Idle: ...
        E_State.Running: ...
    END_CASE
    ```

    Best practice: a branch per value, or an ELSE that handles the rest explicitly.
    ```st
    CASE eState OF
        E_State.Idle: ...
        E_State.Running: ...
        E_State.Fault: ...
    END_CASE
    ```
    """

    code = "PLC018"
    name = "case-enum-missing-values"
    groups = ("robustness",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.CaseStatement):
            if node.else_branch is not None:
                continue
            scope = context.scope_of(parents)
            if scope is None:
                continue
            enum = selector_enum(node.selector, scope)
            if enum is None:
                continue
            covered: set[str] = set()
            readable = True
            for branch in node.branches:
                for label in branch.labels:
                    members = label_members(label, context, scope, enum)
                    if members is None:
                        readable = False
                    else:
                        covered.update(members)
            missing = [v for v in enum.values if v.casefold() not in covered]
            if missing and readable:
                keyword = (node.span.start, node.span.start + len("CASE"))
                yield self.finding(f"CASE on {enum.title} does not handle {', '.join(missing)}", keyword, scope.name)
