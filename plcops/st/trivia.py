"""Comments and pragmas: collected from the lexer's trivia and attached to the nearest AST node.

Attachment follows what a reader of the code would say the comment is *about*:

* a comment alone on its line belongs to the node after it (``leading``);
* a comment after a node on the same line belongs to that node (``trailing``);
* a comment on a block's first line after its header belongs to the block (``header``);
* a comment after a block's last child, before its END keyword, is ``dangling`` in the block;
* a comment inside an expression or declaration with no finer place is ``interior`` to its statement.

Every comment and pragma of a file stays in :attr:`CompilationUnit.trivia` as well, so a tool that only
needs all of them (the linter's suppression pragmas, the formatter) does not walk the tree.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Sequence

from plcops.st import ast
from plcops.st.lexer import TriviaToken
from plcops.st.source import Span


def collect_trivia(text: str, tokens: Sequence[TriviaToken]) -> list[ast.TriviaItem]:
    """Comment and Pragma nodes for the lexer's trivia tokens."""
    items: list[ast.TriviaItem] = []
    for token in tokens:
        span = Span(token.start, token.end)
        if token.kind == "pragma":
            items.append(ast.Pragma(text[token.start : token.end], span))
        else:
            items.append(ast.Comment(text[token.start : token.end], span))
    return items


class _Tree:
    """Annotated nodes by containment, with their children sorted by position for bisection."""

    def __init__(self) -> None:
        self._kids: dict[int, tuple[list[int], list[ast.Annotated]]] = {}

    def kids(self, node: ast.Node) -> tuple[list[int], list[ast.Annotated]]:
        cached = self._kids.get(id(node))
        if cached is None:
            found: list[ast.Annotated] = []
            stack = list(node.children())
            stack.reverse()
            while stack:
                child = stack.pop()
                if isinstance(child, ast.Annotated):
                    found.append(child)
                else:
                    grandchildren = list(child.children())
                    grandchildren.reverse()
                    stack.extend(grandchildren)
            found.sort(key=lambda n: n.span.start)
            cached = ([n.span.start for n in found], found)
            self._kids[id(node)] = cached
        return cached


def _trivia_of(node: ast.Annotated) -> ast.Trivia:
    if node.trivia is None:
        node.trivia = ast.Trivia()
    return node.trivia


def attach_trivia(unit: ast.CompilationUnit, text: str | None = None) -> None:
    """Attach every item of ``unit.trivia`` to a node (see the module docstring for the rules).

    Args:
        unit: the parsed document.
        text: its text; needed to tell own-line comments from trailing ones. Without it, line breaks
            cannot be seen and every comment becomes leading or dangling.
    """
    if not unit.trivia:
        return
    tree = _Tree()
    source = text or ""
    # Line breaks found once and bisected: slicing the text from a line's start (or a node's end) to each
    # comment was quadratic on a long line of many comments (100,000 of them: 14 s).
    newlines: list[int] = []
    position = source.find("\n")
    while position >= 0:
        newlines.append(position)
        position = source.find("\n", position + 1)

    def breaks_between(first: int, last: int) -> bool:
        index = bisect_left(newlines, first)
        return index < len(newlines) and newlines[index] < last

    previous_end = -1  # where the previous comment or pragma ended: its last character is not blank
    for item in unit.trivia:
        start = item.span.start
        container: ast.Node = unit
        while True:
            starts, kids = tree.kids(container)
            position = bisect_right(starts, start) - 1
            if position >= 0 and kids[position].span.start <= start < kids[position].span.end:
                container = kids[position]
                continue
            break
        starts, kids = tree.kids(container)
        position = bisect_right(starts, start) - 1
        before = kids[position] if position >= 0 else None
        after = kids[position + 1] if position + 1 < len(kids) else None
        line = bisect_left(newlines, start)
        line_start = newlines[line - 1] + 1 if line else 0
        # Another comment earlier on this line means there is text before this one: no need to look.
        own_line = previous_end <= line_start and not source[line_start:start].strip()
        ends_before = previous_end
        previous_end = item.span.end

        if (
            before is not None
            and ends_before <= before.span.end  # else a comment lies between: not blank
            and not breaks_between(before.span.end, start)
            and not source[before.span.end : start].strip(" \t,;")
        ):
            # The innermost node that ends there: "x := 1; // c" belongs to the assignment, not to the
            # IF branch that happens to end with it.
            while True:
                inner = tree.kids(before)[1]
                if inner and inner[-1].span.end == before.span.end:
                    before = inner[-1]
                else:
                    break
            _trivia_of(before).trailing.append(item)
        elif own_line and after is not None:
            _trivia_of(after).leading.append(item)
        elif isinstance(container, ast.Annotated):
            trivia = _trivia_of(container)
            if not kids:
                if not _is_block(container):
                    trivia.interior.append(item)
                elif not breaks_between(container.span.start, start):
                    trivia.header.append(item)
                else:
                    trivia.dangling.append(item)
            elif before is None and not own_line:
                trivia.header.append(item)
            elif after is None:
                trivia.dangling.append(item)
            else:
                trivia.interior.append(item)
        elif after is not None:
            _trivia_of(after).leading.append(item)
        # else: after the last top-level item; it stays in unit.trivia only.


def _is_block(node: ast.Annotated) -> bool:
    """Nodes with a body that can be empty, where a lone comment is 'dangling' rather than 'interior'."""
    return isinstance(
        node,
        (
            ast.Compound,
            ast.IfBranch,
            ast.ElseBranch,
            ast.CaseBranch,
            ast.Pou,
            ast.Interface,
            ast.VarBlock,
            ast.TypeBlock,
            ast.Configuration,
            ast.Resource,
            ast.TypeDecl,
        ),
    )
