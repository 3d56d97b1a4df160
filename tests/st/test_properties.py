"""Property tests: whatever the input, the parser and formatter answer with diagnostics, never a traceback,
and generated programs format stably without changing meaning."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from plcops.st import parse_text
from plcops.st.formatter import FormatError, ast_fingerprint, format_text

FIXTURE_TEXTS = [path.read_text(encoding="utf-8") for path in sorted((Path(__file__).parent / "fixtures").glob("*.st"))]

ST_ALPHABET = st.sampled_from(
    [
        *"abcxyzIFTHENDLS_019 \n\t:=;,.()[]^#%'\"+-*/<>&{}",
        *["IF ", "THEN ", "END_IF", "VAR ", "END_VAR", "(*", "*)", "//", "CASE ", " OF ", "FUNCTION_BLOCK ", "T#5s"],
    ]
)


@settings(max_examples=300)
@given(st.lists(ST_ALPHABET, max_size=60).map("".join))
def test_random_text_never_raises(text: str) -> None:
    result = parse_text(text, "random.st")
    for diagnostic in result.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.message


@settings(max_examples=200)
@given(st.sampled_from(FIXTURE_TEXTS), st.data())
def test_mutated_fixtures_never_raise(text: str, data: st.DataObject) -> None:
    # Delete, duplicate or replace a slice of a real-looking file: the errors a person makes while typing.
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    insert = data.draw(st.sampled_from(["", ";", "END_IF", "(", ")", "'", "(*", ":=", text[start:end]]))
    mutated = text[:start] + insert + text[end:]
    result = parse_text(mutated, "mutated.st")
    assert result.unit is not None
    try:
        formatted = format_text(mutated)
    except FormatError:
        assert result.diagnostics  # refused only because the text has errors
    else:
        assert not result.diagnostics
        assert ast_fingerprint(parse_text(formatted).unit) == ast_fingerprint(result.unit)


NAMES = st.sampled_from(["a", "b", "nCount", "bDone", "fValue"])
ATOMS = st.one_of(NAMES, st.integers(0, 999).map(str), st.sampled_from(["TRUE", "T#5s", "2.5", "16#FF"]))


def expressions(depth: int = 3) -> st.SearchStrategy[str]:
    if depth == 0:
        return ATOMS
    inner = expressions(depth - 1)
    return st.one_of(
        ATOMS,
        st.tuples(
            inner, st.sampled_from(["+", "-", "*", "/", "MOD", "AND", "OR", "XOR", "=", "<>", "<", ">=", "**"]), inner
        ).map(" ".join),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"NOT {e}"),
        inner.map(lambda e: f"-{e}"),
        st.tuples(NAMES, inner).map(lambda p: f"F_{p[0]}(x := {p[1]})"),
    )


def statements(depth: int = 2) -> st.SearchStrategy[str]:
    simple = st.tuples(NAMES, expressions()).map(lambda p: f"{p[0]} := {p[1]};")
    if depth == 0:
        return simple
    body = st.lists(statements(depth - 1), min_size=0, max_size=3).map(" ".join)
    return st.one_of(
        simple,
        st.tuples(expressions(), body, body).map(lambda p: f"IF {p[0]} THEN {p[1]} ELSE {p[2]} END_IF"),
        st.tuples(expressions(), body).map(lambda p: f"WHILE {p[0]} DO {p[1]} END_WHILE;"),
        st.tuples(st.integers(0, 9), body, body).map(lambda p: f"CASE x OF {p[0]}: {p[1]} 10..20: {p[2]} END_CASE"),
        st.tuples(body, expressions()).map(lambda p: f"REPEAT {p[0]} UNTIL {p[1]} END_REPEAT"),
    )


@settings(max_examples=150)
@given(st.lists(statements(), max_size=6).map(" ".join), st.sampled_from(["", "// note\n", "(* c *) "]))
def test_generated_programs_format_stably(body: str, comment: str) -> None:
    source = f"PROGRAM P\nVAR x : INT; END_VAR\n{comment}{body}\nEND_PROGRAM\n"
    assert parse_text(source).diagnostics == []
    once = format_text(source)
    assert format_text(once) == once
    assert ast_fingerprint(parse_text(once).unit) == ast_fingerprint(parse_text(source).unit)


@settings(max_examples=300)
@given(st.text(alphabet="ab \t\r\n", max_size=40), st.data())
def test_comment_columns_are_counted_as_expandtabs_counts(text: str, data: st.DataObject) -> None:
    # The formatter keeps trailing comments at their column, counted incrementally along a line (a line of
    # 100,000 comments took 25 s when each was recounted from the line's start). Oracle: str.expandtabs(4)
    # of the line up to the offset, for offsets asked in increasing order as the formatter asks them.
    from plcops.st.formatter import _Columns

    offsets = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    columns = _Columns(text)
    for offset in offsets:
        line_start = text.rfind("\n", 0, offset) + 1
        assert columns.at(offset) == len(text[line_start:offset].expandtabs(4))
