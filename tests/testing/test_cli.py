"""``plcops test`` end to end: the installed command in a subprocess, on a copy of the filling station example.

The example is documentation and grows; the items it should give are read from its sources: one per
``TEST('name')`` in tests/*.st, one per ``def test_`` in tests/*.py, one per [[case]] of each scenario file
(``name[case]``). All of them pass (the example is the documented, working project).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE


def _items() -> list[str]:
    names = []
    for suite in sorted((EXAMPLE / "tests").glob("*.st")):
        names += re.findall(r"\bTEST(?:_ORDERED)?\('([^']+)'\)", suite.read_text(encoding="utf-8"))
    for module in sorted((EXAMPLE / "tests").glob("test_*.py")):
        names += re.findall(r"^def (test_\w+)\(", module.read_text(encoding="utf-8"), flags=re.M)
    for path in sorted((EXAMPLE / "scenarios").glob("*.scenario.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        name = data.get("scenario", {}).get("name") or path.name.removesuffix(".scenario.toml")
        names += [f"{name}[{case['name']}]" if case.get("name") else name for case in data.get("case", [{}])]
    return names


ITEMS = _items()
N = len(ITEMS)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "filling_station"
    shutil.copytree(EXAMPLE, target)
    return target


def plcops_test(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plcops", "test", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _break_a_test(example: Path) -> Path:
    suite = example / "tests" / "TS_FillStation.st"
    text = suite.read_text(encoding="utf-8")
    wrong = text.replace(
        "AssertEquals(Expected := E_FillState.Conveying, Actual := fbStation.eState",
        "AssertEquals(Expected := E_FillState.Filling, Actual := fbStation.eState",
    )
    assert wrong != text
    suite.write_text(wrong, encoding="utf-8")
    return suite


def test_example_passes_with_reports(example: Path) -> None:
    junit, cobertura, html = example / "out/junit.xml", example / "out/coverage.xml", example / "out/htmlcov"
    result = plcops_test(
        example,
        "--junit", str(junit),
        "--coverage", "--cov-report", f"cobertura:{cobertura}", "--cov-report", f"html:{html}", "--cov-report", "text",
        "--cov-fail-under", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{N} passed" in result.stdout
    # JUnit: one case per ST test and per scenario case.
    cases = [case.get("name") for case in ET.parse(junit).getroot().iter("testcase")]
    assert sorted(cases) == sorted(ITEMS)
    # Cobertura: the production code, not the test suite.
    tree = ET.parse(cobertura).getroot()
    files = sorted(c.get("filename") for c in tree.iter("class"))
    assert "src/FB_FillStation.st" in files and "src/FB_Valve.st" in files and "src/MAIN.st" in files
    assert not any(name.startswith("tests/") for name in files)
    assert 0 < int(tree.get("lines-covered")) < int(tree.get("lines-valid"))
    # HTML: an index and the annotated ST.
    index = (html / "index.html").read_text(encoding="utf-8")
    assert "FB_FillStation.st" in index
    assert any("CASE eState OF" in page.read_text(encoding="utf-8") for page in html.glob("file_*.html"))
    # The text report.
    assert "TOTAL" in result.stdout


def test_a_failing_test_exits_1_and_shows_the_st_location(example: Path) -> None:
    suite = _break_a_test(example)
    result = plcops_test(example)
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(n for n, text in enumerate(suite.read_text().splitlines(), 1) if "E_FillState.Filling" in text)
    assert f"tests/TS_FillStation.st:{line}:" in result.stdout
    assert f"1 failed, {N - 1} passed" in result.stdout


def test_exitfirst_and_keyword(example: Path) -> None:
    _break_a_test(example)
    # StartsConveyorOnStart (now failing) is the first item: -x stops there.
    result = plcops_test(example, "-x")
    assert result.returncode == 1
    assert "1 failed in" in result.stdout
    result = plcops_test(example, "-k", "Faults")
    assert result.returncode == 0, result.stdout
    assert f"1 passed, {N - 1} deselected" in result.stdout
    result = plcops_test(example, "-k", "NoSuchTest")
    assert result.returncode == 5  # as pytest: no tests ran


def test_coverage_below_the_threshold_exits_1(example: Path) -> None:
    # The example's tests never reach the Settling -> Conveying arm, the CASE ELSE or a reset from Fault:
    # well below 99 % (statements and branches).
    result = plcops_test(example, "--coverage", "--cov-fail-under", "99")
    assert result.returncode == 1, result.stdout
    assert f"{N} passed" in result.stdout


def test_parallel_workers(example: Path) -> None:
    junit = example / "junit.xml"
    result = plcops_test(example, "-n", "2", "--junit", str(junit))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{N} passed" in result.stdout
    assert sorted(case.get("name") for case in ET.parse(junit).getroot().iter("testcase")) == sorted(ITEMS)


def test_paths_select_files(example: Path) -> None:
    suite = example / "tests/TS_FillStation.st"
    tests = len(re.findall(r"\bTEST\('", suite.read_text(encoding="utf-8")))
    result = plcops_test(example, "tests/TS_FillStation.st")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{tests} passed" in result.stdout


def test_bad_worker_count_is_a_usage_error(example: Path) -> None:
    result = plcops_test(example, "-n", "many")
    assert result.returncode == 2
    assert "-n" in result.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("program = 7", "[test] program must be a string, not 7"),
        ('timeouts = { "TS_*" = "soon" }', "[test.timeouts] 'TS_*': expected a positive time"),
        ('patterns = "TS_*.st"', "[test] patterns must be a list of strings"),
        ('cylce = "10ms"', "[test] unknown setting 'cylce'"),
    ],
)
def test_an_invalid_test_section_stops_with_its_line(example: Path, setting: str, message: str) -> None:
    # Running with a misspelt or malformed [test] would quietly use defaults: another cycle, every file.
    config = example / "plcops.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[test]\n", f"[test]\n{setting}\n"), encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index(setting) + 1
    for args in ((), ("tests",)):  # the command's own defaults, and pytest's collection of a given folder
        done = plcops_test(example, *args)
        assert done.returncode == 2, done.stdout + done.stderr
        assert re.search(rf"plcops\.toml:{line}:\d+: error: {re.escape(message)}", done.stdout + done.stderr)
        assert "Traceback" not in done.stdout + done.stderr
