"""The shipped LALR tables are current, and the grammar is conflict-free."""

from __future__ import annotations

import pickle
from pathlib import Path

from plcops.st.tables import build_tables, grammar_hash

SHIPPED = Path(__file__).resolve().parents[2] / "plcops" / "st" / "grammar" / "st_tables.pickle"


def test_grammar_builds_without_conflicts() -> None:
    # build_tables runs lark in strict mode: any shift/reduce or reduce/reduce conflict raises.
    tables = build_tables()
    assert tables.grammar_hash == grammar_hash()


def test_shipped_tables_match_the_grammar() -> None:
    with SHIPPED.open("rb") as handle:
        shipped = pickle.load(handle)
    assert shipped.grammar_hash == grammar_hash(), "run: python -m plcops.st.build_tables"
