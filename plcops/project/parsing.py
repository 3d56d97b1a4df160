"""Parsing many files: the content-hash cache and parallel workers.

Every command that reads a project goes through here. :func:`check_syntax` answers "does it parse?" for a
set of files (``plcops parse``, pre-commit hooks); :func:`parse_file` returns a full
:class:`~plcops.st.parser.ParseResult` for the layers that need the AST.

Unchanged files are answered from :class:`~plcops.project.cache.ParseCache`; the rest are parsed on all
cores when there is enough work to pay for starting worker processes.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from plcops.project.cache import ParseCache
from plcops.project.sources import discover_sources, read_bytes, read_source
from plcops.st.diagnostics import Diagnostic, DiagnosticError, Severity
from plcops.st.parser import ParseResult, parse_source

# Below this many bytes of cache misses, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD_BYTES = 256 * 1024


@dataclass(slots=True)
class FileSyntax:
    """The syntax check of one file."""

    path: str
    lines: int
    diagnostics: list[Diagnostic]


@dataclass(slots=True)
class SyntaxReport:
    """The syntax check of a set of files.

    Attributes:
        files: one entry per file, in the order the files were found.
        seconds: wall-clock time of the whole check.
        cached: how many files were answered from the cache.
    """

    files: list[FileSyntax] = field(default_factory=list)
    seconds: float = 0.0
    cached: int = 0

    @property
    def lines(self) -> int:
        """Total number of lines checked."""
        return sum(entry.lines for entry in self.files)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """All diagnostics, file by file."""
        return [d for entry in self.files for d in entry.diagnostics]

    @property
    def ok(self) -> bool:
        """True when no file has an error."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


def _diagnostic_to_json(d: Diagnostic) -> list[object]:
    return [d.line, d.column, d.message, d.severity.value, d.code, d.source_line, d.length]


def _diagnostic_from_json(path: str, row: list[Any]) -> Diagnostic:
    line, column, message, severity, code, source_line, length = row
    return Diagnostic(path, int(line), int(column), str(message), Severity(severity), code, source_line, int(length))


def _check_one(path: str, data: bytes | None = None) -> FileSyntax:
    """Read and parse one file; unreadable or malformed files become diagnostics."""
    try:
        if data is None:
            data = read_bytes(path)
        source = read_source(path, data)
    except DiagnosticError as exc:
        return FileSyntax(path, 0, [exc.diagnostic])
    result = parse_source(source, attach=False)
    return FileSyntax(path, source.line_count, result.diagnostics)


def _check_worker(job: tuple[str, bytes]) -> FileSyntax:
    return _check_one(job[0], job[1])


def default_jobs() -> int:
    """Worker processes to use: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_syntax(
    paths: Sequence[Path | str],
    *,
    jobs: int | None = None,
    cache: ParseCache | None = None,
) -> SyntaxReport:
    """Syntax-check files and folders (recursively).

    Args:
        paths: files and folders; folders are searched for ST, TwinCAT and PLCopen files.
        jobs: worker processes (default: one per CPU; 1 disables parallelism).
        cache: where to remember results; None checks everything afresh.
    """
    began = time.perf_counter()
    report = SyntaxReport()
    files = [str(path) for path in discover_sources(paths)]
    results: dict[str, FileSyntax] = {}
    pending: list[tuple[str, bytes, str]] = []
    for path in files:
        try:
            data = read_bytes(path)
        except DiagnosticError as exc:
            results[path] = FileSyntax(path, 0, [exc.diagnostic])
            continue
        key = cache.key(path, data) if cache else ""
        entry = cache.load_json("syntax", key) if cache else None
        if entry is not None:
            results[path] = FileSyntax(path, entry[0], [_diagnostic_from_json(path, row) for row in entry[1]])
            report.cached += 1
        else:
            pending.append((path, data, key))

    workers = default_jobs() if jobs is None else max(1, jobs)
    workers = min(workers, len(pending))
    if workers > 1 and sum(len(data) for _, data, _ in pending) >= _PARALLEL_THRESHOLD_BYTES:
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            checked = list(pool.map(_check_worker, [(p, d) for p, d, _ in pending], chunksize=8))
    else:
        checked = [_check_one(path, data) for path, data, _ in pending]

    for (path, _, key), outcome in zip(pending, checked, strict=True):
        results[path] = outcome
        if cache:
            cache.store_json("syntax", key, [outcome.lines, [_diagnostic_to_json(d) for d in outcome.diagnostics]])
    report.files = [results[path] for path in files]
    report.seconds = time.perf_counter() - began
    return report


def parse_file(path: Path | str, *, cache: ParseCache | None = None) -> ParseResult:
    """Parse one file of any supported format into a full :class:`ParseResult` (AST included).

    Raises:
        DiagnosticError: when the file cannot be read or is not well-formed XML.
    """
    name = str(path)
    data = read_bytes(name)
    key = cache.key(name, data) if cache else ""
    if cache:
        cached = cache.load_pickle("ast", key)
        if isinstance(cached, ParseResult):
            return cached
    result = parse_source(read_source(name, data))
    if cache:
        cache.store_pickle("ast", key, result)
    return result
