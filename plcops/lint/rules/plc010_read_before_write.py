from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.lint.variables import writes_in
from plcops.st import ast
from plcops.st.stdlib import STANDARD_FBS
from plcops.st.symbols import ProjectIndex
from plcops.st.types import TypeRef, type_ref

# POUs whose VAR section lives only for one call (re-initialised every call).
_CALL_LOCAL = (ast.Function, ast.Method, ast.PropertyAccessor)


def _has_a_value(kind: TypeRef | None, index: ProjectIndex) -> bool:
    """Whether a variable of this type holds a plain value (elementary, string, enumeration, structure,
    array, pointer, reference, interface), not an instance with its own initialisation (a function
    block) or a type the project does not declare (a library type: either)."""
    kind = index.resolve(kind)
    if kind is None:
        return False
    if kind.elementary or kind.kind in ("string", "enum", "array", "pointer", "reference"):
        return True
    if kind.kind != "named" or kind.name.upper() in STANDARD_FBS:
        return False
    if kind.name.casefold() in index.types:
        return True
    pou = index.pous.get(kind.name.casefold())
    return pou is not None and pou.kind == "INTERFACE"


class PLC010(Rule):
    """A temporary variable is read before anything was written to it.

    Why: VAR_TEMP variables (and the locals of a FUNCTION) start from their default value on every call,
    so reading one before assigning it reads 0/FALSE, never a value from the last cycle: almost always a
    mistake about where the variable's value comes from. Not reported: variables with an initial value,
    function block instances and library types (they initialise themselves), and variables written
    piecewise (members, elements, bits) or through ``ADR()``, ``REF=`` or a VAR_IN_OUT argument, whose
    state the analysis cannot follow.

    Anti-pattern:
    ```st
    VAR_TEMP
        nSum : INT;
    END_VAR
    nTotal := nSum + nValue;   // nSum is 0 here, every cycle
    ```

    Best practice: assign the temporary first, or make it a VAR (kept between cycles) if that was meant.
    ```st
    VAR_TEMP
        nSum : INT;
    END_VAR
    nSum := nValueA + nValueB;
    nTotal := nSum + nValue;
    ```
    """

    code = "PLC010"
    name = "read-before-write"
    groups = ("correctness",)
    sa = ("SA0145",)
    plcopen = ("CP3",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            node = scope.node
            watched: set[str] = set()
            for block, decl, name in node.variables():
                temporary = block.kind == "VAR_TEMP" or (isinstance(node, _CALL_LOCAL) and block.kind == "VAR")
                if not temporary or decl.init is not None or block.constant:
                    continue
                if _has_a_value(type_ref(decl.type, context.text), context.index):
                    watched.add(name.text.casefold())
            if not watched:
                continue
            # Written piecewise (members, elements, bits) or through ADR() or a VAR_IN_OUT: the
            # definite-assignment analysis only sees whole writes, so leave these variables alone.
            writes = writes_in(node, scope)
            watched -= writes.partial | writes.indirect
            reads = context.cfg(scope).reads_before_assignment(set(), watched)
            reported: set[str] = set()
            for read, key in reads:
                if key not in reported:
                    reported.add(key)
                    yield self.finding(f"'{read.name}' is read before it is written", read, scope.name)
