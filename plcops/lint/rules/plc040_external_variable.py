from __future__ import annotations

from typing import Any, ClassVar, Iterable

from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast
from plcops.st.symbols import ProjectIndex, Symbol

# POUs meant to be reusable: a program is a single instance bound to its application, so its
# VAR_EXTERNAL is how IEC 61131-3 wires it to the globals.
_REUSABLE = frozenset({"FUNCTION_BLOCK", "FUNCTION", "CLASS"})


class PLC040(Rule):
    """A function block, function or method uses global variables.

    Why: a function block that reaches for globals cannot be reused or tested on its own: every instance
    shares the same global, and a test must set up the whole GVL. Pass the value in as an input or
    VAR_IN_OUT. Reported are ``VAR_EXTERNAL`` declarations and, once per POU at its first use, globals its
    code names directly (``GVL.bStop``, or ``bStop`` declared in a GVL), as TwinCAT and CODESYS code
    does without VAR_EXTERNAL (option ``direct_use = false`` reports only VAR_EXTERNAL). Programs are not
    reported, nor constants (a shared size or limit carries no state).

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
    options: ClassVar[dict[str, Any]] = {"direct_use": True}

    def check(self, context: FileContext) -> Iterable[Finding]:
        reported: set[tuple[str, str]] = set()  # (scope, global): one finding each
        for scope in context.scopes():
            if not _reusable(scope):
                continue
            kind = scope.kind.lower().replace("_", " ")
            for block, _, name in scope.node.variables():
                if block.kind == "VAR_EXTERNAL" and not block.constant:
                    reported.add((scope.name, name.text.casefold()))
                    yield self.finding(f"{kind} uses the global '{name.text}'", name, scope.name)
        globals_ = context.index.globals
        if not globals_ or not self.settings["direct_use"]:
            return
        for node, parents in context.nodes(ast.Name, ast.MemberAccess):
            user = context.scope_of(parents)
            if user is None or not _reusable(user):
                continue
            used = _global_named(node, user, context.index)
            if used is None or (user.name, used[0].name.casefold()) in reported:
                continue
            reported.add((user.name, used[0].name.casefold()))
            kind = user.kind.lower().replace("_", " ")
            yield self.finding(f"{kind} uses the global '{used[1]}'", node, user.name)


def _global_named(node: ast.Node, scope: PouScope, index: ProjectIndex) -> tuple[Symbol, str] | None:
    """The non-constant global a name (``bStop``) or member access (``GVL.bStop``) refers to, and how the
    code spells it; None for anything else."""
    if isinstance(node, ast.MemberAccess):
        # GVL.x: the name of a GVL (not shadowed by a variable here), then one of its variables. An
        # enumeration value (E_Mode.Run) or a program's variable (MAIN.n) has the same shape.
        target = node.target
        if not isinstance(target, ast.Name) or scope.types.variable(target.name) is not None:
            return None
        symbol = index.gvls.get(target.name.casefold(), {}).get(node.member.casefold())
        spelled = f"{target.name}.{node.member}"
    elif isinstance(node, ast.Name):
        symbol = scope.types.variable(node.name)
        if symbol is None or symbol.section != "VAR_GLOBAL":
            return None
        spelled = node.name
    else:
        return None
    return None if symbol is None or symbol.constant else (symbol, spelled)


def _reusable(scope: PouScope) -> bool:
    """A function block, function or class, or a member of one."""
    owner = scope.owner.kind if scope.owner is not None else scope.kind
    return owner in _REUSABLE
