from __future__ import annotations

from typing import Iterable, Iterator

from plcops.lint.analysis import statement_lists
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast

_LEAVING = (ast.Return, ast.Exit, ast.Continue, ast.Jump)


def _leaves(statement: ast.Stmt) -> str | None:
    """What makes control never fall through ``statement``: ``"RETURN"``, ``"EXIT"``, ``"CONTINUE"``,
    ``"JMP"``, ``"IF"`` or ``"CASE"`` (every branch, ELSE included, leaves), or None."""
    if isinstance(statement, _LEAVING):
        if isinstance(statement, ast.Return) and statement.value is not None:
            return None  # TwinCAT's conditional RETURN(cond) may fall through
        return type(statement).__name__.upper().replace("JUMP", "JMP")
    if isinstance(statement, (ast.IfStatement, ast.CaseStatement)) and statement.else_branch is not None:
        arms = [branch.body for branch in statement.branches] + [statement.else_branch.body]
        if all(_list_leaves(arm) for arm in arms):
            return "IF" if isinstance(statement, ast.IfStatement) else "CASE"
    return None  # loops: EXIT leaves the loop, to the code after it


def _list_leaves(statements: list[ast.Stmt]) -> bool:
    """Whether control never falls off the end of a statement list (a label may be jumped to)."""
    leaves = False
    for statement in statements:
        if isinstance(statement, ast.LabelStatement):
            leaves = False
        elif not leaves and _leaves(statement) is not None:
            leaves = True
    return leaves


class PLC001(Rule):
    """Code after RETURN, EXIT, CONTINUE or JMP in the same block never runs.

    Why: unreachable statements are usually a logic error (a RETURN left from debugging, an EXIT placed
    too early) and mislead the reader about what the program does. The same holds after an IF or CASE
    whose branches, ELSE included, all end in RETURN, EXIT, CONTINUE or JMP. The analysis runs on the
    POU's control-flow graph: a label that a JMP leads to makes the code after it reachable again.

    Anti-pattern:
    ```st
    IF bError THEN
        RETURN;
        bAlarm := TRUE;  // never executed
    END_IF
    ```

    Best practice:
    ```st
    IF bError THEN
        bAlarm := TRUE;
        RETURN;
    END_IF
    ```
    """

    code = "PLC001"
    name = "unreachable-code"
    groups = ("correctness",)
    level = Level.error
    sa = ("SA0001",)
    plcopen = ("CP2",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            graph = context.cfg(scope)
            dead = {id(statement) for statement in graph.unreachable(scope.node.body)}
            if not dead:
                continue
            for statements in statement_lists(scope.node):
                yield from self._stretches(statements, dead, scope.name)

    def _stretches(self, statements: list[ast.Stmt], dead: set[int], pou: str) -> Iterator[Finding]:
        """The first statement of every run of unreachable statements in a list, with why it is dead."""
        previous: ast.Stmt | None = None
        in_run = False
        for statement in statements:
            if id(statement) not in dead:
                in_run = False
            elif not in_run and not isinstance(statement, ast.EmptyStatement):
                in_run = True
                cause = _leaves(previous) if previous is not None else None
                if cause in ("IF", "CASE"):
                    message = f"unreachable code: every branch of the {cause} above leaves"
                elif cause is not None:
                    message = f"unreachable code after {cause}"
                else:
                    message = "unreachable code: no path leads here"
                yield self.finding(message, statement, pou)
            previous = statement
