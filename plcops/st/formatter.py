"""The ST formatter: canonical indentation, keyword case, spacing and one statement per line.

The formatter re-lays out the file's own tokens; it never rebuilds code from the AST. That is what makes it
safe for machine code:

* every token, comment and pragma is written back in its original order, so nothing can be lost or move to
  another statement, and literals and identifiers keep their spelling;
* only white space and the case of keywords change;
* line breaks the programmer wrote are kept (blank lines are capped); new ones are added only where two
  statements, declarations or block keywords share a line.

The AST decides the layout: it tells which token starts a statement and how deeply it is nested, which
``:`` ends a CASE label, and which names are type names. After formatting, the output is parsed again and
compared with the input (same AST, same comments); if they differ the formatter refuses to write anything
(:class:`FormatError`). See ``docs/formatting.md`` for the stability policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from plcops.st import ast
from plcops.st.lexer import KEYWORDS, LITERAL_TERMINALS, Token, TriviaToken
from plcops.st.parser import ParseResult, parse_text
from plcops.st.source import SourceText

# Trailing blanks the formatter removes: spaces and tabs only. A form feed or U+2028 at the end of a
# comment is the author's text (str.rstrip() would take it, and the comment would change).
_BLANKS = " \t"

ELEMENTARY_TYPES = frozenset(
    "BOOL BYTE WORD DWORD LWORD SINT INT DINT LINT USINT UINT UDINT ULINT REAL LREAL TIME LTIME DATE LDATE "
    "TIME_OF_DAY TOD LTOD LTIME_OF_DAY DATE_AND_TIME DT LDT LDATE_AND_TIME STRING WSTRING CHAR WCHAR ANY "
    "ANY_INT ANY_NUM ANY_REAL ANY_BIT ANY_STRING ANY_DATE ANY_ELEMENTARY ANY_DERIVED ANY_MAGNITUDE".split()
)

# Terminals whose text is a keyword (case is a formatting choice).
_KEYWORD_TYPES = frozenset(
    {"VAR_KIND", "VAR_QUALIFIER", "MODIFIER", "AND", "OR", "XOR", "NOT", "MOD", "AND_THEN", "OR_ELSE",
     "TRUE", "FALSE", "_SET_ASSIGN", "_RESET_ASSIGN", "_REF_ASSIGN", "_ACCESS_ASSIGN"}
)  # fmt: skip
_OPERAND_END = frozenset({"IDENT", "_RPAREN", "_RBRACKET", "_CARET", "DIRECT_ADDR"}) | LITERAL_TERMINALS
_OPENING = frozenset({"_LPAREN", "_LBRACKET"})
_CLOSING = frozenset({"_RPAREN", "_RBRACKET"})
_NO_SPACE_BEFORE = frozenset({"_SEMI", "_COMMA", "_RPAREN", "_RBRACKET", "_DOT", "_DOTDOT", "_CARET"})
_NO_SPACE_AFTER = frozenset({"_LPAREN", "_LBRACKET", "_DOT", "_DOTDOT"})


class FormatError(Exception):
    """The file cannot be formatted: it has syntax errors, or formatting would change it (a bug)."""


@dataclass(frozen=True, slots=True)
class FormatOptions:
    """Formatting settings (``[fmt]`` in ``plcops.toml``).

    Attributes:
        indent: spaces per level, or 0 to indent with tabs.
        keyword_case: ``"upper"``, ``"lower"`` or ``"preserve"``; also applies to elementary type names.
        max_blank_lines: consecutive blank lines kept (more are collapsed).
        indent_pou_contents: indent variable sections and statements inside PROGRAM/FUNCTION_BLOCK/...
            (IEC text style); off gives the TwinCAT editor's style, where they start at the margin.
        line_ending: ``"auto"`` (keep the file's), ``"lf"`` or ``"crlf"``.
    """

    indent: int = 4
    keyword_case: str = "upper"
    max_blank_lines: int = 1
    indent_pou_contents: bool = True
    line_ending: str = "auto"

    def __post_init__(self) -> None:
        if self.keyword_case not in ("upper", "lower", "preserve"):
            raise ValueError(f"keyword_case must be upper, lower or preserve, not {self.keyword_case!r}")
        if self.line_ending not in ("auto", "lf", "crlf"):
            raise ValueError(f"line_ending must be auto, lf or crlf, not {self.line_ending!r}")
        if self.indent < 0 or self.max_blank_lines < 0:
            raise ValueError("indent and max_blank_lines must not be negative")


@dataclass(slots=True)
class _Item:
    """A token or a piece of trivia, in output order."""

    kind: str  # "token", "comment" or "pragma"
    type: str  # terminal type for tokens; kind otherwise
    text: str
    start: int
    end: int
    newlines_before: int = 0  # line breaks in the original text between the previous item and this one


class _LayoutPlan:
    """What the AST says about the tokens: where lines start, at which depth, and special colons."""

    def __init__(self, tokens: list[Token], starts_line: list[bool], options: FormatOptions) -> None:
        self.tokens = tokens
        self.by_start = {token[2]: index for index, token in enumerate(tokens)}
        self.by_end = {token[3]: index for index, token in enumerate(tokens)}
        self.starts_line = starts_line  # in the original text
        self.options = options
        self.depth: dict[int, int] = {}
        self.breaks: set[int] = set()
        self.label_colons: set[int] = set()
        self.type_names: set[int] = set()

    # ------------------------------------------------------------------ helpers

    def first(self, node: Any) -> int:
        return self.by_start[node.span.start]

    def last(self, node: Any) -> int:
        return self.by_end[node.span.end]

    def unit(self, index: int, depth: int, *, force: bool = True) -> None:
        self.depth[index] = depth
        if force:
            self.breaks.add(index)

    def line_starts(self, index: int) -> bool:
        return index in self.breaks or self.starts_line[index]

    def end_keyword(self, node: ast.Node) -> int:
        index = self.last(node)
        if self.tokens[index][0] == "_SEMI" and isinstance(node, ast.Compound) and node.semicolon:
            index -= 1
        return index

    # ------------------------------------------------------------------ walk

    def plan_unit(self, unit: ast.CompilationUnit) -> None:
        for item in unit.items:
            self.top_level(item, 0)

    def top_level(self, item: Any, depth: int) -> None:
        if isinstance(item, (ast.Pou, ast.Interface)):
            self.pou(item, depth)
        elif isinstance(item, ast.VarBlock):
            self.var_block(item, depth)
        elif isinstance(item, ast.TypeBlock):
            self.type_block(item, depth)
        elif isinstance(item, ast.Configuration):
            self.configuration(item, depth)

    def pou(self, pou: Any, depth: int) -> None:
        self.unit(self.first(pou), depth)
        inner = depth + 1 if self.options.indent_pou_contents else depth
        for block in getattr(pou, "var_blocks", []):
            self.var_block(block, inner)
        return_type = getattr(pou, "return_type", None) or getattr(pou, "type", None)
        if return_type is not None:
            self.type_spec(return_type, depth)
        if isinstance(pou, ast.Property):
            for accessor in (pou.getter, pou.setter):
                if accessor is not None:
                    self.pou(accessor, inner)
        if isinstance(pou, ast.PropertyAccessor):
            inner = depth + 1  # GET/SET bodies are nested blocks even in TwinCAT layout
            for block in pou.var_blocks:
                self.var_block(block, inner)
        self.statements(getattr(pou, "body", []), inner)
        for member in getattr(pou, "members", []):
            standalone = member.span.start > pou.span.end
            self.pou(member, depth if standalone else inner)
        self.unit(self.last(pou), depth)

    def var_block(self, block: ast.VarBlock, depth: int) -> None:
        self.unit(self.first(block), depth)
        for decl in block.decls:
            self.var_decl(decl, depth + 1)
        self.unit(self.last(block), depth)

    def var_decl(self, decl: ast.VarDecl, depth: int) -> None:
        self.unit(self.first(decl), depth)
        self.type_spec(decl.type, depth)

    def type_block(self, block: ast.TypeBlock, depth: int) -> None:
        self.unit(self.first(block), depth)
        for position, decl in enumerate(block.decls):
            index = self.first(decl)
            if position == 0 and not self.starts_line[index]:
                line_depth = depth  # TwinCAT: "TYPE ST_Motor :" on one line
            else:
                line_depth = depth + 1
                self.unit(index, line_depth)
            self.type_spec(decl.type, line_depth)
        self.unit(self.last(block), depth)

    def type_spec(self, spec: Any, line_depth: int) -> None:
        if isinstance(spec, (ast.NamedType, ast.SizedType, ast.SubrangeType)):
            if spec.name.upper() in ELEMENTARY_TYPES:
                self.type_names.add(self.first(spec))
        elif isinstance(spec, (ast.ArrayType, ast.PointerType, ast.ReferenceType)):
            self.type_spec(spec.element if isinstance(spec, ast.ArrayType) else spec.target, line_depth)
        elif isinstance(spec, (ast.StructType, ast.UnionType)):
            keyword = self.first(spec)
            if self.starts_line[keyword]:
                self.unit(keyword, line_depth)
            for member in spec.members:
                self.var_decl(member, line_depth + 1)
            self.unit(self.last(spec), line_depth)
        elif isinstance(spec, ast.EnumType):
            opening = self.first(spec)
            if spec.base_first:
                if spec.base and spec.base.upper() in ELEMENTARY_TYPES:
                    self.type_names.add(opening)
                opening += 1
            elif spec.base and spec.base.upper() in ELEMENTARY_TYPES:
                self.type_names.add(self.last(spec))
            if self.starts_line[opening]:
                self.unit(opening, line_depth, force=False)
            for value in spec.values:
                index = self.first(value)
                if self.starts_line[index]:
                    self.unit(index, line_depth + 1, force=False)
            closing = self.by_end.get(spec.values[-1].span.end, -1) + 1 if spec.values else -1
            while 0 < closing < len(self.tokens) and self.tokens[closing][0] != "_RPAREN":
                closing += 1
            if 0 < closing < len(self.tokens) and self.starts_line[closing]:
                self.unit(closing, line_depth, force=False)

    def configuration(self, config: Any, depth: int) -> None:
        self.unit(self.first(config), depth)
        for block in config.var_blocks:
            self.var_block(block, depth + 1)
        for resource in getattr(config, "resources", []):
            self.configuration(resource, depth + 1)
        for entry in list(config.tasks) + list(config.programs):
            self.unit(self.first(entry), depth + 1)
        self.unit(self.last(config), depth)

    def statements(self, statements: list[ast.Stmt], depth: int) -> None:
        for statement in statements:
            self.statement(statement, depth)

    def statement(self, statement: ast.Stmt, depth: int) -> None:
        first = self.first(statement)
        self.unit(first, depth)
        if isinstance(statement, ast.LabelStatement):
            self.label_colons.add(first + 1)
        elif isinstance(statement, ast.IfStatement):
            for position, arm in enumerate(statement.branches):
                if position:
                    self.unit(self.first(arm), depth)
                self.statements(arm.body, depth + 1)
            self.else_branch(statement.else_branch, depth)
            self.unit(self.end_keyword(statement), depth)
        elif isinstance(statement, ast.CaseStatement):
            for branch in statement.branches:
                self.unit(self.first(branch), depth + 1)
                colon = self.by_end[branch.labels[-1].span.end] + 1
                self.label_colons.add(colon)
                self.statements(branch.body, depth + 2)
            self.else_branch(statement.else_branch, depth)
            self.unit(self.end_keyword(statement), depth)
        elif isinstance(statement, (ast.ForStatement, ast.WhileStatement)):
            self.statements(statement.body, depth + 1)
            self.unit(self.end_keyword(statement), depth)
        elif isinstance(statement, ast.RepeatStatement):
            self.statements(statement.body, depth + 1)
            self.unit(self.first(statement.condition) - 1, depth)  # UNTIL
            self.unit(self.end_keyword(statement), depth)
        elif isinstance(statement, ast.TryStatement):
            self.statements(statement.body, depth + 1)
            self.statements(statement.catch_body or [], depth + 1)
            self.statements(statement.finally_body or [], depth + 1)
            end = self.end_keyword(statement)
            nested = 0
            for index in range(first + 1, end):
                terminal = self.tokens[index][0]
                if terminal == "_TRY":
                    nested += 1
                elif terminal == "_ENDTRY":
                    nested -= 1
                elif terminal in ("_CATCH", "_FINALLY") and nested == 0:
                    self.unit(index, depth)
            self.unit(end, depth)

    def else_branch(self, branch: ast.ElseBranch | None, depth: int) -> None:
        if branch is not None:
            self.unit(self.first(branch), depth)
            self.statements(branch.body, depth + 1)


def _items(result: ParseResult) -> list[_Item]:
    """Tokens and trivia merged in source order, with the original line breaks between them."""
    text = result.source.text
    items = [_Item("token", t[0], t[1], t[2], t[3]) for t in result.tokens]
    items += [_Item(t.kind, t.kind, text[t.start : t.end], t.start, t.end) for t in result.trivia_tokens]
    items.sort(key=lambda item: item.start)
    previous_end = 0
    for item in items:
        item.newlines_before = text.count("\n", previous_end, item.start)
        previous_end = item.end
    return items


def _cased(text: str, options: FormatOptions) -> str:
    if options.keyword_case == "upper":
        return text.upper()
    if options.keyword_case == "lower":
        return text.lower()
    return text


def _generic_brackets(result: ParseResult) -> set[int]:
    """Where the ``<`` and ``>`` of generic instantiations (``FB_Buffer<100>``) start: they hug their
    neighbours, where the same tokens as comparisons get spaces."""
    from plcops.st.visitor import walk

    found: set[int] = set()
    if result.unit is None:
        return found
    for node in walk(result.unit):
        if isinstance(node, ast.InstanceType) and node.generic_args:
            start, end = node.span
            brackets = [t for t in result.tokens if start <= t[2] < end and t[0] in ("LT", "GT")]
            opening = next((t for t in brackets if t[0] == "LT"), None)
            last_arg = node.generic_args[-1].span[1]
            closing = next((t for t in brackets if t[0] == "GT" and t[2] >= last_arg), None)
            found.update(t[2] for t in (opening, closing) if t is not None)
    return found


def _space(
    previous: _Item,
    operator_left: _Item | None,
    current: _Item,
    label_colon: bool,
    generic: set[int] | frozenset[int] = frozenset(),
) -> str:
    """The white space between two items on one line."""
    if current.kind != "token" or previous.kind != "token":
        return " "
    if current.start in generic or (previous.start in generic and previous.type == "LT"):
        return ""  # FB_Buffer<100>
    if previous.start in generic and current.type == "_LPAREN":
        return ""  # FB_Buffer<100>(THIS^)
    a, b = previous.type, current.type
    if b in _NO_SPACE_BEFORE or a in _NO_SPACE_AFTER:
        return ""
    if b == "_COLON":
        return "" if label_colon else " "
    if b == "_LBRACKET":
        return "" if a in _OPERAND_END or a == "_ARRAY" else " "
    if b == "_LPAREN":
        if a in ("IDENT", "_CARET", "_RPAREN", "_RBRACKET", "INTEGER"):
            return ""  # calls, STRING(80), SUPER^(), and the repetition 3(0) in array initializers
        if a in ("AND", "OR", "XOR", "MOD") and (operator_left is None or operator_left.type not in _OPERAND_END):
            return ""  # AND(a, b): the operator written as a function
        return " "
    if a in ("MINUS", "PLUS") and (operator_left is None or operator_left.type not in _OPERAND_END):
        return ""  # unary minus/plus
    return " "


class _Columns:
    """Visual columns of offsets asked for in increasing order: ``len(line_up_to_offset.expandtabs(4))``,
    counted on from the last answer. Recounting each comment's line from its start was quadratic on a
    line of many comments."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.length = 0  # of the expanded line up to self.offset
        self.tab_column = 0  # where expandtabs stands there (a CR sets it back to 0, not the length)

    def at(self, offset: int) -> int:
        text = self.text
        if offset < self.offset or text.find("\n", self.offset, offset) >= 0:
            self.offset, self.length, self.tab_column = text.rfind("\n", 0, offset) + 1, 0, 0
        piece = text[self.offset : offset]
        if "\t" not in piece and "\r" not in piece:
            self.length += len(piece)
            self.tab_column += len(piece)
        else:
            for char in piece:
                width = 4 - self.tab_column % 4 if char == "\t" else 1
                self.length += width
                self.tab_column = 0 if char == "\r" else self.tab_column + width
        self.offset = offset
        return self.length


def format_result(result: ParseResult, options: FormatOptions | None = None) -> str:
    """Format a parsed document. Raises :class:`FormatError` if it has syntax errors."""
    options = options or FormatOptions()
    if result.diagnostics or result.unit is None:
        raise FormatError(f"{result.source.path}: cannot format a file with syntax errors")
    source_text = result.source.text
    items = _items(result)
    token_items = [item for item in items if item.kind == "token"]
    starts_line = [item.newlines_before > 0 for item in token_items]
    plan = _LayoutPlan(result.tokens, starts_line, options)
    plan.plan_unit(result.unit)

    token_number = {id(item): index for index, item in enumerate(token_items)}
    generic = _generic_brackets(result)
    lines: list[_Line] = []
    pieces: list[str] = []
    line_depth = 0
    unit_depth = 0
    unit_brackets = 0
    brackets = 0
    previous: _Item | None = None
    tokens_before: tuple[_Item | None, _Item | None] = (None, None)  # the last two tokens, trivia skipped
    pending_comment_lines: list[_Line] = []  # comment-only lines awaiting the depth of the code they precede
    comment_piece = -1  # index in `pieces` of the last comment that followed code on this line
    comment_column = 0  # that comment's column in the original text
    columns = _Columns(source_text)

    def close_line() -> None:
        nonlocal pieces, comment_piece
        if pieces:
            trailing = comment_piece if comment_piece == len(pieces) - 1 else -1
            line = _Line(line_depth, pieces, trailing, comment_column)
            lines.append(line)
            if line_depth == -2:
                pending_comment_lines.append(line)
        pieces = []
        comment_piece = -1

    for item in items:
        index = token_number.get(id(item), -1)
        forced_break = index >= 0 and index in plan.breaks
        if previous is not None and (item.newlines_before > 0 or (forced_break and pieces)):
            close_line()
            blank = min(max(item.newlines_before - 1, 0), options.max_blank_lines)
            lines.extend(_Line(-1, []) for _ in range(blank))

        if not pieces:
            # First item on an output line: decide the line's depth.
            if index >= 0 and index in plan.depth:
                line_depth = plan.depth[index]
                unit_depth = line_depth
                unit_brackets = brackets
            elif index >= 0:
                line_depth = _continuation_depth(item, unit_depth, brackets - unit_brackets)
            else:
                line_depth = -2  # a comment opens the line: it takes the depth of the code after it
            if index >= 0:
                resolved = _comment_depth(item, index, plan, line_depth)
                for line in pending_comment_lines:
                    line.depth = resolved
                pending_comment_lines = []
        else:
            assert previous is not None
            is_label_colon = index >= 0 and index in plan.label_colons
            # Unary or binary '-' is decided by the token before it, comments skipped.
            operator_left = tokens_before[0] if previous is tokens_before[1] else None
            pieces.append(_space(previous, operator_left, item, is_label_colon, generic))
            if item.kind != "token":
                comment_piece = len(pieces)
                comment_column = columns.at(item.start)

        text = item.text
        if item.kind == "token":
            tokens_before = (tokens_before[1], item)
            if item.type in _KEYWORD_TYPES or (item.type.startswith("_") and text.upper() in KEYWORDS):
                text = _cased(text, options)
            elif index in plan.type_names:
                text = _cased(text, options)
            if item.type in _OPENING:
                brackets += 1
            elif item.type in _CLOSING:
                brackets -= 1
        pieces.append(text)
        previous = item
    close_line()
    _settle_comment_depths(lines)
    indent_unit = "\t" if options.indent == 0 else " " * options.indent
    _align_trailing_comments(lines, indent_unit)

    newline = _line_ending(source_text, options)
    out = [line.render(indent_unit) for line in lines]
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    formatted = newline.join(out) + newline if out else ""
    # Multi-line comments keep their inner lines exactly; normalise only the line endings inside them.
    if newline == "\r\n":
        formatted = re.sub(r"(?<!\r)\n", "\r\n", formatted)
    return formatted


@dataclass(slots=True)
class _Line:
    """One output line: its depth (-1 for a blank line, -2 while undecided), pieces of text, and the index
    of a trailing comment among the pieces (-1 if none) with that comment's column in the original."""

    depth: int
    pieces: list[str]
    trailing: int = -1
    original_column: int = 0
    column: int = 0  # where the trailing comment goes (0: right after the code)

    def code(self, indent_unit: str) -> str:
        pieces = self.pieces[: self.trailing - 1] if self.trailing >= 0 else self.pieces
        return (indent_unit * max(self.depth, 0) + "".join(pieces)).rstrip(_BLANKS)

    def render(self, indent_unit: str) -> str:
        if self.depth == -1:
            return ""
        code = self.code(indent_unit)
        if self.trailing < 0:
            return code
        padding = max(self.column - len(code.expandtabs(4)), 1) if code else 0
        return (code + " " * padding + self.pieces[self.trailing]).rstrip(_BLANKS)


def _settle_comment_depths(lines: list[_Line]) -> None:
    """Comment-only lines take the depth of the next code line (already resolved in ``format_result``);
    the ones at the end of the file take the depth of the line before them."""
    last = 0
    for line in lines:
        if line.depth == -2:
            line.depth = last
        elif line.depth >= 0:
            last = line.depth


def _align_trailing_comments(lines: list[_Line], indent_unit: str) -> None:
    """Trailing comments keep their column where the code leaves room, and comments the author aligned
    in one column (in a block of lines without blank lines) stay aligned. This is the layout TwinCAT and
    CODESYS users maintain by hand; re-flowing it would turn every formatting run into diff noise."""
    block: list[_Line] = []

    def flush() -> None:
        commented = [line for line in block if line.trailing >= 0]
        for line in commented:
            line.column = max(line.original_column, len(line.code(indent_unit).expandtabs(4)) + 1)
        columns = {line.original_column for line in commented}
        if len(commented) > 1 and len(columns) == 1:
            shared = max(line.column for line in commented)
            for line in commented:
                line.column = shared
        block.clear()

    for line in lines:
        if line.depth < 0 or (block and line.depth != block[-1].depth):
            flush()
        if line.depth >= 0:
            block.append(line)
    flush()


def _continuation_depth(item: _Item, unit_depth: int, open_brackets: int) -> int:
    """Depth of a line that continues a statement or declaration."""
    if item.type in _CLOSING:
        return unit_depth + max(open_brackets - 1, 0)
    if item.type == "_SEMI":
        return unit_depth
    return unit_depth + max(open_brackets, 1)


_CLOSER_TYPES = frozenset(
    "_END_IF _END_CASE _END_FOR _END_WHILE _END_REPEAT _UNTIL _ELSIF _ELSE _END_VAR _END_STRUCT _END_UNION "
    "_END_TYPE _END_PROGRAM _END_FUNCTION _END_FUNCTION_BLOCK _END_METHOD _END_PROPERTY _END_ACTION "
    "_END_INTERFACE _END_CLASS _END_GET _END_SET _END_CONFIGURATION _END_RESOURCE _ENDTRY _CATCH _FINALLY".split()
)


def _comment_depth(next_item: _Item, index: int, plan: _LayoutPlan, next_depth: int) -> int:
    """Depth of own-line comments: that of the code they precede; inside a block before its END, the
    block's contents."""
    if index in plan.depth and next_item.type in _CLOSER_TYPES:
        return plan.depth[index] + 1
    return next_depth if next_depth >= 0 else 0


def _line_ending(text: str, options: FormatOptions) -> str:
    if options.line_ending == "lf":
        return "\n"
    if options.line_ending == "crlf":
        return "\r\n"
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def _normalised(value: Any) -> tuple[Any, ...]:
    """An AST as one flat tuple, without positions, trivia or case (for equivalence checks): its nodes in
    pre-order, each field named and each node and list closed by a marker, so that two tuples are equal
    exactly when the trees are. Flat and built without recursion: a 1,000-term OR chain must compare
    without nesting 1,000 tuples (Python 3.12 limits the C recursion of tuple comparison)."""
    out: list[Any] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Node):
            if isinstance(item, ast.Literal) and item.kind not in ("STRING", "WSTRING"):
                out.append(("Literal", item.kind, item.text.upper()))
                continue
            out.append(type(item).__name__)
            stack.append(_END_NODE)
            names = [n for n in getattr(type(item), "__dataclass_fields__", {}) if n not in _POSITIONAL]
            for name in reversed(names):
                stack.append(getattr(item, name))
                stack.append((_MARK, name))
        elif isinstance(item, list):
            out.append(_START_LIST)
            stack.append(_END_LIST)
            stack.extend(reversed(item))
        elif isinstance(item, str):
            out.append(item.casefold())
        else:  # numbers, None, and the markers (tuples: never equal to an AST's strings)
            out.append(item)
    return tuple(out)


