"""``plcops lint``: the CLI contract (formats, --output, exit codes 0/1/2, baseline, --fix) end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plcops.cli import app
from tests.conftest import EXAMPLE
from tests.lint.test_engine import BOOL_COMPARE, BOOL_FIXED, REAL_COMPARE

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plcops.toml").write_text(
        '[project]\nname = "t"\n\n[lint]\nselect = ["PLC011", "PLC042"]\n', encoding="utf-8"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "FB_Level.st").write_text(REAL_COMPARE, encoding="utf-8")
    return tmp_path


def test_clean_example_exits_0() -> None:
    result = runner.invoke(app, ["lint", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_findings_exit_1_with_text_lines(project: Path) -> None:
    result = runner.invoke(app, ["lint", "src"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("src/FB_Level.st:9:10: PLC011 [SA0054,CP8] ")


def test_fail_level_decides_the_exit_code(project: Path) -> None:
    (project / "src" / "FB_Level.st").write_text(BOOL_COMPARE, encoding="utf-8")  # PLC042 is an info
    assert runner.invoke(app, ["lint", "src"]).exit_code == 0
    assert runner.invoke(app, ["lint", "--fail-level", "info", "src"]).exit_code == 1


def test_parse_errors_exit_2_and_are_findings(project: Path) -> None:
    (project / "src" / "broken.st").write_text("PROGRAM P\nx := ;\nEND_PROGRAM\n", encoding="utf-8")
    result = runner.invoke(app, ["lint", "--format", "json", "src"])
    assert result.exit_code == 2
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert "PLC000" in codes and "PLC011" in codes


@pytest.mark.parametrize(
    "arguments",
    [
        ["lint", "missing"],
        ["lint", "--unsafe-fixes", "src"],
        ["lint", "--select", "PLC999", "src"],
        ["lint", "--format", "xml", "src"],
    ],
)
def test_usage_errors_exit_2(project: Path, arguments: list[str]) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_bad_config_is_a_located_error(project: Path) -> None:
    (project / "plcops.toml").write_text('[lint]\nselect = ["PLC011"]\nignore = ["no-such-rule"]\n', encoding="utf-8")
    result = runner.invoke(app, ["lint", "src"])
    assert result.exit_code == 2
    assert "plcops.toml:3:11: error: [lint] ignore: unknown rule or group 'no-such-rule'" in result.stderr


def test_output_file_and_every_format(project: Path) -> None:
    for name in ("text", "json", "sarif", "junit", "github"):
        result = runner.invoke(app, ["lint", "--format", name, "--output", f"report.{name}", "src"])
        assert result.exit_code == 1 and result.stdout == ""
        assert "PLC011" in (project / f"report.{name}").read_text(encoding="utf-8")
    assert json.loads((project / "report.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_baseline_round_trip(project: Path) -> None:
    written = runner.invoke(app, ["lint", "--write-baseline", "baseline.json", "src"])
    assert written.exit_code == 0
    assert runner.invoke(app, ["lint", "--baseline", "baseline.json", "src"]).exit_code == 0
    source = project / "src" / "FB_Level.st"
    source.write_text(REAL_COMPARE.replace("IF rLevel > 50.0", "IF rLevel = 50.0"), encoding="utf-8")
    result = runner.invoke(app, ["lint", "--baseline", "baseline.json", "src"])
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == ["src/FB_Level.st:11:4"]


def test_fix_rewrites_and_reports_what_is_left(project: Path) -> None:
    (project / "src" / "P.st").write_text(BOOL_COMPARE, encoding="utf-8")
    result = runner.invoke(app, ["lint", "--fix", "src"])
    assert result.exit_code == 1  # the PLC011 errors have no fix
    assert (project / "src" / "P.st").read_text(encoding="utf-8") == BOOL_FIXED
    assert "fixed 2" in result.stderr
    assert "PLC042" not in result.stdout


def test_list_rules_and_explain() -> None:
    listed = runner.invoke(app, ["lint", "--list-rules"])
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) >= 41
    explained = runner.invoke(app, ["lint", "--explain", "real-equality"])
    assert explained.exit_code == 0 and "SA0054" in explained.stdout and "Anti-pattern" in explained.stdout


def test_console_script_runs_from_a_clean_process(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "p")
    result = subprocess.run(
        [sys.executable, "-m", "plcops", "lint", "--format", "sarif", "."],
        cwd=tmp_path / "p",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["runs"][0]["results"] == []
