"""``plcops fmt``: in-place formatting, --check, --diff and the safety rules."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from plcops.cli import app
from tests.conftest import EXAMPLE

runner = CliRunner()
UGLY = "program p\nvar x:int; end_var\nx:=x+1;\nend_program\n"
PRETTY = "PROGRAM p\n    VAR\n        x : INT;\n    END_VAR\n    x := x + 1;\nEND_PROGRAM\n"


def test_example_project_is_formatted() -> None:
    result = runner.invoke(app, ["fmt", "--check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output


def test_formats_in_place_and_keeps_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "a.st"
    path.write_bytes(b"\xef\xbb\xbf" + UGLY.replace("\n", "\r\n").encode())
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == b"\xef\xbb\xbf" + PRETTY.replace("\n", "\r\n").encode()


def test_check_and_diff_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.st"
    path.write_text(UGLY, encoding="utf-8")
    check = runner.invoke(app, ["fmt", "--check", str(path)])
    assert check.exit_code == 1 and f"would reformat {path}" in check.stdout
    diff = runner.invoke(app, ["fmt", "--diff", str(path)])
    assert diff.exit_code == 1
    assert "-x:=x+1;\n" in diff.stdout and "+    x := x + 1;\n" in diff.stdout
    assert path.read_text(encoding="utf-8") == UGLY


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.st"
    path.write_text(PRETTY, encoding="utf-8")
    before = path.stat().st_mtime_ns
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    assert path.stat().st_mtime_ns == before


def test_files_with_syntax_errors_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "bad.st"
    text = "program p\nx := ;\nend_program\n"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 1
    assert "unexpected ';'" in result.output
    assert path.read_text(encoding="utf-8") == text


def test_settings_come_from_plcops_toml(tmp_path: Path) -> None:
    (tmp_path / "plcops.toml").write_text("[fmt]\nindent = 2\nkeyword_case = 'lower'\n", encoding="utf-8")
    path = tmp_path / "a.st"
    path.write_text(UGLY, encoding="utf-8")
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    assert path.read_text(encoding="utf-8") == "program p\n  var\n    x : int;\n  end_var\n  x := x + 1;\nend_program\n"


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "plcops.toml").write_text("[fmt]\nindnet = 2\n", encoding="utf-8")
    (tmp_path / "a.st").write_text(UGLY, encoding="utf-8")
    result = runner.invoke(app, ["fmt", str(tmp_path / "a.st")])
    assert result.exit_code == 1
    assert "plcops.toml:2:1: error: [fmt] unknown setting 'indnet'" in result.output
    assert "Traceback" not in result.output


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.st"
    real.write_text(UGLY, encoding="utf-8")
    (tmp_path / "link.st").symlink_to("real.st")
    assert runner.invoke(app, ["fmt", str(tmp_path / "link.st")]).exit_code == 0
    assert (tmp_path / "link.st").is_symlink()
    assert real.read_text(encoding="utf-8") == PRETTY


def test_a_hard_linked_file_is_formatted_under_every_name(tmp_path: Path) -> None:
    first = tmp_path / "first.st"
    first.write_text(UGLY, encoding="utf-8")
    (tmp_path / "second.st").hardlink_to(first)
    assert runner.invoke(app, ["fmt", str(first)]).exit_code == 0
    assert (tmp_path / "second.st").read_text(encoding="utf-8") == PRETTY
    assert first.stat().st_nlink == 2


def test_a_comment_ending_in_a_form_feed_keeps_it(tmp_path: Path) -> None:
    # str.rstrip() would also take the form feed (a line boundary to Python): only blanks go.
    path = tmp_path / "ff.st"
    path.write_text("PROGRAM P\nVAR x : INT; END_VAR\nx := 1; // page\x0c \nEND_PROGRAM\n", encoding="utf-8")
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    assert "x := 1; // page\x0c\n" in path.read_text(encoding="utf-8")


def test_classic_mac_line_endings_are_refused_with_a_location(tmp_path: Path) -> None:
    path = tmp_path / "cr.st"
    path.write_bytes(b"PROGRAM P\rVAR x : INT; END_VAR\rx := 1;\rEND_PROGRAM\r")
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"{path}:1:1: error: a line ends with CR alone" in result.output
    assert path.read_bytes() == b"PROGRAM P\rVAR x : INT; END_VAR\rx := 1;\rEND_PROGRAM\r"  # untouched
