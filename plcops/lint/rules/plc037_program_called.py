from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast
from plcops.st.symbols import PouSymbols


class PLC037(Rule):
    """A PROGRAM is called from another POU instead of from a task.

    Why: a program called from code runs in the caller's task and cycle, wherever that call happens to
    be; the task configuration no longer tells when it runs. Assign programs to tasks, and make reusable
    code a function block. Reading a program's variables (``PRG_Dosing.bDone``) is not a call, and a
    variable, method or action with the program's name hides it.

    Anti-pattern:
    ```st
    PROGRAM MAIN
    PRG_Conveyor();
    ```

    Best practice: ``PROGRAM Conveyor WITH FastTask : PRG_Conveyor;`` in the configuration, or an FB
    instance in MAIN.
    ```st
    PROGRAM MAIN
    VAR
        fbConveyor : FB_Conveyor;
    END_VAR
    fbConveyor(bEnable := bAuto);
    ```
    """

    code = "PLC037"
    name = "program-called-outside-task"
    groups = ("structure",)
    level = Level.info
    sa = ("SA0120",)
    plcopen = ("CP16",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for call, parents in context.nodes(ast.Call):
            if not isinstance(call.target, ast.Name):
                continue
            pou = context.index.pous.get(call.target.name.casefold())
            if pou is None or pou.kind != "PROGRAM":
                continue
            scope = context.scope_of(parents)
            if scope is not None and (
                scope.types.variable(call.target.name) is not None or _own_member(context, scope, call.target.name)
            ):
                continue  # a variable, method or action with the program's name
            yield self.finding(
                f"PROGRAM {pou.name} is called from code, not by a task", call.target, scope.name if scope else ""
            )


def _own_member(context: FileContext, scope: PouScope, name: str) -> bool:
    """Whether the POU the code belongs to (or one it extends) has a method or action of this name:
    inside a function block, ``Homing()`` calls its own method before any program."""
    key = name.casefold()
    pou: PouSymbols | None = scope.owner or scope.symbols
    depth = 0
    while pou is not None and depth < 10:
        if key in pou.members:
            return True
        pou = context.index.pous.get(pou.extends.casefold()) if pou.extends else None
        depth += 1
    return False
