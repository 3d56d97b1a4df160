"""Every fixture: parses cleanly, matches its golden AST, and survives the formatter unchanged in meaning.

The fixtures are written the way TwinCAT and CODESYS projects are written (OOP function blocks, GVLs,
DUTs, state machines, pragmas), one file per group of constructs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plcops.st import parse_text
from plcops.st.formatter import ast_fingerprint, format_text
from tests.st.ast_dump import FIXTURES, GOLDENS, golden_text

FIXTURE_FILES = sorted(FIXTURES.glob("*.st"))
IDS = [path.stem for path in FIXTURE_FILES]


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=IDS)
def test_parses_without_diagnostics(fixture: Path) -> None:
    result = parse_text(fixture.read_text(encoding="utf-8"), fixture.name)
    assert [d.format() for d in result.diagnostics] == []


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=IDS)
def test_matches_golden_ast(fixture: Path) -> None:
    golden = GOLDENS / f"{fixture.stem}.json"
    assert golden.exists(), "run: python -m tests.st.ast_dump"
    assert golden_text(fixture) == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=IDS)
def test_formatter_is_stable_and_keeps_meaning_and_comments(fixture: Path) -> None:
    source = fixture.read_text(encoding="utf-8")
    once = format_text(source, fixture.name)
    assert format_text(once, fixture.name) == once
    before, after = parse_text(source), parse_text(once)
    assert ast_fingerprint(after.unit) == ast_fingerprint(before.unit)
    assert [c.text for c in after.unit.trivia] == [c.text.rstrip() for c in before.unit.trivia]  # type: ignore[union-attr]
