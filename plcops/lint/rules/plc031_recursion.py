from __future__ import annotations

from typing import Any, Iterable

from plcops.lint.context import ProjectFacts
from plcops.lint.rule import Finding, Rule
from plcops.st.symbols import ProjectIndex


class PLC031(Rule):
    """A function, method or action calls itself, directly or through other calls.

    Why: PLC stacks are small and fixed; recursion depth depends on data and can overflow the stack at
    run time, stopping the controller. IEC 61131-3 does not allow recursion; use a loop. A plain call
    ``Step()`` inside a function block means its own method or action ``Step`` (or an inherited one).
    Every call that closes a cycle is reported.

    Anti-pattern:
    ```st
    FUNCTION F_Factorial : DINT
    F_Factorial := n * F_Factorial(n - 1);
    ```

    Best practice: a FOR loop that multiplies.
    ```st
    FUNCTION F_Factorial : DINT
    F_Factorial := 1;
    FOR i := 2 TO n DO
        F_Factorial := F_Factorial * i;
    END_FOR
    ```
    """

    code = "PLC031"
    name = "recursion"
    groups = ("correctness",)
    sa = ("SA0160",)
    plcopen = ("CP13",)
    project = True

    def check_project(self, facts: ProjectFacts) -> Iterable[Finding]:
        graph: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        spelled: dict[str, str] = {}  # node key -> the name as written, for messages
        for file in facts.files:
            for call in file.calls:
                caller = call["caller"]
                if not caller:
                    continue
                callee = _callee(caller, call["callee"], facts.index)
                spelled.setdefault(caller.casefold(), caller)
                spelled.setdefault(callee.casefold(), callee)
                graph.setdefault(caller.casefold(), []).append((callee.casefold(), file.path, call))
        reported: set[str] = set()
        for start in sorted(graph):
            # Depth-first search for a path from start back to start.
            stack = [(start, [start])]
            seen: set[str] = set()
            while stack:
                node, path = stack.pop()
                for callee, file_path, call in graph.get(node, []):
                    if callee == start and start not in reported:
                        reported.add(start)
                        cycle = " -> ".join(spelled[key] for key in [*path, callee])
                        finding = Finding(self.code, f"recursive call: {cycle}", 0, 0, call["caller"])
                        finding.path, finding.line, finding.column = file_path, call["line"], call["column"]
                        finding.end_line, finding.end_column = call["line"], call["column"] + call["end"]
                        yield finding
                    elif callee not in seen and callee in graph:
                        seen.add(callee)
                        stack.append((callee, [*path, callee]))


def _callee(caller: str, callee: str, index: ProjectIndex) -> str:
    """The graph node a plain call names: inside a function block (its body, a method, an action) a name
    of one of its members, or of an inherited one, is that member (``FB_A.Step``); else the POU itself."""
    owner = index.pous.get(caller.split(".", 1)[0].casefold())
    depth = 0
    while owner is not None and depth < 10:  # a bound on the EXTENDS chain, in case it is cyclic
        member = owner.members.get(callee.casefold())
        if member is not None:
            return f"{owner.name}.{member.name}"
        owner = index.pous.get(owner.extends.casefold()) if owner.extends else None
        depth += 1
    return callee
