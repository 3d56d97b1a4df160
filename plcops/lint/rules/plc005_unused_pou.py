from __future__ import annotations

import fnmatch
import re
from collections import Counter
from typing import Any, Iterable, Iterator

from plcops.lint.context import FileContext, ProjectFacts
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast
from plcops.st.symbols import PouSymbols
from plcops.st.types import TypeRef

# B&R Automation Studio runs these by name (init, cyclic, exit parts of a task's program).
_RUNTIME_PROGRAMS = frozenset({"_init", "_cyclic", "_exit"})

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Functions the compiler calls implicitly when they exist ("POUs for implicit checks").
_IMPLICIT_CHECKS = frozenset(
    name.casefold()
    for name in (
        "CheckBounds",
        "CheckDivDInt",
        "CheckDivLInt",
        "CheckDivUDInt",
        "CheckDivULInt",
        "CheckDivReal",
        "CheckDivLReal",
        "CheckRangeSigned",
        "CheckRangeUnsigned",
        "CheckLRangeSigned",
        "CheckLRangeUnsigned",
        "CheckPointer",
    )
)


def _type_names(ref: TypeRef | None) -> Iterator[str]:
    """The type names a declared type mentions (``ARRAY OF POINTER TO FB_X`` mentions FB_X)."""
    while ref is not None:
        if ref.kind == "named":
            yield ref.name
        ref = ref.target


def _declared_result_types(pou: PouSymbols) -> Iterator[str]:
    """Type names used as results of a POU and of its methods and properties (the per-file facts
    only record the types of variables)."""
    yield from _type_names(pou.return_type)
    for member in pou.members.values():
        yield from _declared_result_types(member)


class PLC005(Rule):
    """A function, function block, interface or data type is not used anywhere in the project.

    Why: unused POUs and types are dead weight that still has to be reviewed, tested and maintained.
    (Libraries export them for other projects: disable this rule for library projects.) A TYPE counts as
    used when its name appears anywhere else in the project's code (not in comments), so that a type
    named only by a typed literal (``E_State#Idle``) or ``SIZEOF`` is not reported; types used only from
    outside the project (an HMI over ADS, I/O mappings) belong in ``keep``. A PROGRAM is
    reported only when the linted files configure tasks (a CONFIGURATION, TwinCAT ``.TcTTO`` files) and
    no task runs it and nothing calls it; without a task configuration, tasks are set up outside the
    code and PROGRAMs are not reported. Nor are TcUnit test suites (function blocks that extend ``FB_TestSuite``), which
    the test runner instantiates. Option ``keep``: name patterns (``fnmatch``) of POUs used from outside
    the project, e.g. ``["FC_Public*"]``. The functions for implicit checks (``CheckBounds``,
    ``CheckDivReal``, ``CheckPointer``, ...) are called by the compiler and not reported either.

    Anti-pattern: ``FB_OldValve`` declared in the project but never instantiated.
    ```st
    FUNCTION_BLOCK FB_OldValve    // no variable of the project has this type
    VAR_INPUT
        bOpen : BOOL;
    END_VAR
    END_FUNCTION_BLOCK
    ```

    Best practice: delete it, or move it to a library. Keep the blocks the project uses:
    ```st
    PROGRAM MAIN
    VAR
        fbValve : FB_Valve;
    END_VAR
    fbValve(bOpen := bStart);
    ```
    """

    code = "PLC005"
    name = "unused-pou"
    groups = ("unused",)
    level = Level.info
    sa = ("SA0031",)
    project = True
    options = {"keep": []}

    def file_facts(self, context: FileContext) -> dict[str, Any]:
        """The file's TYPE declarations, and the words it uses besides their own names where declared."""
        types = []
        # Words of the code's tokens (comments are not code: a remark naming a type does not use it).
        words = Counter(
            word.casefold()
            for kind, text, _, _ in context.result.tokens
            if kind not in ("STRING", "WSTRING")
            for word in _WORD.findall(text)
        )
        for decl, _ in context.nodes(ast.TypeDecl):
            line, column = context.source.location(decl.name.span.start)
            types.append({"name": decl.name.text, "line": line, "column": column, "end": len(decl.name.text)})
            # Its own name, and a type that refers to itself (pNext : POINTER TO ST_Node), do not use it.
            own = decl.name.text.casefold()
            start, end = decl.span
            words[own] -= sum(
                1
                for _, text, at, _ in context.result.tokens
                if start <= at < end
                for word in _WORD.findall(text)
                if word.casefold() == own
            )
        return {"types": types, "words": sorted(word for word, count in words.items() if count > 0)}

    def check_project(self, facts: ProjectFacts) -> Iterable[Finding]:
        yield from self._unused_pous(facts)
        yield from self._unused_types(facts)

    def _kept(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name.casefold(), pattern.casefold()) for pattern in self.settings["keep"])

    def _unused_types(self, facts: ProjectFacts) -> Iterator[Finding]:
        used: set[str] = set()
        for file in facts.files:
            if self.code in file.extra:
                used.update(file.extra[self.code]["words"])
            else:  # a file with syntax errors has no words, only the names it mentions: they count
                used.update(name.casefold() for name in file.references)
        for file in facts.files:
            for declared in file.extra.get(self.code, {}).get("types", []):
                if declared["name"].casefold() in used or self._kept(declared["name"]):
                    continue
                finding = Finding(self.code, f"TYPE '{declared['name']}' is never used", 0, 0, declared["name"])
                finding.path, finding.line, finding.column = file.path, declared["line"], declared["column"]
                finding.end_line, finding.end_column = declared["line"], declared["column"] + declared["end"]
                yield finding

    def _unused_pous(self, facts: ProjectFacts) -> Iterator[Finding]:
        referenced: dict[str, set[str]] = {}
        for file in facts.files:
            for name in file.references:
                referenced.setdefault(name.casefold(), set()).add(file.path)
        for symbols in facts.index.pous.values():
            for name in _declared_result_types(symbols):
                referenced.setdefault(name.casefold(), set()).add(symbols.path)
        tasks_configured = any(file.tasks for file in facts.files)
        for file in facts.files:
            for pou in file.pous:
                if pou["kind"] == "PROGRAM" and (not tasks_configured or pou["name"].casefold() in _RUNTIME_PROGRAMS):
                    continue
                if pou.get("extends", "").casefold().endswith("fb_testsuite"):
                    continue
                if pou["kind"] == "FUNCTION" and pou["name"].casefold() in _IMPLICIT_CHECKS:
                    continue
                if self._kept(pou["name"]):
                    continue
                users = referenced.get(pou["name"].casefold(), set())
                if users:
                    continue
                message = f"{pou['kind']} '{pou['name']}' is never used"
                if pou["kind"] == "PROGRAM":
                    message += ": no task runs it and nothing calls it"
                finding = Finding(self.code, message, 0, 0, pou["name"])
                finding.path, finding.line, finding.column = file.path, pou["line"], pou["column"]
                finding.end_line, finding.end_column = pou["line"], pou["column"] + pou["end"]
                yield finding
