"""Writing a lint report for people and for machines: text, JSON, SARIF 2.1.0, JUnit XML, GitHub annotations.

* ``text``: one line per finding, ``file:line:col: PLC012 [SA0033] message``, as compilers print them,
  so editors and ``grep`` understand it.
* ``json``: the findings and totals, for scripts (shape in :func:`render_json`).
* ``sarif``: SARIF 2.1.0 for GitHub code scanning and other review tools: every rule that ran with its
  documentation as help text, results with regions and ``partialFingerprints`` so that alerts follow
  code that moves.
* ``junit``: one test case per file (failed when it has findings), for the test tabs of CI systems.
* ``github``: workflow commands (``::warning file=...::``) that GitHub Actions shows on the pull request.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from plcops import __version__
from plcops.lint.engine import LintReport
from plcops.lint.rule import Finding, Level, Rule

DOCS_URL = "https://github.com/plcops/plcops/blob/main/docs/rules.md"
_SARIF_LEVELS = {Level.error: "error", Level.warning: "warning", Level.info: "note"}
_GITHUB_LEVELS = {Level.error: "error", Level.warning: "warning", Level.info: "notice"}


def references(rule: type[Rule] | None) -> str:
    """``SA0033`` / ``SA0033,CP8``: the rule's references for the text format ('' when none)."""
    return ",".join(rule.references()) if rule is not None else ""


def render_text(report: LintReport, rules: dict[str, type[Rule]]) -> str:
    """``file:line:col: CODE [REFS] message`` lines."""
    lines = []
    for finding in report.findings:
        refs = references(rules.get(finding.code))
        tag = f" [{refs}]" if refs else ""
        lines.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.code}{tag} {finding.message}")
    return "".join(line + "\n" for line in lines)


def summary(report: LintReport, fail_level: Level) -> str:
    """The closing line for people: counts by level, what is fixable, how long it took."""
    counts = {level: sum(1 for f in report.findings if f.level is level) for level in Level}
    parts = [f"{counts[level]} {level.value}{'s' if counts[level] != 1 else ''}" for level in Level]
    fixable = sum(1 for f in report.findings if f.fix is not None and f.fix.safe)
    text = f"{report.files} files, {report.lines} lines: " + ", ".join(parts)
    if fixable:
        text += f" ({fixable} fixable with --fix)"
    if report.fixed:
        text += f"; fixed {report.fixed}"
    failing = len(report.failing(fail_level))
    verdict = f"; {failing} at or above {fail_level.value}" if failing else ""
    return text + verdict + f" [{report.seconds:.2f} s]"


