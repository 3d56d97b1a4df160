"""Settings files in TOML (``plcops.toml``, scenario, rig and map files), read with errors that name the
file, line and column, never a traceback."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from plcops.st.diagnostics import Diagnostic, DiagnosticError


def read_toml(path: Path, what: str) -> tuple[str, dict[str, Any]]:
    """The text and the parsed table of a TOML file; ``what`` names it in errors ("cannot read rig file").

    Raises:
        DiagnosticError: the file cannot be read, or is not TOML (at the line and column TOML reports).
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DiagnosticError(Diagnostic(name, 1, 1, f"cannot read {what}: {exc.strerror}")) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the message: "... (at line 3, column 7)".
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise DiagnosticError(Diagnostic(name, line, column, f"invalid TOML: {message}")) from None


def error_at(path: str, text: str, needle: str, message: str) -> DiagnosticError:
    """An error located at the first line of ``text`` that holds ``needle`` (the file's start when none
    does): TOML tables lose their positions once parsed, so a setting is found again by its text."""
    line, column = 1, 1
    for number, content in enumerate(text.splitlines(), 1):
        if needle and str(needle) in content:
            line, column = number, content.index(str(needle)) + 1
            break
    return DiagnosticError(Diagnostic(path, line, column, message))
