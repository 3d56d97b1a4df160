"""The ST inside TwinCAT 3 object files and PLCopen XML: what is read, and where errors point.

The fixtures are written in the vendors' file formats: TwinCAT's BOM and CRLF, CDATA sections, GUIDs and
LineIds; CODESYS's escaped XHTML bodies and addData methods; Beremiz's CDATA bodies, FBD and configuration.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plcops.project.sources import discover_sources, read_source
from plcops.st import ast, parse_source
from plcops.st.diagnostics import DiagnosticError

FIXTURES = Path(__file__).parent / "fixtures"
TWINCAT = FIXTURES / "twincat"
PLCOPEN = FIXTURES / "plcopen"


def unit_of(path: Path) -> ast.CompilationUnit:
    result = parse_source(read_source(path))
    assert [d.format() for d in result.diagnostics] == []
    assert result.unit is not None
    return result.unit


def test_twincat_pou_with_members() -> None:
    (fb,) = unit_of(TWINCAT / "FB_Conveyor.TcPOU").items
    assert isinstance(fb, ast.FunctionBlock)
    assert (fb.name.text, fb.extends, fb.implements) == ("FB_Conveyor", "FB_Component", ["I_Conveyor"])
    assert [block.kind for block in fb.var_blocks] == ["VAR_INPUT", "VAR_OUTPUT", "VAR"]
    assert len(fb.body) == 3
    reset, speed, stop = fb.members
    assert isinstance(reset, ast.Method) and reset.modifiers == ["PUBLIC"] and len(reset.body) == 1
    assert isinstance(speed, ast.Property) and speed.getter is not None and speed.setter is not None
    assert isinstance(stop, ast.Action) and stop.name.text == "A_Stop" and len(stop.body) == 2
    assert [p.attribute for p in fb.pragmas] == [("reflection", None)]


def test_twincat_dut_gvl_and_interface() -> None:
    (dut,) = unit_of(TWINCAT / "E_ConveyorState.TcDUT").items
    assert isinstance(dut, ast.TypeBlock) and isinstance(dut.decls[0].type, ast.EnumType)
    (gvl,) = unit_of(TWINCAT / "GVL_Line.TcGVL").items
    assert isinstance(gvl, ast.VarBlock) and gvl.kind == "VAR_GLOBAL" and len(gvl.decls) == 3
    (itf,) = unit_of(TWINCAT / "I_Conveyor.TcIO").items
    assert isinstance(itf, ast.Interface) and itf.extends == ["__SYSTEM.IQueryInterface"]
    assert [type(member).__name__ for member in itf.members] == ["Method", "Property"]


def test_twincat_st_is_taken_character_for_character() -> None:
    source = read_source(TWINCAT / "FB_Conveyor.TcPOU")
    # CRLF line ends inside CDATA are kept; the BOM is not part of the text.
    assert "bMotor := bEnable AND NOT bJammed;" in source.text
    assert "\r\n" in source.text
    assert not source.text.startswith("\ufeff")


def test_twincat_errors_point_into_the_xml_file() -> None:
    result = parse_source(read_source(TWINCAT / "FB_Broken.TcPOU"))
    (diagnostic,) = result.diagnostics
    # Line 22 of the file is the implementation line "IF tonJam.Q THEN THEN"; column 18 is the second THEN.
    assert (diagnostic.path, diagnostic.line, diagnostic.column) == (str(TWINCAT / "FB_Broken.TcPOU"), 22, 18)
    assert diagnostic.source_line == "IF tonJam.Q THEN THEN"


def test_codesys_plcopen_export() -> None:
    unit = unit_of(PLCOPEN / "codesys_export.xml")
    kinds = [type(item).__name__ for item in unit.items]
    assert kinds == ["TypeBlock", "TypeBlock", "TypeBlock", "FunctionBlock", "Program", "VarBlock"]
    enum_block, _struct_block, subrange_block, mixer, program, gvl = unit.items
    assert isinstance(enum_block, ast.TypeBlock) and isinstance(enum_block.decls[0].type, ast.EnumType)
    assert isinstance(subrange_block, ast.TypeBlock) and isinstance(subrange_block.decls[0].type, ast.SubrangeType)
    assert isinstance(mixer, ast.FunctionBlock) and mixer.extends == "FB_Machine"
    assert [b.qualifiers for b in mixer.var_blocks] == [[], [], [], ["RETAIN"]]
    (abort,) = mixer.members
    assert isinstance(abort, ast.Method) and isinstance(abort.return_type, ast.NamedType)
    # "&gt;" in the XHTML body is the ST operator ">".
    case = mixer.body[1]
    assert isinstance(case, ast.CaseStatement)
    assert isinstance(program, ast.Program) and program.var_blocks[0].decls[1].address == "%IX0.0"
    assert isinstance(gvl, ast.VarBlock) and gvl.kind == "VAR_GLOBAL"


def test_codesys_body_error_points_at_the_xml_line(tmp_path: Path) -> None:
    text = (PLCOPEN / "codesys_export.xml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text(text.replace("nBatches := nBatches + 1;", "nBatches := nBatches + ;"), encoding="utf-8")
    (diagnostic,) = parse_source(read_source(broken)).diagnostics
    line_number = text.splitlines().index("        nBatches := nBatches + 1;") + 1
    # 8 spaces of indentation + "nBatches := nBatches + " (23 characters): the ";" is in column 32.
    assert (diagnostic.line, diagnostic.column) == (line_number, 32)


def test_beremiz_project_with_fbd_and_configuration() -> None:
    unit = unit_of(PLCOPEN / "beremiz_project.xml")
    blink, main, config = unit.items
    assert isinstance(blink, ast.FunctionBlock) and len(blink.body) == 2
    # The FBD body is not ST: the program's declarations are read, its body is empty.
    assert isinstance(main, ast.Program) and main.body == [] and main.var_blocks[0].decls[0].address == "%QX0.0"
    assert isinstance(config, ast.Configuration)
    (resource,) = config.resources
    (task,) = resource.tasks
    assert task.name.text == "task0"
    (instance,) = resource.programs
    assert (instance.name.text, instance.task, instance.type_name) == ("instance0", "task0", "main")


def test_discovery_picks_known_formats_only(tmp_path: Path) -> None:
    (tmp_path / "a.st").write_text("PROGRAM A END_PROGRAM", encoding="utf-8")
    (tmp_path / "notes.xml").write_text("<notes/>", encoding="utf-8")
    (tmp_path / "plc.xml").write_text((PLCOPEN / "beremiz_project.xml").read_text(), encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "b.st").write_text("PROGRAM B END_PROGRAM", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "FB.TcPOU").write_bytes((TWINCAT / "FB_Conveyor.TcPOU").read_bytes())
    found = [path.relative_to(tmp_path).as_posix() for path in discover_sources([tmp_path])]
    assert found == ["a.st", "plc.xml", "sub/FB.TcPOU"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "doctype.xml",
            '<?xml version="1.0"?><!DOCTYPE project [<!ENTITY x "boom">]><project xmlns="http://www.plcopen.org/xml/tc6_0201">&x;</project>',
            "document type declarations are not allowed",
        ),
        (
            "xxe.TcPOU",
            '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><TcPlcObject>&x;</TcPlcObject>',
            "document type declarations are not allowed",
        ),
        ("broken.TcPOU", "<TcPlcObject><POU Name='x'>", "not well-formed XML"),
        ("other.TcPOU", "<TcPlcObject><Task/></TcPlcObject>", "not a TwinCAT PLC object"),
        ("other.xml", '<project xmlns="urn:something-else"/>', "not a PLCopen XML project"),
    ],
)
def test_unsafe_or_malformed_xml_is_refused_with_a_diagnostic(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        read_source(path)
    assert message in caught.value.diagnostic.message
    assert caught.value.diagnostic.path == str(path)


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};">' for i in range(1, 30))
    bomb = f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY l0 "ha">{entities}]><TcPlcObject>&l29;</TcPlcObject>'
    path = tmp_path / "bomb.TcPOU"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(DiagnosticError):
        read_source(path)


def test_windows_1252_st_file(tmp_path: Path) -> None:
    path = tmp_path / "old.st"
    path.write_bytes("PROGRAM P (* Größe *) END_PROGRAM".encode("cp1252"))
    assert "Größe" in read_source(path).text


TASK = """\ufeff<?xml version="1.0" encoding="utf-8"?>
<TcPlcObject Version="1.1.0.1" ProductVersion="3.1.4024.35">
  <Task Name="{name}" Id="{{d2e3f4a5-b6c7-48d9-0e1f-2a3b4c5d6e7{digit}}}">
    <CycleTime>{micros}</CycleTime>
    <Priority>{priority}</Priority>
    <PouCall>
      <Name>{program}</Name>
    </PouCall>
  </Task>
