"""``plcops merge-driver`` under a real ``git merge``: clean merges where git's line merge conflicts, and
conflict markers only inside ST text when the same lines really changed on both sides."""

from __future__ import annotations

import xml.dom.minidom
from pathlib import Path

import pytest

from plcops.cli import app
from plcops.project.merge import FileMerge, merge_files
from plcops.project.sources import read_source
from plcops.st import parse_source
from tests.conftest import Repo

FIXTURE = Path(__file__).resolve().parents[1] / "project" / "fixtures" / "twincat" / "FB_Conveyor.TcPOU"
BOM = b"\xef\xbb\xbf"


def edit(repo: Repo, name: str, *replacements: tuple[str, str]) -> None:
    path = repo.path / name
    text = path.read_bytes().decode("utf-8-sig")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_bytes(BOM + text.encode("utf-8"))


def setup_with_fixture(repo: Repo) -> None:
    from typer.testing import CliRunner

    repo.write("FB_Conveyor.TcPOU", FIXTURE.read_bytes())
    repo.commit("base")
    result = CliRunner().invoke(app, ["git", "setup", "--repo", str(repo.path)])
    assert result.exit_code == 0, result.output
    repo.commit("plcops git setup")


NEW_METHOD = (
    '    <Method Name="Stop" Id="{aaaaaaaa-4e5f-4071-8293-a4b5c6d7e8f9}">\r\n'
    "      <Declaration><![CDATA[METHOD PUBLIC Stop\r\n]]></Declaration>\r\n"
    "      <Implementation>\r\n"
    "        <ST><![CDATA[bMotor := FALSE;]]></ST>\r\n"
    "      </Implementation>\r\n"
    "    </Method>\r\n"
)


def branch_edits(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "ours")
    edit(
        repo,
        "FB_Conveyor.TcPOU",
        ("    _fSpeed : LREAL := 0.5;\r\n", "    _fSpeed : LREAL := 0.5;\r\n    nStarts : UDINT;\r\n"),
        (
            "    bJammed := FALSE;\r\n    Reset := TRUE;",
            "    bJammed := FALSE;\r\n    nStarts := 0;\r\n    Reset := TRUE;",
        ),
    )
    repo.commit("ours: start counter")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "theirs")
    edit(
        repo,
        "FB_Conveyor.TcPOU",
        ("    _fSpeed : LREAL := 0.5;\r\n", "    _fSpeed : LREAL := 0.5;\r\n    tLastJam : TIME;\r\n"),
        ('    <Property Name="Speed"', NEW_METHOD + '    <Property Name="Speed"'),
    )
    repo.commit("theirs: jam time and Stop()")
    repo.git("checkout", "-q", "ours")


def test_git_line_merge_conflicts_on_this_change(repo: Repo) -> None:
    # The control experiment: without the driver, git's own merge conflicts in the XML.
    repo.write("FB_Conveyor.TcPOU", FIXTURE.read_bytes())
    repo.commit("base")
    branch_edits(repo)
    merged = repo.git("merge", "theirs", "-m", "merge", check=False)
    assert merged.returncode != 0
    assert "CONFLICT" in merged.stdout


def test_structured_merge_is_clean(repo: Repo) -> None:
    setup_with_fixture(repo)
    branch_edits(repo)
    merged = repo.git("merge", "theirs", "-m", "merge", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    data = (repo.path / "FB_Conveyor.TcPOU").read_bytes()
    assert data.startswith(BOM) and b"\r\n" in data
    xml.dom.minidom.parseString(data)  # well-formed
    result = parse_source(read_source(repo.path / "FB_Conveyor.TcPOU"))
    assert result.diagnostics == []
    (fb,) = result.unit.items  # type: ignore[union-attr]
    names = [name.text for _, _, name in fb.variables()]  # type: ignore[union-attr]
    assert names[-2:] == ["nStarts", "tLastJam"]  # both additions, ours first
    # Their new method is added (after the members ours already had; order has no meaning in TwinCAT).
    assert [member.name.text for member in fb.members] == ["Reset", "Speed", "A_Stop", "Stop"]  # type: ignore[union-attr]
    text = data.decode("utf-8-sig")
    assert "nStarts := 0;" in text  # ours' method edit
    assert text.count("{4c3bf5a2-1e0f-4d5c-9a4e-6b7a8c9d0e1f}") == 1  # no GUID churn


def test_real_conflict_is_marked_inside_the_st(repo: Repo) -> None:
    setup_with_fixture(repo)
    repo.git("checkout", "-q", "-b", "ours")
    edit(repo, "FB_Conveyor.TcPOU", ("bMotor := bEnable AND NOT bJammed;", "bMotor := bEnable;"))
    repo.commit("ours")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "theirs")
    edit(
        repo,
        "FB_Conveyor.TcPOU",
        ("bMotor := bEnable AND NOT bJammed;", "bMotor := bEnable AND NOT bJammed AND NOT bStop;"),
    )
    repo.commit("theirs")
    repo.git("checkout", "-q", "ours")
    merged = repo.git("merge", "theirs", "-m", "merge", check=False)
    assert merged.returncode != 0
    data = (repo.path / "FB_Conveyor.TcPOU").read_bytes()
    xml.dom.minidom.parseString(data)  # still well-formed XML
    text = data.decode("utf-8-sig")
    implementation = text[text.index("<ST><![CDATA[tonJam") : text.index("]]></ST>", text.index("<ST><![CDATA[tonJam"))]
    assert (
        "<<<<<<< ours\r\nbMotor := bEnable;\r\n=======\r\nbMotor := bEnable AND NOT bJammed AND NOT bStop;\r\n>>>>>>> theirs"
        in implementation
    )


