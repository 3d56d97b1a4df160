"""plcops.toml: discovery and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from plcops.project.config import find_config, load_config
from plcops.st.diagnostics import DiagnosticError
from tests.conftest import EXAMPLE


def test_example_project_config() -> None:
    config = load_config(find_config(EXAMPLE / "src" / "MAIN.st"))
    assert config.name == "filling_station"
    assert config.sources == ["src", "tests"]
    assert config.fmt.indent_pou_contents is False


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_config(None).fmt.indent == 4
    assert load_config(None).path is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fmt]\nidnent = 2\n", "[fmt] unknown setting 'idnent'"),
        ("[fmt]\nindent = 'two'\n", "[fmt] indent must be int"),
        ("[fmt]\nkeyword_case = 'title'\n", "keyword_case must be upper, lower or preserve"),
        ("[project\nname = 'x'\n", "invalid TOML"),
        # A misspelt section or setting would silently mean the defaults: a project that tests nothing.
        ("[project]\nname = 'x'\n\n[tset]\ncycle = '1ms'\n", "unknown section [tset]"),
        ("[project]\nsource = ['src']\n", "[project] unknown setting 'source'"),
        ("project = 3\n", "project must be a table"),
    ],
)
def test_invalid_settings_are_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plcops.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_config(path)
    assert message in caught.value.diagnostic.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[project]\nname = 'x'\n\n[tset]\ncycle = '1ms'\n", 4, "unknown section [tset]"),
        ("[fmt]\nindent = 4\nidnent = 2\n", 3, "[fmt] unknown setting 'idnent'"),
        ('[project]\nname = "x"\n\n[target]\ncycle = "0ms"\n', 5, "[target] cycle must be a positive time"),
    ],
)
def test_settings_errors_point_at_their_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "plcops.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_config(path)
    assert (caught.value.diagnostic.line, message in caught.value.diagnostic.message) == (line, True)


def test_toml_errors_carry_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plcops.toml"
    path.write_text("[project]\nname = 'x'\nsources = ['src' 'tests']\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_config(path)
    assert caught.value.diagnostic.line == 3


def test_target_section(tmp_path: Path) -> None:
    path = tmp_path / "plcops.toml"
    path.write_text('[target]\nruntime = "twincat"\ncycle = "T#2ms"\nprogram = "MAIN"\n', encoding="utf-8")
    target = load_config(path).target
    assert (target.runtime, target.cycle, target.program) == ("twincat", "T#2ms", "MAIN")
    assert load_config(None).target.cycle == "10ms"  # outside a project


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[target]\nruntime = "s7"\n', "runtime must be one of twincat, codesys, beremiz, openplc, generic"),
        ('[target]\ncycle = "fast"\n', "cycle must be a positive time"),
        ('[target]\ncylce = "10ms"\n', "unknown setting 'cylce'"),
    ],
)
def test_target_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plcops.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError, match=message):
        load_config(path)


def test_import_records_the_runtime_and_sim_run_uses_the_target(tmp_path: Path) -> None:
    from plcops.project.transfer import import_project
    from plcops.sim.run import run

    fixtures = Path(__file__).parent / "fixtures"
    for source, runtime in (
        (fixtures / "twincat_project" / "Conveyor", "twincat"),
        (fixtures / "plcopen" / "codesys_export.xml", "codesys"),
        (fixtures / "plcopen" / "beremiz_project.xml", "beremiz"),
    ):
        out = tmp_path / runtime
        import_project(source, out)
        assert load_config(out / "plcops.toml").target.runtime == runtime
    project = tmp_path / "sim"
    project.mkdir()
    (project / "plcops.toml").write_text('[target]\ncycle = "5ms"\nprogram = "P"\n', encoding="utf-8")
    (project / "p.st").write_text(
        "PROGRAM P\nVAR n : INT; END_VAR\nn := n + 1;\nEND_PROGRAM\nPROGRAM Q\nEND_PROGRAM\n", encoding="utf-8"
    )
    result = run([project], duration="50ms")  # two programs: [target] program chooses; 5 ms scans: 10 of them
    assert (result.program, result.cycles, result.variables["n"]) == ("P", 10, 10)


def test_a_project_folder_means_its_sources(tmp_path: Path) -> None:
    from plcops.project.checking import parse_project

    (tmp_path / "plcops.toml").write_text('[project]\nname = "p"\nsources = ["src"]\n', encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "MAIN.st").write_text("PROGRAM MAIN\nEND_PROGRAM\n", encoding="utf-8")
    (tmp_path / "scratch").mkdir()  # not a source: a broken experiment must not break the project
    (tmp_path / "scratch" / "old.st").write_text("PROGRAM Broken\nx := ;\n", encoding="utf-8")
    (tmp_path / "vendor").mkdir()  # an import's vendor folder: its TwinCAT task file is part of the project
    (tmp_path / "vendor" / "PlcTask.TcTTO").write_text(
        '<?xml version="1.0"?><TcPlcObject><Task Name="PlcTask"><CycleTime>10000</CycleTime>'
        "<PouCall><Name>MAIN</Name></PouCall></Task></TcPlcObject>",
        encoding="utf-8",
    )
    loaded = parse_project([tmp_path])
    assert loaded.syntax_errors == []
    assert sorted(Path(r.source.path).name for r in loaded.results) == ["MAIN.st", "PlcTask.TcTTO"]
