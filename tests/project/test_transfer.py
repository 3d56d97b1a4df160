"""``plcops import`` / ``plcops export``: lossless round trips, edits that touch only what changed, and the
safety rules (no overwriting uncommitted work, no writing outside the output folder)."""

from __future__ import annotations

import shutil
import subprocess
import xml.dom.minidom
from pathlib import Path

import pytest

from plcops.project.sidecar import read_sidecar
from plcops.project.sources import read_source
from plcops.project.transfer import export_project, import_project, tree_digest
from plcops.project.twincat_tree import export_object, import_file, stable_guid
from plcops.project.workspace import inside, safe_name
from plcops.st import ast, parse_source
from plcops.st.diagnostics import DiagnosticError
from tests.conftest import EXAMPLE

FIXTURES = Path(__file__).parent / "fixtures"
TWINCAT_FILES = sorted((FIXTURES / "twincat").glob("*.Tc*"))
PROJECT = FIXTURES / "twincat_project" / "Conveyor"


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_twincat_project_imports_into_the_canonical_tree(tmp_path: Path) -> None:
    report = import_project(PROJECT, tmp_path / "tree")
    tree = files_of(tmp_path / "tree")
    assert sorted(name for name in tree if name.endswith(".st")) == [
        "src/DUTs/E_ConveyorState.st",
        "src/GVLs/GVL_Line.st",
        "src/ITFs/I_Conveyor.st",
        "src/POUs/FB_Conveyor.st",
        "src/POUs/MAIN.st",
    ]
    assert "vendor/Conveyor.plcproj" in tree and "vendor/PlcTask.TcTTO" in tree
    assert all(f"{name}.vendor" in tree for name in tree if name.endswith(".st"))
    assert "PlcTask.TcTTO: not ST, kept as vendor data" in report.notes
    config = (tmp_path / "tree" / "plcops.toml").read_text(encoding="utf-8")
    assert 'format = "twincat"' in config and 'sources = ["src"]' in config
    # The ST file is the TwinCAT object as IEC text, with LF line endings and no BOM.
    st = tree["src/POUs/FB_Conveyor.st"].decode()
    assert "\r" not in st and st.startswith("// Belt conveyor")
    assert "END_FUNCTION_BLOCK\nMETHOD PUBLIC Reset : BOOL\n" in st


def test_twincat_project_exports_byte_for_byte(tmp_path: Path) -> None:
    import_project(PROJECT, tmp_path / "tree")
    export_project(tmp_path / "tree", "twincat", tmp_path / "out")
    assert files_of(tmp_path / "out") == files_of(PROJECT)
    import_project(tmp_path / "out", tmp_path / "again")
    assert tree_digest(tmp_path / "again" / "src") == tree_digest(tmp_path / "tree" / "src")


@pytest.mark.parametrize("unchanged_shortcut", [True, False], ids=["digest", "parsed"])
@pytest.mark.parametrize("fixture", [f for f in TWINCAT_FILES if "Broken" not in f.name], ids=lambda p: p.name)
def test_each_twincat_object_round_trips(fixture: Path, unchanged_shortcut: bool) -> None:
    # Export recognises ST that import wrote unchanged by its digest; without it (a sidecar written before
    # the digest existed) the ST is parsed and cut into pieces: both must give back the same bytes.
    data = fixture.read_bytes()
    st_text, sidecar, name = import_file(str(fixture), data)
    if not unchanged_shortcut:
        del sidecar.meta["imported_st"]
    assert export_object(st_text, f"{name}.st", sidecar, name) == (fixture.suffix, data)