def test_st_files_merge_by_pou_and_variable() -> None:
    base = "FUNCTION_BLOCK A\nVAR\n    x : INT;\nEND_VAR\nx := 1;\nEND_FUNCTION_BLOCK\n\nFUNCTION_BLOCK B\nVAR\n    y : INT;\nEND_VAR\ny := 1;\nEND_FUNCTION_BLOCK\n"
    ours = base.replace("    x : INT;\n", "    x : INT;\n    x2 : INT;\n").replace("y := 1;", "y := 2;")
    theirs = base.replace("    x : INT;\n", "    x : INT;\n    x3 : BOOL;\n")
    merged = merge_files(base.encode(), ours.encode(), theirs.encode(), "Lib.st")
    assert merged.conflicts == 0
    assert merged.data.decode() == ours.replace("    x2 : INT;\n", "    x2 : INT;\n    x3 : BOOL;\n")


def test_plcopen_units_merge_independently() -> None:
    fixture = Path(__file__).resolve().parents[1] / "project" / "fixtures" / "plcopen" / "codesys_export.xml"
    base = fixture.read_text(encoding="utf-8")
    ours = base.replace("fbMixer(bStart := bStartButton);", "fbMixer(bStart := bStartButton AND NOT gbEmergencyStop);")
    theirs = base.replace("nBatches := nBatches + 1;", "nBatches := nBatches + 2;")
    merged = merge_files(base.encode(), ours.encode(), theirs.encode(), "project.xml")
    assert merged.conflicts == 0
    text = merged.data.decode()
    assert "AND NOT gbEmergencyStop" in text and "nBatches + 2;" in text
    xml.dom.minidom.parseString(merged.data)


def test_unreadable_vendor_file_falls_back_to_line_merge() -> None:
    merged = merge_files(b"<a>\n1\n</a>\n", b"<a>\n2\n</a>\n", b"<a>\n1\n</a>\n", "broken.TcPOU")
    assert (merged.data, merged.conflicts) == (b"<a>\n2\n</a>\n", 0)


# ---------------------------------------------------------------------------------------------- deletions


RESET_EDIT = ("    bJammed := FALSE;\r\n    Reset := TRUE;", "    bJammed := FALSE;\r\n    Reset := NOT bJamSensor;")


def _without_reset(text: str) -> str:
    start = text.index('    <Method Name="Reset"')
    end = text.index("</Method>\r\n", start) + len("</Method>\r\n")
    return text[:start] + text[end:]


def test_deleted_and_changed_members_carry_the_labels_too() -> None:
    # git 2.44+ labels: the markers around a member one side deleted and the other changed use them (they
    # were written as ours/theirs whatever git passed).
    base = FIXTURE.read_bytes().decode("utf-8-sig")
    changed, deleted = base.replace(*RESET_EDIT), _without_reset(base)
    labels = ("main", "feature/x")
    for ours, theirs, marker in (
        (deleted, changed, "<<<<<<< main\r\n(deleted in main)\r\n=======\r\n"),
        (changed, deleted, "=======\r\n(deleted in feature/x)\r\n>>>>>>> feature/x"),
    ):
        merged = merge_files(*(BOM + t.encode() for t in (base, ours, theirs)), "FB_Conveyor.TcPOU", labels)
        text = merged.data.decode("utf-8-sig")
        assert marker in text and "<<<<<<< ours" not in text and ">>>>>>> theirs" not in text
    # A label holding "]]>" (a branch name or cherry-pick subject may) must not end the CDATA section.
    merged = merge_files(*(BOM + t.encode() for t in (base, changed, deleted)), "FB_Conveyor.TcPOU", ("x]]>y", "z"))
    document = xml.dom.minidom.parseString(merged.data)  # well-formed
    bodies = "".join(node.data for node in _text_nodes(document))
    assert "<<<<<<< x]]>y\n" in bodies  # XML readers turn CRLF into LF


