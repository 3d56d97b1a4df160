"""``plcops import`` and ``plcops export`` on the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from plcops.cli import app

PROJECT = Path(__file__).resolve().parents[1] / "project" / "fixtures" / "twincat_project" / "Conveyor"
runner = CliRunner()


def test_import_then_export(tmp_path: Path) -> None:
    imported = runner.invoke(app, ["import", str(PROJECT), "--out", str(tmp_path / "tree")])
    assert imported.exit_code == 0, imported.output
    assert "note: PlcTask.TcTTO: not ST, kept as vendor data" in imported.output
    exported = runner.invoke(
        app, ["export", str(tmp_path / "tree"), "--format", "twincat", "--out", str(tmp_path / "out")]
    )
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "out" / "POUs" / "MAIN.TcPOU").read_bytes() == (PROJECT / "POUs" / "MAIN.TcPOU").read_bytes()


def test_import_refusal_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "work.st").write_text("PROGRAM P END_PROGRAM", encoding="utf-8")
    result = runner.invoke(app, ["import", str(PROJECT), "--out", str(tmp_path / "tree")])
    assert result.exit_code == 1
    assert "uncommitted work (work.st)" in result.output and "--force" in result.output
    assert "Traceback" not in result.output


def test_export_reports_st_errors_with_location(tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(PROJECT), "--out", str(tmp_path / "tree")])
    main = tmp_path / "tree" / "src" / "POUs" / "MAIN.st"
    main.write_text(
        main.read_text(encoding="utf-8").replace("eState := E_ConveyorState.Jammed;", "eState := ;"), encoding="utf-8"
    )
    result = runner.invoke(
        app, ["export", str(tmp_path / "tree"), "--format", "twincat", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert f"{main}:8:15: error: unexpected ';': expected an expression" in result.output


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(tmp_path), "--format", "s7", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
