from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC023(Rule):
    """A direct address (``%IX0.0``, ``%QW3``, ``%MD10``) is used in code.

    Why: a bare address says nothing about what is wired there, and rewiring means searching all code.
    Declare a variable ``AT`` the address once (in a GVL) and use its name.

    Anti-pattern:
    ```st
    IF %IX0.3 THEN
        %QX1.0 := TRUE;
    END_IF
    ```

    Best practice:
    ```st
    IF GVL_IO.bDoorClosed THEN
        GVL_IO.bLamp := TRUE;
    END_IF
    ```
    """

    code = "PLC023"
    name = "direct-address-in-code"
    groups = ("style",)
    level = Level.info
    sa = ("SA0047", "SA0048")
    plcopen = ("N1",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.DirectAddress):
            if any(isinstance(p, (ast.Stmt, ast.IfBranch, ast.CaseBranch)) for p in parents):
                scope = context.scope_of(parents)
                yield self.finding(f"direct address {node.address} used in code", node, scope.name if scope else "")
