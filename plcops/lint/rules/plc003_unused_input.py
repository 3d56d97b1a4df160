from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Rule
from plcops.lint.variables import extended_in_project, implemented_elsewhere, used_names
from plcops.st import ast
from plcops.st.symbols import ProjectIndex

# Implicit methods and the parameters the runtime passes to them, whether the code needs them or not.
_IMPLICIT_METHODS = {"fb_init", "fb_reinit", "fb_exit"}
_RUNTIME_PARAMETERS = {"binitretains", "bincopycode"}


def signature_is_imposed(scope: PouScope, context: FileContext) -> bool:
    """Whether a method's interface is fixed from outside: it overrides a base block's method or
    implements an interface method (or may: the base or interface is not in the project, e.g. a library)."""
    node = scope.node
    if not isinstance(node, ast.Method):
        return False
    key = node.name.text.casefold()
    owner = _owner_node(scope, context)
    if owner is None:
        return True  # a method whose block is elsewhere: nothing tells whether it overrides
    index = context.index
    base = getattr(owner, "extends", None)
    if base and _declared_in_bases(base, key, index) is not False:
        return True
    return any(_declared_in_interface(name, key, index, 0) is not False for name in getattr(owner, "implements", []))


def _owner_node(scope: PouScope, context: FileContext) -> ast.Pou | None:
    for candidate in context.scopes():
        if scope.node in getattr(candidate.node, "members", []):
            return candidate.node
    return None


def _declared_in_bases(name: str, key: str, index: ProjectIndex) -> bool | None:
    """Whether a base block (or its bases) declares method ``key``; None when a base is unknown."""
    for _ in range(10):
        pou = index.pous.get(name.casefold())
        if pou is None:
            return None
        if key in pou.members:
            return True
        if not isinstance(pou.extends, str) or not pou.extends:
            return False
        name = pou.extends
    return None


def _declared_in_interface(name: str, key: str, index: ProjectIndex, depth: int) -> bool | None:
    """Whether an interface (or one it extends) declares method ``key``; None when one is unknown."""
    pou = index.pous.get(name.casefold())
    if pou is None or depth > 10:
        return None
    if key in pou.members:
        return True
    parents = pou.extends if isinstance(pou.extends, list) else [pou.extends] if pou.extends else []
    results = [_declared_in_interface(parent, key, index, depth + 1) for parent in parents]
    return True if True in results else None if None in results else False


class PLC003(Rule):
    """An input of a program, function block, function or method is never read.

    Why: callers set an input believing it has an effect. An unused input is either a bug (the code
    forgot to use it) or dead interface that should be removed. Not reported: inputs of ABSTRACT or
    empty methods, the parameters the runtime passes to FB_init, FB_reinit and FB_exit (``bInitRetains``,
    ``bInCopyCode``), inputs of methods that override a
    base block's method or implement an interface method (their signature is given), of a block that
    another block EXTENDS (the derived block may read them) or that is declared ``{external}``, and inputs
    with an AT address (linked by the I/O configuration, like the variables PLC002 leaves alone).

    Anti-pattern:
    ```st
    FUNCTION_BLOCK FB_Pump
    VAR_INPUT
        bEnable : BOOL;
        nSpeed : INT;    // never read
    END_VAR
    bRun := bEnable;
    ```

    Best practice: use the input or remove it from the interface.
    ```st
    FUNCTION_BLOCK FB_Pump
    VAR_INPUT
        bEnable : BOOL;
        nSpeed : INT;
    END_VAR
    bRun := bEnable;
    nSetSpeed := SEL(bEnable, 0, nSpeed);
    ```
    """

    code = "PLC003"
    name = "unused-input"
    groups = ("unused",)
    sa = ("SA0035",)
    plcopen = ("CP24",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            node = scope.node
            if not isinstance(node, (ast.FunctionBlock, ast.Function, ast.Method, ast.Program)):
                continue
            if "ABSTRACT" in getattr(node, "modifiers", []):
                continue
            if isinstance(node, ast.Method) and not node.body:
                continue  # an interface-like method without a body
            if signature_is_imposed(scope, context) or implemented_elsewhere(node):
                continue
            if extended_in_project(scope, context.index):
                continue
            used = used_names(scope, context)
            if node.name.text.casefold() in _IMPLICIT_METHODS:
                used |= _RUNTIME_PARAMETERS
            for block, decl, name in node.variables():
                if block.kind == "VAR_INPUT" and not decl.address and name.text.casefold() not in used:
                    yield self.finding(f"input '{name.text}' is never read", name, scope.name)
