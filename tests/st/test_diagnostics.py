"""Syntax errors: where they point, what they say, and that one file can report several."""

from __future__ import annotations

from plcops.st import parse_text
from plcops.st.diagnostics import Diagnostic


def errors(text: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.message) for d in parse_text(text, "demo.st").diagnostics]


def test_missing_semicolon_points_at_the_end_of_the_statement() -> None:
    text = "PROGRAM P\nx := 1\ny := 2;\nEND_PROGRAM\n"
    assert errors(text) == [(2, 7, "missing ';' at the end of the statement (before 'y')")]


def test_missing_semicolon_in_a_declaration() -> None:
    text = "PROGRAM P\nVAR\n    x : INT\n    y : BOOL;\nEND_VAR\nEND_PROGRAM\n"
    assert errors(text) == [(3, 12, "missing ';' at the end of the declaration (before 'y')")]


def test_mismatched_end_names_the_open_block() -> None:
    text = "PROGRAM P\nIF a THEN\n    x := 1;\nEND_WHILE\nEND_PROGRAM\n"
    ((line, column, message),) = errors(text)
    assert (line, column) == (4, 1)
    assert message == "unexpected 'END_WHILE': expected a statement, END_IF, ELSIF or ELSE (to close the IF on line 2)"


def test_end_of_file_inside_a_block() -> None:
    text = "FUNCTION_BLOCK FB\nIF a THEN\n    x := 1;\n"
    ((line, _, message),) = errors(text)
    assert line == 4
    assert message.startswith("unexpected end of file: expected a statement, END_IF")
    assert "(to close the IF on line 2)" in message


def test_misspelt_keyword_gets_a_suggestion() -> None:
    text = "PROGRAM P\nIF a THEN x := 1;\nELSEIF b THEN x := 2;\nEND_IF\nEND_PROGRAM\n"
    first = errors(text)[0]
    assert first[0] == 3
    assert first[2].endswith("did you mean ELSIF instead of 'ELSEIF'?")


def test_incomplete_expression_says_what_is_missing() -> None:
    assert errors("PROGRAM P\nx := (1 + ;\nEND_PROGRAM") == [(2, 11, "unexpected ';': expected an expression")]


def test_several_errors_in_one_file() -> None:
    text = """PROGRAM P
VAR
    a : INT
    b : INT;
END_VAR
a := 1
b := 2;
FOR i := 1 TO 10
    a := i;
END_FOR
b := a +* 2;
END_PROGRAM
"""
    assert [line for line, _, _ in errors(text)] == [3, 6, 9, 11]


def test_errors_in_one_pou_do_not_hide_the_next() -> None:
    text = "FUNCTION F1 : INT\nF1 := ;\nEND_FUNCTION\nFUNCTION F2 : INT\nF2 := 1 +;\nEND_FUNCTION\n"
    assert [line for line, _, _ in errors(text)] == [2, 5]


def test_lexical_errors_are_diagnostics_too() -> None:
    assert errors("PROGRAM P\nx := 1 ? 2;\nEND_PROGRAM") != []
    assert errors("PROGRAM P\n(* unterminated\nEND_PROGRAM")[0][2].startswith("unterminated comment")


def test_statement_that_is_only_a_name_is_a_call_without_parentheses() -> None:
    # B&R Automation Studio calls actions as "A_Reset;": valid syntax, judged by the semantic checks.
    assert errors("PROGRAM P\nA_Reset;\nEND_PROGRAM") == []


def test_declarations_after_statements() -> None:
    ((line, _, message),) = errors("PROGRAM P\nx := 1;\nVAR y : INT; END_VAR\nEND_PROGRAM")
    assert line == 3
    assert message == "VAR section after statements: declare variables first"


def test_format_shows_the_line_and_a_caret() -> None:
    (diagnostic,) = parse_text("PROGRAM P\n\tx := 1\n\ty := 2;\nEND_PROGRAM\n", "Main.st").diagnostics
    assert diagnostic.format() == (
        "Main.st:2:8: error: missing ';' at the end of the statement (before 'y')\n    \tx := 1\n    \t      ^"
    )


