"""Golden reports of projects/golden: JUnit XML and Cobertura XML, both written by hand.

The project (scanned every 10 ms, [test] timeout = T#100ms):

* TS_GoldenA: ClampsLow passes (F_Clamp(-5) = 0); ClampsHighWrong fails (F_Clamp(150) = 100, expected 99,
  the assert on line 14, column 1, in scan 0 at T#0ms); DISABLED_Later is skipped.
* TS_GoldenB: NamesModes passes (mode 1 is 'on'); TimesOut never calls TEST_FINISHED: scans run at 0, 10,
  ..., 100 ms (11 scans), at 110 ms the 100 ms are exceeded: timed out in scan 11 at T#110ms, reported at
  its TEST() call (line 16, column 1), as its method has no statement after it to be waiting on.
* scenarios/golden.scenario.toml: MAIN clamps 150 to 100 (scans at 0 and 10 ms) and passes 50 through
  (scan at 20 ms, the last step): 3 scans, passes.

JUnit: pytest's classname is the node id without the test name, '/' and '::' written as '.'.

Coverage, counted by hand (TS_* suites are not measured):
* F_Clamp is called 5 times: -5 (ClampsLow), 150 (ClampsHighWrong), 150, 150, 50 (the scenario's scans).
  line 7 ``F_Clamp := nIn``: 5. Line 8 IF nIn < nLow: 5, outcomes IF 1 (-5) and no ELSE 4: 2/2. Line 9: 1.
  Line 11 IF nIn > nHigh: 5, outcomes IF 3 (the three 150s), no ELSE 2: 2/2. Line 12: 3.
* FB_Mode is called once with nMode = 1: line 8 CASE: 1; line 9 arm 0: statement and outcome 0; line 10
  arm 1: 1 and 1; line 11 ELSE: 0 and 0.
* MAIN line 2: 3 scans.
Lines with statements: 10 (one statement each), covered 8 -> 0.8000; outcomes 7, covered 5 -> 0.7143.
FB_Mode: lines 2/4 -> 0.5000, outcomes 1/3 -> 0.3333. F_Clamp: 5/5 and 4/4. MAIN: 1/1, no outcomes (1.0000).
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.testing.conftest import GOLDENS, PROJECTS, run

_DROP = {"time", "timestamp", "hostname", "file", "line", "type"}


def _tree(element: ET.Element, root: str) -> tuple:
    """A comparable form of an element: tag, attributes, stripped text, children (``root`` made relative)."""

    def clean(value: str) -> str:
        return value.replace(root + "/", "").replace(root, "PROJECT")

    attributes = tuple(sorted((k, clean(v)) for k, v in element.attrib.items() if k not in _DROP))
    text = clean((element.text or "").strip())
    return (element.tag, attributes, text, tuple(_tree(child, root) for child in element))


def normalized_junit(path: Path, root: Path) -> tuple:
    tree = ET.parse(path).getroot()
    tree.attrib.clear()  # <testsuites name="pytest tests">
    for suite in tree.iter("testsuite"):
        suite.attrib.pop("name", None)  # checked on its own (test_junit_has_a_testsuite_per_function_block)
    for skipped in tree.iter("skipped"):
        skipped.text = None  # the skip location: pytest's own text
    for case in tree.iter("testcase"):
        for noise in [c for c in case if c.tag in ("system-out", "system-err")]:
            case.remove(noise)
    return _tree(tree, str(root))


def normalized_cobertura(path: Path, root: Path) -> tuple:
    return _tree(ET.parse(path).getroot(), str(root))


@pytest.fixture
def golden(pytester: pytest.Pytester) -> Path:
    shutil.copytree(PROJECTS / "golden", pytester.path, dirs_exist_ok=True)
    return pytester.path


def test_junit_matches_the_golden(pytester: pytest.Pytester, golden: Path) -> None:
    report = golden / "junit.xml"
    result = run(pytester, f"--junitxml={report}", "-o", "junit_family=xunit2")
    result.assert_outcomes(passed=3, failed=2, skipped=1)
    assert normalized_junit(report, golden) == normalized_junit(GOLDENS / "junit_golden.xml", Path("/nowhere"))


def test_junit_has_a_testsuite_per_function_block(pytester: pytest.Pytester, golden: Path) -> None:
    report = golden / "junit.xml"
    run(pytester, f"--junitxml={report}", "-o", "junit_family=xunit2", "-k", "TS_Golden")
    suites = {
        suite.get("name"): [case.get("name") for case in suite.iter("testcase")]
        for suite in ET.parse(report).getroot().iter("testsuite")
    }
    assert suites == {
        "TS_GoldenA": ["ClampsLow", "ClampsHighWrong", "DISABLED_Later"],
        "TS_GoldenB": ["NamesModes", "TimesOut"],
    }


def test_cobertura_matches_the_golden(pytester: pytest.Pytester, golden: Path) -> None:
    report = golden / "coverage.xml"
    result = run(pytester, "--plcops-cov", f"--plcops-cov-report=cobertura:{report}")
    result.assert_outcomes(passed=3, failed=2, skipped=1)
    text = report.read_text(encoding="utf-8")
    assert re.search(r'<coverage [^>]*timestamp="\d{13}"', text)  # milliseconds since the epoch
    assert normalized_cobertura(report, golden) == normalized_cobertura(
        GOLDENS / "cobertura_golden.xml", Path("/nowhere")
    )


def test_cobertura_with_xdist_matches_the_golden(pytester: pytest.Pytester, golden: Path) -> None:
    report = golden / "coverage.xml"
    result = run(pytester, "-n", "2", "--plcops-cov", f"--plcops-cov-report=cobertura:{report}")
    result.assert_outcomes(passed=3, failed=2, skipped=1)
    assert normalized_cobertura(report, golden) == normalized_cobertura(
        GOLDENS / "cobertura_golden.xml", Path("/nowhere")
    )


# ---------------------------------------------------------------------------------------------- Cobertura details

TWO_ON_A_LINE = {
    "src/FB_Two.st": """
        FUNCTION_BLOCK FB_Two
        VAR_INPUT
            bNever : BOOL;
        END_VAR
        VAR
            n : INT;
            m : INT;
        END_VAR
        n := n + 1; IF bNever THEN
            m := 1;
        END_IF
        END_FUNCTION_BLOCK
    """,
    "tests/TS_Two.st": """
        FUNCTION_BLOCK TS_Two EXTENDS FB_TestSuite
        VAR
            fb : FB_Two;
        END_VAR
        Once();

        METHOD Once
        TEST('Once');
        fb();
        TEST_FINISHED();
        END_METHOD
        END_FUNCTION_BLOCK
    """,
}


def test_cobertura_rates_count_lines_everywhere(pytester: pytest.Pytester, project) -> None:
    # Line 9 holds two statements (both run), line 10 one (never runs): 2 lines, 1 covered -> 0.5000 at
    # every level (Cobertura's line-rate is lines-covered / lines-valid).
    root = project(TWO_ON_A_LINE)
    report = root / "coverage.xml"
    run(pytester, "--plcops-cov", f"--plcops-cov-report=cobertura:{report}").assert_outcomes(passed=1)
    tree = ET.parse(report).getroot()
    assert (tree.get("lines-valid"), tree.get("lines-covered"), tree.get("line-rate")) == ("2", "1", "0.5000")
    assert tree.find(".//package").get("line-rate") == "0.5000"
    assert tree.find(".//class").get("line-rate") == "0.5000"


def test_cobertura_lines_with_only_branch_outcomes(tmp_path: Path) -> None:
    from plcops.testing import suites
    from plcops.testing.coverage import CoverageData

    root = PROJECTS / "coverage"
    project = suites.TestProject.load([root / "src", root / "tests"], coverage=True)
    assert project.outcome("TS_Cov", "TwoCalls").passed
    data = CoverageData(project.simulator.generated.points, project.model.sources, {s.name for s in project.suites})
    data.add(project.module.COV)
    tree = ET.fromstring(data.cobertura(root))
    lines = {int(line.get("number")): line for line in tree.iter("line")}
    source = (root / "src/FB_Cov.st").read_text(encoding="utf-8").splitlines()
    # (see test_coverage_counts.py) arm 1 of both CASEs ran once, the CASE ELSE once, the IF ELSE twice;
    # arm 2, arm 5 and the ELSIF never.
    for marker, hits in (("// arm 1", 1), ("// case else", 1), ("// if else", 2), ("// arm 2", 0), ("// elsif", 0)):
        number = next(n for n, text in enumerate(source, 1) if marker in text)
        assert int(lines[number].get("hits")) == hits, marker
