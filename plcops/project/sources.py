"""Finding the ST in a project: which files to read, and how to get ST text out of each.

Plain ``.st`` files (and CODESYS ``.exp`` text exports) are read as they are; TwinCAT object files and
PLCopen XML are read through their format modules, which return a :class:`~plcops.st.source.SourceText`
that maps positions back into the XML file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from plcops.project.twincat import TASK_SUFFIX, TWINCAT_SUFFIXES, task_source, twincat_source
from plcops.project.xmlscan import read_xml
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.source import SourceText, decode_source

ST_SUFFIXES = frozenset({".st", ".exp", ".iecst"})
XML_SUFFIXES = frozenset({".xml"})
SOURCE_SUFFIXES = ST_SUFFIXES | TWINCAT_SUFFIXES | XML_SUFFIXES | {TASK_SUFFIX}

# Folders that never hold project sources: tool caches, version control, build output.
_SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".tox", ".venv", "venv", "node_modules", "__pycache__", "_Boot", ".plcops_cache"}
)


def is_plcopen_file(path: Path) -> bool:
    """Whether an ``.xml`` file is a PLCopen TC6 export (checked by its namespace, in the first 4 KiB)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b"plcopen.org/xml/tc6" in head


def discover_sources(paths: Iterable[Path | str]) -> list[Path]:
    """The source files named by ``paths``, recursing into folders, in a stable order.

    Files named explicitly are always returned (so an unknown suffix gets a clear error later); inside
    folders only known ST, TwinCAT and PLCopen files are picked up.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
                for name in sorted(files):
                    candidate = Path(root) / name
                    suffix = candidate.suffix.lower()
                    if not candidate.is_file():
                        continue  # a FIFO or socket named *.st would block the read for ever
                    if (
                        suffix in ST_SUFFIXES
                        or suffix in TWINCAT_SUFFIXES
                        or suffix == TASK_SUFFIX
                        or (suffix in XML_SUFFIXES and is_plcopen_file(candidate))
                    ):
                        if candidate not in seen:
                            seen.add(candidate)
                            found.append(candidate)
        elif path not in seen:
            seen.add(path)
            found.append(path)
    return found


def read_bytes(path: Path | str) -> bytes:
    """The bytes of a source file.

    Raises:
        DiagnosticError: ``file:1:1: error: cannot read file: ...`` instead of an OSError.
    """
    try:
        if Path(path).exists() and not Path(path).is_file():
            raise DiagnosticError(Diagnostic(str(path), 1, 1, "not a regular file (a folder, FIFO or device)"))
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise DiagnosticError(Diagnostic(str(path), 1, 1, "no such file or folder")) from None
    except OSError as exc:
        raise DiagnosticError(Diagnostic(str(path), 1, 1, f"cannot read file: {exc.strerror}")) from None


def read_source(path: Path | str, data: bytes | None = None) -> SourceText:
    """The ST text of one file, whatever its format.

    Args:
        path: the file; its suffix selects the format.
        data: the file's bytes, when the caller has read them already.

    Raises:
        DiagnosticError: unreadable file, unsupported format, malformed XML.
    """
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if data is None:
        data = read_bytes(path)
    if suffix in TWINCAT_SUFFIXES:
        return twincat_source(read_xml(name, data))
    if suffix == TASK_SUFFIX:
        return task_source(read_xml(name, data))
    if suffix in XML_SUFFIXES:
        from plcops.project.plcopen import plcopen_source

        return plcopen_source(read_xml(name, data))
    if suffix not in ST_SUFFIXES and b"\0" in data[:4096]:
        raise DiagnosticError(Diagnostic(name, 1, 1, "not a text file: expected ST, TwinCAT or PLCopen XML"))
    return SourceText(name, decode_source(data).text)
