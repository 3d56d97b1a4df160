"""Turning findings off in the code: plcops comments and the CODESYS/TwinCAT analysis pragmas.

* ``(* plcops: disable=PLC012, magic-number *)`` before a statement, declaration or POU covers that node
  (a whole IF block or POU when it stands before one); after code on the same line, the statement it ends.
* ``(* plcops: disable-file=PLC012 *)`` anywhere covers the file.
* ``{analysis -33}`` and ``{attribute 'analysis' := '-33'}`` (CODESYS and TwinCAT) cover the node they stand
  before, for every plcops rule that corresponds to SA0033.

A ``plcops:`` suppression that suppresses nothing is itself reported (rule ``unused-suppression``), so
stale suppressions do not pile up. The vendor pragmas are not reported: they may be meant for rules of
the vendor's own analysis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from plcops.lint.rule import Finding, Rule
from plcops.st import ast
from plcops.st.source import SourceText

# "plcops: disable=PLC011, magic-number -- why": the codes end at "--", which may give a reason.
_PLCOPS = re.compile(r"plcops:\s*(disable-file|disable)\s*=\s*((?:[\w, ]|-(?!-))+)", re.IGNORECASE)
_NUMBERS = re.compile(r"-\s*(\d+)")


@dataclass(slots=True)
class Suppression:
    """A suppression and the lines of the original file it covers."""

    codes: frozenset[str]
    sa: frozenset[int]
    first_line: int
    last_line: int
    line: int
    column: int
    explicit: bool
    text: str
    unknown: tuple[str, ...] = ()  # words of a plcops: comment that name no rule (typos)
    used: set[str] = field(default_factory=set)  # codes that suppressed something

    def problems(self, running: set[str] | None = None) -> list[str]:
        """Why an explicit suppression is stale: unknown rules, and codes that suppressed nothing. A code
        not in ``running`` (a rule that is off for the file) cannot be judged, so it is not reported."""
        found = [f"unknown rule '{word}' in suppression: {self.text}" for word in self.unknown]
        for code in sorted(self.codes):
            if code not in self.used and (running is None or code in running or code == "ALL"):
                found.append(f"suppression matches no finding for {code}: {self.text}")
        return found

    def covers(self, finding: Finding, rule: type[Rule] | None) -> bool:
        if not self.first_line <= finding.line <= self.last_line:
            return False
        if finding.code in self.codes:
            self.used.add(finding.code)
            return True
        if "ALL" in self.codes:
            self.used.add("ALL")
            return True
        return rule is not None and bool(self.sa & rule.sa_numbers())

    def to_json(self) -> list[Any]:
        return [
            sorted(self.codes),
            sorted(self.sa),
            self.first_line,
            self.last_line,
            self.line,
            self.column,
            self.explicit,
            self.text,
            list(self.unknown),
        ]

    @classmethod
    def from_json(cls, data: list[Any]) -> Suppression:
        codes, sa, first, last, line, column, explicit, text, unknown = data
        return cls(frozenset(codes), frozenset(sa), first, last, line, column, explicit, text, tuple(unknown))


@dataclass(slots=True)
class _Owner:
    node: ast.Node | None
    slot: str


def _owners(unit: ast.CompilationUnit) -> dict[int, _Owner]:
    """Which node each comment or pragma is attached to."""
    owners: dict[int, _Owner] = {}
    stack: list[ast.Node] = [unit]
    while stack:
        node = stack.pop()
        trivia = getattr(node, "trivia", None)
        if isinstance(trivia, ast.Trivia):
            for slot in ("leading", "trailing", "header", "dangling", "interior"):
                for item in getattr(trivia, slot):
                    owners[id(item)] = _Owner(node, slot)
        stack.extend(node.children())
    return owners


def _codes(words: str, catalogue: list[type[Rule]]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The rule codes named by ``PLC012, magic-number``, and the words that name no rule."""
    codes: set[str] = set()
    unknown: list[str] = []
    for word in (w.strip() for w in words.split(",")):
        if not word:
            continue
        if word.lower() == "all":
            codes.add("ALL")
            continue
        matches = [rule.code for rule in catalogue if rule.code == word.upper() or rule.name == word.lower()]
        codes.update(matches)
        if not matches:
            unknown.append(word)
    return frozenset(codes), tuple(unknown)


def suppressions(unit: ast.CompilationUnit, source: SourceText, catalogue: list[type[Rule]]) -> list[Suppression]:
    """Every suppression in a parsed file."""
    owners = _owners(unit)
    last_line = source.location(len(source.text)).line
    found: list[Suppression] = []
    for item in unit.trivia:
        text = item.text
        codes: frozenset[str] = frozenset()
        unknown: tuple[str, ...] = ()
        sa: frozenset[int] = frozenset()
        explicit = False
        file_wide = False
        if isinstance(item, ast.Comment):
            match = _PLCOPS.search(text)
            if match is None:
                continue
            codes, unknown = _codes(match.group(2), catalogue)
            explicit = True
            file_wide = match.group(1).lower() == "disable-file"
        else:
            kind = item.kind
            attribute = item.attribute
            if kind == "analysis":
                sa = frozenset(int(n) for n in _NUMBERS.findall(item.content))
            elif attribute is not None and attribute[0].lower() == "analysis" and attribute[1]:
                sa = frozenset(int(n) for n in _NUMBERS.findall(attribute[1]))
            if not sa:
                continue
        line, column = source.location(item.span.start)
        owner = owners.get(id(item))
        if file_wide or owner is None or owner.node is None:
            first, last = (1, last_line) if file_wide else (line, line)
        else:
            first = source.location(owner.node.span.start).line
            last = source.location(max(owner.node.span.end - 1, owner.node.span.start)).line
            first = min(first, line)
        found.append(Suppression(codes, sa, first, last, line, column, explicit, text.strip(), unknown))
    return found


@dataclass(slots=True)
class SuppressionResult:
    """Findings after suppressions, and what is stale in the ``plcops:`` suppressions."""

    kept: list[Finding] = field(default_factory=list)
    unused: list[tuple[Suppression, str]] = field(default_factory=list)  # (suppression, problem)


def apply_suppressions(
    findings: list[Finding],
    records: list[Suppression],
    rules: dict[str, type[Rule]],
    running: set[str] | None = None,
) -> SuppressionResult:
    """Drop suppressed findings; report which explicit suppressions matched nothing (of the rules in
    ``running``, the codes that ran on the file, when given)."""
    result = SuppressionResult()
    for finding in findings:
        covering = [s for s in records if s.covers(finding, rules.get(finding.code))]
        if not covering:
            result.kept.append(finding)
    result.unused = [(record, problem) for record in records if record.explicit for problem in record.problems(running)]
    return result