def test_columns_count_characters_not_bytes() -> None:
    (diagnostic,) = parse_text("PROGRAM P\n(* Grüße *) x := ;\nEND_PROGRAM").diagnostics
    assert (diagnostic.line, diagnostic.column) == (2, 18)


def test_json_shape() -> None:
    diagnostic = Diagnostic("a.st", 3, 4, "boom")
    assert diagnostic.to_json() == {"path": "a.st", "line": 3, "column": 4, "message": "boom"}


def test_expected_words_never_show_internal_token_names() -> None:
    ((line, column, message),) = errors("PROGRAM P\nVAR x : INT; END_VAR\nx = 1;\nEND_PROGRAM\n")
    assert (line, column) == (3, 3)
    assert message == "unexpected '=': expected ';', ':=' or ':'"


def test_literals_no_compiler_accepts_are_syntax_errors() -> None:
    # IEC 61131-3 3rd ed. 6.3.3 (table 6, character string escapes: $$ $' $L $N $P $R $T and hex digits)
    # and 6.3.5 (table 8: a duration needs a unit; dates and times of day have fixed shapes; month 13 and
    # hour 25 do not exist); BOOL# takes TRUE, FALSE, 1 or 0. Columns counted by hand: the literal's start.
    text = (
        "PROGRAM P\nVAR\n"
        "    t : TIME := T#5;\n"  # line 3, column 17
        "    s : STRING := 'a$Qb';\n"  # line 4, column 19
        "    d : DATE := D#2024-13-01;\n"  # line 5
        "    b : BOOL := BOOL#2;\n"  # line 6
        "    c : TOD := TOD#25:00;\n"  # line 7, column 16
        "END_VAR\n"
        "t := T#1h_30m + LTIME#5us + TIME#1s;\n"  # well-formed: no error
        "s := '$N$41$$$'' + \"$0041\";\n"
        "b := BOOL#1 AND BOOL#FALSE;\n"
        "END_PROGRAM\n"
    )
    assert errors(text) == [
        (3, 17, "T#5 is not a valid TIME literal (write it like T#5s or T#1m30s)"),
        (4, 19, "unknown escape $Q in 'a$Qb'"),
        (5, 17, "not a date: D#2024-13-01"),
        (6, 17, "BOOL#2 is not a BOOL literal (BOOL#TRUE, BOOL#FALSE, BOOL#1 or BOOL#0)"),
        (7, 16, "time of day out of range: TOD#25:00"),
    ]


def test_durations_beyond_64_bit_nanoseconds_are_errors_not_crashes() -> None:
    # Times are signed 64-bit nanoseconds (docs/semantics.md): 2**63 - 1 ns = 106751 d 23 h 47 min 16 s
    # 854 ms 775 us 807 ns (9,223,372,036,854,775,807 / 86,400e9 = 106751.99... days). One more is out;
    # a 400-digit fraction once crashed the parser (float overflow).
    longest = "LT#106751d23h47m16s854ms775us807ns"
    text = f"PROGRAM P\nVAR t : LTIME; END_VAR\nt := {longest};\nt := -{longest};\n"
    text += "t := LT#106751d23h47m16s854ms775us808ns;\n"  # line 5
    text += f"t := T#{'1' * 400}.5s;\nEND_PROGRAM\n"  # line 6
    found = errors(text)
    assert [(line, column) for line, column, _ in found] == [(5, 6), (6, 6)]
    assert all("out of range" in message for _, _, message in found)


def test_a_duration_has_one_sign_at_most() -> None:
    # Settings (scenario times, --cycle-time) read durations with duration_ns: "+-1s" was +1 s.
    import pytest

    from plcops.st.literals import LiteralError, duration_ns

    assert (duration_ns("T#+1s"), duration_ns("T#-1s")) == (1_000_000_000, -1_000_000_000)
    for text in ("T#+-1s", "T#-+1s", "T#--1s"):
        with pytest.raises(LiteralError):
            duration_ns(text)
    assert errors("PROGRAM P\nVAR t : TIME := T#+-1s; END_VAR\nEND_PROGRAM\n")  # and no program text takes it
