"""The lint engine: configuration, suppressions, baseline, cache, worker processes and fixes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plcops.lint import engine
from plcops.lint.config import LintConfig, load_lint_config
from plcops.lint.engine import apply_baseline, lint_paths, write_baseline
from plcops.lint.rules import catalogue
from plcops.project.cache import ParseCache
from plcops.st.diagnostics import DiagnosticError
from tests.conftest import EXAMPLE, ROOT

FIXTURES = ROOT / "tests" / "project" / "fixtures"

# Two REAL comparisons with '=' (PLC011, SA0054) and one with '>' (fine).
REAL_COMPARE = """FUNCTION_BLOCK FB_Level
VAR_INPUT
    rLevel : REAL;
END_VAR
VAR_OUTPUT
    bFull : BOOL;
    bEmpty : BOOL;
END_VAR
bFull := rLevel = 100.0;
bEmpty := rLevel = 0.5;
IF rLevel > 50.0 THEN
    bFull := FALSE;
END_IF;
END_FUNCTION_BLOCK
"""


def _codes(report: engine.LintReport) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in report.findings]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------- config


def test_the_example_project_is_clean_with_the_default_rules() -> None:
    report = lint_paths([EXAMPLE], load_lint_config(None, catalogue(), None), jobs=1)
    assert [f"{f.path}:{f.line}: {f.code} {f.message}" for f in report.findings] == []
    assert report.files == 8


def test_select_and_ignore_by_code_name_and_group(tmp_path: Path) -> None:
    _write(tmp_path, "a.st", REAL_COMPARE)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011"]), jobs=1)) == [(9, "PLC011"), (10, "PLC011")]
    assert _codes(lint_paths([tmp_path], LintConfig(select=["real-equality"]), jobs=1)) == [
        (9, "PLC011"),
        (10, "PLC011"),
    ]
    assert _codes(lint_paths([tmp_path], LintConfig(select=["correctness"], ignore=["PLC011"]), jobs=1)) == []
    # What is left of the defaults without the correctness group: FB_Level is used nowhere (PLC005, group unused).
    assert _codes(lint_paths([tmp_path], LintConfig(select=["default"], ignore=["correctness"]), jobs=1)) == [
        (1, "PLC005")
    ]


def test_overrides_apply_to_matching_paths_only(tmp_path: Path) -> None:
    _write(tmp_path, "src/a.st", REAL_COMPARE)
    _write(tmp_path, "tests/b.st", REAL_COMPARE.replace("FB_Level", "FB_Level2"))
    table = {"select": ["PLC011"], "overrides": [{"paths": ["tests/*"], "ignore": ["real-equality"]}]}
    config = load_lint_config(table, catalogue(), tmp_path / "plcops.toml")
    report = lint_paths([tmp_path], config, jobs=1)
    assert {Path(f.path).parent.name for f in report.findings} == {"src"}


def test_overrides_switch_project_rules_off_for_their_paths(tmp_path: Path) -> None:
    # unused-pou is a project rule (it needs every file): an override still takes it off tests/*.
    _write(tmp_path, "src/FB_Unused.st", "FUNCTION_BLOCK FB_Unused\nEND_FUNCTION_BLOCK\n")
    _write(tmp_path, "tests/FB_Helper.st", "FUNCTION_BLOCK FB_Helper\nEND_FUNCTION_BLOCK\n")
    table = {"select": ["unused-pou"], "overrides": [{"paths": ["tests/*"], "ignore": ["unused-pou"]}]}
    config = load_lint_config(table, catalogue(), tmp_path / "plcops.toml")
    report = lint_paths([tmp_path], config, jobs=1)
    assert [(Path(f.path).name, f.code) for f in report.findings] == [("FB_Unused.st", "PLC005")]
    # And the other way round: selected only for src/*, it reports nothing in tests/.
    table = {"select": [], "overrides": [{"paths": ["src/*"], "select": ["unused-pou"]}]}
    report = lint_paths([tmp_path], load_lint_config(table, catalogue(), tmp_path / "plcops.toml"), jobs=1)
    assert [(Path(f.path).name, f.code) for f in report.findings] == [("FB_Unused.st", "PLC005")]


def test_rule_options_change_limits(tmp_path: Path) -> None:
    nested = "PROGRAM P\nVAR a : BOOL; n : INT; END_VAR\nIF a THEN\n    IF a THEN\n        n := 1;\n    END_IF;\nEND_IF;\nEND_PROGRAM\n"
    _write(tmp_path, "p.st", nested)
    loose = load_lint_config({"select": ["nesting-depth"]}, catalogue(), tmp_path / "plcops.toml")
    assert _codes(lint_paths([tmp_path], loose, jobs=1)) == []
    strict = load_lint_config(
        {"select": ["nesting-depth"], "options": {"nesting-depth": {"max_depth": 1}}},
        catalogue(),
        tmp_path / "plcops.toml",
    )
    assert _codes(lint_paths([tmp_path], strict, jobs=1)) == [(4, "PLC028")]


@pytest.mark.parametrize(
    ("toml", "line", "fragment"),
    [
        ('[lint]\nselect = ["PLC012", "PLC999"]\n', 2, "unknown rule or group 'PLC999'"),
        ("[lint]\nfail_level = 'fatal'\n", 2, "fail_level must be error, warning or info"),
        ("[lint]\nselectt = []\n", 2, "unknown setting 'selectt'"),
        ("[lint.options.nesting-depth]\nmax_dept = 3\n", 2, "unknown option 'max_dept'"),
        ('[lint.options.nesting-depth]\nmax_depth = "3"\n', 2, "max_depth must be int"),
        ("[lint.options.nesting-depth]\nmax_depth = -1\n", 2, "max_depth must not be negative"),
        ('[lint.options.naming-convention]\npreset = "hungarian"\n', 2, "preset must be one of twincat, plcopen"),
        ('[[lint.overrides]]\npaths = ["tests/*"]\nignroe = ["PLC011"]\n', 3, "unknown setting 'ignroe'"),
    ],
)
def test_config_errors_name_the_line(tmp_path: Path, toml: str, line: int, fragment: str) -> None:
    import tomllib

    path = _write(tmp_path, "plcops.toml", toml)
    with pytest.raises(DiagnosticError) as caught:
        load_lint_config(tomllib.loads(toml).get("lint"), catalogue(), path)
    assert caught.value.diagnostic.line == line
    assert fragment in caught.value.diagnostic.message


# ---------------------------------------------------------------------------------------------- suppression


def test_plcops_comment_covers_the_next_statement_only(tmp_path: Path) -> None:
    text = REAL_COMPARE.replace("bFull := rLevel = 100.0;", "(* plcops: disable=PLC011 *)\nbFull := rLevel = 100.0;")
    _write(tmp_path, "a.st", text)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == [(11, "PLC011")]


def test_plcops_comment_before_a_block_covers_the_block_and_names_work(tmp_path: Path) -> None:
    text = REAL_COMPARE.replace(
        "IF rLevel > 50.0 THEN\n    bFull := FALSE;",
        "// plcops: disable=real-equality\nIF rLevel > 50.0 THEN\n    bFull := rLevel = 1.0;",
    )
    _write(tmp_path, "a.st", text)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == [
        (9, "PLC011"),
        (10, "PLC011"),
    ]


def test_trailing_comment_and_file_wide_suppression(tmp_path: Path) -> None:
    trailing = REAL_COMPARE.replace("bEmpty := rLevel = 0.5;", "bEmpty := rLevel = 0.5; // plcops: disable=PLC011")
    _write(tmp_path, "a.st", trailing)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == [(9, "PLC011")]
    _write(tmp_path, "a.st", "(* plcops: disable-file=PLC011 *)\n" + REAL_COMPARE)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == []


def test_codesys_analysis_pragmas_suppress_by_sa_number(tmp_path: Path) -> None:
    # SA0054 is CODESYS/TwinCAT's "comparison of REAL with = or <>", which PLC011 corresponds to.
    pragma = REAL_COMPARE.replace("bFull := rLevel = 100.0;", "{analysis -54}\nbFull := rLevel = 100.0;")
    _write(tmp_path, "a.st", pragma)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == [(11, "PLC011")]
    attribute = "{attribute 'analysis' := '-54'}\n" + REAL_COMPARE
    _write(tmp_path, "a.st", attribute)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == []
    other = "{attribute 'analysis' := '-33'}\n" + REAL_COMPARE  # SA0033 is unused variables: no effect here
    _write(tmp_path, "a.st", other)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == [
        (10, "PLC011"),
        (11, "PLC011"),
    ]


def test_unused_plcops_suppressions_are_reported_vendor_pragmas_are_not(tmp_path: Path) -> None:
    text = REAL_COMPARE.replace(
        "IF rLevel > 50.0 THEN", "(* plcops: disable=PLC011 *)\n{analysis -54}\nIF rLevel > 50.0 THEN"
    )
    _write(tmp_path, "a.st", text)
    report = lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)
    assert _codes(report) == [(9, "PLC011"), (10, "PLC011"), (11, "PLC099")]
    assert report.findings[-1].column == 1


def test_suppressions_of_rules_that_are_off_are_not_called_stale(tmp_path: Path) -> None:
    # magic-number (PLC036) is not selected: whether its suppression is needed cannot be known.
    text = REAL_COMPARE.replace("IF rLevel > 50.0 THEN", "(* plcops: disable=magic-number *)\nIF rLevel > 50.0 THEN")
    _write(tmp_path, "a.st", text)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == [
        (9, "PLC011"),
        (10, "PLC011"),
    ]


def test_a_reason_after_the_codes_of_a_suppression(tmp_path: Path) -> None:
    text = REAL_COMPARE.replace(
        "bFull := rLevel = 100.0;",
        "(* plcops: disable=PLC011 -- the level is an integral count *)\nbFull := rLevel = 100.0;",
    )
    _write(tmp_path, "a.st", text)
    assert _codes(lint_paths([tmp_path], LintConfig(select=["PLC011", "PLC099"]), jobs=1)) == [(11, "PLC011")]


# ---------------------------------------------------------------------------------------------- baseline


def test_baseline_survives_line_shifts_and_reports_only_new_findings(tmp_path: Path) -> None:
    source = _write(tmp_path, "src/a.st", REAL_COMPARE)
    config = LintConfig(select=["PLC011"])
    baseline = tmp_path / "lint-baseline.json"
    write_baseline(lint_paths([tmp_path / "src"], config, jobs=1), baseline)
    # Insert lines above both findings and add a third finding: only the new one is reported.
    shifted = REAL_COMPARE.replace("VAR_INPUT", "(* moved down *)\n\nVAR_INPUT").replace(
        "IF rLevel > 50.0", "IF rLevel <> 50.0"
    )
    source.write_text(shifted, encoding="utf-8")
    report = lint_paths([tmp_path / "src"], config, jobs=1)
    assert _codes(report) == [(11, "PLC011"), (12, "PLC011"), (13, "PLC011")]
    assert apply_baseline(report, baseline) == 2
    assert _codes(report) == [(13, "PLC011")]


def test_baseline_counts_identical_lines_separately(tmp_path: Path) -> None:
    twice = REAL_COMPARE.replace("bEmpty := rLevel = 0.5;", "bFull := rLevel = 100.0;")
    _write(tmp_path, "a.st", twice)
    config = LintConfig(select=["PLC011"])
    baseline = tmp_path / "b.json"
    write_baseline(lint_paths([tmp_path / "a.st"], config, jobs=1), baseline)
    _write(tmp_path, "a.st", twice.replace("IF rLevel > 50.0 THEN", "bFull := rLevel = 100.0;\nIF rLevel > 50.0 THEN"))
    report = lint_paths([tmp_path / "a.st"], config, jobs=1)
    assert apply_baseline(report, baseline) == 2
    assert len(report.findings) == 1  # the third copy of the line is new


def test_baseline_matches_however_the_paths_are_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A baseline written with ``lint src`` from the project folder matches ``lint $PWD/src`` and ``lint .``
    from inside ``src``: the file's place in the fingerprint is its path from the project root."""
    _write(tmp_path, "plcops.toml", "[project]\nname = 'p'\n")
    _write(tmp_path, "src/a.st", REAL_COMPARE)
    config = LintConfig(select=["PLC011"])
    baseline = tmp_path / "b.json"
    monkeypatch.chdir(tmp_path)
    write_baseline(lint_paths(["src"], config, jobs=1), baseline)
    for cwd, path in ((tmp_path, str(tmp_path / "src")), (tmp_path / "src", "."), (tmp_path / "src", "a.st")):
        monkeypatch.chdir(cwd)
        report = lint_paths([path], config, jobs=1)
        assert apply_baseline(report, baseline) == 2, (cwd, path)
        assert report.findings == []
    # The same line in another file of the project is not the baselined finding.
    _write(tmp_path, "src/b.st", REAL_COMPARE.replace("FB_Level", "FB_Level2"))
    monkeypatch.chdir(tmp_path)
    report = lint_paths(["src"], config, jobs=1)
    assert apply_baseline(report, baseline) == 2
    assert {Path(f.path).name for f in report.findings} == {"b.st"}