def render_json(report: LintReport, fail_level: Level) -> str:
    """``{"plcops_lint": 1, "files", "lines", "fixed", "counts": {level: n}, "failed", "findings": [...]}``.

    Each finding is :meth:`Finding.to_json`: path, line, column, end_line, end_column, code, name, level,
    message, fingerprint, fixable, safe_fix.
    """
    counts = {level.value: sum(1 for f in report.findings if f.level is level) for level in Level}
    data = {
        "plcops_lint": 1,
        "files": report.files,
        "lines": report.lines,
        "fixed": report.fixed,
        "counts": counts,
        "failed": bool(report.failing(fail_level)),
        "findings": [finding.to_json() for finding in report.findings],
    }
    return json.dumps(data, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------- SARIF


def _uri(path: str, root: Path) -> tuple[str, bool]:
    """A URI for a file: relative to ``root`` when inside it (with %SRCROOT%), else absolute."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(root.resolve()).as_posix(), True
    except ValueError:
        return absolute.as_uri(), False


def _sarif_rule(rule: type[Rule]) -> dict[str, Any]:
    documentation = rule.documentation()
    refs = rule.references()
    help_text = documentation + (f"\n\nReferences: {', '.join(refs)}" if refs else "")
    return {
        "id": rule.code,
        "name": "".join(word.capitalize() for word in rule.name.split("-")),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.summary() + (f" ({', '.join(refs)})" if refs else "")},
        "help": {"text": help_text, "markdown": f"**{rule.code} {rule.name}**: {rule.summary()}\n\n{help_text}"},
        "helpUri": f"{DOCS_URL}#{rule.code.lower()}-{rule.name}",
        "defaultConfiguration": {"level": _SARIF_LEVELS[rule.level], "enabled": rule.enabled},
        "properties": {"tags": [*rule.groups, *refs], "references": refs},
    }


def render_sarif(report: LintReport, rules: list[type[Rule]], root: Path | None = None) -> str:
    """A SARIF 2.1.0 log with one run (see the module docstring).

    ``rules`` are the rules that ran (their metadata goes into ``tool.driver.rules``); ``root`` is the
    folder relative paths are resolved against (default: the current folder), written as ``%SRCROOT%``.
    """
    root = root or Path(os.getcwd())
    listed = list(rules)
    codes = {rule.code for rule in listed}
    from plcops.lint.engine import rules_by_code

    for finding in report.findings:  # a finding from a rule not in the list (syntax errors) still needs its rule
        if finding.code not in codes and finding.code in rules_by_code():
            listed.append(rules_by_code()[finding.code])
            codes.add(finding.code)
    listed.sort(key=lambda rule: rule.code)
    position = {rule.code: index for index, rule in enumerate(listed)}
    results = []
    for finding in report.findings:
        uri, relative = _uri(finding.path, root)
        location: dict[str, Any] = {"uri": uri}
        if relative:
            location["uriBaseId"] = "%SRCROOT%"
        region: dict[str, Any] = {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}
        if finding.end_line >= finding.line and finding.end_line > 0:
            region["endLine"] = finding.end_line
            if finding.end_line > finding.line or finding.end_column > finding.column:
                region["endColumn"] = finding.end_column
        if finding.source_line:
            region["snippet"] = {"text": finding.source_line}
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": _SARIF_LEVELS[finding.level],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
            "partialFingerprints": {"plcopsFindingHash/v1": finding.fingerprint},
        }
        if finding.code in position:
            result["ruleIndex"] = position[finding.code]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "plcops",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/plcops/plcops",
                        "rules": [_sarif_rule(rule) for rule in listed],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------- JUnit


def render_junit(report: LintReport, files: list[str], rules: dict[str, type[Rule]], fail_level: Level) -> str:
    """JUnit XML: a test case per file, failed when the file has findings at or above ``fail_level``.

    Findings below the fail level are listed in the case's ``system-out`` so they are visible but green.
    """
    by_file: dict[str, list[Finding]] = {path: [] for path in files}
    for finding in report.findings:
        by_file.setdefault(finding.path, []).append(finding)
    failures = sum(1 for found in by_file.values() if any(f.level.rank >= fail_level.rank for f in found))
    cases = []
    for path in sorted(by_file):
        found = by_file[path]
        failing = [f for f in found if f.level.rank >= fail_level.rank]
        lines = "\n".join(render_text(LintReport(findings=[f]), rules).rstrip("\n") for f in found)
        body = ""
        if failing:
            message = f"{len(failing)} finding{'s' if len(failing) != 1 else ''}"
            body += f'<failure message={quoteattr(message)} type="lint">{escape(lines)}</failure>'
        elif found:
            body += f"<system-out>{escape(lines)}</system-out>"
        cases.append(f'    <testcase classname="plcops.lint" name={quoteattr(path)} time="0">{body}</testcase>')
    head = f'  <testsuite name="plcops lint" tests="{len(by_file)}" failures="{failures}" errors="0" skipped="0" time="{report.seconds:.3f}">'
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n'
        + head
        + "\n"
        + "\n".join(cases)
        + "\n  </testsuite>\n</testsuites>\n"
    )


# ---------------------------------------------------------------------------------------------- GitHub


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: LintReport) -> str:
    """GitHub Actions workflow commands, one per finding."""
    lines = []
    for finding in report.findings:
        properties = [f"file={_escape_property(finding.path)}", f"line={finding.line}", f"col={finding.column}"]
        if finding.end_line >= finding.line:
            properties += [f"endLine={finding.end_line}", f"endColumn={finding.end_column}"]
        properties.append(f"title={_escape_property(f'{finding.code} {finding.name}')}")
        lines.append(f"::{_GITHUB_LEVELS[finding.level]} {','.join(properties)}::{_escape_data(finding.message)}\n")
    return "".join(lines)