def test_a_twincat_object_whose_st_does_not_parse_round_trips_unchanged(tmp_path: Path) -> None:
    # TwinCAT saves work in progress: FB_Broken's ST has a syntax error (IF ... THEN THEN). Import
    # keeps it, says so, and export gives the file back byte for byte (CRLF checkout included); once
    # edited, it must parse before it exports, and the error names the .st file's line.
    fixture = FIXTURES / "twincat" / "FB_Broken.TcPOU"
    (tmp_path / "in").mkdir()
    shutil.copy(fixture, tmp_path / "in" / fixture.name)
    report = import_project(tmp_path / "in", tmp_path / "tree")
    unit = tmp_path / "tree" / "src" / "FB_Broken.st"
    broken_line = next(n for n, line in enumerate(unit.read_text().splitlines(), 1) if "THEN THEN" in line)
    assert [note for note in report.notes if "imported as it is" in note] == [
        next(note for note in report.notes if note.startswith(f"{unit}:{broken_line}:"))
    ]
    export_project(tmp_path / "tree", "twincat", tmp_path / "out")
    assert (tmp_path / "out" / fixture.name).read_bytes() == fixture.read_bytes()
    unit.write_bytes(unit.read_bytes().replace(b"\n", b"\r\n"))  # git's autocrlf on Windows
    export_project(tmp_path / "tree", "twincat", tmp_path / "out", force=True)
    assert (tmp_path / "out" / fixture.name).read_bytes() == fixture.read_bytes()
    edit(unit, "bJammed := TRUE;", "bJammed := TRUE; // still broken above")
    with pytest.raises(DiagnosticError) as caught:
        export_project(tmp_path / "tree", "twincat", tmp_path / "out", force=True)
    assert (caught.value.diagnostic.path, caught.value.diagnostic.line) == (str(unit), broken_line)


@pytest.mark.parametrize("checkout", ["as-imported", "autocrlf"])
def test_a_stray_carriage_return_does_not_shift_the_pieces_of_an_unchanged_export(
    tmp_path: Path, checkout: str
) -> None:
    # A body line ending CR CR LF: import keeps one CR in the ST (only CRLF becomes LF). The unchanged export
    # once sliced the ST after a second CRLF -> LF pass, so every piece after that line moved by one
    # character ("ETHOD PUBLIC Reset") in a file that still parsed.
    fixture = FIXTURES / "twincat" / "FB_Conveyor.TcPOU"
    data = fixture.read_bytes()
    first_body_line = data.index(b"\r\n", data.index(b"<ST><![CDATA["))
    data = data[:first_body_line] + b"\r" + data[first_body_line:]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / fixture.name).write_bytes(data)
    import_project(tmp_path / "in", tmp_path / "tree")
    unit = tmp_path / "tree" / "src" / "FB_Conveyor.st"
    if checkout == "autocrlf":
        unit.write_bytes(unit.read_bytes().replace(b"\n", b"\r\n"))
    export_project(tmp_path / "tree", "twincat", tmp_path / "out")
    assert (tmp_path / "out" / fixture.name).read_bytes() == data


def test_an_edited_crlf_checkout_changes_only_the_edit(tmp_path: Path) -> None:
    # git's autocrlf gives the .st CRLF line ends; an edit then wrote CR CR LF into every line of every
    # piece. Now the export differs from the original by the edit's bytes only.
    import_project(PROJECT, tmp_path / "tree")
    unit = tmp_path / "tree" / "src" / "POUs" / "FB_Conveyor.st"
    edit(unit, "    bJammed := FALSE;", "    bJammed := FALSE; // edited")
    unit.write_bytes(unit.read_bytes().replace(b"\n", b"\r\n"))  # after edit(): read_text() reads CRLF as LF
    export_project(tmp_path / "tree", "twincat", tmp_path / "out")
    original = (PROJECT / "POUs" / "FB_Conveyor.TcPOU").read_bytes()
    exported = (tmp_path / "out" / "POUs" / "FB_Conveyor.TcPOU").read_bytes()
    assert exported == original.replace(b"    bJammed := FALSE;", b"    bJammed := FALSE; // edited", 1)


def test_a_crlf_checkout_of_an_unchanged_plcopen_import_exports_byte_for_byte(tmp_path: Path) -> None:
    source = FIXTURES / "plcopen" / "codesys_export.xml"
    import_project(source, tmp_path / "tree")
    for unit in (tmp_path / "tree" / "src").rglob("*.st"):
        unit.write_bytes(unit.read_bytes().replace(b"\n", b"\r\n"))
    export_project(tmp_path / "tree", "plcopen", tmp_path / "out.xml")
    assert (tmp_path / "out.xml").read_bytes() == source.read_bytes()


