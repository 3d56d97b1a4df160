from __future__ import annotations

from typing import Iterable

from plcops.lint.analysis import same_expression
from plcops.lint.context import FileContext
from plcops.lint.edits import statement_removal
from plcops.lint.rule import Finding, Fix, Rule
from plcops.st import ast


class PLC044(Rule):
    """A variable is assigned to itself.

    Why: ``x := x;`` does nothing, and is usually a typo for another variable (``x := y;``), or for
    ``THIS^.x := x;`` in a method whose input hides the member. Case and parentheses do not matter
    (``nCount := (NCOUNT);``). The fix (deleting the statement) is unsafe: when ``x`` is a property, the
    assignment calls its getter and setter, which may have side effects.

    Anti-pattern:
    ```st
    stRecipe.fSpeed := stRecipe.fSpeed;
    ```

    Best practice: assign what was meant, or delete the line.
    ```st
    stRecipe.fSpeed := stNewRecipe.fSpeed;
    ```
    """

    code = "PLC044"
    name = "self-assignment"
    groups = ("correctness",)
    fix = "unsafe"

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.Assignment):
            value = node.value
            while isinstance(value, ast.Paren):
                value = value.expr
            if node.op == ":=" and same_expression(node.target, value):
                scope = context.scope_of(parents)
                fix = Fix("remove the statement", (statement_removal(context, node),), safe=False)
                yield self.finding(
                    f"'{context.text_of(node.target)}' is assigned to itself", node, scope.name if scope else "", fix
                )