def test_deleted_by_one_side_and_changed_by_the_other_is_a_conflict_either_way() -> None:
    base = FIXTURE.read_bytes().decode("utf-8-sig")
    changed = base.replace(*RESET_EDIT)
    deleted = _without_reset(base)
    for ours, theirs, marker in (
        (deleted, changed, "<<<<<<< ours\r\n(deleted in ours)\r\n=======\r\n"),
        (changed, deleted, "=======\r\n(deleted in theirs)\r\n>>>>>>> theirs"),
    ):
        merged = merge_files(*(BOM + t.encode() for t in (base, ours, theirs)), "FB_Conveyor.TcPOU")
        assert merged.conflicts == 1
        text = merged.data.decode("utf-8-sig")
        xml.dom.minidom.parseString(merged.data)  # still well-formed
        assert "Reset := NOT bJamSensor;" in text  # the change survives, marked
        assert marker in text
        assert text.count('<Method Name="Reset"') == 1


def test_deleted_by_one_side_and_untouched_by_the_other_stays_deleted() -> None:
    base = FIXTURE.read_bytes().decode("utf-8-sig")
    deleted = _without_reset(base)
    for ours, theirs in ((deleted, base), (base, deleted)):
        merged = merge_files(*(BOM + t.encode() for t in (base, ours, theirs)), "FB_Conveyor.TcPOU")
        assert merged.conflicts == 0
        assert '<Method Name="Reset"' not in merged.data.decode("utf-8-sig")


def test_st_file_deleted_on_one_side_changed_on_the_other_is_a_conflict() -> None:
    base = "FUNCTION F_X : INT\nF_X := 1;\nEND_FUNCTION\n\nFUNCTION F_Y : INT\nF_Y := 2;\nEND_FUNCTION\n"
    changed = base.replace("F_Y := 2;", "F_Y := 3;")
    deleted = "FUNCTION F_X : INT\nF_X := 1;\nEND_FUNCTION\n"
    for ours, theirs in ((changed, deleted), (deleted, changed)):
        merged = merge_files(base.encode(), ours.encode(), theirs.encode(), "Lib.st")
        assert merged.conflicts >= 1, (ours, theirs)
        assert "F_Y := 3;" in merged.data.decode()


def test_plcopen_pou_deleted_on_one_side_changed_on_the_other_is_a_conflict() -> None:
    fixture = Path(__file__).resolve().parents[1] / "project" / "fixtures" / "plcopen" / "codesys_export.xml"
    base = fixture.read_text(encoding="utf-8")
    start = base.index("<pou name=")
    end = base.index("</pou>", start) + len("</pou>")
    name = base[start : base.index(">", start)]
    body = base[start:end]
    assert "nBatches := nBatches + 1;" in body, name
    changed = base.replace("nBatches := nBatches + 1;", "nBatches := nBatches + 2;")
    deleted = base[:start] + base[end:]
    for ours, theirs in ((changed, deleted), (deleted, changed)):
        merged = merge_files(base.encode(), ours.encode(), theirs.encode(), "project.xml")
        assert merged.conflicts >= 1
        assert "nBatches := nBatches + 2;" in merged.data.decode()
        xml.dom.minidom.parseString(merged.data)


# ---------------------------------------------------------------------------------------------- LD bodies

LADDER = Path(__file__).resolve().parents[1] / "project" / "fixtures" / "twincat" / "FB_Interlock_LD.TcPOU"


def test_a_ladder_edit_on_one_side_merges_with_an_st_edit_on_the_other() -> None:
    base = LADDER.read_bytes()
    ours = base.replace(b"bRelease := FALSE;", b"bRelease := FALSE; // reset")
    theirs = base.replace(b'"bEStopOk"', b'"bEStopReleased"')
    merged = merge_files(base, ours, theirs, "FB_Interlock.TcPOU")
    assert merged.conflicts == 0
    assert b"bRelease := FALSE; // reset" in merged.data and b'"bEStopReleased"' in merged.data
    xml.dom.minidom.parseString(merged.data)


