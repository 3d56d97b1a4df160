"""``plcops diff``: object-level changes across real git revisions and between folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plcops.cli import app
from plcops.diff import diff_paths, diff_revisions
from plcops.st.formatter import format_text
from tests.conftest import Repo

runner = CliRunner()

MOTOR = """FUNCTION_BLOCK FB_Motor
VAR_INPUT
    bStart : BOOL;
    nSpeed : INT := 100;
END_VAR
VAR
    tonRamp : TON;
    nCount : INT;
END_VAR
tonRamp(IN := bStart, PT := T#2S);
IF tonRamp.Q THEN
    nCount := nCount + 1;
END_IF
END_FUNCTION_BLOCK

METHOD Reset
nCount := 0;
END_METHOD
"""

PUMP = """FUNCTION_BLOCK FB_Pump
VAR_INPUT
    bRun : BOOL;
END_VAR
VAR_OUTPUT
    bRunning : BOOL;
END_VAR
bRunning := bRun;
END_FUNCTION_BLOCK
"""


def changes_by_name(report) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {change.name: change for change in report.changes}


@pytest.fixture
def project(repo: Repo) -> Repo:
    repo.write("src/FB_Motor.st", MOTOR)
    repo.write("src/FB_Pump.st", PUMP)
    repo.write("README.md", "not ST")
    repo.commit("base")
    return repo


def test_variable_changes(project: Repo) -> None:
    edited = (
        MOTOR.replace("    nSpeed : INT := 100;\n", "    nSpeed : DINT := 100;\n    bStop : BOOL;\n")
        .replace("    nCount : INT;\n", "")
        .replace("    tonRamp : TON;\n", "    tonRamp : TON := (PT := T#1S);\n")
        .replace("nCount := nCount + 1;", "bStop := TRUE;")
        .replace("nCount := 0;", "bStop := FALSE;")
    )
    project.write("src/FB_Motor.st", edited)
    report = diff_revisions(project.path, None, None)  # HEAD vs working tree
    (change,) = report.changes
    assert (change.kind, change.name, change.change) == ("FUNCTION_BLOCK", "FB_Motor", "modified")
    summary = sorted((v.name, v.change, v.old, v.new) for v in change.variables)
    assert summary == [
        ("bStop", "added", "", "BOOL"),
        ("nCount", "removed", "INT", ""),
        ("nSpeed", "retyped", "INT", "DINT"),
        ("tonRamp", "reinitialised", "", "(PT := T#1S)"),
    ]
    assert "-    nCount := nCount + 1;\n+    bStop := TRUE;\n" in change.body_diff
    assert [(m.name, m.change) for m in change.members] == [("METHOD Reset", "modified")]


def test_added_removed_renamed_and_moved(project: Repo) -> None:
    os.remove(project.path / "src" / "FB_Pump.st")
    project.write("src/lib/FB_Pump.st", PUMP)  # moved to another file
    project.write("src/FB_Drive.st", MOTOR.replace("FB_Motor", "FB_Drive"))  # FB_Motor renamed
    os.remove(project.path / "src" / "FB_Motor.st")
    project.write("src/F_New.st", "FUNCTION F_New : INT\nF_New := 1;\nEND_FUNCTION\n")
    project.commit("reorganise")
    report = diff_revisions(project.path, "HEAD~1", "HEAD")
    changes = changes_by_name(report)
    assert changes["FB_Pump"].change == "moved"  # type: ignore[attr-defined]
    assert (changes["FB_Pump"].old_path, changes["FB_Pump"].path) == ("src/FB_Pump.st", "src/lib/FB_Pump.st")  # type: ignore[attr-defined]
    assert (changes["FB_Drive"].change, changes["FB_Drive"].old_name) == ("renamed", "FB_Motor")  # type: ignore[attr-defined]
    assert changes["F_New"].change == "added"  # type: ignore[attr-defined]
    assert report.summary() == {"added": 1, "removed": 0, "renamed": 1, "moved": 1, "modified": 0, "format": 0}


def test_formatting_only_changes_are_classified(project: Repo) -> None:
    ugly = MOTOR.replace("    nCount : INT;", "    nCount:INT; // counts ramps")
    project.write("src/FB_Motor.st", ugly)
    project.commit("ugly")
    project.write("src/FB_Motor.st", format_text(ugly))
    report = diff_revisions(project.path, None, None)
    (change,) = report.changes
    assert change.change == "format"
    assert report.without_format_changes().changes == []


def test_removed_object(project: Repo) -> None:
    os.remove(project.path / "src" / "FB_Pump.st")
    report = diff_revisions(project.path, None, None)
    (change,) = report.changes
    assert (change.name, change.change) == ("FB_Pump", "removed")


def test_paths_limit_the_diff(project: Repo) -> None:
    project.write("src/FB_Motor.st", MOTOR.replace("T#2S", "T#3S"))
    project.write("src/FB_Pump.st", PUMP.replace("bRunning := bRun;", "bRunning := NOT bRun;"))
    report = diff_revisions(project.path, None, None, [str(project.path / "src" / "FB_Pump.st")])
    assert [c.name for c in report.changes] == ["FB_Pump"]


def test_vendor_noise_is_not_a_change(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parents[1] / "project" / "fixtures" / "twincat" / "FB_Conveyor.TcPOU"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "FB_Conveyor.TcPOU").write_bytes(fixture.read_bytes())
    (tmp_path / "b" / "FB_Conveyor.TcPOU").write_bytes(fixture.read_bytes().replace(b'Count="4"', b'Count="7"'))
    assert diff_paths(tmp_path / "a", tmp_path / "b").changes == []


def test_cli_json_and_markdown(project: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    project.write("src/FB_Pump.st", PUMP.replace("    bRun : BOOL;\n", "    bRun : BOOL;\n    bDry : BOOL;\n"))
    monkeypatch.chdir(project.path)
    result = runner.invoke(app, ["diff", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["from"] == "HEAD" and document["to"] == "working tree"
    assert document["changes"] == [
        {
            "kind": "FUNCTION_BLOCK",
            "name": "FB_Pump",
            "change": "modified",
            "path": "src/FB_Pump.st",
            "variables": [{"name": "bDry", "change": "added", "section": "VAR_INPUT", "new": "BOOL"}],
        }
    ]
    markdown = runner.invoke(app, ["diff", "--format", "markdown", "--exit-code"])
    assert markdown.exit_code == 1
    assert "#### FUNCTION_BLOCK FB_Pump: modified (src/FB_Pump.st)" in markdown.stdout
    assert "- variable bDry added in VAR_INPUT: BOOL" in markdown.stdout


def test_folders_outside_git(tmp_path: Path) -> None:
    for name, text in (("old", PUMP), ("new", PUMP.replace("bRunning := bRun;", "bRunning := bRun AND TRUE;"))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "FB_Pump.st").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["diff", str(tmp_path / "old"), str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert "FUNCTION_BLOCK FB_Pump: modified" in result.stdout
    assert "+bRunning := bRun AND TRUE;" in result.stdout


def test_unknown_revision_is_a_clear_error(project: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.path)
    result = runner.invoke(app, ["diff", "no-such-branch"])
    assert result.exit_code == 1
    assert "unknown revision 'no-such-branch'" in result.output


def test_a_changed_ladder_body_is_a_modified_member(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parents[1] / "project" / "fixtures" / "twincat" / "FB_Interlock_LD.TcPOU"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "FB_Interlock.TcPOU").write_bytes(fixture.read_bytes())
    (tmp_path / "b" / "FB_Interlock.TcPOU").write_bytes(
        fixture.read_bytes().replace(b'"lamp follows the release"', b'"lamp blinks"')
    )
    result = runner.invoke(app, ["diff", str(tmp_path / "a"), str(tmp_path / "b"), "--exit-code"])
    assert result.exit_code == 1, result.output
    assert "FUNCTION_BLOCK FB_Interlock: modified" in result.stdout
    assert "LD/FBD body of FB_Interlock.A_Lamp" in result.stdout
    added = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("+")]
    assert any(a.endswith("""v n='Comment': "lamp blinks\"""") for a in added), added


def test_two_single_files_are_two_versions_of_one_file(tmp_path: Path) -> None:
    (tmp_path / "old.st").write_text(PUMP, encoding="utf-8")
    (tmp_path / "new.st").write_text(PUMP.replace("bRunning := bRun;", "bRunning := bRun AND TRUE;"), encoding="utf-8")
    report = diff_paths(tmp_path / "old.st", tmp_path / "new.st")
    assert [(c.name, c.change) for c in report.changes] == [("FB_Pump", "modified")]
