"""ST coverage checked against counts made by hand on projects/coverage (FB_Cov and its test TS_Cov).

TS_Cov.TwoCalls calls FB_Cov twice in one scan:

Call A (nMode = 1, nLoops = 2, bA = FALSE):
  S1; S2 -> IF arm: S3; S4 -> arm 1: S5; S8 -> arm 1: S9; S11; S12 runs the body twice (S13, S13): loop
  taken; S14: bA is FALSE, AND_THEN skips bB: short circuit; S15: neither 7 nor 8 -> ELSE: S18.
Call B (nMode = 0, nLoops = 0, bA = FALSE):
  S1; S2 -> no arm (the implicit "no ELSE"); S4 -> ELSE: S7; S8 -> no match (no ELSE); S11; S12: 0 < 0 is
  FALSE at once: loop not taken; S14: short circuit again; S15 -> ELSE: S18.

Statements (18): hit twice S1 S2 S4 S8 S11 S12 S13 S14 S15 S18; once S3 S5 S7 S9; never S6 S10 S16 S17.
  -> 18 statements, 14 hit, 4 missed.
Branch outcomes (15):
  IF (S2)          IF 1, no ELSE 1                      2 of 2
  CASE (S4)        arm 1: 1, arm 2: 0, ELSE: 1          2 of 3
  CASE (S8)        arm 1: 1, arm 5: 0, no ELSE: 1       2 of 3
  WHILE (S12)      taken 1, not taken 1                 2 of 2
  AND_THEN (S14)   right side 0, short circuit 2        1 of 2
  IF (S15)         IF 0, ELSIF 0, ELSE 2                1 of 3
  -> 15 outcomes, 10 hit, 5 missed.
Cover (statements and branches together, as coverage.py counts): (14 + 10) / (18 + 15) = 24 / 33 = 72.7 %.
The test suite itself (TS_Cov) is test code and is not measured.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from plcops.testing import suites
from plcops.testing.coverage import CoverageData
from tests.testing.conftest import PROJECTS, line_of, run

SOURCE = PROJECTS / "coverage" / "src" / "FB_Cov.st"

STATEMENT_HITS = {
    "// S1": 2, "// S2 ": 2, "// S3": 1, "// S4 ": 2, "// S5": 1, "// S6": 0, "// S7": 1, "// S8 ": 2, "// S9": 1,
    "// S10": 0, "// S11": 2, "// S12": 2, "// S13": 2, "// S14": 2, "// S15": 2, "// S16": 0, "// S17": 0, "// S18": 2,
}  # fmt: skip

# Branch outcomes by the line they belong to: the decision's line for the implicit "no ELSE", loops and
# short circuits; the arm's own line (CASE label, ELSIF, ELSE) for explicit arms. Hits as counted above.
BRANCH_HITS = {
    "// S2 ": [1, 1],  # IF arm, no ELSE
    "// arm 1\n": [1],
    "// arm 2": [0],
    "// case else": [1],
    "// S8 ": [1],  # no ELSE of the second CASE
    "// arm 1 of the second CASE": [1],
    "// arm 5": [0],
    "// S12": [1, 1],  # loop taken, loop not taken
    "// S14": [0, 2],  # right side, short circuit
    "// S15": [0],  # IF arm
    "// elsif": [0],
    "// if else": [2],
}


def _line(marker: str) -> int:
    for number, text in enumerate(SOURCE.read_text(encoding="utf-8").splitlines(keepends=True), start=1):
        if marker in text:
            return number
    raise AssertionError(marker)


@pytest.fixture(scope="module")
def data() -> CoverageData:
    root = PROJECTS / "coverage"
    project = suites.TestProject.load([root / "src", root / "tests"], coverage=True)
    outcome = project.outcome("TS_Cov", "TwoCalls")
    assert outcome.passed, [f.describe() for f in outcome.failures]
    coverage = CoverageData(project.simulator.generated.points, project.model.sources, {s.name for s in project.suites})
    coverage.add(project.module.COV)
    coverage.root = root
    return coverage


def test_totals_equal_the_hand_count(data: CoverageData) -> None:
    assert data.totals() == (18, 14, 15, 10)
    assert data.percent() == pytest.approx(100 * 24 / 33)


def test_only_the_code_under_test_is_measured(data: CoverageData) -> None:
    files = data.files()
    assert [Path(p).name for p in files] == ["FB_Cov.st"]
    (coverage,) = files.values()
    assert coverage.pous == {"FB_Cov": [18, 14, 15, 10]}


def test_statement_hits_per_line(data: CoverageData) -> None:
    (coverage,) = data.files().values()
    found = {number: line.statements for number, line in coverage.lines.items() if line.statements}
    expected = {_line(marker): [hits] for marker, hits in STATEMENT_HITS.items()}
    assert found == expected


def test_implicit_no_else_outcome_of_an_if(data: CoverageData) -> None:
    (coverage,) = data.files().values()
    labels = dict(coverage.lines[_line("// S2 ")].branches)
    assert labels.get("no ELSE") == 1  # call B: nMode = 0, no arm ran
    assert sum(labels.values()) == 2


def test_branch_outcomes_on_decision_lines(data: CoverageData) -> None:
    # Decision lines whose outcomes cannot move elsewhere: the IF/no ELSE of S2, the no-match of the second
    # CASE, the WHILE and the AND_THEN.
    (coverage,) = data.files().values()
    for marker in ("// S2 ", "// S8 ", "// S12", "// S14"):
        line = coverage.lines[_line(marker)]
        assert sorted(hits for _, hits in line.branches) == sorted(BRANCH_HITS[marker]), marker


def test_branch_outcomes_per_line(data: CoverageData) -> None:
    (coverage,) = data.files().values()
    found = {
        number: sorted(hits for _, hits in line.branches) for number, line in coverage.lines.items() if line.branches
    }
    expected = {_line(marker): sorted(hits) for marker, hits in BRANCH_HITS.items()}
    assert found == expected


def _rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 6 and re.fullmatch(r"\d+%", parts[5]):
            rows[parts[0]] = parts[1:]
    return rows


def test_text_report(data: CoverageData) -> None:
    rows = _rows(data.text())
    # Stmts, Miss, Branch, BrMiss, Cover
    assert rows == {
        "src/FB_Cov.st": ["18", "4", "15", "5", "73%"],
        "FB_Cov": ["18", "4", "15", "5", "73%"],
        "TOTAL": ["18", "4", "15", "5", "73%"],
    }


def test_text_report_through_pytest(pytester: pytest.Pytester) -> None:
    shutil.copytree(PROJECTS / "coverage", pytester.path, dirs_exist_ok=True)
    result = run(pytester, "--plcops-cov")
    result.assert_outcomes(passed=1)
    assert _rows(result.stdout.str())["TOTAL"] == ["18", "4", "15", "5", "73%"]


def test_counts_add_up_over_xdist_workers(pytester: pytest.Pytester) -> None:
    # A second test that runs the missed arms: nMode = 2 (CASE arm 2, S6), 5 (arm 5, S10), 7 (S16), 8 (S17)
    # and bA = TRUE (the right side of AND_THEN); 7 and 8 take the IF and ELSIF arms of S15. With both tests
    # all 18 statements and all 15 outcomes are hit, whichever worker ran which test.
    shutil.copytree(PROJECTS / "coverage", pytester.path, dirs_exist_ok=True)
    suite = pytester.path / "tests" / "TS_Cov.st"
    suite.write_text(
        suite.read_text(encoding="utf-8").replace(
            "TwoCalls();\n",
            "TwoCalls();\nTheRest();\n\nMETHOD TheRest\nTEST('TheRest');\n"
            "fb(nMode := 2, nLoops := 0, bA := TRUE, bB := TRUE);\nfb(nMode := 5);\nfb(nMode := 7);\nfb(nMode := 8);\n"
            "TEST_FINISHED();\nEND_METHOD\n",
        ),
        encoding="utf-8",
    )
    for arguments in ((), ("-n", "2")):
        result = run(pytester, "--plcops-cov", *arguments)
        result.assert_outcomes(passed=2)
        assert _rows(result.stdout.str())["TOTAL"] == ["18", "0", "15", "0", "100%"], arguments


def test_html_report_annotates_the_st(tmp_path: Path, data: CoverageData) -> None:
    index = data.html(tmp_path / "html", PROJECTS / "coverage")
    assert index.is_file()
    pages = [p for p in (tmp_path / "html").glob("*.html") if p != index]
    assert len(pages) == 1
    page = pages[0].read_text(encoding="utf-8")
    # Every source line is there, the missed statement S6 marked as a miss, S2 fully hit.
    assert page.count("<tr class=") == len(SOURCE.read_text(encoding="utf-8").splitlines())
    assert re.search(rf"<tr class='miss'><td class='n'>{line_of(SOURCE, '// S6')}</td>", page)
    assert re.search(rf"<tr class='hit'><td class='n'>{line_of(SOURCE, '// S2 ')}</td>", page)
    # S14 ran but its right side never did: a partial line naming the outcome not taken.
    assert re.search(
        rf"<tr class='partial'><td class='n'>{line_of(SOURCE, '// S14')}</td><td class='c'>[^<]*right side", page
    )
    assert "nCaseOut := 20;" in page


def test_fail_under_is_judged_on_statements_and_branches(pytester: pytest.Pytester) -> None:
    # 24 of 33 = 72.7 %: below 73 fails the run although every test passed, 72 passes.
    shutil.copytree(PROJECTS / "coverage", pytester.path, dirs_exist_ok=True)
    result = run(pytester, "--plcops-cov", "--plcops-cov-fail-under", "73")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result = run(pytester, "--plcops-cov", "--plcops-cov-fail-under", "72")
    assert result.ret == pytest.ExitCode.OK


FOR_AND_OR_ELSE = """
FUNCTION F_Sum : INT
VAR_INPUT
    nTo : INT;
    bSkip : BOOL;
