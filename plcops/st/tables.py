"""LALR(1) tables for the ST grammar, built by lark and stored in a compact, picklable form.

lark analyses ``grammar/st.lark`` and computes the LALR(1) action and goto tables. plcops then drives those
tables with its own tight loop (``plcops.st.parser``) instead of lark's general-purpose one, and builds AST
nodes directly in the reduce step. Building the tables takes a few tenths of a second, so the result is
shipped with the package (``grammar/st_tables.pickle``, regenerated with ``python -m plcops.st.build_tables``)
and, when the grammar was edited since, cached per user.

The rule *plans* reproduce lark's tree-building conventions exactly: ``_terminals`` are dropped, ``_rules``
are spliced into their parent, ``?rules`` pass a single child through, and ``[optional]`` items leave None.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

START_SYMBOLS = ("start", "expression_root", "statements_root")
_TABLES_FORMAT = 4  # bump when the pickled layout below changes


@dataclass(frozen=True, slots=True)
class RulePlan:
    """How one grammar rule turns the values it reduces into its own value.

    Attributes:
        origin: the rule's name (the goto symbol).
        callback: the builder method to call: the alias if the rule has one, else the rule name.
        size: how many stack entries the rule pops.
        children: for each kept child, ``(index in the popped values, splice it?, Nones to add before it)``.
        trailing_nones: Nones to append after the last kept child.
        pass_single: a ``?rule`` whose single child is passed through unchanged.
        inline: a ``_rule`` whose children are spliced into the parent: its value is a plain list.
    """

    origin: str
    callback: str
    size: int
    children: tuple[tuple[int, bool, int], ...]
    trailing_nones: int
    pass_single: bool
    inline: bool


@dataclass(frozen=True, slots=True)
class ParseTables:
    """The LALR(1) automaton.

    ``actions[state][symbol]`` is ``n >= 0`` to shift a terminal (or go to, for a nonterminal) into state
    ``n``, and ``n < 0`` to reduce by rule ``~n``.
    """

    grammar_hash: str
    actions: tuple[dict[str, int], ...]
    rules: tuple[RulePlan, ...]
    start_states: dict[str, int]
    end_states: dict[str, int]
    terminals: frozenset[str]


def grammar_text() -> str:
    """The text of the shipped grammar file."""
    return resources.files("plcops.st").joinpath("grammar/st.lark").read_text(encoding="utf-8")


def grammar_hash(text: str | None = None) -> str:
    """A digest of the grammar text and table layout: tables built from other text are stale."""
    digest = hashlib.sha256((text if text is not None else grammar_text()).encode("utf-8"))
    digest.update(str(_TABLES_FORMAT).encode())
    return digest.hexdigest()[:20]


def build_tables(text: str | None = None) -> ParseTables:
    """Compile the grammar with lark's LALR(1) analyser (strict: any conflict is an error)."""
    from lark import Lark
    from lark.lexer import Lexer
    from lark.parsers.lalr_analysis import Shift

    class _ExternalLexer(Lexer):
        """Placeholder: plcops.st.lexer produces the tokens; lark only analyses the grammar."""

        def __init__(self, lexer_conf: object) -> None:
            pass

        def lex(self, lexer_state: object, parser_state: object):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    source = text if text is not None else grammar_text()
    lark = Lark(
        source,
        parser="lalr",
        lexer=_ExternalLexer,
        start=list(START_SYMBOLS),
        maybe_placeholders=True,
        strict=True,
    )
    parse_table = lark.parser.parser.parser.parse_table  # type: ignore[union-attr]
    rule_index: dict[object, int] = {}
    plans: list[RulePlan] = []
    for rule in lark.rules:
        rule_index[rule] = len(plans)
        plans.append(_plan_for(rule))

    actions: list[dict[str, int]] = [{} for _ in range(len(parse_table.states))]
    terminals: set[str] = set()
    for state, row in parse_table.states.items():
        compact = actions[state]
        for symbol, (action, argument) in row.items():
            if symbol.isupper() or (symbol.startswith("_") and symbol.lstrip("_").isupper()):
                terminals.add(symbol)
            compact[sys.intern(str.__str__(symbol))] = argument if action is Shift else ~rule_index[argument]
    return ParseTables(
        grammar_hash(source),
        tuple(actions),
        tuple(plans),
        dict(parse_table.start_states),
        dict(parse_table.end_states),
        frozenset(terminals),
    )


def _plan_for(rule: object) -> RulePlan:
    """Mirror lark's parse-tree-builder conventions for one rule (see module docstring)."""
    origin = rule.origin.name  # type: ignore[attr-defined]
    expansion = rule.expansion  # type: ignore[attr-defined]
    options = rule.options  # type: ignore[attr-defined]
    alias = rule.alias  # type: ignore[attr-defined]
    empty = options.empty_indices
    if empty:
        pattern = "".join("1" if is_empty else "0" for is_empty in empty)
        nones = [len(ones) for ones in pattern.split("0")]
    else:
        nones = [0] * (len(expansion) + 1)
    children: list[tuple[int, bool, int]] = []
    pending = 0
    for index, symbol in enumerate(expansion):
        pending += nones[index]
        if symbol.is_term and symbol.filter_out:
            continue
        splice = not symbol.is_term and symbol.name.startswith("_")
        children.append((index, splice, pending))
        pending = 0
    pending += nones[len(expansion)]
    # lark hands out its own str subclass (Token) for names; plain str keeps dict lookups fast and the
    # pickle independent of lark's classes.
    name = sys.intern(str.__str__(origin))
    return RulePlan(
        origin=name,
        callback=sys.intern(str.__str__(alias)) if alias else name,
        size=len(expansion),
        children=tuple(children),
        trailing_nones=pending,
        pass_single=bool(options.expand1) and not alias,
        inline=name.startswith("_"),
    )


def _shipped_path() -> Path:
    return Path(__file__).with_name("grammar") / "st_tables.pickle"


def _user_cache_path(digest: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "plcops" / f"st_tables-{digest}.pickle"


def _load(path: Path, digest: str) -> ParseTables | None:
    try:
        with path.open("rb") as handle:
            tables = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    if isinstance(tables, ParseTables) and tables.grammar_hash == digest:
        return tables
    return None


def _store(path: Path, tables: ParseTables) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write-then-rename so a parallel run never reads half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".st_tables-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only home or package: tables are simply rebuilt next time


_TABLES: ParseTables | None = None


def load_tables() -> ParseTables:
    """The parse tables for the shipped grammar: from the package, the user cache, or built now."""
    global _TABLES
    if _TABLES is not None:
        return _TABLES
    digest = grammar_hash()
    tables = _load(_shipped_path(), digest) or _load(_user_cache_path(digest), digest)
    if tables is None:
        tables = build_tables()
        _store(_user_cache_path(digest), tables)
    _TABLES = tables
    return tables


def write_shipped_tables() -> Path:
    """Rebuild ``grammar/st_tables.pickle`` from the grammar (run after editing ``st.lark``)."""
    path = _shipped_path()
    _store(path, build_tables())
    return path
