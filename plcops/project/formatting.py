"""Formatting files on disk: read, format, and write back only what changed, atomically.

The ST itself is formatted by :mod:`plcops.st.formatter`; this module deals with files: their encoding and
byte-order mark are kept, unchanged files are not touched (their modification time stays), and a file is
replaced by renaming a fully written temporary file, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from plcops.project.sources import ST_SUFFIXES, read_bytes
from plcops.project.workspace import write_atomically
from plcops.st.diagnostics import DiagnosticError
from plcops.st.formatter import FormatError, FormatOptions, format_text
from plcops.st.source import decode_source


@dataclass(slots=True)
class FormattedFile:
    """The outcome for one file.

    Attributes:
        path: the file.
        original: its text before formatting.
        formatted: its text after formatting (equal to ``original`` when nothing changes).
        error: why it could not be formatted, or None.
        skipped: a reason the file was not considered (a format the formatter does not write yet).
    """

    path: str
    original: str = ""
    formatted: str = ""
    error: str | None = None
    skipped: str | None = None

    @property
    def changed(self) -> bool:
        """Whether formatting changes the file."""
        return self.error is None and self.skipped is None and self.formatted != self.original

    def diff(self) -> str:
        """A unified diff from the original to the formatted text."""
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.formatted.splitlines(keepends=True),
                fromfile=f"{self.path} (original)",
                tofile=f"{self.path} (formatted)",
            )
        )


def format_file(path: Path | str, options: FormatOptions, *, write: bool) -> FormattedFile:
    """Format one file; with ``write``, replace it when the formatted text differs."""
    name = str(path)
    if Path(name).suffix.lower() not in ST_SUFFIXES:
        return FormattedFile(name, skipped="only .st files are formatted (ST inside XML is left to its IDE)")
    try:
        decoded = decode_source(read_bytes(name))
    except DiagnosticError as exc:
        return FormattedFile(name, error=exc.diagnostic.format())
    outcome = FormattedFile(name, decoded.text, decoded.text)
    lone = decoded.text.replace("\r\n", "").find("\r")
    if lone >= 0:  # classic Mac OS line ends: whether to keep or convert them is the user's choice
        line = decoded.text[: decoded.text.find("\r")].count("\n") + 1
        outcome.error = (
            f"{name}:{line}:1: error: a line ends with CR alone; convert the file to LF or CRLF line endings first"
        )
        return outcome
    try:
        outcome.formatted = format_text(decoded.text, name, options)
    except FormatError as exc:
        outcome.error = str(exc)
        return outcome
    if write and outcome.changed:
        write_atomically(Path(name), decoded.encode(outcome.formatted))
    return outcome