END_VAR
VAR
    i : INT;
END_VAR
F_Sum := 0;                         // T1
FOR i := 1 TO nTo DO                // T2 outcomes: loop taken, loop not taken
    F_Sum := F_Sum + i;             // T3
END_FOR
IF bSkip OR_ELSE F_Sum > 100 THEN   // T4 outcomes: right side, short circuit; IF, no ELSE
    F_Sum := -1;                    // T5
END_IF
END_FUNCTION
"""

FOR_SUITE = """
FUNCTION_BLOCK TS_Sum EXTENDS FB_TestSuite
Sums();

METHOD Sums
TEST('Sums');
AssertEquals_INT(Expected := 6, Actual := F_Sum(nTo := 3, bSkip := FALSE), Message := '1 + 2 + 3');
AssertEquals_INT(Expected := 0, Actual := F_Sum(nTo := 0, bSkip := FALSE), Message := 'empty sum');
TEST_FINISHED();
END_METHOD
END_FUNCTION_BLOCK
"""


def test_for_loop_and_or_else_hand_count(tmp_path: Path) -> None:
    # F_Sum(3, FALSE): T1; T2 runs its body 3 times (T3 x 3): taken; T4: bSkip FALSE, so OR_ELSE evaluates
    #   the right side (6 > 100: FALSE); the IF does not run its arm: no ELSE.
    # F_Sum(0, FALSE): T1; T2: 1 TO 0 runs nothing: not taken; T4: right side again (0 > 100), no ELSE.
    # Statements: T1 2, T2 2, T3 3, T4 2, T5 0 -> 5, 4 hit.
    # Outcomes: FOR taken 1, not taken 1; OR_ELSE right side 2, short circuit 0; IF 0, no ELSE 2 -> 6, 4 hit.
    from tests.testing.conftest import write_project

    root = write_project(tmp_path, {"src/F_Sum.st": FOR_AND_OR_ELSE, "tests/TS_Sum.st": FOR_SUITE})
    project = suites.TestProject.load([root / "src", root / "tests"], coverage=True)
    assert project.outcome("TS_Sum", "Sums").passed
    data = CoverageData(project.simulator.generated.points, project.model.sources, {s.name for s in project.suites})
    data.add(project.module.COV)
    assert data.totals() == (5, 4, 6, 4)
    (coverage,) = data.files().values()
    source = root / "src/F_Sum.st"
    assert coverage.lines[line_of(source, "// T3")].statements == [3]
    assert coverage.lines[line_of(source, "// T5")].statements == [0]
    assert sorted(hits for _, hits in coverage.lines[line_of(source, "// T2")].branches) == [1, 1]
    assert sorted(hits for _, hits in coverage.lines[line_of(source, "// T4")].branches) == [0, 0, 2, 2]


def test_test_program_in_the_test_paths_is_not_measured(pytester: pytest.Pytester) -> None:
    from tests.testing.conftest import write_project
    from tests.testing.test_tcunit_asserts import TWINCAT_SOURCES

    write_project(
        pytester.path, TWINCAT_SOURCES, '[project]\nname = "t"\nsources = ["src"]\n\n[test]\npaths = ["test"]\n'
    )
    result = run(pytester, "--plcops-cov")
    result.assert_outcomes(passed=3, failed=2)
    rows = _rows(result.stdout.str())
    # F_Add 1 statement, FB_Scaler 1, FB_Sorter 6 (FOR, FOR, IF and the three assignments of the swap), all
    # run by the sort tests ([5, 3, 4, 1, 2] needs swaps and has pairs in order). Outcomes: both FORs taken,
    # never "not taken"; the IF arm and its "no ELSE" both: 6 outcomes, 2 missed. (8 + 4) / (8 + 6) = 86 %.
    assert "PRG_TEST" not in rows
    assert rows["TOTAL"] == ["8", "0", "6", "2", "86%"]


def test_text_report_starts_on_its_own_line(pytester: pytest.Pytester) -> None:
    shutil.copytree(PROJECTS / "coverage", pytester.path, dirs_exist_ok=True)
    result = run(pytester, "-q", "--plcops-cov")
    assert any(re.fullmatch(r"-+ plcops ST coverage -+", line) for line in result.stdout.lines), result.stdout.str()


def test_the_scan_that_finds_where_a_test_waits_is_not_counted(tmp_path: Path) -> None:
    """A test that times out after 3 scans ran F_Count's statement 3 times: the extra scan plcops runs to
    report where the test was waiting must not add a fourth."""
    (tmp_path / "F_Count.st").write_text(
        "FUNCTION F_Count : INT\nVAR_INPUT n : INT; END_VAR\nF_Count := n + 1; // counted\nEND_FUNCTION\n",
        encoding="utf-8",
    )
    (tmp_path / "TS_Wait.st").write_text(
        "FUNCTION_BLOCK TS_Wait EXTENDS FB_TestSuite\nVAR n : INT; END_VAR\n"
        "TEST('Waits');\nn := F_Count(n);\nIF n > 100 THEN\n    TEST_FINISHED();\nEND_IF\nEND_FUNCTION_BLOCK\n",
        encoding="utf-8",
    )
    settings = suites.TestSettings(timeout="3 scans")
    project = suites.TestProject.load([tmp_path], settings, coverage=True)
    outcome = project.outcome("TS_Wait", "Waits")
    assert outcome.status == "timeout"
    assert "its last statement in scan 3 was line 5: IF n > 100 THEN" in outcome.failures[-1].message
    coverage = CoverageData(project.simulator.generated.points, project.model.sources, {"TS_Wait"})
    coverage.add(project.module.COV)
    files = {Path(path).name: file for path, file in coverage.files().items()}
    assert {number: line.statements for number, line in files["F_Count.st"].lines.items()} == {3: [3]}