def test_a_ladder_body_changed_on_both_sides_is_a_conflict_that_keeps_ours() -> None:
    base = LADDER.read_bytes()
    ours = base.replace(b'"lamp follows the release"', b'"lamp blinks"')
    theirs = base.replace(b'"lamp follows the release"', b'"lamp is steady"')
    merged = merge_files(base, ours, theirs, "FB_Interlock.TcPOU")
    assert merged.conflicts == 1
    assert b'"lamp blinks"' in merged.data and b"plcops merge conflict: both sides changed the NWL body" in merged.data
    xml.dom.minidom.parseString(merged.data)
    # A ladder action added by theirs is carried over whole, as ST members are.
    added = base.replace(
        b"    <LineIds",
        b'    <Action Name="A_Horn" Id="{00000000-0000-0000-0000-000000000001}">\r\n      <Implementation>\r\n        <NWL><XmlArchive /></NWL>\r\n      </Implementation>\r\n    </Action>\r\n    <LineIds',
    )
    merged = merge_files(base, ours, added, "FB_Interlock.TcPOU")
    assert merged.conflicts == 0 and b'<Action Name="A_Horn"' in merged.data and b'"lamp blinks"' in merged.data


def test_git_merge_of_a_deleted_method_changed_on_the_other_branch_stops_with_a_conflict(repo: Repo) -> None:
    setup_with_fixture(repo)
    repo.git("checkout", "-q", "-b", "ours")
    path = repo.path / "FB_Conveyor.TcPOU"
    path.write_bytes(BOM + _without_reset(path.read_bytes().decode("utf-8-sig")).encode())
    repo.commit("ours: Reset is gone")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "theirs")
    edit(repo, "FB_Conveyor.TcPOU", RESET_EDIT)
    repo.commit("theirs: Reset changed")
    repo.git("checkout", "-q", "ours")
    merged = repo.git("merge", "theirs", "-m", "merge", check=False)
    assert merged.returncode != 0  # git stops: the engineer decides
    data = path.read_bytes()
    xml.dom.minidom.parseString(data)
    assert b"Reset := NOT bJamSensor;" in data and b"(deleted in ours)" in data


# ---------------------------------------------------------------------------------------------- PLCopen variables

PLCOPEN = Path(__file__).resolve().parents[1] / "project" / "fixtures" / "plcopen" / "codesys_export.xml"
TON_MIX = '            <variable name="tonMix">\n              <type>\n                <derived name="TON" />\n              </type>\n            </variable>\n'


def _variable(name: str, kind: str) -> str:
    return f'            <variable name="{name}">\n              <type>\n                <{kind} />\n              </type>\n            </variable>\n'


def test_plcopen_different_variables_added_to_one_pou_merge_cleanly() -> None:
    base = PLCOPEN.read_text(encoding="utf-8")
    assert TON_MIX in base
    # Both sides add a local variable after tonMix (the same place: a line merge conflicts) and both change
    # the body in different places.
    ours = base.replace(TON_MIX, TON_MIX + _variable("nA", "INT")).replace(
        "nBatches := nBatches + 1;", "nBatches := nBatches + 1; nA := 1;"
    )
    theirs = base.replace(TON_MIX, TON_MIX + _variable("rB", "REAL")).replace(
        "fbMixer(bStart := bStartButton);", "fbMixer(bStart := bStartButton AND rB &gt; 0.0);"
    )
    merged = merge_files(base.encode(), ours.encode(), theirs.encode(), "project.xml")
    assert merged.conflicts == 0
    text = merged.data.decode()
    xml.dom.minidom.parseString(merged.data)
    assert text.count('<variable name="nA">') == 1 and text.count('<variable name="rB">') == 1
    assert "nA := 1;" in text and "AND rB &gt; 0.0" in text  # the body is XML-escaped xhtml
    assert "plcops merge" not in text


def test_plcopen_one_variable_retyped_differently_on_both_sides_is_a_conflict() -> None:
    base = PLCOPEN.read_text(encoding="utf-8")
    ours = base.replace(TON_MIX, TON_MIX.replace("TON", "TOF")).replace("nBatches + 1;", "nBatches + 3;")
    theirs = base.replace(TON_MIX, TON_MIX.replace("TON", "TP")).replace("nBatches + 1;", "nBatches + 4;")
    merged = merge_files(base.encode(), ours.encode(), theirs.encode(), "project.xml")
    assert merged.conflicts >= 2  # the variable, and the body line
    text = merged.data.decode()
    xml.dom.minidom.parseString(merged.data)
    assert "both sides changed variable tonMix differently" in text and '<derived name="TOF" />' in text


