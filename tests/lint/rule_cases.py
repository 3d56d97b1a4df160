"""Loading the per-rule fixture files in ``tests/lint/cases/`` (one TOML file per rule, named by code).

A file holds ``[[case]]`` tables::

    [[case]]
    name = "elapsed-time-equals"          # the test id is PLC012-elapsed-time-equals
    code = '''
    FUNCTION_BLOCK FB_A
    VAR tonFill : TON; bDone : BOOL; END_VAR
    bDone := tonFill.ET = T#2S;
    //       ^ PLC012
    END_FUNCTION_BLOCK
    '''

A comment line ``// ^ PLC012`` expects a finding of that rule on the nearest line above that is not
such a comment, starting at the caret's column; text after the code must occur in the message. A case
without carets expects no finding. Optional keys:

* ``path``: the file name of ``code`` (default ``case.st``; ``.TcPOU`` etc. for vendor files);
* ``files``: more files of the project, ``{ "GVL.st" = '''...''' }`` (their carets count too);
* ``options``: the rule's options; ``config``: a whole ``[lint]`` table instead of "only this rule";
* ``fixed``: the text of ``code`` after ``plcops lint --fix`` (``unsafe = true``: ``--unsafe-fixes``);
* ``xfail``: why the rule does not get this case right yet (a known gap, reported as xfail, strict).

The expectations are written by hand from the rule's documented meaning and IEC 61131-3, never copied
from the linter's output.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "cases"
_CARET = re.compile(r"^\s*(?://|\(\*)\s*(\^+)\s+(PLC\d{3})\b:?\s*(.*?)\s*(?:\*\))?\s*$")


@dataclass(frozen=True)
class Expected:
    """A finding a case expects."""

    path: str
    line: int
    column: int
    code: str
    fragment: str


@dataclass
class RuleCase:
    """One ``[[case]]`` of a rule's fixture file."""

    rule: str
    name: str
    files: dict[str, str]
    main: str
    options: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] | None = None
    fixed: str | None = None
    unsafe: bool = False
    xfail: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}"

    def expected(self) -> list[Expected]:
        found = []
        for path, text in self.files.items():
            found.extend(expected_in(path, text))
        return sorted(found, key=lambda e: (e.path, e.line, e.column, e.code))


def expected_in(path: str, text: str) -> list[Expected]:
    """The caret expectations in one file's text."""
    found = []
    anchor = 0
    for number, line in enumerate(text.splitlines(), 1):
        match = _CARET.match(line)
        if match is None:
            anchor = number
            continue
        found.append(Expected(path, anchor, line.index("^") + 1, match.group(2), match.group(3)))
    return found


def load_cases() -> list[RuleCase]:
    """Every case of every fixture file."""
    cases = []
    for file in sorted(CASES.glob("PLC*.toml")):
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        for entry in data.get("case", []):
            main = entry.get("path", "case.st")
            files = {main: entry["code"]}
            files.update(entry.get("files", {}))
            cases.append(
                RuleCase(
                    rule=file.stem,
                    name=entry["name"],
                    files=files,
                    main=main,
                    options=entry.get("options", {}),
                    config=entry.get("config"),
                    fixed=entry.get("fixed"),
                    unsafe=entry.get("unsafe", False),
                    xfail=entry.get("xfail", ""),
                )
            )
    return cases
