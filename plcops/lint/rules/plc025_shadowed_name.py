from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Rule
from plcops.st.stdlib import STANDARD_FBS
from plcops.st.symbols import PouSymbols, ProjectIndex


class PLC025(Rule):
    """A local variable has the name of a global variable, a POU, a type or a variable of its function block.

    Why: inside the POU the name means the local variable; a reader who knows the other meaning will
    misread the code, and removing the local later silently switches every use to the global (or to the
    function block's variable). Globals of a ``{attribute 'qualified_only'}`` list are only reached as
    ``GVL.x`` and are not shadowed; ``VAR_EXTERNAL`` declarations name the global on purpose.

    Anti-pattern:
    ```st
    VAR_GLOBAL nSpeed : INT; END_VAR
    ...
    FUNCTION_BLOCK FB_Axis
    VAR nSpeed : INT; END_VAR   // shadows the global
    ...
    METHOD Move
    VAR nSpeed : INT; END_VAR   // shadows FB_Axis.nSpeed
    ```

    Best practice: give the local a name of its own.
    ```st
    VAR_GLOBAL nSpeed : INT; END_VAR
    ...
    FUNCTION_BLOCK FB_Axis
    VAR nAxisSpeed : INT; END_VAR
    ...
    METHOD Move
    VAR nMoveSpeed : INT; END_VAR
    ```
    """

    code = "PLC025"
    name = "shadowed-name"
    groups = ("naming",)
    sa = ("SA0027",)
    plcopen = ("N5", "N9")

    def check(self, context: FileContext) -> Iterable[Finding]:
        index = context.index
        for scope in context.scopes():
            for block, _, name in scope.node.variables():
                if block.kind in ("VAR_GLOBAL", "VAR_EXTERNAL"):
                    continue
                message = _shadowed(name.text, scope, index)
                if message:
                    yield self.finding(message, name, scope.name)


def _shadowed(text: str, scope: PouScope, index: ProjectIndex) -> str:
    """What a local name hides, as the finding's message, or ''."""
    key = text.casefold()
    if key in index.globals and not index.globals[key].qualified_only:
        return f"'{text}' shadows a global variable"
    if key in index.pous and key != scope.node.name.text.casefold():
        return f"'{text}' has the name of {index.pous[key].kind} {index.pous[key].name}"
    if key in index.types:
        return f"'{text}' has the name of the type {index.types[key].name}"
    if text.upper() in STANDARD_FBS:
        return f"'{text}' has the name of the standard function block {text.upper()}"
    owner = _owner_declaring(key, scope.owner, index)
    if owner is not None:
        return f"'{text}' shadows a variable of {owner.name}"
    return ""


def _owner_declaring(key: str, owner: PouSymbols | None, index: ProjectIndex) -> PouSymbols | None:
    """The function block (the method's own, or one it EXTENDS) that declares a variable named ``key``."""
    depth = 0
    while owner is not None and depth < 10:  # a bound on the EXTENDS chain, in case it is cyclic
        if key in owner.variables:
            return owner
        owner = index.pous.get(owner.extends.casefold()) if owner.extends else None
        depth += 1
    return None
