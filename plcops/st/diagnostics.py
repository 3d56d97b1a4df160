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
        source_line: the text of ``line``, for the caret display.
        length: how many characters the caret underline covers (at least 1).
    """

    path: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR
    code: str | None = None
    source_line: str | None = field(default=None, compare=False)
    length: int = field(default=1, compare=False)

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
        return cls(
            source.path,
            line,
            column,
            message,
            severity,
            code,
            source.origin_line(line),
            max(1, length),
        )

    def header(self) -> str:
        """The one-line form, ``file:line:col: severity: message``."""
        return f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {self.message}"

    def format(self, *, show_source: bool = True) -> str:
        """The one-line form, followed by the source line and a caret when known."""
        text = self.header()
        if show_source and self.source_line is not None:
            # Tabs are kept so the caret lines up under the same character in a terminal.
            prefix = "".join(ch if ch == "\t" else " " for ch in self.source_line[: self.column - 1])
            width = min(self.length, max(1, len(self.source_line) - self.column + 1))
            text += f"\n    {self.source_line}\n    {prefix}{'^' * width}"
        return text

    def to_json(self) -> dict[str, Any]:
        """The JSON object used by ``--format json`` outputs."""
        return {"path": self.path, "line": self.line, "column": self.column, "message": self.message}


class DiagnosticError(Exception):
    """Raised by library functions when input cannot be processed at all (unreadable file, bad XML).

    The CLI prints ``diagnostic.format()`` instead of a traceback.
    """

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.header())
        self.diagnostic = diagnostic
