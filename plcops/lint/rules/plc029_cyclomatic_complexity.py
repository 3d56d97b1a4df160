from __future__ import annotations

from typing import Any, ClassVar, Iterable

from plcops.lint.analysis import statement_lists
from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


def cyclomatic(pou: ast.Pou) -> int:
    """McCabe's number: 1 + the decisions (IF/ELSIF conditions, CASE branches, loops, AND_THEN/OR_ELSE).

    As in TwinCAT/CODESYS static analysis, a CASE branch counts once however many labels it has
    (``3, 4, 5:`` is one path), and ELSE adds nothing.
    """
    decisions = 0
    for statements in statement_lists(pou):
        for statement in statements:
            if isinstance(statement, ast.IfStatement):
                decisions += len(statement.branches)
            elif isinstance(statement, ast.CaseStatement):
                decisions += len(statement.branches)
            elif isinstance(statement, (ast.ForStatement, ast.WhileStatement, ast.RepeatStatement)):
                decisions += 1
    stack: list[ast.Node] = list(pou.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinaryOp) and node.op in ("AND_THEN", "OR_ELSE"):
            decisions += 1
        stack.extend(node.children())
    return 1 + decisions


class PLC029(Rule):
    """A POU's cyclomatic complexity is above the limit.

    Why: the number of independent paths through the code is the number of tests needed to cover it.
    Above about 20, a POU is hard to test completely and hard to change safely. Split it.

    Counted as in TwinCAT/CODESYS (McCabe): 1, plus 1 for each IF and ELSIF condition, each CASE branch
    (not each label), each FOR, WHILE and REPEAT, and each short-circuit AND_THEN/OR_ELSE. Methods,
    actions and property accessors are measured on their own.

    Anti-pattern: one FB body with a 40-branch CASE, each branch with its own IF chain.
    ```st
    CASE eStep OF
        E_Step.Fill:
            IF bFillDone THEN
                eStep := E_Step.Heat;
            ELSIF tonFill.Q THEN
                eStep := E_Step.Fault;
            END_IF
        E_Step.Heat:
            IF bHeatDone THEN
                eStep := E_Step.Stir;
            ELSIF tonHeat.Q THEN
                eStep := E_Step.Fault;
            END_IF
        // ... 38 more steps like these: complexity 1 + 40 * 3 = 121
    END_CASE
    ```

    Best practice: one method per state, or smaller function blocks; at most ``max_complexity`` (20).
    ```st
    CASE ePhase OF      // complexity 9: each phase is a function block with its own few steps
        E_Phase.Fill:
            fbFill(bExecute := TRUE);
            IF fbFill.bDone THEN ePhase := E_Phase.Heat; END_IF
        E_Phase.Heat:
            fbHeat(bExecute := TRUE);
            IF fbHeat.bDone THEN ePhase := E_Phase.Stir; END_IF
        E_Phase.Stir:
            fbStir(bExecute := TRUE);
            IF fbStir.bDone THEN ePhase := E_Phase.Drain; END_IF
        E_Phase.Drain:
            fbDrain(bExecute := TRUE);
            IF fbDrain.bDone THEN ePhase := E_Phase.Idle; END_IF
    END_CASE
    ```
    """

    code = "PLC029"
    name = "cyclomatic-complexity"
    groups = ("complexity",)
    level = Level.info
    sa = ("SA0150",)
    plcopen = ("CP9",)
    options: ClassVar[dict[str, Any]] = {"max_complexity": 20}

    def check(self, context: FileContext) -> Iterable[Finding]:
        limit = int(self.settings["max_complexity"])
        for scope in context.scopes():
            value = cyclomatic(scope.node)
            if value > limit:
                yield self.finding(f"cyclomatic complexity {value} (limit {limit})", scope.node.name, scope.name)
