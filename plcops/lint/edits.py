"""Edits that fixes are made of, shared by rules that offer fixes."""

from __future__ import annotations

from plcops.lint.context import FileContext
from plcops.lint.rule import Edit
from plcops.st import ast


def statement_removal(context: FileContext, statement: ast.Stmt) -> Edit:
    """The edit that deletes a statement: its whole line when nothing else stands on it, so no blank
    line is left behind; else its text (and the blanks after it when it starts the line)."""
    text = context.text
    start, end = statement.span.start, statement.span.end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end + 1
    if text[line_start:start].strip():
        return Edit(start, end, "")
    if text[end:line_end].strip():
        while end < len(text) and text[end] in " \t":
            end += 1  # what follows moves to where the statement began
        return Edit(start, end, "")
    source = context.source
    if source.is_mapped and source.segment_containing(line_start, line_end) is None:
        return Edit(start, end, "")  # the line reaches outside the ST text of a vendor file
    return Edit(line_start, line_end, "")