def test_plcopen_conflict_markers_are_literal_for_git_and_merge_tools() -> None:
    base = PLCOPEN.read_text(encoding="utf-8")
    ours = base.replace("nBatches := nBatches + 1;", "nBatches := nBatches + 3;")
    theirs = base.replace("nBatches := nBatches + 1;", "nBatches := nBatches + 4;")
    merged = merge_files(base.encode(), ours.encode(), theirs.encode(), "project.xml")
    assert merged.conflicts == 1
    text = merged.data.decode()
    assert "\n<<<<<<< ours\n" in text and "\n>>>>>>> theirs\n" in text  # not &lt;&lt;&lt;...
    document = xml.dom.minidom.parseString(merged.data)  # still well-formed: the body is CDATA
    bodies = [node for node in document.getElementsByTagName("xhtml") if "<<<<<<<" in node.toxml()]
    assert len(bodies) == 1


@pytest.mark.parametrize(
    "theirs",
    [
        "\ufeffPROGRAM P\nVAR x : INT; END_VAR\nx := 2;\nEND_PROGRAM\n".encode("utf-8"),  # adds a BOM
        b"PROGRAM P\r\nVAR x : INT; END_VAR\r\nx := 2;\r\nEND_PROGRAM\r\n",  # CRLF
        "PROGRAM P\n// Gr\u00f6\u00dfe \x81\nx := 2;\nEND_PROGRAM\n".encode("cp1252", errors="plcops-cp1252-holes"),
    ],
    ids=["bom", "crlf", "cp1252"],
)
def test_when_only_their_side_changed_the_result_is_their_bytes(theirs: bytes) -> None:
    # A three-way merge where ours equals the base has nothing to merge: the result is theirs, byte for
    # byte (it used to lose a BOM, line endings or an encoding that only their side had).
    base = b"PROGRAM P\nVAR x : INT; END_VAR\nx := 1;\nEND_PROGRAM\n"
    assert merge_files(base, base, theirs, "P.st") == FileMerge(theirs, 0)
    assert merge_files(base, theirs, base, "P.st") == FileMerge(theirs, 0)  # and the other way round


@pytest.mark.parametrize(
    ("labels", "markers"),
    [
        # git 2.44+ expands %X/%Y to the sides' names: they go on the markers (one line each).
        (["--ours-label", "main", "--theirs-label", "feature/x\n"], ("<<<<<<< main\n", ">>>>>>> feature/x\n")),
        # Older git passes the placeholders as they are (git 2.39 does: checked by hand with a probe driver).
        (["--ours-label", "%X", "--theirs-label", "%Y"], ("<<<<<<< ours\n", ">>>>>>> theirs\n")),
        ([], ("<<<<<<< ours\n", ">>>>>>> theirs\n")),
    ],
    ids=["git-2.44-names", "older-git-placeholders", "no-labels"],
)
def test_conflict_markers_carry_the_labels_git_passes(
    tmp_path: Path, labels: list[str], markers: tuple[str, str]
) -> None:
    from typer.testing import CliRunner

    body = "PROGRAM MAIN\nVAR\n    n : INT;\nEND_VAR\nn := {};\nEND_PROGRAM\n"
    for name, value in (("base", 1), ("ours", 2), ("theirs", 3)):
        (tmp_path / f"{name}.st").write_text(body.format(value), encoding="utf-8")
    paths = [str(tmp_path / f"{name}.st") for name in ("base", "ours", "theirs")]
    result = CliRunner().invoke(app, ["merge-driver", *paths, "src/MAIN.st", *labels])
    assert result.exit_code == 1, result.output
    text = (tmp_path / "ours.st").read_text(encoding="utf-8")
    assert f"{markers[0]}n := 2;\n=======\nn := 3;\n{markers[1]}" in text


def _text_nodes(node: xml.dom.minidom.Node) -> list[xml.dom.minidom.Text]:
    found = [node] if node.nodeType in (node.TEXT_NODE, node.CDATA_SECTION_NODE) else []
    for child in node.childNodes:
        found.extend(_text_nodes(child))
    return found  # type: ignore[return-value]
