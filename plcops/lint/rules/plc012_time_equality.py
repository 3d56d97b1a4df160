from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast
from plcops.st.types import DURATIONS


class PLC012(Rule):
    """TIME values are compared with ``=``.

    Why: elapsed times advance in steps of the task cycle, so ``tonTimer.ET = T#2S`` may never be true
    (the timer jumps from 1.995 s to 2.005 s). Compare with ``>=``.

    Anti-pattern:
    ```st
    IF tonFill.ET = T#2S THEN
    ```

    Best practice:
    ```st
    IF tonFill.ET >= T#2S THEN
    ```
    """

    code = "PLC012"
    name = "time-equality"
    groups = ("correctness",)
    plcopen = ("CP28",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for node, parents in context.nodes(ast.BinaryOp):
            if node.op != "=":
                continue
            scope = context.scope_of(parents)
            if scope is None:
                continue
            for side in (node.left, node.right):
                kind = scope.types.index.resolve(scope.types.of(side))
                if kind is not None and kind.elementary in DURATIONS:
                    yield self.finding(f"{kind.elementary} values compared with '='", node, scope.name)
                    break
