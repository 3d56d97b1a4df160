from __future__ import annotations

from typing import Iterable

from plcops.lint.analysis import root_name, statement_lists
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast


class PLC014(Rule):
    """The counter of a FOR loop is read after the loop without being assigned first.

    Why: the value of a FOR counter after the loop is not defined the same way by every runtime (one
    past the end, or the end value); code that relies on it breaks when moved between PLCs. The read
    may also come later than the next statement: after the END_IF of an IF that holds the loop, or in
    the next pass of a loop that encloses it.

    Anti-pattern:
    ```st
    FOR i := 1 TO nCount DO ... END_FOR
    nLast := i;
    ```

    Best practice: keep the value you need in a variable of its own inside the loop, or assign the
    counter before reading it again.
    ```st
    FOR i := 1 TO nCount DO
        aBuffer[i] := 0;
        nLast := i;
    END_FOR
    ```
    """

    code = "PLC014"
    name = "for-counter-used-after-loop"
    groups = ("correctness",)
    sa = ("SA0073",)
    plcopen = ("CP21", "L13")

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            graph = context.cfg(scope)
            for statements in statement_lists(scope.node):
                for loop in statements:
                    counter = root_name(loop.variable) if isinstance(loop, ast.ForStatement) else None
                    if counter is None or id(loop) not in graph.start_of:
                        continue
                    # Every path out of the loop (its end, EXIT), on to wherever the counter is assigned
                    # again: through enclosing IFs, and into the next pass of an enclosing loop.
                    reads = graph.reads_from(graph.after(loop), counter.name.casefold())  # type: ignore[arg-type]
                    if reads:
                        line = context.source.location(loop.span.start).line
                        message = f"FOR counter '{counter.name}' is read after the loop (line {line})"
                        yield self.finding(message, reads[0], scope.name)
