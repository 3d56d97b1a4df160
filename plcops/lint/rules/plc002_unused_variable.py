from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.lint.variables import CODE_POUS, LOCAL_SECTIONS, extended_in_project, implemented_elsewhere, used_names


class PLC002(Rule):
    """A local variable is declared but never used.

    Why: dead declarations cost memory on the controller and make the reader look for a purpose that
    does not exist. Not reported: variables with an AT address (the I/O configuration links them), the
    variables of a function block that another block of the project EXTENDS (the derived block may
    use them), and those of a POU declared ``{external}`` (implemented outside the project's ST). A
    variable only an HMI or an ADS client reads looks unused here: suppress the finding with
    ``{analysis -33}``.

    Anti-pattern:
    ```st
    VAR
        nOldCounter : INT;  // left over
    END_VAR
    ```

    Best practice: delete the declaration; declare only what the code uses.
    ```st
    VAR
        nCounter : INT;
    END_VAR
    nCounter := nCounter + 1;
    ```
    """

    code = "PLC002"
    name = "unused-variable"
    groups = ("unused",)
    sa = ("SA0033",)
    plcopen = ("CP22", "CP24")

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            node = scope.node
            if not isinstance(node, CODE_POUS):
                continue
            if extended_in_project(scope, context.index) or implemented_elsewhere(node):
                continue
            used = used_names(scope, context)
            for block, decl, name in node.variables():
                if block.kind not in LOCAL_SECTIONS or decl.address:
                    continue
                if name.text.casefold() not in used:
                    yield self.finding(f"variable '{name.text}' is never used", name, scope.name)
