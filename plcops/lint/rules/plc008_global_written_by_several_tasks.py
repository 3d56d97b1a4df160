from __future__ import annotations

from typing import Iterable

from plcops.lint.context import ProjectFacts
from plcops.lint.rule import Finding, Rule


def tasks_of(facts: ProjectFacts) -> dict[str, set[str]]:
    """POU name (case-folded) -> the tasks it runs in: programs from CONFIGURATION, then everything they
    call or instantiate."""
    programs: dict[str, set[str]] = {}
    for file in facts.files:
        for entry in file.tasks:
            programs.setdefault(entry["program"].casefold(), set()).add(entry["task"] or "(no task)")
    callees: dict[str, set[str]] = {}
    for file in facts.files:
        for call in file.calls:
            callees.setdefault(call["caller"].split(".")[0].casefold(), set()).add(call["callee"].casefold())
    for key, pou in facts.index.pous.items():
        for symbol in pou.variables.values():
            if symbol.type is not None and symbol.type.kind == "named":
                callees.setdefault(key, set()).add(symbol.type.name.casefold())
    result: dict[str, set[str]] = {}
    for program, tasks in programs.items():
        stack, seen = [program], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            result.setdefault(current, set()).update(tasks)
            stack.extend(callees.get(current, ()))
    return result


class PLC008(Rule):
    """A global variable is written by code that runs in more than one task.

    Why: tasks interrupt each other; a global written from two tasks can change between a read and a
    write of the other task, giving values that depend on timing. Let one task own the variable and
    pass values to the others.

    Anti-pattern: ``GVL.nSetpoint`` written by the fast motion task and by the slow HMI task.
    ```st
    PROGRAM PRG_Motion      // task tFast
    GVL.nSetpoint := LIMIT(0, GVL.nSetpoint, 1000);
    END_PROGRAM

    PROGRAM PRG_Hmi         // task tSlow
    GVL.nSetpoint := nHmiInput;
    END_PROGRAM
    ```

    Best practice: write it in one task; give the other task its own variable and copy under a lock.
    ```st
    PROGRAM PRG_Motion      // task tFast: the only writer of nSetpoint
    GVL.nSetpoint := LIMIT(0, GVL.nHmiSetpoint, 1000);
    END_PROGRAM

    PROGRAM PRG_Hmi         // task tSlow: writes only its own request
    GVL.nHmiSetpoint := nHmiInput;
    END_PROGRAM
    ```
    """

    code = "PLC008"
    name = "global-written-from-several-tasks"
    groups = ("concurrency",)
    sa = ("SA0006",)
    plcopen = ("CP26",)
    project = True

    def check_project(self, facts: ProjectFacts) -> Iterable[Finding]:
        tasks = tasks_of(facts)
        writers: dict[str, list[tuple[str, dict]]] = {}  # type: ignore[type-arg]
        for file in facts.files:
            for write in file.global_writes:
                writers.setdefault(write["name"].casefold(), []).append((file.path, write))
        for sites in writers.values():
            involved = set()
            for _, write in sites:
                involved |= tasks.get(write["pou"].casefold(), set())
            if len(involved) < 2:
                continue
            for path, write in sites:
                finding = Finding(
                    self.code,
                    f"global '{write['name']}' is written from tasks {', '.join(sorted(involved))}",
                    0,
                    0,
                    write["pou"],
                )
                finding.path, finding.line, finding.column = path, write["line"], write["column"]
                finding.end_line, finding.end_column = write["line"], write["column"] + write["end"]
                yield finding