_POSITIONAL = ("span", "trivia", "semicolon")
_MARK = "\x00"  # no identifier or keyword contains a NUL
_START_LIST = (_MARK, "[")
_END_LIST = (_MARK, "]")
_END_NODE = (_MARK, ")")


def ast_fingerprint(unit: ast.Node | None) -> Any:
    """A value equal for two ASTs (or subtrees) that mean the same program (positions, comments and
    case ignored)."""
    return _normalised(unit)


def _comments(result: ParseResult) -> list[str]:
    """Comment and pragma texts, compared without line-ending style or trailing white space."""
    text = result.source.text
    return [
        "\n".join(line.rstrip(_BLANKS + "\r") for line in text[t.start : t.end].split("\n"))
        for t in result.trivia_tokens
    ]


def format_text(text: str, path: str = "<string>", options: FormatOptions | None = None) -> str:
    """Format ST text; the result is verified to mean the same program with the same comments.

    Raises:
        FormatError: the text has syntax errors (message lists them), or the check failed.
    """
    result = parse_text(text, path, attach=False)
    if result.diagnostics:
        raise FormatError("\n".join(d.format() for d in result.diagnostics))
    if result.implicit_ends:
        return text  # CODESYS per-object text (no END_* lines): its layout belongs to the tool that wrote it
    formatted = format_result(result, options)
    check = parse_text(formatted, path, attach=False)
    if check.diagnostics or ast_fingerprint(check.unit) != ast_fingerprint(result.unit):
        raise FormatError(f"{path}: internal error: formatting would change the program; file left unchanged")
    if _comments(check) != _comments(result):
        raise FormatError(f"{path}: internal error: formatting would change a comment; file left unchanged")
    return formatted


def iter_tokens_with_trivia(result: ParseResult) -> Iterator[tuple[str, str]]:
    """``(type, text)`` for every token and trivia item in order (used by tests and tools)."""
    for item in _items(result):
        yield item.type, item.text


__all__ = [
    "FormatError",
    "FormatOptions",
    "SourceText",
    "TriviaToken",
    "ast_fingerprint",
    "format_result",
    "format_text",
]
