"""Settings files in TOML (``plcops.toml``, scenario, rig and map files), read with errors that name the
file, line and column, never a traceback.

A parsed TOML table no longer knows where its keys were, so an error is placed by finding the setting
again in the text: within its table (``scope``: ``("test",)`` for ``[test]``, ``("test", "timeouts")``
for ``[test.timeouts]``, ``("step", 3)`` for the third ``[[step]]``), where it is assigned, never inside
a comment.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.literals import LiteralError, duration_ns

Scope = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*$")


@dataclass(frozen=True)
class SettingsFile:
    """A TOML settings file: where it is, its text, its tables; and errors placed on its lines.

    ``what`` names the file in messages ("rig file", "scenario").
    """

    path: Path
    text: str
    data: dict[str, Any]

    @classmethod
    def read(cls, path: Path, what: str) -> SettingsFile:
        """Read and parse a settings file.

        Raises:
            DiagnosticError: it cannot be read, is not UTF-8, or is not TOML (at the line and column of the
            problem).
        """
        name = str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DiagnosticError(Diagnostic(name, 1, 1, f"cannot read {what}: {exc.strerror}")) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # An editor that saved it as Windows-1252 or Latin-1: say where, not a traceback.
            before = raw[: exc.start]
            line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
            message = f"cannot read {what}: not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
            raise DiagnosticError(Diagnostic(name, line, column, message)) from None
        try:
            return cls(path, text, tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            # Python 3.11 puts the position only in the message: "... (at line 3, column 7)".
            where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            line, column = (int(where.group(1)), int(where.group(2))) if where else (1, 1)
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise DiagnosticError(Diagnostic(name, line, column, f"invalid TOML: {message}")) from None

    @property
    def name(self) -> str:
        return str(self.path)

    def error(self, needle: object, message: str, scope: Scope = ()) -> DiagnosticError:
        """An error at the setting ``needle`` of the table ``scope`` (see the module docstring)."""
        return error_at(self.name, self.text, str(needle), message, scope)

    def table(self, parent: dict[str, Any], key: str, scope: Scope = ()) -> dict[str, Any]:
        """The table ``parent[key]`` (empty when absent) of the table at ``scope``.

        Raises:
            DiagnosticError: ``key`` is something else.
        """
        value = parent.get(key, {})
        if not isinstance(value, dict):
            section = ".".join(str(part) for part in (*scope, key) if isinstance(part, str))
            form = f"[{section}] or {key} = {{ ... }}" if not any(isinstance(p, int) for p in scope) else "{ ... }"
            raise self.error(key, f"{section} must be a table: {form}", scope)
        return value

    def tables(self, parent: dict[str, Any], key: str) -> list[dict[str, Any]]:
        """The array of tables ``parent[key]`` (``[[key]]``; empty when absent).

        Raises:
            DiagnosticError: it is not an array of tables.
        """
        value = parent.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, f"{key} must be an array of tables: [[{key}]]")
        for number, entry in enumerate(value, 1):
            if not isinstance(entry, dict):
                raise self.error(key, f"{key} {number}: must be a table")
        return value

    def check_keys(self, table: dict[str, Any], known: Iterable[str], scope: Scope, label: str) -> None:
        """Refuse keys of ``table`` not in ``known``: a misspelt setting must not silently mean its default.

        Raises:
            DiagnosticError: ``LABEL unknown setting 'x' (known: ...)`` at the first unknown key.
        """
        names = sorted(known)
        unknown = sorted(set(table) - set(names))
        if unknown:
            raise self.error(unknown[0], f"{label} unknown setting {unknown[0]!r} (known: {', '.join(names)})", scope)

    def integer(
        self, table: dict[str, Any], key: str, default: int, scope: Scope, label: str, low: int, high: int
    ) -> int:
        """A whole number in ``low..high`` (``default`` when absent).

        Raises:
            DiagnosticError: not a whole number, or out of range.
        """
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"{label} must be a whole number, not {value!r}", scope)
        if not low <= value <= high:
            raise self.error(key, f"{label} must be {low}..{high}, not {value}", scope)
        return value

    def string(self, table: dict[str, Any], key: str, default: str | None, scope: Scope, label: str) -> str | None:
        """A string setting (``default`` when absent).

        Raises:
            DiagnosticError: it is not a string.
        """
        value = table.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self.error(key, f"{label} must be a string, not {value!r}", scope)
        return value

    def duration(self, value: Any, needle: str, scope: Scope, label: str, *, positive: bool = False) -> int:
        """Nanoseconds of a time setting: ``"1.5s"``, ``"T#200ms"``, ``"250ms"``, or a number of seconds.

        Raises:
            DiagnosticError: not a time, or (``positive``) not above zero.
        """
        wrong = f'{label} must be a positive time such as "10ms", not {value!r}' if positive else ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise self.error(needle, wrong or f"{label}: {value!r} is not a time", scope)
            ns = round(Fraction(value) * 1_000_000_000)  # exact: TOML floats are binary
        elif isinstance(value, str):
            literal = value.strip()
            try:
                ns = duration_ns(literal if "#" in literal else f"T#{literal}")
            except LiteralError as exc:
                why = f" ({exc})" if "out of range" in str(exc) else ""
                raise self.error(needle, wrong or f"{label}: '{value}' is not a time{why}", scope) from None
        else:
            message = wrong or f'{label}: expected a time such as "1.5s" or "T#200ms", not {value!r}'
            raise self.error(needle, message, scope)
        if not -(2**63) <= ns < 2**63:
            raise self.error(needle, f"{label}: {value!r} is out of range (times reach about 106,751 days)", scope)
        if positive and ns <= 0:
            raise self.error(needle, wrong, scope)
        if ns < 0:  # no setting is a time before something: a timeout, a cycle, a step's time
            raise self.error(needle, f"{label} must not be negative, not {value!r}", scope)
        return ns


def error_at(path: str, text: str, needle: str, message: str, scope: Scope = ()) -> DiagnosticError:
    """An error placed where ``text`` assigns ``needle`` in the table ``scope``; else where it assigns it
    anywhere; else at a table header named so; else where the text of ``needle`` appears in code (not in
    comments); else at the header of ``scope``; else at the file's start."""
    lines = _code_lines(text)
    found = _locate(lines, needle, scope) if needle else None
    line, column = found if found is not None else (1, 1)
    return DiagnosticError(Diagnostic(path, line, column, message))


