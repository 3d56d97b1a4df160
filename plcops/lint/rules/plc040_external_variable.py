from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Level, Rule

# POUs meant to be reusable: a program is a single instance bound to its application, so its
# VAR_EXTERNAL is how IEC 61131-3 wires it to the globals.
_REUSABLE = frozenset({"FUNCTION_BLOCK", "FUNCTION", "CLASS"})


class PLC040(Rule):
    """A function block, function or method uses VAR_EXTERNAL (global) variables.

    Why: a function block that reaches for globals cannot be reused or tested on its own: every instance
    shares the same global, and a test must set up the whole GVL. Pass the value in as an input or
    VAR_IN_OUT. Programs are not reported, nor ``VAR_EXTERNAL CONSTANT`` (a shared size or limit carries
    no state).

    Anti-pattern:
    ```st
    FUNCTION_BLOCK FB_Axis
    VAR_EXTERNAL
        gbEmergencyStop : BOOL;
    END_VAR
    ```

    Best practice:
    ```st
    FUNCTION_BLOCK FB_Axis
    VAR_INPUT
        bEmergencyStop : BOOL;
    END_VAR
    ```
    """

    code = "PLC040"
    name = "external-variable"
    groups = ("structure",)
    level = Level.info
    plcopen = ("CP6",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            if not _reusable(scope):
                continue
            kind = scope.kind.lower().replace("_", " ")
            for block, _, name in scope.node.variables():
                if block.kind == "VAR_EXTERNAL" and not block.constant:
                    yield self.finding(f"{kind} uses the global '{name.text}'", name, scope.name)


def _reusable(scope: PouScope) -> bool:
    """A function block, function or class, or a member of one."""
    owner = scope.owner.kind if scope.owner is not None else scope.kind
    return owner in _REUSABLE