@pytest.mark.parametrize("autocrlf", ["true", "false", "input"])
def test_an_imported_project_survives_git_with_autocrlf(tmp_path: Path, autocrlf: str) -> None:
    # The sidecars and vendor files hold the vendor tool's line ends (TwinCAT CRLF, a GVL with LF): a
    # commit with autocrlf=true and a clone with any setting must still export the original files. Import
    # writes .gitattributes marking them -text; the .st files stay text (export reads either line end).
    import_project(PROJECT, tmp_path / "tree")
    assert "*.vendor -text" in (tmp_path / "tree" / ".gitattributes").read_text(encoding="utf-8")

    def git(*args: str, cwd: Path) -> None:
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)

    git("init", "-q", cwd=tmp_path / "tree")
    git("-c", "core.autocrlf=true", "add", ".", cwd=tmp_path / "tree")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "import", cwd=tmp_path / "tree")
    git("-c", f"core.autocrlf={autocrlf}", "clone", "-q", str(tmp_path / "tree"), str(tmp_path / "clone"), cwd=tmp_path)
    export_project(tmp_path / "clone", "twincat", tmp_path / "out")
    assert files_of(tmp_path / "out") == files_of(PROJECT)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""), ("cp1252", b"")],
    ids=["utf16le-bom", "utf16be-bom", "utf16le-no-bom", "cp1252-with-0x81"],
)
def test_a_twincat_object_in_another_encoding_round_trips(encoding: str, bom: bytes) -> None:
    # Saved by another Windows tool: the export must be these bytes again (it once put a UTF-8 BOM in
    # front of UTF-16 text, and could not write 0x81, which Windows-1252 leaves undefined, back at all).
    fixture = next(f for f in TWINCAT_FILES if f.suffix == ".TcPOU" and "Broken" not in f.name)
    text = fixture.read_bytes().decode("utf-8-sig").replace('encoding="utf-8"', f'encoding="{encoding}"')
    if encoding == "cp1252":
        text = text.replace("<ST><![CDATA[", "<ST><![CDATA[// \x81 Größe\n", 1)
        data = text.encode("cp1252", errors="plcops-cp1252-holes")
    else:
        data = bom + text.encode(encoding)
    st_text, sidecar, name = import_file(fixture.name, data)
    assert export_object(st_text, f"{name}.st", sidecar, name) == (fixture.suffix, data)
    del sidecar.meta["imported_st"]  # and through the parser
    assert export_object(st_text, f"{name}.st", sidecar, name) == (fixture.suffix, data)


@pytest.mark.parametrize("name", ["codesys_export.xml", "beremiz_project.xml"])
def test_plcopen_round_trips(tmp_path: Path, name: str) -> None:
    source = FIXTURES / "plcopen" / name
    import_project(source, tmp_path / "tree")
    export_project(tmp_path / "tree", "plcopen", tmp_path / "out.xml")
    assert (tmp_path / "out.xml").read_bytes() == source.read_bytes()
    import_project(tmp_path / "out.xml", tmp_path / "again")
    assert tree_digest(tmp_path / "again" / "src") == tree_digest(tmp_path / "tree" / "src")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edited_method_changes_only_its_cdata(tmp_path: Path) -> None:
    import_project(PROJECT, tmp_path / "tree")
    unit = tmp_path / "tree" / "src" / "POUs" / "FB_Conveyor.st"
    edit(
        unit,
        "    bJammed := FALSE;\n    Reset := TRUE;",
        "    bJammed := FALSE;\n    tonJam(IN := FALSE);\n    Reset := TRUE;",
    )
    edit(unit, "    _fSpeed : LREAL := 0.5;\n", "    _fSpeed : LREAL := 0.5;\n    nResets : UDINT;\n")
    export_project(tmp_path / "tree", "twincat", tmp_path / "out")
    before = (PROJECT / "POUs" / "FB_Conveyor.TcPOU").read_bytes().decode("utf-8-sig")
    after = (tmp_path / "out" / "POUs" / "FB_Conveyor.TcPOU").read_bytes().decode("utf-8-sig")
    expected = before.replace(
        "    bJammed := FALSE;\r\n    Reset := TRUE;",
        "    bJammed := FALSE;\r\n    tonJam(IN := FALSE);\r\n    Reset := TRUE;",
    ).replace("    _fSpeed : LREAL := 0.5;\r\n", "    _fSpeed : LREAL := 0.5;\r\n    nResets : UDINT;\r\n")
    assert after == expected  # CRLF kept, GUIDs and LineIds untouched, nothing else moved