def error_in_file(path: Path, needle: str, message: str, scope: Scope = ()) -> DiagnosticError:
    """:func:`error_at` for a file not at hand (read again; the file's start when it cannot be)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return error_at(str(path), text, needle, message, scope)


# ---------------------------------------------------------------------------------------------- locating


def _locate(lines: tuple[tuple[Scope, str], ...], needle: str, scope: Scope) -> tuple[int, int] | None:
    word = re.escape(needle)
    assignment = re.compile(rf"(?:^|[\s{{,.])(?:\"{word}\"|'{word}'|{word})\s*=")
    header = re.compile(rf"^\s*\[\[?\s*(?:[^\[\]]*\.)?{word}\s*\]")

    def first(pattern: re.Pattern[str] | None, where: Any) -> tuple[int, int] | None:
        for number, (line_scope, code) in enumerate(lines, 1):
            if not where(line_scope):
                continue
            match = pattern.search(code) if pattern is not None else None
            if pattern is not None and match is None:
                continue
            start = match.start() if match is not None else 0
            at = code.find(needle, start)
            if at < 0:
                continue
            return number, at + 1
        return None

    def inside(line_scope: Scope) -> bool:
        return line_scope == scope

    def below(line_scope: Scope) -> bool:
        return line_scope[: len(scope)] == scope

    return (
        first(assignment, inside)
        or (first(assignment, below) if scope else None)
        or first(assignment, lambda _: True)
        or first(header, lambda _: True)
        or first(None, inside)
        or first(None, lambda _: True)
        or _header_of(lines, scope)
    )


def _header_of(lines: tuple[tuple[Scope, str], ...], scope: Scope) -> tuple[int, int] | None:
    if not scope:
        return None
    for number, (line_scope, code) in enumerate(lines, 1):
        if line_scope == scope and _HEADER.match(code):
            return number, code.index("[") + 1
    return None


@lru_cache(maxsize=16)
def _code_lines(text: str) -> tuple[tuple[Scope, str], ...]:
    """Each line's table (``("step", 2)`` under the second ``[[step]]``) and its text without comment."""
    scope: Scope = ()
    counts: dict[Scope, int] = {}
    lines = []
    for line in text.splitlines():
        code = _without_comment(line)
        match = _HEADER.match(code)
        if match is not None:
            parts: Scope = tuple(part.strip().strip("\"'") for part in match.group(2).split("."))
            if match.group(1) == "[[":
                counts[parts] = counts.get(parts, 0) + 1
                scope = (*parts, counts[parts])
            else:
                scope = parts
        lines.append((scope, code))
    return tuple(lines)


def _without_comment(line: str) -> str:
    """The line up to a ``#`` that is not inside a string (TOML comments)."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:index]
        index += 1
    return line
