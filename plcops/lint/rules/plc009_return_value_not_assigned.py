from __future__ import annotations

from typing import Callable, Iterable

from plcops.lint.analysis import own_expressions, written_targets
from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Rule
from plcops.lint.variables import call_writes, root_key
from plcops.st import ast

# Implicit methods: the runtime calls them and ignores their result.
_IMPLICIT_METHODS = {"fb_init", "fb_reinit", "fb_exit"}


def _assigns(statement: ast.Stmt, key: str, scope: PouScope) -> bool:
    """Whether a statement itself (not its nested statements) writes the result ``key``: wholly, a
    member, element or bit of it (``F.nId := 1``), or through ``ADR(F)`` or a VAR_IN_OUT argument."""
    if any(root_key(target) == key for target in written_targets(statement)):
        return True
    stack: list[ast.Node] = list(own_expressions(statement))
    while stack:
        node = stack.pop()
        stack.extend(node.children())
        if isinstance(node, ast.Call) and key in set(call_writes(node, scope)):
            return True
    return False


def _result_writes(key: str, scope: PouScope) -> Callable[[ast.Stmt], set[str]]:
    return lambda statement: {key} if _assigns(statement, key, scope) else set()


class PLC009(Rule):
    """A function or method does not assign its return value on every path.

    Why: on the paths that do not assign it, the caller gets the default value (0, FALSE, ''), which is
    rarely what the author meant and hides errors. A path ends at the end of the body or at a RETURN;
    writing a member, element or bit of the result, ``ADR(result)`` and ``=> result`` count as
    assigning it. The implicit methods FB_init, FB_reinit and FB_exit are not checked (the runtime
    ignores their result).

    Anti-pattern:
    ```st
    FUNCTION F_Scale : REAL
    IF nRaw > 0 THEN
        F_Scale := nRaw * 0.1;
    END_IF    // nRaw <= 0: returns 0.0 by accident
    ```

    Best practice:
    ```st
    F_Scale := 0.0;
    IF nRaw > 0 THEN
        F_Scale := nRaw * 0.1;
    END_IF
    ```
    """

    code = "PLC009"
    name = "return-value-not-assigned"
    groups = ("correctness",)
    sa = ("SA0022",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            node = scope.node
            if not isinstance(node, (ast.Function, ast.Method)) or node.return_type is None or not node.body:
                continue
            if node.name.text.casefold() in _IMPLICIT_METHODS:
                continue
            key = node.name.text.casefold()
            assigned = context.cfg(scope).assigned_at_exit(set(), {key}, _result_writes(key, scope))
            if key not in assigned:
                yield self.finding(f"'{node.name.text}' is not assigned on every path", node.name, scope.name)