def test_a_file_that_is_not_a_baseline_is_a_clear_error(tmp_path: Path) -> None:
    bad = _write(tmp_path, "b.json", "[1, 2]")
    with pytest.raises(DiagnosticError, match="not a plcops lint baseline"):
        apply_baseline(engine.LintReport(), bad)


# ---------------------------------------------------------------------------------------------- cache, workers


def test_cache_reanalyses_only_changed_files(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(EXAMPLE, project)
    cache = ParseCache(tmp_path / "cache")
    config = LintConfig(select=["ALL"])
    first = lint_paths([project], config, cache=cache, jobs=1)
    second = lint_paths([project], config, cache=cache, jobs=1)
    assert first.cached_files == 0 and second.cached_files == first.files
    assert _codes(second) == _codes(first)
    # A change inside a body leaves the declarations alone: only that file is linted again.
    valve = project / "src" / "FB_Valve.st"
    valve.write_text(valve.read_text(encoding="utf-8").replace("IsOpen := ", "IsOpen := TRUE = ", 1), encoding="utf-8")
    third = lint_paths([project], config, cache=cache, jobs=1)
    assert third.cached_files == first.files - 1
    assert (str(valve), "PLC042") in {(f.path, f.code) for f in third.findings}


def test_worker_processes_give_the_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(6):
        _write(tmp_path, f"fb{number}.st", REAL_COMPARE.replace("FB_Level", f"FB_Level{number}"))
    serial = lint_paths([tmp_path], LintConfig(select=["ALL"]), jobs=1)
    monkeypatch.setattr(engine, "_PARALLEL_THRESHOLD_BYTES", 0)
    parallel = lint_paths([tmp_path], LintConfig(select=["ALL"]), jobs=2)
    assert [f.to_json() for f in parallel.findings] == [f.to_json() for f in serial.findings]
    assert len(serial.findings) > 12


def test_syntax_errors_are_findings_and_other_files_are_still_linted(tmp_path: Path) -> None:
    _write(tmp_path, "a.st", REAL_COMPARE)
    _write(tmp_path, "broken.st", "PROGRAM P\nx := ;\nEND_PROGRAM\n")
    report = lint_paths([tmp_path], LintConfig(select=["PLC011"]), jobs=1)
    assert [(Path(f.path).name, f.line, f.code) for f in report.findings] == [
        ("a.st", 9, "PLC011"),
        ("a.st", 10, "PLC011"),
        ("broken.st", 2, "PLC000"),
    ]
    assert report.syntax_errors == 1


# ---------------------------------------------------------------------------------------------- fixes


BOOL_COMPARE = "PROGRAM P\nVAR\n    bReady : BOOL;\n    bRun : BOOL;\nEND_VAR\nIF bReady = TRUE THEN\n    bRun := bReady <> FALSE;\nEND_IF;\nEND_PROGRAM\n"
BOOL_FIXED = "PROGRAM P\nVAR\n    bReady : BOOL;\n    bRun : BOOL;\nEND_VAR\nIF bReady THEN\n    bRun := bReady;\nEND_IF;\nEND_PROGRAM\n"


def test_fix_keeps_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "p.st"
    path.write_bytes(b"\xef\xbb\xbf" + BOOL_COMPARE.replace("\n", "\r\n").encode())
    report = lint_paths([path], LintConfig(select=["PLC042"]), jobs=1, fix=True)
    assert report.fixed == 2 and report.findings == []
    assert path.read_bytes() == b"\xef\xbb\xbf" + BOOL_FIXED.replace("\n", "\r\n").encode()


def test_fix_without_the_flag_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.st", BOOL_COMPARE)
    report = lint_paths([path], LintConfig(select=["PLC042"]), jobs=1)
    assert len(report.findings) == 2 and all(f.fix is not None and f.fix.safe for f in report.findings)
    assert path.read_text(encoding="utf-8") == BOOL_COMPARE


def test_unsafe_fixes_need_the_opt_in(tmp_path: Path) -> None:
    text = "PROGRAM P\nVAR\n    n : INT;\nEND_VAR\nn := n;\nEND_PROGRAM\n"
    path = _write(tmp_path, "p.st", text)
    safe = lint_paths([path], LintConfig(select=["PLC044"]), jobs=1, fix=True)
    assert safe.fixed == 0 and len(safe.findings) == 1 and path.read_text(encoding="utf-8") == text
    unsafe = lint_paths([path], LintConfig(select=["PLC044"]), jobs=1, fix=True, unsafe_fixes=True)
    assert unsafe.fixed == 1 and unsafe.findings == []
    assert "n := n" not in path.read_text(encoding="utf-8")


def test_fix_in_a_twincat_file_edits_only_the_st_inside_the_cdata(tmp_path: Path) -> None:
    original = (FIXTURES / "twincat" / "FB_Conveyor.TcPOU").read_bytes()
    text = original.decode("utf-8-sig")
    body_start = text.index("<ST><![CDATA[") + len("<ST><![CDATA[")
    patched = text[:body_start] + "IF bEnable = FALSE THEN\n    ;\nEND_IF;\n" + text[body_start:]
    path = tmp_path / "FB_Conveyor.TcPOU"
    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
    path.write_bytes(bom + patched.encode("utf-8"))
    before = lint_paths([path], LintConfig(select=["PLC042"]), jobs=1)
    assert [f.code for f in before.findings] == ["PLC042"]
    report = lint_paths([path], LintConfig(select=["PLC042"]), jobs=1, fix=True)
    assert report.fixed == 1 and report.findings == []
    expected = patched.replace("IF bEnable = FALSE THEN", "IF NOT bEnable THEN", 1)
    assert path.read_bytes() == bom + expected.encode("utf-8")


def test_fix_in_plcopen_xml_escaped_text(tmp_path: Path) -> None:
    source = (FIXTURES / "plcopen" / "codesys_export.xml").read_text(encoding="utf-8")
    marker = '<xhtml xmlns="http://www.w3.org/1999/xhtml">tonMix('
    assert marker in source
    # '= TRUE' can be removed in place; '&lt;&gt; FALSE' would have to be rewritten across entities: skipped.
    patched = source.replace(
        marker,
        marker.replace(
            "tonMix(", "IF bStart = TRUE THEN\n    ;\nEND_IF;\nIF bStart &lt;&gt; FALSE THEN\n    ;\nEND_IF;\ntonMix("
        ),
        1,
    )
    path = tmp_path / "project.xml"
    path.write_text(patched, encoding="utf-8")
    assert len(lint_paths([path], LintConfig(select=["PLC042"]), jobs=1).findings) == 2
    report = lint_paths([path], LintConfig(select=["PLC042"]), jobs=1, fix=True)
    result = path.read_text(encoding="utf-8")
    assert "IF bStart THEN" in result
    assert "IF bStart &lt;&gt; FALSE THEN" in result
    assert report.fixed == 1 and len(report.findings) == 1
    assert any("cannot be placed exactly" in note for note in report.fix_notes)


def test_project_rule_findings_survive_line_shifts_in_a_baseline(tmp_path: Path) -> None:
    source = _write(tmp_path, "p/FB_Old.st", "FUNCTION_BLOCK FB_Old\nEND_FUNCTION_BLOCK\n")
    config = LintConfig(select=["unused-pou"])
    baseline = tmp_path / "b.json"
    write_baseline(lint_paths([tmp_path / "p"], config, jobs=1), baseline)
    source.write_text("(* moved *)\n\nFUNCTION_BLOCK FB_Old\nEND_FUNCTION_BLOCK\n", encoding="utf-8")
    report = lint_paths([tmp_path / "p"], config, jobs=1)
    assert _codes(report) == [(3, "PLC005")]
    assert apply_baseline(report, baseline) == 1 and report.findings == []


def test_separate_plc_projects_do_not_share_declarations(tmp_path: Path) -> None:
    # Project a declares FB_Pump and uses it; project b declares its own, unused FB_Pump.
    _write(tmp_path, "a/plcops.toml", "")
    _write(tmp_path, "a/FB_Pump.st", "FUNCTION_BLOCK FB_Pump\nEND_FUNCTION_BLOCK\n")
    _write(tmp_path, "a/MAIN.st", "PROGRAM MAIN\nVAR fbPump : FB_Pump; END_VAR\nfbPump();\nEND_PROGRAM\n")
    _write(tmp_path, "b/B.plcproj", "<Project/>")
    _write(tmp_path, "b/FB_Pump.st", "FUNCTION_BLOCK FB_Pump\nEND_FUNCTION_BLOCK\n")
    report = lint_paths([tmp_path], LintConfig(select=["unused-pou"]), jobs=1)
    assert [(Path(f.path).parent.name, f.code) for f in report.findings] == [("b", "PLC005")]
