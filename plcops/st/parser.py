"""The Structured Text parser: lexer → LALR(1) tables → AST, with error recovery.

The tables come from lark (:mod:`plcops.st.tables`); this module drives them with a loop specialised for
plcops: tokens are tuples from :mod:`plcops.st.lexer`, every reduction calls an :class:`AstBuilder`
method directly (no intermediate parse tree), and each node's span is tracked on a parallel stack.

On a syntax error the parser reports it in words an engineer understands, then recovers so one file can
report several errors:

1. *insertion*: if one missing token (``;``, ``THEN``, ``END_IF``, ...) makes the next token fit, pretend
   it was there (the classic forgotten semicolon costs nothing else);
2. *panic mode*: otherwise skip to a likely statement or declaration boundary and unwind the parser stack
   until that token fits.

Errors within a few tokens of a recovery are not reported: they are usually echoes of the first one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from difflib import get_close_matches
from operator import itemgetter
from typing import Any, Callable, Iterable

from plcops.st import ast
from plcops.st.builder import AstBuilder
from plcops.st.diagnostics import Diagnostic
from plcops.st.lexer import (
    KEYWORDS,
    LITERAL_TERMINALS,
    SOFT_TERMINALS,
    Token,
    TriviaToken,
    keyword_terminal,
    tokenize,
)
from plcops.st.source import SourceText, Span
from plcops.st.tables import ParseTables, RulePlan, load_tables

MAX_ERRORS_PER_FILE = 50
_QUIET_TOKENS_AFTER_RECOVERY = 3
_END = "$END"

# Tokens an insertion may invent: each is a frequent omission and cannot change what the code means.
_INSERTABLE = (
    "_SEMI",
    "_RPAREN",
    "_RBRACKET",
    "_THEN",
    "_DO",
    "_OF",
    "_END_IF",
    "_END_CASE",
    "_END_FOR",
    "_END_WHILE",
    "_END_REPEAT",
    "_END_VAR",
    "_END_STRUCT",
)

# Where panic-mode recovery may resume: the keywords that start or end a statement or declaration.
_SYNC_TOKENS = frozenset(
    "_IF _CASE _FOR _WHILE _REPEAT _RETURN _EXIT _CONTINUE _JMP _ELSIF _ELSE _END_IF _END_CASE _END_FOR "
    "_END_WHILE _UNTIL _END_REPEAT VAR_KIND _END_VAR _PROGRAM _END_PROGRAM _FUNCTION _END_FUNCTION "
    "_FUNCTION_BLOCK _END_FUNCTION_BLOCK _METHOD _END_METHOD _PROPERTY _END_PROPERTY _ACTION _END_ACTION "
    "_INTERFACE _END_INTERFACE _TYPE _END_TYPE _STRUCT _END_STRUCT _CONFIGURATION _END_CONFIGURATION "
    "_RESOURCE _END_RESOURCE _GET _END_GET _SET _END_SET".split()
)

_OPENERS = {
    "_END_IF": "_IF",
    "_END_CASE": "_CASE",
    "_END_FOR": "_FOR",
    "_END_WHILE": "_WHILE",
    "_END_REPEAT": "_REPEAT",
    "_END_VAR": "VAR_KIND",
    "_END_STRUCT": "_STRUCT",
    "_END_UNION": "_UNION",
    "_END_TYPE": "_TYPE",
    "_END_PROGRAM": "_PROGRAM",
    "_END_FUNCTION": "_FUNCTION",
    "_END_FUNCTION_BLOCK": "_FUNCTION_BLOCK",
    "_END_METHOD": "_METHOD",
    "_END_PROPERTY": "_PROPERTY",
    "_END_ACTION": "_ACTION",
    "_END_INTERFACE": "_INTERFACE",
    "_END_CONFIGURATION": "_CONFIGURATION",
    "_END_RESOURCE": "_RESOURCE",
    "_END_GET": "_GET",
    "_END_SET": "_SET",
    "_END_CLASS": "_CLASS",
    "_ENDTRY": "_TRY",
}

# What the end of a file may close without writing it (CODESYS per-object text), innermost first.
_IMPLICIT_ENDS = (
    "_END_GET",
    "_END_SET",
    "_END_METHOD",
    "_END_PROPERTY",
    "_END_ACTION",
    "_END_FUNCTION_BLOCK",
    "_END_PROGRAM",
    "_END_FUNCTION",
    "_END_INTERFACE",
    "_END_CLASS",
)

# Tokens that follow a name in a statement but never follow a keyword.
_NAME_FOLLOWERS = frozenset(
    {
        "_LPAREN",
        "_ASSIGN",
        "_DOT",
        "_LBRACKET",
        "_CARET",
        "_SEMI",
        "_SET_ASSIGN",
        "_RESET_ASSIGN",
        "_REF_ASSIGN",
        "_ATTEMPT_ASSIGN",
    }
)
_DECLARATION_STARTS = frozenset(
    "_PROGRAM _FUNCTION _FUNCTION_BLOCK _CLASS _METHOD _PROPERTY _ACTION _ACTIONS _INTERFACE _TYPE VAR_KIND "
    "_CONFIGURATION _SEMI".split()
)
_STATEMENT_STARTS = frozenset({"IDENT", "_IF", "_CASE", "_FOR", "_WHILE", "_REPEAT"})
_EXPRESSION_STARTS = frozenset({"IDENT", "INTEGER", "_LPAREN", "MINUS", "NOT", "STRING"})
_OPERATOR_TERMINALS = frozenset(
    "OR OR_ELSE XOR AND AMP AND_THEN EQ NE LT GT LE GE PLUS MINUS STAR SLASH MOD POW".split()
)
_CONTINUATIONS = frozenset({"_DOT", "_LBRACKET", "_LPAREN", "_CARET"})
_OPERAND_END = frozenset({"IDENT", "_RPAREN", "_RBRACKET", "_CARET", "DIRECT_ADDR"}) | LITERAL_TERMINALS

_PUNCTUATION = {
    "_ASSIGN": "':='",
    "_OUT_ASSIGN": "'=>'",
    "_SET_ASSIGN": "'S='",
    "_RESET_ASSIGN": "'R='",
    "_REF_ASSIGN": "'REF='",
    "_ATTEMPT_ASSIGN": "'?='",
    "_ACCESS_ASSIGN": "ACCESS",
    "_COLON": "':'",
    "_SEMI": "';'",
    "_COMMA": "','",
    "_DOT": "'.'",
    "_DOTDOT": "'..'",
    "_LPAREN": "'('",
    "_RPAREN": "')'",
    "_LBRACKET": "'['",
    "_RBRACKET": "']'",
    "_CARET": "'^'",
    "IDENT": "a name",
    "VAR_KIND": "a VAR section",
    "VAR_QUALIFIER": "CONSTANT, RETAIN or PERSISTENT",
    "MODIFIER": "an access modifier",
    "DIRECT_ADDR": "a direct address such as %IX0.0",
    _END: "the end of the file",
    "_TRY": "__TRY",
    "_CATCH": "__CATCH",
    "_FINALLY": "__FINALLY",
    "_ENDTRY": "__ENDTRY",
}


# The order in which alternatives are listed: the likeliest fix first.
_PREFERENCE = {
    terminal: rank
    for rank, terminal in enumerate(
        "_SEMI _ASSIGN _LPAREN _RPAREN _RBRACKET _COMMA _COLON _THEN _DO _OF _END_VAR _END_IF _END_CASE "
        "_END_FOR _END_WHILE _END_REPEAT _ELSIF _ELSE IDENT".split()
    )
}
_ACCESSOR_TERMINALS = frozenset(t for word in ("GET", "SET") if (t := keyword_terminal(word)) is not None)
_RARE_ASSIGNMENTS = frozenset({"_SET_ASSIGN", "_RESET_ASSIGN", "_REF_ASSIGN", "_ATTEMPT_ASSIGN", "_ACCESS_ASSIGN"})


def describe_terminal(terminal: str) -> str:
    """A terminal in the words an engineer uses: ``';'``, ``END_IF``, ``a name``."""
    if terminal in _PUNCTUATION:
        return _PUNCTUATION[terminal]
    if terminal in LITERAL_TERMINALS:
        return "a literal"
    if terminal in _OPERATOR_TERMINALS or terminal == "NOT":
        return {"AMP": "'&'", "EQ": "'='", "NE": "'<>'", "LT": "'<'", "GT": "'>'", "LE": "'<='",
                "GE": "'>='", "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "SLASH": "'/'",
                "POW": "'**'"}.get(terminal, terminal)  # fmt: skip
    return terminal.lstrip("_")


def describe_expected(expected: Iterable[str]) -> str:
    """Summarise the terminals the parser could accept: the structural ones first, briefly."""
    terminals = set(expected)
    structural = terminals - _OPERATOR_TERMINALS - _CONTINUATIONS
    if structural:
        terminals = structural
    phrases: list[str] = []
    if {"_PROGRAM", "_FUNCTION_BLOCK", "_TYPE"} <= terminals:
        phrases.append("a declaration (PROGRAM, FUNCTION_BLOCK, FUNCTION, TYPE, VAR_GLOBAL, ...)")
        terminals -= _DECLARATION_STARTS
    if _STATEMENT_STARTS <= terminals:
        phrases.append("a statement")
        terminals -= _STATEMENT_STARTS | {"_SEMI", "_JMP", "_EXIT", "_CONTINUE", "_RETURN", "_TRY", "DIRECT_ADDR"}
    if terminals & _EXPRESSION_STARTS and len(terminals & _EXPRESSION_STARTS) >= 3:
        phrases.append("an expression")
        terminals -= _EXPRESSION_STARTS | LITERAL_TERMINALS | {"DIRECT_ADDR", "PLUS", "_LBRACKET"}
    if "_ASSIGN" in terminals:
        terminals -= _RARE_ASSIGNMENTS
    ordered = sorted(terminals, key=lambda t: (_PREFERENCE.get(t, len(_PREFERENCE)), t))
    phrases.extend(describe_terminal(t) for t in ordered)
    if not phrases:
        return "something else"
    if len(phrases) > 5:
        phrases = [*phrases[:5], "..."]
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


@dataclass(slots=True)
class SyntaxErrorInfo:
    """A syntax error before it is turned into a :class:`Diagnostic`."""

    start: int
    end: int
    message: str


@dataclass(slots=True)
class ParseResult:
    """The outcome of parsing one document.

    Attributes:
        source: the text that was parsed, with its position mapping.
        unit: the AST (None only when the text could not be parsed at all).
        tokens: the significant tokens, ``(type, text, start, end)``, soft keywords resolved.
        trivia_tokens: comments and pragmas, in order.
        diagnostics: syntax errors, sorted by position.
    """

    source: SourceText
    unit: ast.CompilationUnit | None
    tokens: list[Token]
    trivia_tokens: list[TriviaToken]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    implicit_ends: int = 0  # END_* the end of the file closed (CODESYS per-object text writes none)

    @property
    def ok(self) -> bool:
        """True when the document has no syntax error."""
        return not self.diagnostics


Reducer = tuple[int, str, Callable[[list[Any]], Any], bool]


def _reducer(plan: RulePlan, callback: Callable[[list[Any]], Any] | None) -> Reducer:
    """Specialise one rule's reduce step: ``(size, goto symbol, build(popped values), needs span)``.

    Most rules keep their children as they are or pick a few by position; those get a direct callback or
    an ``itemgetter`` instead of the general loop, which matters at hundreds of thousands of reductions
    per second.
    """
    children = plan.children
    simple = not plan.trailing_nones and all(not splice and not nones for _, splice, nones in children)
    indices = [index for index, _, _ in children]
    if plan.inline:
        if simple:
            if indices == list(range(plan.size)):
                return plan.size, plan.origin, _same_list, False
            pick = itemgetter(*indices) if indices else None
            if len(indices) == 1:
                return plan.size, plan.origin, lambda popped: [popped[indices[0]]], False
            return plan.size, plan.origin, (lambda popped: list(pick(popped))) if pick else _empty_list, False
        return plan.size, plan.origin, lambda popped: _children(plan, popped), False
    if plan.pass_single and simple and len(indices) == 1:
        return plan.size, plan.origin, itemgetter(indices[0]), False
    if callback is None:
        raise RuntimeError(f"no builder method for grammar rule {plan.callback!r}")
    if plan.pass_single:

        def pass_or_build(popped: list[Any]) -> Any:
            kept = _children(plan, popped)
            return kept[0] if len(kept) == 1 else callback(kept)

        return plan.size, plan.origin, pass_or_build, True
    if simple:
        if indices == list(range(plan.size)):
            return plan.size, plan.origin, callback, True
        if len(indices) == 1:
            only = indices[0]
            return plan.size, plan.origin, lambda popped: callback([popped[only]]), True
        if not indices:
            return plan.size, plan.origin, lambda popped: callback([]), True
        pick = itemgetter(*indices)
        return plan.size, plan.origin, lambda popped: callback(list(pick(popped))), True
    return plan.size, plan.origin, lambda popped: callback(_children(plan, popped)), True


def _same_list(popped: list[Any]) -> list[Any]:
    return popped


def _empty_list(popped: list[Any]) -> list[Any]:
    return []


def _children(plan: RulePlan, popped: list[Any]) -> list[Any]:
    """The general case: drop filtered tokens, splice inlined rules, insert None placeholders."""
    parts = plan.children
    first = parts[0] if parts else None
    if first is not None and first[1] and not first[2]:
        # A left-recursive list (statements, CASE labels, terms): the list built so far is extended in place
        # rather than copied at every item, which made long lists quadratic. Nothing else holds it.
        children: list[Any] = popped[first[0]]
        parts = parts[1:]
    else:
        children = []
    for child_index, splice, nones in parts:
        if nones:
            children.extend([None] * nones)
        value = popped[child_index]
        if splice:
            children.extend(value)
        else:
            children.append(value)
    if plan.trailing_nones:
        children.extend([None] * plan.trailing_nones)
    return children


_LOCAL = threading.local()


def _thread_builder() -> AstBuilder:
    """One builder per thread, reused across parses so its specialised reducers are built once."""
    builder = getattr(_LOCAL, "builder", None)
    if builder is None:
        builder = _LOCAL.builder = AstBuilder()
    return builder


def _reducers_for(tables: ParseTables, builder: AstBuilder) -> list[Reducer]:
    cache = getattr(_LOCAL, "reducers", None)
    if cache is None or cache[0] is not tables or cache[1] is not builder:
        cache = _LOCAL.reducers = (
            tables,
            builder,
            [_reducer(plan, getattr(builder, plan.callback, None)) for plan in tables.rules],
        )
    return cache[2]


class _Driver:
    """One run of the LALR automaton over one token list."""

    def __init__(
        self,
        tables: ParseTables,
        builder: AstBuilder,
        tokens: list[Token],
        text: str,
        line_of: Callable[[int], int] | None = None,
    ) -> None:
        self.actions = tables.actions
        self.rules = tables.rules
        self.terminals = tables.terminals
        self.builder = builder
        self.tokens = tokens
        self.text = text
        self.errors: list[SyntaxErrorInfo] = []
        self.implicit_ends = 0  # END_* tokens the end of the file stood for (see run)
        self.end_state = -1
        # Line numbers in messages refer to the original file (a TwinCAT file's XML lines).
        self.line_of = line_of or (lambda offset: text.count("\n", 0, offset) + 1)
        self.reducers = _reducers_for(tables, builder)

    # -------------------------------------------------------------------- simulation (no values)

    def _advance(self, stack: list[int], terminal: str) -> list[int] | None:
        """The state stack after feeding ``terminal`` to a copy of ``stack``, or None if it cannot."""
        actions = self.actions
        rules = self.rules
        stack = stack[:]
        while True:
            action = actions[stack[-1]].get(terminal)
            if action is None:
                return None
            if action >= 0:
                stack.append(action)
                return stack
            plan = rules[~action]
            if plan.size:
                del stack[-plan.size :]
            stack.append(actions[stack[-1]][plan.origin])
            if terminal == _END and stack[-1] == self.end_state:
                return stack

    def _accepts(self, stack: list[int], terminal: str) -> bool:
        return self._advance(stack, terminal) is not None

    def _reads_as_name(self, stack: list[int], terminal: str, index: int) -> bool:
        """Whether a soft keyword is an identifier here: the keyword cannot stand here, or a name can and
        the next token is one that follows names, never the keyword (``Method();``, ``Type := 1;``)."""
        if not self._accepts(stack, terminal):
            return True
        following = self.tokens[index + 1][0] if index + 1 < len(self.tokens) else _END
        if following == "_SEMI" and terminal in _ACCESSOR_TERMINALS:
            return False  # "SET ;": an accessor whose body starts with an empty statement
        return following in _NAME_FOLLOWERS and self._accepts(stack, "IDENT")

    # -------------------------------------------------------------------- main loop

    def run(self, start_state: int, end_state: int) -> Any:
        actions = self.actions
        reducers = self.reducers
        builder = self.builder
        tokens = self.tokens
        soft = SOFT_TERMINALS
        text_length = len(self.text)
        end_token: Token = (_END, "", text_length, text_length)
        self.end_state = end_state

        states: list[int] = [start_state]
        values: list[Any] = []
        starts: list[int] = []
        ends: list[int] = []
        index = 0
        count = len(tokens)
        quiet_until = -1
        inserted_at = -1
        undo: list[list[int] | None] = []  # states popped by each reduction since the last shift

        while True:
            token = tokens[index] if index < count else end_token
            terminal = token[0]
            if terminal in soft and self._reads_as_name(states, terminal, index):
                token = ("IDENT", token[1], token[2], token[3])
                tokens[index] = token
                terminal = "IDENT"
            action = actions[states[-1]].get(terminal)

            if action is None:
                if index >= count and not self.errors and self.implicit_ends < 8:
                    # CODESYS per-object text (one object a file, as text exports for git write it) has no
                    # END_FUNCTION_BLOCK / END_METHOD: at the end of an otherwise clean file, close them.
                    closer = next((t for t in _IMPLICIT_ENDS if self._accepts(states, t)), None)
                    if closer is not None:
                        position = ends[-1] if ends else token[2]
                        tokens.insert(index, (closer, "", position, position))
                        count = len(tokens)
                        self.implicit_ends += 1
                        continue
                if index >= quiet_until:
                    # LALR may reduce on a token it later rejects; report what the parser could take
                    # before those reductions, which is what the programmer could have written.
                    before = states[:]
                    for removed in reversed(undo):
                        before.pop()
                        if removed:
                            before.extend(removed)
                    self._report(before, token, index)
                undo.clear()
                if len(self.errors) >= MAX_ERRORS_PER_FILE:
                    return None
                recovered = self._insert(states, values, starts, ends, token, index, inserted_at)
                if recovered:
                    inserted_at = index
                    count = len(tokens)
                    quiet_until = index + 1 + _QUIET_TOKENS_AFTER_RECOVERY
                    continue
                resume = self._panic(states, values, starts, ends, index)
                if resume is None:
                    return None
                index = resume
                quiet_until = index + _QUIET_TOKENS_AFTER_RECOVERY
                continue

            if action >= 0:
                states.append(action)
                values.append(token)
                starts.append(token[2])
                ends.append(token[3])
                index += 1
                if undo:
                    undo.clear()
                continue

            size, origin, build, needs_span = reducers[~action]
            if size:
                undo.append(states[-size:])
                popped = values[-size:]
                span_start = starts[-size]
                span_end = ends[-1]
                del values[-size:]
                del states[-size:]
                del starts[-size:]
                del ends[-size:]
            else:
                undo.append(None)
                popped = []
                span_start = span_end = ends[-1] if ends else token[2]
            if needs_span:
                builder.span = Span(span_start, span_end)
            result = build(popped)

            states.append(actions[states[-1]][origin])
            values.append(result)
            starts.append(span_start)
            ends.append(span_end)
            if terminal == _END and states[-1] == end_state:
                return result

    # -------------------------------------------------------------------- errors

    def _expected(self, states: list[int]) -> list[str]:
        row = self.actions[states[-1]]
        return [symbol for symbol in row if symbol in self.terminals and self._accepts(states, symbol)]

    def _report(self, states: list[int], token: Token, index: int) -> None:
        expected = self._expected(states)
        terminal = token[0]
        if terminal == _END:
            found = "unexpected end of file"
        else:
            found = f"unexpected {token[1]!r}"
        start, end = token[2], token[3]
        message = f"{found}: expected {describe_expected(expected)}"

        previous = self.tokens[index - 1] if 0 < index <= len(self.tokens) else None
        if (
            "_SEMI" in expected
            and terminal != _END
            and previous is not None
            and previous[0] in _OPERAND_END
            and "\n" in self.text[previous[3] : token[2]]
        ):
            # The forgotten semicolon: point at the end of the statement, where it belongs.
            start = end = previous[3]
            what = "declaration" if self._opener("VAR_KIND", "_END_VAR", index) is not None else "statement"
            message = f"missing ';' at the end of the {what} (before {token[1]!r})"
        else:
            closers = [t for t in expected if t in _OPENERS]
            if closers:
                opener = self._opener(_OPENERS[closers[0]], closers[0], index)
                if opener is not None:
                    line = self.line_of(opener[2])
                    message += f" (to close the {opener[1].upper()} on line {line})"
        for word in (token, previous):
            if word is not None and word[0] == "IDENT":
                guess = get_close_matches(word[1].upper(), KEYWORDS, n=1, cutoff=0.8)
                if guess and guess[0] != word[1].upper():
                    message += f"; did you mean {guess[0]} instead of {word[1]!r}?"
                    break
        self.errors.append(SyntaxErrorInfo(start, max(end, start + 1), message))

    def _opener(self, opener: str, closer: str, index: int) -> Token | None:
        """The unmatched ``opener`` token before token ``index`` (for 'to close the IF on line 3')."""
        depth = 0
        for position in range(min(index, len(self.tokens)) - 1, -1, -1):
            terminal = self.tokens[position][0]
            if terminal == closer:
                depth += 1
            elif terminal == opener:
                if depth == 0:
                    return self.tokens[position]
                depth -= 1
        return None

    def _insert(
        self,
        states: list[int],
        values: list[Any],
        starts: list[int],
        ends: list[int],
        token: Token,
        index: int,
        inserted_at: int,
    ) -> bool:
        """Pretend one missing token was there, if that lets ``token`` through."""
        if inserted_at == index or (index > 0 and not self.tokens[index - 1][1]):
            return False
        for terminal in _INSERTABLE:
            after = self._advance(states, terminal)
            if after is not None and self._accepts(after, token[0]):
                position = ends[-1] if ends else token[2]
                phantom: Token = (terminal, "", position, position)
                self.tokens.insert(index, phantom)
                return True
        return False

    def _panic(
        self, states: list[int], values: list[Any], starts: list[int], ends: list[int], index: int
    ) -> int | None:
        """Skip to a statement or declaration boundary and unwind the stack until it fits."""
        tokens = self.tokens
        text = self.text
        count = len(tokens)
        position = index
        while position <= count:
            if position == count:
                candidate = _END
            else:
                current = tokens[position]
                candidate = current[0]
                boundary = (
                    candidate in _SYNC_TOKENS
                    or (position > 0 and tokens[position - 1][0] == "_SEMI")
                    or (position > 0 and "\n" in text[tokens[position - 1][3] : current[2]])
                )
                if not boundary or (position == index and candidate not in _SYNC_TOKENS):
                    position += 1
                    continue
            for depth in range(len(states), 0, -1):
                if self._accepts(states[:depth], candidate):
                    keep = depth - 1  # values/starts/ends are one shorter than states
                    del states[depth:]
                    del values[keep:]
                    del starts[keep:]
                    del ends[keep:]
                    return position
            position += 1
        return None


def _apply_tokens(tokens: list[Token]) -> list[Token]:
    """Drop the zero-width tokens that error recovery invented."""
    return [token for token in tokens if token[1] or token[2] != token[3]]


# Syntax errors reported per file; beyond this the text is not ST (a binary or mis-encoded file).
MAX_DIAGNOSTICS = 100


def parse_source(source: SourceText, *, start: str = "start", attach: bool = True) -> ParseResult:
    """Parse a document and return its AST and diagnostics.

    Args:
        source: the text to parse.
        start: the grammar entry point: ``"start"`` (a whole file), ``"expression_root"`` or
            ``"statements_root"``.
        attach: attach comments and pragmas to the nearest nodes (see :mod:`plcops.st.trivia`).
    """
    from plcops.st.trivia import attach_trivia, collect_trivia

    tables = load_tables()
    lexed = tokenize(source.text)
    builder = _thread_builder()
    builder.reset(source.text)
    tokens = list(lexed.tokens)
    driver = _Driver(tables, builder, tokens, source.text, lambda offset: source.location(offset).line)
    value = driver.run(tables.start_states[start], tables.end_states[start])
    tokens = _apply_tokens(tokens)

    diagnostics = [Diagnostic.at(source, e.start, e.message, end=e.end, code="syntax") for e in lexed.errors]
    diagnostics += [Diagnostic.at(source, e.start, e.message, end=e.end, code="syntax") for e in driver.errors]
    if not driver.errors:
        diagnostics += [Diagnostic.at(source, e.start, e.message, end=e.end, code="syntax") for e in builder.errors]
    diagnostics.sort(key=lambda d: (d.line, d.column))
    if len(diagnostics) > MAX_DIAGNOSTICS:  # not ST at all (a binary file): the first ones say enough
        more = len(diagnostics) - MAX_DIAGNOSTICS
        last = diagnostics[MAX_DIAGNOSTICS - 1]
        diagnostics = diagnostics[:MAX_DIAGNOSTICS]
        diagnostics.append(
            Diagnostic(source.path, last.line, last.column, f"{more} more syntax errors not shown", code="syntax")
        )

    unit: ast.CompilationUnit | None
    if start == "start":
        unit = value if isinstance(value, ast.CompilationUnit) else None
        if unit is None:
            unit = ast.CompilationUnit([], span=Span(0, len(source.text)))
        unit.trivia = collect_trivia(source.text, lexed.trivia)
        if attach:
            attach_trivia(unit, source.text)
    else:
        unit = None
        if value is not None:
            body = value if isinstance(value, list) else [value]
            unit = ast.CompilationUnit(body, span=Span(0, len(source.text)))  # type: ignore[arg-type]
    return ParseResult(source, unit, tokens, lexed.trivia, diagnostics, driver.implicit_ends)


def parse_text(text: str, path: str = "<string>", *, attach: bool = True) -> ParseResult:
    """Parse ST text (a whole file's worth). See :func:`parse_source`."""
    return parse_source(SourceText(path, text), attach=attach)


def parse_expression(text: str) -> ast.Expr:
    """Parse one expression; raises ValueError with the diagnostics if it is not valid ST."""
    result = parse_source(SourceText("<expression>", text), start="expression_root", attach=False)
    if result.diagnostics or result.unit is None:
        raise ValueError("\n".join(d.header() for d in result.diagnostics) or "not an expression")
    return result.unit.items[0]  # type: ignore[return-value]


def parse_statements(text: str) -> list[ast.Stmt]:
    """Parse a statement list (a POU body); raises ValueError with the diagnostics if it is not valid ST."""
    result = parse_source(SourceText("<statements>", text), start="statements_root", attach=False)
    if result.diagnostics or result.unit is None:
        raise ValueError("\n".join(d.header() for d in result.diagnostics))
    return result.unit.items  # type: ignore[return-value]


__all__ = [
    "ParseResult",
    "parse_source",
    "parse_text",
    "parse_expression",
    "parse_statements",
    "describe_expected",
    "RulePlan",
]
