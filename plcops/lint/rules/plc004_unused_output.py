from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.lint.variables import extended_in_project, implemented_elsewhere, writes_in
from plcops.st import ast


class PLC004(Rule):
    """An output of a program, function block, function or method is never written.

    Why: the caller reads an output that never changes from its initial value: either the code forgot
    to set it or the output should not exist. Writing includes assigning the output or a part of it,
    ``S=``/``R=``, ``=>`` connections, ``ADR()`` and VAR_IN_OUT arguments, in the block's methods,
    actions and properties too. Not reported: outputs with an initial value (a constant such as a
    version), outputs with an AT address (the I/O image writes them) and the outputs of a block that
    another block EXTENDS or that is declared ``{external}``.

    Anti-pattern:
    ```st
    VAR_OUTPUT
        bDone : BOOL;   // never assigned
    END_VAR
    ```

    Best practice: assign the output on every path, or remove it.
    ```st
    VAR_OUTPUT
        bDone : BOOL;
    END_VAR
    bDone := nPosition >= nTarget;
    ```
    """

    code = "PLC004"
    name = "unused-output"
    groups = ("unused",)
    sa = ("SA0036",)
    plcopen = ("CP24",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            node = scope.node
            if not isinstance(node, (ast.FunctionBlock, ast.Function, ast.Method, ast.Program)):
                continue
            if isinstance(node, ast.Method) and not node.body:
                continue
            if extended_in_project(scope, context.index) or implemented_elsewhere(node):
                continue
            written = writes_in(node, scope).any
            for block, decl, name in node.variables():
                if block.kind != "VAR_OUTPUT" or decl.init is not None or decl.address:
                    continue  # an output AT %I* is written by the I/O image
                if name.text.casefold() not in written:
                    yield self.finding(f"output '{name.text}' is never written", name, scope.name)
