from __future__ import annotations

from typing import Iterable

from plcops.lint.analysis import statement_lists
from plcops.lint.context import FileContext
from plcops.lint.edits import statement_removal
from plcops.lint.rule import Finding, Fix, Level, Rule
from plcops.st import ast


class PLC043(Rule):
    """A stray ``;`` (an empty statement) beside other statements.

    Why: ``x := 1;;`` or a lone ``;`` line is noise, often left from edits; it can also hide a statement
    that was deleted by accident. An empty statement that is a branch's only content (``ELSE ;``) or
    that gives a label a statement (``lblEnd: ;``) is not reported. Safe fix: remove it (with its line,
    when it stands alone on one).

    Anti-pattern:
    ```st
    nCount := nCount + 1;;
    ```

    Best practice:
    ```st
    nCount := nCount + 1;
    ```
    """

    code = "PLC043"
    name = "empty-statement"
    groups = ("style",)
    level = Level.info
    fix = "safe"

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            for statements in statement_lists(scope.node):
                if all(isinstance(s, ast.EmptyStatement) for s in statements):
                    continue
                for index, statement in enumerate(statements):
                    if not isinstance(statement, ast.EmptyStatement):
                        continue
                    if index > 0 and isinstance(statements[index - 1], ast.LabelStatement):
                        continue  # "lbl: ;" gives a label a statement to stand on
                    fix = Fix("remove ';'", (statement_removal(context, statement),), safe=True)
                    yield self.finding("empty statement", statement, scope.name, fix)
