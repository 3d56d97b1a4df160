"""The lexer: token classes, context-dependent words, comments and pragmas (IEC 61131-3 §6.1 to 6.3)."""

from __future__ import annotations

import pytest

from plcops.st.lexer import tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    return [(token[0], token[1]) for token in tokenize(text).tokens]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("42", "INTEGER"),
        ("1_000_000", "INTEGER"),
        ("16#FF_FF", "BASED_INT"),
        ("2#1010_0101", "BASED_INT"),
        ("8#377", "BASED_INT"),
        ("3.14159", "REAL"),
        ("1.5E-3", "REAL"),
        ("2e10", "REAL"),
        ("INT#5", "TYPED_LITERAL"),
        ("DWORD#16#DEAD_BEEF", "TYPED_LITERAL"),
        ("SINT#-128", "TYPED_LITERAL"),
        ("REAL#1.0", "TYPED_LITERAL"),
        ("E_Colour#Red", "TYPED_LITERAL"),
        ("STRING#'typed'", "TYPED_LITERAL"),
        ("T#1d2h3m4s5ms", "TIME_LITERAL"),
        ("TIME#1.5s", "TIME_LITERAL"),
        ("t#-250ms", "TIME_LITERAL"),
        ("LTIME#1h2m3s4ms5us6ns", "TIME_LITERAL"),
        ("LT#12ms_500us", "TIME_LITERAL"),
        ("D#2024-02-29", "DATE_LITERAL"),
        ("DATE#1970-01-01", "DATE_LITERAL"),
        ("TOD#13:45:30.25", "TOD_LITERAL"),
        ("TIME_OF_DAY#06:00:00", "TOD_LITERAL"),
        ("DT#2024-02-29-13:45:30", "DT_LITERAL"),
        ("LDT#2024-02-29-13:45:30.123456789", "DT_LITERAL"),
        ("'it$'s $24 and $$'", "STRING"),
        ('"wide $"quoted$" $00E4"', "WSTRING"),
        ("%IX0.0", "DIRECT_ADDR"),
        ("%QW3", "DIRECT_ADDR"),
        ("%MD10", "DIRECT_ADDR"),
        ("%I*", "DIRECT_ADDR"),
        ("TRUE", "TRUE"),
        ("false", "FALSE"),
    ],
)
def test_literal_is_one_token(text: str, kind: str) -> None:
    assert kinds(text) == [(kind, text)]


def test_time_literal_stops_at_operator() -> None:
    # T#5s-T#1s is a subtraction of two literals, not one malformed literal.
    assert kinds("T#5s-T#1s") == [("TIME_LITERAL", "T#5s"), ("MINUS", "-"), ("TIME_LITERAL", "T#1s")]


def test_range_is_not_a_real() -> None:
    assert kinds("1..10") == [("INTEGER", "1"), ("_DOTDOT", ".."), ("INTEGER", "10")]


def test_bit_access_is_member_integer() -> None:
    assert kinds("nWord.3") == [("IDENT", "nWord"), ("_DOT", "."), ("INTEGER", "3")]


@pytest.mark.parametrize("spelling", ["END_IF", "end_if", "End_If", "eNd_iF"])
def test_keywords_are_case_insensitive(spelling: str) -> None:
    assert kinds(spelling) == [("_END_IF", spelling)]


def test_type_names_are_identifiers() -> None:
    # INT, TIME, REF, THIS are resolved by later layers; the lexer keeps them as names.
    assert [kind for kind, _ in kinds("INT TIME REF THIS SUPER")] == ["IDENT"] * 5


def test_member_after_dot_is_always_a_name() -> None:
    assert kinds("fb.END_IF") == [("IDENT", "fb"), ("_DOT", "."), ("IDENT", "END_IF")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q S= TRUE", [("IDENT", "Q"), ("_SET_ASSIGN", "S="), ("TRUE", "TRUE")]),
        ("Q R= TRUE", [("IDENT", "Q"), ("_RESET_ASSIGN", "R="), ("TRUE", "TRUE")]),
        ("r REF= x", [("IDENT", "r"), ("_REF_ASSIGN", "REF="), ("IDENT", "x")]),
        # After an operator, S is a variable compared with '='.
        ("IF S=1", [("_IF", "IF"), ("IDENT", "S"), ("EQ", "="), ("INTEGER", "1")]),
        ("x := R=2", [("IDENT", "x"), ("_ASSIGN", ":="), ("IDENT", "R"), ("EQ", "="), ("INTEGER", "2")]),
        # S => is an output connection of a block whose output is called S.
        ("S => x", [("IDENT", "S"), ("_OUT_ASSIGN", "=>"), ("IDENT", "x")]),
    ],
)
def test_set_reset_and_ref_assignment(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


def test_comments_nest_and_are_trivia() -> None:
    text = "a (* outer (* inner *) still comment *) b // line\nc /* c-style (* not nested */ d"
    lexed = tokenize(text)
    assert [token[1] for token in lexed.tokens] == ["a", "b", "c", "d"]
    comments = [text[t.start : t.end] for t in lexed.trivia]
    assert comments == ["(* outer (* inner *) still comment *)", "// line", "/* c-style (* not nested */"]
    assert not lexed.errors


def test_line_comment_excludes_carriage_return() -> None:
    lexed = tokenize("a; // note\r\nb;")
    (comment,) = lexed.trivia
    assert "a; // note\r\nb;"[comment.start : comment.end] == "// note"


def test_pragmas_are_trivia_and_may_span_lines() -> None:
    text = "{attribute 'pytmc' := '\n  pv: TST:D1\n  field: DESC we're fine\n'}\nx"
    lexed = tokenize(text)
    assert [token[1] for token in lexed.tokens] == ["x"]
    (pragma,) = lexed.trivia
    assert pragma.kind == "pragma"
    assert text[pragma.start : pragma.end].endswith("'}")


def test_embedded_c_code_of_beremiz_is_opaque() -> None:
    lexed = tokenize('IF x THEN\n{{ printf("}"); }}\nEND_IF')
    assert [token[0] for token in lexed.tokens] == ["_IF", "IDENT", "_THEN", "_END_IF"]
    assert lexed.trivia[0].kind == "pragma"


def test_positions_are_character_offsets() -> None:
    text = "(* Grüße *) x := 1;"
    lexed = tokenize(text)
    ident = lexed.tokens[0]
    assert text[ident[2] : ident[3]] == "x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a (* never closed", "unterminated comment: '(*' has no matching '*)'"),
        ("a /* never closed", "unterminated comment: '/*' has no matching '*/'"),
        ("a {attribute 'x'", "unterminated pragma: '{' has no matching '}'"),
        ("s := 'abc", "unterminated string: ' has no closing '"),
        ("a := b ? c", "unexpected character '?'"),
    ],
)
def test_lexical_errors_are_reported_not_raised(text: str, message: str) -> None:
    lexed = tokenize(text)
    assert [error.message for error in lexed.errors] == [message]


def test_strings_may_run_over_a_line_break() -> None:
    # TwinCAT compiles string literals that continue on the next line.
    assert kinds("s := 'first\nsecond';")[2] == ("STRING", "'first\nsecond'")
