"""The Structured Text lexer.

One compiled regular expression finds the next token, skipping white space in the same match; keywords are
found by a dictionary lookup on the upper-cased word (ST is case-insensitive). Comments and pragmas are not
thrown away: they are collected as :class:`TriviaToken` so the AST, the formatter and the linter can see them.

Tokens are plain tuples ``(type, text, start, end)`` because the parser consumes hundreds of thousands of
them per second and a tuple is the cheapest object Python can make.

Context-dependent words are resolved here or flagged for the parser:

* ``S=``, ``R=`` and ``REF=`` are assignment operators only right after an operand (``Q S= TRUE;``);
  elsewhere ``S`` and ``R`` are ordinary names (``IF S = 1 THEN``).
* After ``.`` every word is a member name, even a keyword (``fbQueue.Get()``, ``stCfg.On``).
* *Soft* keywords (``GET``, ``SET``, ``ON``, ``PUBLIC``, ...) are common identifiers in real code; they are
  emitted with their keyword type and the parser turns them into identifiers where the keyword cannot
  stand (see :data:`SOFT_KEYWORDS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

Token = tuple[str, str, int, int]
"""A token: ``(type, text, start offset, end offset)``."""

TYPE, TEXT, START, END = 0, 1, 2, 3


class TriviaToken(NamedTuple):
    """A comment or pragma: kept beside the token stream, never fed to the parser."""

    kind: str  # "comment" or "pragma"
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class LexError:
    """A piece of text that is not a token (an unterminated comment, a stray character, ...)."""

    start: int
    end: int
    message: str


# Reserved words and the terminal each produces. Names that ST programs use as types or functions
# (INT, TIME, REF, ADR, THIS, SUPER, ...) are deliberately *not* keywords: they are identifiers that later
# layers resolve, which keeps the grammar small and lets user code shadow them the way compilers allow.
_KEYWORD_TERMINALS: dict[str, str] = {
    **{
        word: "_" + word
        for word in (
            "PROGRAM END_PROGRAM FUNCTION END_FUNCTION FUNCTION_BLOCK END_FUNCTION_BLOCK METHOD END_METHOD "
            "PROPERTY END_PROPERTY GET END_GET SET END_SET ACTION END_ACTION INTERFACE END_INTERFACE "
            "EXTENDS IMPLEMENTS TYPE END_TYPE STRUCT END_STRUCT UNION END_UNION END_VAR AT ARRAY OF POINTER "
            "REFERENCE TO CONFIGURATION END_CONFIGURATION RESOURCE END_RESOURCE ON TASK WITH IF THEN ELSIF "
            "ELSE END_IF CASE END_CASE FOR BY DO END_FOR WHILE END_WHILE REPEAT UNTIL END_REPEAT EXIT "
            "CONTINUE RETURN JMP REF_TO CLASS END_CLASS ACTIONS END_ACTIONS"
        ).split()
    },
    "__TRY": "_TRY",
    "VAR_GENERIC": "_VAR_GENERIC",
    "__CATCH": "_CATCH",
    "__FINALLY": "_FINALLY",
    "__ENDTRY": "_ENDTRY",
    **{
        word: "VAR_KIND"
        for word in (
            "VAR VAR_INPUT VAR_OUTPUT VAR_IN_OUT VAR_GLOBAL VAR_EXTERNAL VAR_TEMP VAR_STAT VAR_INST "
            "VAR_CONFIG VAR_ACCESS"
        ).split()
    },
    **{word: "VAR_QUALIFIER" for word in "CONSTANT RETAIN NON_RETAIN PERSISTENT".split()},
    **{word: "MODIFIER" for word in "ABSTRACT FINAL PUBLIC PRIVATE PROTECTED INTERNAL".split()},
    **{word: word for word in "AND OR XOR NOT MOD AND_THEN OR_ELSE TRUE FALSE".split()},
}

KEYWORDS: frozenset[str] = frozenset(_KEYWORD_TERMINALS)
"""Every reserved word, upper case."""

SOFT_KEYWORDS: frozenset[str] = frozenset(
    "GET SET END_GET END_SET ON WITH TASK RESOURCE ACTION END_ACTION POINTER REFERENCE AT EXTENDS "
    "IMPLEMENTS ABSTRACT FINAL PUBLIC PRIVATE PROTECTED INTERNAL CONSTANT RETAIN NON_RETAIN PERSISTENT REF_TO "
    "CLASS END_CLASS CONFIGURATION TYPE PROGRAM FUNCTION METHOD PROPERTY INTERFACE ACTIONS END_ACTIONS".split()
)
"""Keywords that real projects also use as identifiers (``fbQueue.Get()``, ``bOn``-less ``On``, ...).

