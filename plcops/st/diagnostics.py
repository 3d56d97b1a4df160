"""Diagnostics: the one message format every plcops layer reports problems in.

A diagnostic prints as ``file:line:col: severity: message``, followed by the source line and a caret, the
way compilers and linters do, so editors and CI logs can jump to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from plcops.st.source import SourceText


class Severity(str, Enum):
    """How serious a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a file.

    Attributes:
        path: the file, as the user named it.
        line: 1-based line in that file.
        column: 1-based column (in characters) in that file.
        message: what is wrong, in words a controls engineer understands.
        severity: error, warning or info.
        code: a stable identifier for tools (``"syntax"``, ``"PLC012"``, ...), or None.
        source_line: the text of ``line`` (or of a window of it, for a very long line), for the caret.
        length: how many characters the caret underline covers (at least 1).
        source_start: the column ``source_line`` starts at (1 unless it is a window).
    """

    path: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR
    code: str | None = None
    source_line: str | None = field(default=None, compare=False)
    length: int = field(default=1, compare=False)
    source_start: int = field(default=1, compare=False)

    @classmethod
    def at(
        cls,
        source: SourceText,
        offset: int,
        message: str,
        *,
        end: int | None = None,
        severity: Severity = Severity.ERROR,
        code: str | None = None,
    ) -> Diagnostic:
        """Build a diagnostic for an offset in ``source``'s parsed text."""
        line, column = source.location(offset)
        length = 1
        if end is not None and end > offset:
            end_line, end_column = source.location(end)
            length = end_column - column if end_line == line else 1
        excerpt, excerpt_start = source.origin_excerpt(line, column)
        return cls(source.path, line, column, message, severity, code, excerpt, max(1, length), excerpt_start)

    def header(self) -> str:
        """The one-line form, ``file:line:col: severity: message``."""
        return f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {self.message}"

    def format(self, *, show_source: bool = True) -> str:
        """The one-line form, followed by the source line and a caret when known."""
        text = self.header()
        if show_source and self.source_line is not None:
            # Tabs are kept so the caret lines up under the same character in a terminal.
            before = max(0, self.column - self.source_start)
            prefix = "".join(ch if ch == "\t" else " " for ch in self.source_line[:before])
            width = min(self.length, max(1, len(self.source_line) - before))
            shown = self.source_line.translate(_VISIBLE)  # a NUL or ESC must not garble the terminal
            text += f"\n    {shown}\n    {prefix}{'^' * width}"
        return text

    def to_json(self) -> dict[str, Any]:
        """The JSON object used by ``--format json`` outputs."""
        return {"path": self.path, "line": self.line, "column": self.column, "message": self.message}


# Control characters shown as U+FFFD in the source excerpt (one for one, so the caret still lines up).
_VISIBLE = {code: "\ufffd" for code in (*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0))}


class DiagnosticError(Exception):
    """Raised by library functions when input cannot be processed at all (unreadable file, bad XML).

    The CLI prints ``diagnostic.format()`` instead of a traceback.
    """

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.header())
        self.diagnostic = diagnostic