</TcPlcObject>
"""


def test_a_twincat_task_file_reads_as_an_iec_configuration(tmp_path: Path) -> None:
    # TwinCAT stores the cycle time in microseconds: 2500 us = 2.5 ms, which IEC writes T#2500us.
    path = tmp_path / "FastTask.TcTTO"
    path.write_text(TASK.format(name="FastTask", digit=1, micros=2500, priority=5, program="P_Fast"), encoding="utf-8")
    result = parse_source(read_source(path))
    assert result.diagnostics == []
    (configuration,) = result.unit.items  # type: ignore[union-attr]
    assert isinstance(configuration, ast.Configuration)
    assert "TASK FastTask(INTERVAL := T#2500us, PRIORITY := 5);" in read_source(path).text
    assert "PROGRAM P_Fast WITH FastTask : P_Fast;" in read_source(path).text
    assert path in discover_sources([tmp_path])


def test_twincat_tasks_drive_the_simulator_and_the_linters_task_analysis(tmp_path: Path) -> None:
    from plcops.lint.config import LintConfig
    from plcops.lint.engine import lint_paths
    from plcops.sim.simulator import Simulator

    (tmp_path / "Fast.TcTTO").write_text(
        TASK.format(name="Fast", digit=1, micros=1000, priority=1, program="P_Fast"), encoding="utf-8"
    )
    (tmp_path / "Slow.TcTTO").write_text(
        TASK.format(name="Slow", digit=2, micros=10000, priority=2, program="P_Slow"), encoding="utf-8"
    )
    (tmp_path / "GVL.st").write_text("VAR_GLOBAL\n    nShared : INT;\nEND_VAR\n", encoding="utf-8")
    (tmp_path / "P_Fast.st").write_text("PROGRAM P_Fast\nnShared := nShared + 1;\nEND_PROGRAM\n", encoding="utf-8")
    (tmp_path / "P_Slow.st").write_text("PROGRAM P_Slow\nnShared := 0;\nEND_PROGRAM\n", encoding="utf-8")
    # 1 ms and 10 ms tasks: in 10 ms, P_Fast runs 10 times (t = 0..9 ms) and P_Slow once (t = 0, after P_Fast
    # by priority), so nShared counts 9 after 10 ms.
    sim = Simulator.load([tmp_path])
    assert sim.base_ns == 1_000_000
    sim.advance("10ms")
    assert sim["nShared"] == 9
    report = lint_paths([tmp_path], LintConfig(select=["global-written-from-several-tasks"]), jobs=1)
    assert [f.code for f in report.findings] and all(f.code == "PLC008" for f in report.findings)


def _gvl_user(folder: Path, gvl_name: str) -> None:
    (folder / "FB_User.st").write_text(
        f"FUNCTION_BLOCK FB_User\nVAR\n    b : BOOL;\nEND_VAR\nb := {gvl_name}.gbEmergencyStop;\nEND_FUNCTION_BLOCK\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("vendor", ["twincat", "plcopen"])
def test_a_gvl_is_named_as_the_vendor_file_names_it(tmp_path: Path, vendor: str) -> None:
    # TwinCAT: <GVL Name="GVL_Safety"> in a file called Globals.TcGVL; CODESYS PLCopen: <globalVars
    # name="GVL"> inside the project file. Code names them GVL_Safety.x and GVL.x: check found neither
    # ("'GVL' is not declared") and PLC040 missed the uses, as both took the GVL's name from the file's.
    from plcops.lint.config import LintConfig
    from plcops.lint.engine import lint_paths
    from plcops.project.checking import check_project

    if vendor == "twincat":
        (tmp_path / "Globals.TcGVL").write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n<TcPlcObject Version="1.1.0.1">\n'
            '  <GVL Name="GVL_Safety" Id="{11111111-2222-3333-4444-555555555555}">\n'
            "    <Declaration><![CDATA[{attribute 'qualified_only'}\nVAR_GLOBAL\n    gbEmergencyStop : BOOL;\n"
            "END_VAR\n]]></Declaration>\n  </GVL>\n</TcPlcObject>\n",
            encoding="utf-8",
        )
        name = "GVL_Safety"
    else:
        shutil.copy(FIXTURES / "plcopen" / "codesys_export.xml", tmp_path / "project.xml")
        name = "GVL"
    _gvl_user(tmp_path, name)
    checked = check_project([tmp_path]).checked
    assert checked is not None
    assert [d.message for d in checked.diagnostics if "FB_User" in d.path] == []
    report = lint_paths([tmp_path], LintConfig(select=["PLC040"]), cache=None)
    assert [f.message for f in report.findings if f.path.endswith("FB_User.st")] == [
        f"function block uses the global '{name}.gbEmergencyStop'"
    ]


def test_a_twincat_gvl_keeps_its_name_through_import(tmp_path: Path) -> None:
    # Third review: Globals.TcGVL holding <GVL Name="GVL_Safety"> was imported as src/Globals.st, and the
    # imported project said "'GVL_Safety' is not declared". The ST file is named after the GVL now, and
    # export still writes Globals.TcGVL byte for byte.
    from plcops.project.checking import check_project
    from plcops.project.transfer import export_project, import_project

    (tmp_path / "in").mkdir()
    gvl = tmp_path / "in" / "Globals.TcGVL"
    gvl.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<TcPlcObject Version="1.1.0.1">\n'
        '  <GVL Name="GVL_Safety" Id="{11111111-2222-3333-4444-555555555555}">\n'
        "    <Declaration><![CDATA[VAR_GLOBAL\n    gbEmergencyStop : BOOL;\nEND_VAR\n]]></Declaration>\n"
        "  </GVL>\n</TcPlcObject>\n",
        encoding="utf-8",
    )
    import_project(tmp_path / "in", tmp_path / "tree")
    assert (tmp_path / "tree" / "src" / "GVL_Safety.st").is_file()
    _gvl_user(tmp_path / "tree" / "src", "GVL_Safety")
    checked = check_project([tmp_path / "tree"]).checked
    assert checked is not None and [d.message for d in checked.diagnostics if "FB_User" in d.path] == []
    (tmp_path / "tree" / "src" / "FB_User.st").unlink()
    export_project(tmp_path / "tree", "twincat", tmp_path / "out")
    assert (tmp_path / "out" / "Globals.TcGVL").read_bytes() == gvl.read_bytes()


def test_an_unnamed_plcopen_gvl_is_named_after_the_file(tmp_path: Path) -> None:
    # Third review: an unnamed <globalVars> after a named one joined the named GVL.
    from plcops.project.checking import check_project

    text = (FIXTURES / "plcopen" / "codesys_export.xml").read_text(encoding="utf-8")
    text = text.replace(
        "      </globalVars>\n",
        '      </globalVars>\n      <globalVars>\n        <variable name="nC">\n          <type>\n'
        "            <INT />\n          </type>\n        </variable>\n      </globalVars>\n",
        1,
    )
    (tmp_path / "proj.xml").write_text(text, encoding="utf-8")
    (tmp_path / "FB_User.st").write_text(
        "FUNCTION_BLOCK FB_User\nVAR\n    n : INT;\nEND_VAR\nn := proj.nC;\nEND_FUNCTION_BLOCK\n", encoding="utf-8"
    )
    checked = check_project([tmp_path]).checked
    assert checked is not None and [d.message for d in checked.diagnostics if "FB_User" in d.path] == []
