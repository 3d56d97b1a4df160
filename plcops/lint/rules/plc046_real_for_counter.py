from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast
from plcops.st.types import REALS


class PLC046(Rule):
    """A FOR loop counts with a REAL or LREAL variable.

    Why: rounding makes the number of iterations unpredictable (0.1 added ten times is not 1.0). Count
    with an integer and compute the real value from it.

    Anti-pattern:
    ```st
    FOR fPosition := 0.0 TO 1.0 BY 0.1 DO
    ```

    Best practice:
    ```st
    FOR i := 0 TO 10 DO
        fPosition := INT_TO_REAL(i) * 0.1;
    ```
    """

    code = "PLC046"
    name = "real-loop-counter"
    groups = ("correctness",)
    plcopen = ("L12",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for loop, parents in context.nodes(ast.ForStatement):
            scope = context.scope_of(parents)
            if scope is None:
                continue
            kind = scope.types.index.resolve(scope.types.of(loop.variable))
            if kind is not None and kind.elementary in REALS:
                yield self.finding(f"FOR counter of type {kind.elementary}", loop.variable, scope.name)
