from __future__ import annotations

import bisect
from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Rule
from plcops.st import ast


def _empty(body: list[ast.Stmt]) -> bool:
    return all(isinstance(statement, ast.EmptyStatement) for statement in body)


class _Comments:
    """Where the file's comments start, to ask whether a region of code holds one.

    The region is asked for by offsets rather than through the nodes' trivia: a comment alone in an empty
    branch is attached to whichever node is nearest (the IF statement, the branch, the next branch), and
    any of those placements explains the emptiness.
    """

    def __init__(self, unit: ast.CompilationUnit) -> None:
        self.starts = sorted(item.span.start for item in unit.trivia if isinstance(item, ast.Comment))

    def within(self, start: int, end: int) -> bool:
        position = bisect.bisect_left(self.starts, start)
        return position < len(self.starts) and self.starts[position] < end


class PLC032(Rule):
    """An IF, ELSIF or ELSE branch or a loop has an empty body.

    Why: an empty branch is either unfinished code or a condition that should be inverted; an empty loop
    burns cycle time. If the emptiness is intended, say why in a comment (a commented empty branch is not
    reported, whether the comment follows THEN or stands on its own line). An empty CASE branch or CASE
    ELSE is a deliberate "nothing to do in this state" and is not reported.

    Anti-pattern:
    ```st
    IF bReady THEN
    ELSE
        Wait();
    END_IF
    ```

    Best practice:
    ```st
    IF NOT bReady THEN
        Wait();
    END_IF
    ```
    """

    code = "PLC032"
    name = "empty-body"
    groups = ("style",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        comments = _Comments(context.unit)
        for node, parents in context.nodes(ast.IfStatement, ast.ForStatement, ast.WhileStatement, ast.RepeatStatement):
            scope = context.scope_of(parents)
            name = scope.name if scope else ""
            if isinstance(node, ast.IfStatement):
                # A branch's region runs from its keyword to the next branch, ELSE or END_IF.
                arms: list[ast.IfBranch | ast.ElseBranch] = [*node.branches]
                if node.else_branch is not None:
                    arms.append(node.else_branch)
                for arm, following in zip(arms, [*arms[1:], None], strict=True):
                    end = following.span.start if following is not None else node.span.end
                    if not _empty(arm.body) or comments.within(arm.span.start, end):
                        continue
                    if isinstance(arm, ast.ElseBranch):
                        yield self.finding("empty ELSE branch", arm, name)
                    else:
                        keyword = "IF" if arm is node.branches[0] else "ELSIF"
                        # From the keyword to the condition's end: the line a reader looks at.
                        yield self.finding(f"empty {keyword} branch", (arm.span.start, arm.condition.span.end), name)
            elif isinstance(node, (ast.ForStatement, ast.WhileStatement, ast.RepeatStatement)):
                if not _empty(node.body) or comments.within(node.span.start, node.span.end):
                    continue
                yield self.finding(f"empty {type(node).__name__.replace('Statement', '').upper()} loop", node, name)
