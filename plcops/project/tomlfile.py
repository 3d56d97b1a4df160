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
    """An error located where ``text`` sets ``needle`` (``needle = ...``), else at its table header, else at
    the first line that holds it, else at the file's start: TOML tables lose their positions once parsed,
    so a setting is found again by its text."""
    needle = str(needle)
    lines = text.splitlines()
    if needle:
        word = re.escape(needle)
        for pattern in (rf"(?:^|[\s{{,.]){word}\s*=", rf"^\s*\[\[?\s*{word}\s*\]", word):
            for number, content in enumerate(lines, 1):
                found = re.search(pattern, content)
                if found:
                    return DiagnosticError(Diagnostic(path, number, content.index(needle, found.start()) + 1, message))
    return DiagnosticError(Diagnostic(path, 1, 1, message))


def error_in_file(path: Path, needle: str, message: str) -> DiagnosticError:
    """:func:`error_at` for a file not at hand (read again; the file's start when it cannot be)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return error_at(str(path), text, needle, message)


def table_in(data: dict[str, Any], key: str, path: str, text: str, section: str = "") -> dict[str, Any]:
    """The table ``data[key]`` (empty when absent), or an error at ``key`` when it is something else;
    ``section`` names a nested table in the message (``"test.timeouts"``)."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        name = section or key
        raise error_at(path, text, key, f"{name} must be a table: [{name}] or {key} = {{ ... }}")
    return value


def tables_in(data: dict[str, Any], key: str, path: str, text: str) -> list[dict[str, Any]]:
    """The array of tables ``data[key]`` (empty when absent), or an error at ``key`` when it is not one."""
    value = data.get(key, [])
    if not isinstance(value, list):
        raise error_at(path, text, key, f"{key} must be an array of tables: [[{key}]]")
    for number, entry in enumerate(value, 1):
        if not isinstance(entry, dict):
            raise error_at(path, text, key, f"{key} {number}: must be a table")
    return value