The parser reads one of these as a keyword only where the grammar can take the keyword, and as an
identifier everywhere else."""

SOFT_TERMINALS: frozenset[str] = frozenset(_KEYWORD_TERMINALS[word] for word in SOFT_KEYWORDS)

_OPERATORS: dict[str, str] = {
    ":=": "_ASSIGN",
    "=>": "_OUT_ASSIGN",
    "?=": "_ATTEMPT_ASSIGN",
    "<=": "LE",
    ">=": "GE",
    "<>": "NE",
    "**": "POW",
    "..": "_DOTDOT",
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
    "/": "SLASH",
    "=": "EQ",
    "<": "LT",
    ">": "GT",
    "&": "AMP",
    ":": "_COLON",
    ";": "_SEMI",
    ",": "_COMMA",
    ".": "_DOT",
    "(": "_LPAREN",
    ")": "_RPAREN",
    "[": "_LBRACKET",
    "]": "_RBRACKET",
    "^": "_CARET",
}

# Token types after which the next word continues an operand (so "S=" there is a set-assignment).
# Tokens an operand ends with; a soft keyword may be the operand too ("Get REF= _Array[i];" in a method
# called Get): see SOFT_KEYWORDS.
_OPERAND_END: frozenset[str] = frozenset({"IDENT", "_RBRACKET", "_CARET", "_RPAREN"}) | SOFT_TERMINALS

LITERAL_TERMINALS: frozenset[str] = frozenset(
    "INTEGER BASED_INT REAL TYPED_LITERAL TIME_LITERAL DATE_LITERAL TOD_LITERAL DT_LITERAL STRING WSTRING "
    "TRUE FALSE".split()
)

# TwinCAT accepts string literals that run over a line break, so the bodies may contain newlines.
_STRING_BODY = r"'(?:\$.|[^'$])*'"
_WSTRING_BODY = r'"(?:\$.|[^"$])*"'
_INT = r"\d[\d_]*"
_TIME_UNITS = r"(?:[0-9][0-9_]*(?:\.[0-9_]+)?(?:ms|us|ns|d|h|m|s)_?)+"
_DATE = r"\d+-\d+-\d+"
_DAYTIME = r"\d+:\d+(?::\d+(?:\.\d+)?)?"

# Order matters: earlier alternatives win. White space is skipped by the same match.
_TOKEN_RE = re.compile(
    rf"""[ \t\r\n\f\v\u00a0\ufeff]*(?:
      (?P<line_comment>//[^\r\n]*)
    | (?P<block_comment>\(\*)
    | (?P<c_comment>/\*)
    | (?P<pragma>\{{)
    | (?P<TIME_LITERAL>(?i:(?:LTIME|TIME|LT|T)\#[-+]?{_TIME_UNITS}))
    | (?P<DT_LITERAL>(?i:(?:LDATE_AND_TIME|DATE_AND_TIME|LDT|DT)\#){_DATE}-{_DAYTIME})
    | (?P<TOD_LITERAL>(?i:(?:LTIME_OF_DAY|TIME_OF_DAY|LTOD|TOD)\#){_DAYTIME})
    | (?P<DATE_LITERAL>(?i:(?:LDATE|DATE|LD|D)\#){_DATE})
    | (?P<TYPED_LITERAL>[A-Za-z_]\w*\#(?:[-+]?\d+\#[0-9A-Fa-f_]+|[-+]?{_INT}(?:\.{_INT})?(?:[eE][-+]?{_INT})?
                                      |{_STRING_BODY}|{_WSTRING_BODY}|[A-Za-z_]\w*))
    | (?P<BASED_INT>\d+\#[0-9A-Fa-f_]+)
    | (?P<REAL>{_INT}\.{_INT}(?:[eE][-+]?{_INT})?|{_INT}[eE][-+]?{_INT})
    | (?P<INTEGER>{_INT})
    | (?P<word>[^\W\d]\w*)
    | (?P<STRING>{_STRING_BODY})
    | (?P<WSTRING>{_WSTRING_BODY})
    | (?P<DIRECT_ADDR>%[IQM][XBWDL]?(?:\*|\d+(?:\.\d+)*))
    | (?P<operator>:=|=>|\?=|<=|>=|<>|\*\*|\.\.|[-+*/=<>&:;,.()\[\]^])
    | (?P<bad_string>['"])
    | (?P<other>.)
    )""",
    re.VERBOSE | re.DOTALL,
)

_DESCRIPTION_START = "(*@KEY@:DESCRIPTION*)"
_DESCRIPTION_END = "(*@KEY@:END_DESCRIPTION*)"
_NESTED_COMMENT_RE = re.compile(r"\(\*|\*\)")
# A pragma ends at the first "}": quotes are not special, since pragma texts contain apostrophes ("we're").
_PRAGMA_RE = re.compile(r"\{[^}]*\}")
_TRAILING_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0\ufeff]*\Z")


class LexResult(NamedTuple):
    """Everything the lexer found in a text."""

    tokens: list[Token]
    trivia: list[TriviaToken]
    errors: list[LexError]


def tokenize(text: str) -> LexResult:
    """Split ST text into tokens, trivia (comments and pragmas) and lexical errors.

    The lexer never raises: text it cannot read becomes a :class:`LexError` and lexing goes on after it,
    so one stray character does not hide the rest of the file's problems.
    """
    tokens: list[Token] = []
    trivia: list[TriviaToken] = []
    errors: list[LexError] = []
    append = tokens.append
    match = _TOKEN_RE.match
    keyword_terminals = _KEYWORD_TERMINALS
    operators = _OPERATORS
    operand_end = _OPERAND_END
    length = len(text)
    position = 0
    previous = ""  # type of the previous token

    while position < length:
        m = match(text, position)
        if m is None:  # only trailing white space is left
            break
        kind = m.lastgroup
        start = m.start(kind)  # type: ignore[arg-type]
        end = m.end()
        if kind == "word":
            word = text[start:end]
            upper = word.upper()
            terminal = keyword_terminals.get(upper)
            if terminal is None or previous == "_DOT":
                if upper == "ACCESS" and previous in operand_end:
                    # B&R Automation Studio: "pItem ACCESS ADR(x);" binds a dynamic variable.
                    terminal = "_ACCESS_ASSIGN"
                elif (
                    upper in ("S", "R", "REF")
                    and previous in operand_end
                    and text.startswith("=", end)
                    and not text.startswith("=>", end)
                ):
                    end += 1
                    terminal = {"S": "_SET_ASSIGN", "R": "_RESET_ASSIGN", "REF": "_REF_ASSIGN"}[upper]
                    word = text[start:end]
                else:
                    terminal = "IDENT"
            append((terminal, word, start, end))
            previous = terminal
        elif kind == "operator":
            op = text[start:end]
            terminal = operators[op]
            append((terminal, op, start, end))
            previous = terminal
        elif kind == "line_comment":
            trivia.append(TriviaToken("comment", start, end))
        elif kind == "block_comment":
            end = _end_of_nested_comment(text, start)
            if end < 0:
                # CODESYS and TwinCAT nest comments; matiec (OpenPLC, Beremiz) does not, and OpenPLC
                # sources rely on it: "(* old code ... (* note *)" closes at the first "*)" there. A
                # comment that never closes when nested is read that way; with no "*)" at all it is an error.
                first = text.find("*)", start + 2)
                if first < 0:
                    errors.append(LexError(start, start + 2, "unterminated comment: '(*' has no matching '*)'"))
                end = first + 2 if first >= 0 else length
            elif text.startswith(_DESCRIPTION_START, start):
                # CoDeSys 2.3 source archives (OSCAT) keep free text between these two markers.
                close = text.find(_DESCRIPTION_END, end)
                if close >= 0:
                    end = close + len(_DESCRIPTION_END)
            trivia.append(TriviaToken("comment", start, end))
        elif kind == "c_comment":
            close = text.find("*/", start + 2)
            if close < 0:
                errors.append(LexError(start, start + 2, "unterminated comment: '/*' has no matching '*/'"))
                end = length
            else:
                end = close + 2
            trivia.append(TriviaToken("comment", start, end))
        elif kind == "pragma":
            if text.startswith("{{", start):
                # Beremiz/matiec embed C code in "{{ ... }}"; it is opaque to ST tools.
                close = text.find("}}", start + 2)
                end = length if close < 0 else close + 2
                if close < 0:
                    errors.append(LexError(start, start + 2, "unterminated embedded code: '{{' has no matching '}}'"))
                trivia.append(TriviaToken("pragma", start, end))
                position = end
                continue
            pm = _PRAGMA_RE.match(text, start)
            if pm is None:
                line_end = text.find("\n", start)
                end = length if line_end < 0 else line_end
                errors.append(LexError(start, start + 1, "unterminated pragma: '{' has no matching '}'"))
            else:
                end = pm.end()
            trivia.append(TriviaToken("pragma", start, end))
        elif kind == "bad_string":
            quote = text[start]
            line_end = text.find("\n", start)
            end = length if line_end < 0 else line_end
            errors.append(LexError(start, start + 1, f"unterminated string: {quote} has no closing {quote}"))
            # Treat the rest of the line as the string, so the parser sees an operand and stays in step.
            append(("STRING" if quote == "'" else "WSTRING", text[start:end], start, end))
            previous = "STRING"
        elif kind == "other":
            if text[start].isspace():
                pass  # exotic white space such as U+2028
            elif errors and errors[-1].end == start and text[errors[-1].start] == text[start]:
                # A run of one stray character (a binary file's NULs) is one error, not one per byte.
                run = errors[-1]
                errors[-1] = LexError(run.start, end, f"unexpected character {text[start]!r} ({end - run.start} times)")
            else:
                errors.append(LexError(start, end, f"unexpected character {text[start]!r}"))
        else:
            append((kind, text[start:end], start, end))  # type: ignore[arg-type]
            previous = kind  # type: ignore[assignment]
        position = end

    return LexResult(tokens, trivia, errors)


def _end_of_nested_comment(text: str, start: int) -> int:
    """Offset just past the ``*)`` that closes the ``(*`` at ``start``, or -1 (comments nest in ST)."""
    depth = 0
    search = _NESTED_COMMENT_RE.search
    position = start
    while True:
        m = search(text, position)
        if m is None:
            return -1
        if m.group() == "(*":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.end()
        position = m.end()


def keyword_terminal(word: str) -> str | None:
    """The terminal a reserved word produces, or None for an identifier."""
    return _KEYWORD_TERMINALS.get(word.upper())
