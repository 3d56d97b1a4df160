"""``plcops parse``: the exact CLI contract (arguments, JSON shape, exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from plcops.cli import app
from tests.conftest import EXAMPLE

runner = CliRunner()


def test_clean_project_exits_zero() -> None:
    result = runner.invoke(app, ["parse", str(EXAMPLE)])
    assert result.exit_code == 0, result.output


def test_json_is_exactly_one_object_with_the_documented_keys(tmp_path: Path) -> None:
    (tmp_path / "ok.st").write_text("PROGRAM P\nEND_PROGRAM\n", encoding="utf-8")
    (tmp_path / "bad.st").write_text("PROGRAM P\nx := ;\nEND_PROGRAM\n", encoding="utf-8")
    result = runner.invoke(app, ["parse", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert set(document) == {"files", "lines", "seconds", "errors"}
    assert (document["files"], document["lines"]) == (2, 5)
    assert isinstance(document["seconds"], float)
    assert document["errors"] == [
        {"path": str(tmp_path / "bad.st"), "line": 2, "column": 6, "message": "unexpected ';': expected an expression"}
    ]


def test_text_output_has_location_source_and_caret(tmp_path: Path) -> None:
    bad = tmp_path / "bad.st"
    bad.write_text("PROGRAM P\nx := ;\nEND_PROGRAM\n", encoding="utf-8")
    result = runner.invoke(app, ["parse", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2:6: error: unexpected ';': expected an expression\n    x := ;\n         ^" in result.stdout


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert runner.invoke(app, ["parse"]).exit_code == 2
    assert runner.invoke(app, ["parse", str(tmp_path / "missing.st")]).exit_code == 2
    assert runner.invoke(app, ["parse", str(tmp_path), "--format", "yaml"]).exit_code == 2


def test_installed_command_in_a_subprocess(tmp_path: Path) -> None:
    (tmp_path / "a.st").write_text("FUNCTION_BLOCK FB\nEND_FUNCTION_BLOCK\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "plcops", "parse", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["files"] == 1


def test_textconv_refuses_a_fifo_instead_of_waiting_for_ever(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.st")
    result = runner.invoke(app, ["textconv", str(tmp_path / "pipe.st")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'pipe.st'}:1:1: error: not a regular file" in result.output


def test_a_lone_cr_ends_a_line_for_locations_too(tmp_path: Path) -> None:
    # The lexer ends a // comment at a CR alone (classic Mac OS files); error lines must count it too.
    path = tmp_path / "cr.st"
    path.write_bytes(b"PROGRAM P\rVAR x : INT; END_VAR\rx := ;\rEND_PROGRAM\r")
    result = runner.invoke(app, ["parse", str(path)])
    assert f"{path}:3:6: error: unexpected ';'" in result.output


def test_an_internal_error_exits_2_with_one_line_not_a_traceback(tmp_path: Path) -> None:
    # 1 means "findings" to CI; a crash must not read as that. The traceback is there on request.
    (tmp_path / "ok.st").write_text("PROGRAM P\nEND_PROGRAM\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from plcops.cli import main\n"
        "def boom(*args, **kwargs):\n"
        "    raise ValueError('boom')\n"
        "sys.modules['plcops.cli.parse'].check_syntax = boom\n"
        "sys.argv = ['plcops', 'parse', 'ok.st']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("plcops: internal error: ValueError: boom") and "Traceback" not in done.stderr
    debug = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**os.environ, "PLCOPS_DEBUG": "1"},
    )
    assert "Traceback" in debug.stderr