def test_added_and_removed_members(tmp_path: Path) -> None:
    import_project(PROJECT, tmp_path / "tree")
    unit = tmp_path / "tree" / "src" / "POUs" / "FB_Conveyor.st"
    edit(
        unit,
        "ACTION A_Stop:\nbMotor := FALSE;\ntonJam(IN := FALSE);\nEND_ACTION\n",
        "METHOD PRIVATE Stop\nbMotor := FALSE;\nEND_METHOD\n",
    )
    export_project(tmp_path / "tree", "twincat", tmp_path / "out")
    first = (tmp_path / "out" / "POUs" / "FB_Conveyor.TcPOU").read_bytes()
    text = first.decode("utf-8-sig")
    xml.dom.minidom.parseString(first)
    assert 'Name="A_Stop"' not in text
    assert f'<Method Name="Stop" Id="{stable_guid("FB_Conveyor", "Method:Stop")}">' in text
    assert "<![CDATA[METHOD PRIVATE Stop\r\n]]>" in text and "<ST><![CDATA[bMotor := FALSE;]]></ST>" in text
    # Exporting again gives the same file: new ids are derived from names, not random.
    export_project(tmp_path / "tree", "twincat", tmp_path / "out", force=True)
    assert (tmp_path / "out" / "POUs" / "FB_Conveyor.TcPOU").read_bytes() == first
    # And plcops reads back what it wrote.
    (fb,) = parse_source(read_source(tmp_path / "out" / "POUs" / "FB_Conveyor.TcPOU")).unit.items  # type: ignore[union-attr]
    assert [m.name.text for m in fb.members] == ["Reset", "Speed", "Stop"]  # type: ignore[union-attr]


def test_new_objects_are_added_to_the_plc_project(tmp_path: Path) -> None:
    import_project(PROJECT, tmp_path / "tree")
    (tmp_path / "tree" / "src" / "POUs" / "F_Clamp.st").write_text(
        "FUNCTION F_Clamp : INT\nVAR_INPUT\n    n : INT;\nEND_VAR\nF_Clamp := LIMIT(0, n, 100);\nEND_FUNCTION\n",
        encoding="utf-8",
    )
    (tmp_path / "tree" / "src" / "POUs" / "MAIN.st").unlink()
    (tmp_path / "tree" / "src" / "POUs" / "MAIN.st.vendor").unlink()
    export_project(tmp_path / "tree", "twincat", tmp_path / "out")
    project = (tmp_path / "out" / "Conveyor.plcproj").read_text(encoding="utf-8-sig")
    assert 'Include="POUs\\F_Clamp.TcPOU"' in project and "MAIN.TcPOU" not in project
    new = tmp_path / "out" / "POUs" / "F_Clamp.TcPOU"
    assert parse_source(read_source(new)).diagnostics == []
    assert new.read_bytes().startswith(b"\xef\xbb\xbf<?xml")


def test_st_files_are_split_one_object_per_file(tmp_path: Path) -> None:
    source = tmp_path / "lib.st"
    text = (
        "(* header *)\nTYPE E_A : (X, Y); END_TYPE\n\nFUNCTION_BLOCK FB_A\nEND_FUNCTION_BLOCK\nMETHOD M\nEND_METHOD\n\n"
        "PROGRAM P\nEND_PROGRAM\n"
    )
    source.write_text(text, encoding="utf-8")
    import_project(source, tmp_path / "tree")
    src = tmp_path / "tree" / "src"
    parts = {p.name: p.read_text(encoding="utf-8") for p in src.glob("*.st")}
    assert sorted(parts) == ["E_A.st", "FB_A.st", "P.st"]
    assert parts["E_A.st"] + parts["FB_A.st"] + parts["P.st"] == text  # nothing lost, nothing added
    assert "METHOD M" in parts["FB_A.st"]


def test_fresh_exports_of_the_example_project_parse(tmp_path: Path) -> None:
    export_project(EXAMPLE, "twincat", tmp_path / "tc")
    export_project(EXAMPLE, "plcopen", tmp_path / "plcopen.xml")
    for path in [*sorted((tmp_path / "tc").glob("*.Tc*")), tmp_path / "plcopen.xml"]:
        result = parse_source(read_source(path))
        assert result.diagnostics == [], path
    (valve,) = parse_source(read_source(tmp_path / "tc" / "FB_Valve.TcPOU")).unit.items  # type: ignore[union-attr]
    assert isinstance(valve, ast.FunctionBlock) and [m.name.text for m in valve.members] == ["Open", "Close", "IsOpen"]


