"""``plcops textconv`` and ``plcops git setup`` in a real repository: git diff shows ST, not XML."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from plcops.cli import app
from plcops.project.gitsetup import BLOCK_START
from plcops.project.textconv import textconv
from tests.conftest import Repo

FIXTURES = Path(__file__).resolve().parents[1] / "project" / "fixtures"
runner = CliRunner()


def test_textconv_prints_st_without_vendor_noise() -> None:
    text = textconv(FIXTURES / "twincat" / "FB_Conveyor.TcPOU")
    assert text.startswith("// Belt conveyor with a jam supervision timer.\n")
    assert "\r" not in text and "\ufeff" not in text
    for noise in ("LineId", "<", "{4c3bf5a2", "CDATA"):
        assert noise not in text


def test_textconv_is_stable_under_vendor_noise(tmp_path: Path) -> None:
    original = (FIXTURES / "twincat" / "FB_Conveyor.TcPOU").read_bytes()
    resaved = original.replace(b'<LineId Id="3" Count="4" />', b'<LineId Id="9" Count="1" />').replace(
        b"3.1.4024.35", b"3.1.4026.12"
    )
    path = tmp_path / "FB_Conveyor.TcPOU"
    path.write_bytes(resaved)
    assert textconv(path) == textconv(FIXTURES / "twincat" / "FB_Conveyor.TcPOU")


def test_textconv_falls_back_to_text_for_other_files(tmp_path: Path) -> None:
    path = tmp_path / "settings.xml"
    path.write_text("<settings/>", encoding="utf-8")
    assert textconv(path) == "<settings/>\n"


def test_setup_is_idempotent(repo: Repo) -> None:
    (repo.path / ".gitattributes").write_text("*.png binary\n", encoding="utf-8")
    for _ in range(2):
        result = runner.invoke(app, ["git", "setup", "--repo", str(repo.path)])
        assert result.exit_code == 0, result.output
    attributes = (repo.path / ".gitattributes").read_text(encoding="utf-8")
    assert attributes.startswith("*.png binary\n")
    assert attributes.count(BLOCK_START) == 1
    assert "*.TcPOU diff=plcops merge=plcops" in attributes
    config = repo.git("config", "--local", "--get", "merge.plcops.driver").stdout
    assert config.strip().endswith("-m plcops merge-driver %O %A %B %P --ours-label %X --theirs-label %Y")
    assert repo.git("config", "--local", "--get", "diff.plcops.textconv").stdout.strip().endswith("-m plcops textconv")


def test_setup_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["git", "setup", "--repo", str(tmp_path)])
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


def test_git_diff_shows_st_changes(repo: Repo) -> None:
    runner.invoke(app, ["git", "setup", "--repo", str(repo.path)])
    source = (FIXTURES / "twincat" / "FB_Conveyor.TcPOU").read_bytes()
    repo.write("FB_Conveyor.TcPOU", source)
    repo.commit("base")
    repo.write("FB_Conveyor.TcPOU", source.replace(b"bMotor := bEnable AND NOT bJammed;", b"bMotor := bEnable;"))
    diff = repo.git("diff").stdout
    assert "-bMotor := bEnable AND NOT bJammed;\n+bMotor := bEnable;\n" in diff
    assert "CDATA" not in diff and "\r" not in diff


def test_git_diff_shows_a_changed_ladder_rung_and_hides_a_moved_block(repo: Repo) -> None:
    runner.invoke(app, ["git", "setup", "--repo", str(repo.path)])
    ladder = (FIXTURES / "twincat" / "FB_Interlock_LD.TcPOU").read_bytes()
    repo.write("FB_Interlock.TcPOU", ladder)
    repo.commit("base")
    # A contact now reads another variable: a change of logic, which the diff must show.
    repo.write(
        "FB_Interlock.TcPOU", ladder.replace(b'<v n="Contact2">"bEStopOk"</v>', b'<v n="Contact2">"bGuardOk"</v>')
    )
    diff = repo.git("diff").stdout
    assert (
        """-//                 v n='Contact2': "bEStopOk"\n+//                 v n='Contact2': "bGuardOk"\n""" in diff
    )
    repo.commit("contact")
    # The FBD body of the Beremiz project: moving a block (x/y) is layout, not logic, so no diff at all.
    beremiz = (FIXTURES / "plcopen" / "beremiz_project.xml").read_text(encoding="utf-8")
    assert '<position x="' in beremiz
    repo.write("project.xml", beremiz.encode())
    repo.commit("plcopen")
    moved = beremiz.replace('<position x="', '<position x="1', 1)
    repo.write("project.xml", moved.encode())
    assert repo.git("diff").stdout == ""
