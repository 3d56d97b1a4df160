"""The formatter: golden cases (each checked three ways, as black checks its own), options and refusals.

A case file in ``format_cases/`` holds an optional ``// fmt: key=value ...`` line, the input, a line
``==== expected ====`` and the expected output, which was written by hand from the layout rules in
``docs/formatting.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plcops.st import parse_text
from plcops.st.formatter import FormatError, FormatOptions, ast_fingerprint, format_text

CASES = sorted((Path(__file__).parent / "format_cases").glob("*.st"))
MARKER = "==== expected ====\n"


def load_case(path: Path) -> tuple[FormatOptions, str, str]:
    text = path.read_text(encoding="utf-8")
    options: dict[str, object] = {}
    if text.startswith("// fmt:"):
        flags, text = text.split("\n", 1)
        for pair in flags.removeprefix("// fmt:").split():
            key, value = pair.split("=")
            options[key] = {"true": True, "false": False}.get(value, int(value) if value.isdigit() else value)
    source, expected = text.split(MARKER)
    return FormatOptions(**options), source, expected  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_golden_case(case: Path) -> None:
    options, source, expected = load_case(case)
    formatted = format_text(source, case.name, options)
    # 1. the expected layout
    assert formatted == expected
    # 2. stable: formatting the output changes nothing
    assert format_text(formatted, case.name, options) == formatted
    # 3. equivalent: the same program
    assert ast_fingerprint(parse_text(formatted).unit) == ast_fingerprint(parse_text(source).unit)


def test_crlf_files_stay_crlf() -> None:
    source = "PROGRAM P\r\nx:=1;\r\n(* two\r\n   lines *)\r\nEND_PROGRAM\r\n"
    assert format_text(source) == "PROGRAM P\r\n    x := 1;\r\n    (* two\r\n   lines *)\r\nEND_PROGRAM\r\n"


def test_line_ending_option() -> None:
    assert (
        format_text("PROGRAM P\r\nEND_PROGRAM\r\n", options=FormatOptions(line_ending="lf"))
        == "PROGRAM P\nEND_PROGRAM\n"
    )


def test_max_blank_lines() -> None:
    source = "PROGRAM P\nx := 1;\n\n\n\ny := 2;\nEND_PROGRAM\n"
    assert format_text(source, options=FormatOptions(max_blank_lines=2)).count("\n\n\n") == 1
    assert "\n\n\n" not in format_text(source, options=FormatOptions(max_blank_lines=1))


def test_refuses_files_with_syntax_errors() -> None:
    with pytest.raises(FormatError, match="missing ';'"):
        format_text("PROGRAM P\nx := 1\ny := 2;\nEND_PROGRAM\n", "bad.st")


def test_literals_and_identifiers_keep_their_spelling() -> None:
    formatted = format_text("program p\nmyVar := 16#ff + t#5s + E_Mode#auto + 'Text';\nend_program\n")
    assert "myVar := 16#ff + t#5s + E_Mode#auto + 'Text';" in formatted


def test_invalid_options_are_rejected() -> None:
    with pytest.raises(ValueError):
        FormatOptions(keyword_case="title")
    with pytest.raises(ValueError):
        FormatOptions(line_ending="cr")


def test_generic_instantiation_keeps_its_angle_brackets_tight() -> None:
    from plcops.st.formatter import format_text

    text = (
        "PROGRAM P\nVAR\n    b : FB_Buf<10>;\n    c : FB_Buf<GVL.cSize>(THIS^);\nEND_VAR\nb.x := 1 < 2;\nEND_PROGRAM\n"
    )
    formatted = format_text(text)
    assert "b : FB_Buf<10>;" in formatted and "c : FB_Buf<GVL.cSize>(THIS^);" in formatted
    assert "b.x := 1 < 2;" in formatted