def test_refuses_to_overwrite_uncommitted_work(tmp_path: Path) -> None:
    out = tmp_path / "tree"
    out.mkdir()
    (out / "notes.txt").write_text("my work", encoding="utf-8")
    with pytest.raises(DiagnosticError, match="uncommitted work"):
        import_project(PROJECT, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my work"
    import_project(PROJECT, out, force=True)


def test_committed_work_may_be_replaced_and_dirty_work_may_not(tmp_path: Path) -> None:
    out = tmp_path / "tree"
    import_project(PROJECT, out)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=out, check=True, capture_output=True, timeout=60)

    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", "-A")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "import")
    import_project(PROJECT, out)  # clean: allowed
    edit(out / "src" / "POUs" / "MAIN.st", "PROGRAM MAIN", "PROGRAM MAIN // edited")
    with pytest.raises(DiagnosticError, match=r"uncommitted work \(src/POUs/MAIN.st\)"):
        import_project(PROJECT, out)


def test_names_cannot_steer_writes_outside_the_folder(tmp_path: Path) -> None:
    assert safe_name("../../etc/passwd") == "_.._etc_passwd"
    with pytest.raises(DiagnosticError, match="refusing to write outside"):
        inside(tmp_path, "../escape.st")
    with pytest.raises(DiagnosticError):
        inside(tmp_path, "/etc/passwd")


def test_hostile_plcproj_entry_cannot_read_outside(tmp_path: Path) -> None:
    project = tmp_path / "P"
    shutil.copytree(PROJECT, project)
    plcproj = project / "Conveyor.plcproj"
    plcproj.write_bytes(plcproj.read_bytes().replace(b"POUs\\MAIN.TcPOU", b"..\\..\\secret.TcPOU"))
    with pytest.raises(DiagnosticError, match="refusing to write outside"):
        import_project(project, tmp_path / "tree")


def test_sidecar_records_where_the_object_came_from(tmp_path: Path) -> None:
    import_project(PROJECT, tmp_path / "tree")
    sidecar = read_sidecar(tmp_path / "tree" / "src" / "POUs" / "FB_Conveyor.st")
    assert sidecar is not None
    assert (sidecar.format, sidecar.meta["file"], sidecar.meta["bom"]) == ("twincat", "POUs/FB_Conveyor.TcPOU", True)
    assert "{4c3bf5a2-1e0f-4d5c-9a4e-6b7a8c9d0e1f}" in sidecar.skeleton


TON_MIX = """            <variable name="tonMix">
              <type>
                <derived name="TON" />
              </type>
            </variable>"""
DOCUMENTED_TON_MIX = TON_MIX.replace(
    "              </type>\n",
    "              </type>\n"
    "              <addData>\n"
    '                <data name="http://www.3s-software.com/plcopenxml/attributes" handleUnknown="implementation">\n'
    '                  <Attributes><Attribute Name="hide" Value="" /></Attributes>\n'
    "                </data>\n"
    "              </addData>\n"
    "              <documentation>\n"
    '                <xhtml xmlns="http://www.w3.org/1999/xhtml">mixing timer</xhtml>\n'
    "              </documentation>\n",
)


def test_a_declaration_edit_in_plcopen_keeps_vendor_data_and_changes_only_its_lines(tmp_path: Path) -> None:
    # A variable carries a CODESYS attribute and documentation, which plcops does not write itself; adding
    # another variable must keep them and change nothing but the new variable's lines.
    original = (FIXTURES / "plcopen" / "codesys_export.xml").read_text(encoding="utf-8")
    assert TON_MIX in original
    source = tmp_path / "doc.xml"
    source.write_text(original.replace(TON_MIX, DOCUMENTED_TON_MIX), encoding="utf-8")
    import_project(source, tmp_path / "tree")
    edit(
        tmp_path / "tree" / "src" / "POUs" / "FB_Mixer.st",
        "    tonMix : TON;\n",
        "    tonMix : TON;\n    nExtra : INT;\n",
    )
    export_project(tmp_path / "tree", "plcopen", tmp_path / "out.xml")
    expected = source.read_text(encoding="utf-8").replace(
        DOCUMENTED_TON_MIX,
        DOCUMENTED_TON_MIX + '\n            <variable name="nExtra">\n              <type>\n                <INT />\n'
        "              </type>\n            </variable>",
    )
    assert (tmp_path / "out.xml").read_text(encoding="utf-8") == expected
    xml.dom.minidom.parse(str(tmp_path / "out.xml"))
