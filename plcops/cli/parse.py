"""``plcops parse``: syntax-check ST, TwinCAT and PLCopen files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_OK, OutputFormat, note, print_diagnostic
from plcops.project.cache import ParseCache
from plcops.project.parsing import check_syntax


def parse(
    paths: List[Path] = typer.Argument(..., exists=True, help="Files or folders (searched recursively)."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text, or one JSON object."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: all CPUs)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse every file, ignoring cached results."),
) -> None:
    """Check that files parse; exit 0 when none has an error, 1 otherwise.

    Reads .st files, TwinCAT .TcPOU/.TcDUT/.TcGVL/.TcIO and PLCopen XML. With --format json, prints exactly
    one object: {"files": N, "lines": N, "seconds": S, "errors": [{"path", "line", "column", "message"}]}.
    """
    report = check_syntax(paths, jobs=jobs, cache=None if no_cache else ParseCache())
    errors = report.diagnostics
    if output_format is OutputFormat.json:
        typer.echo(
            json.dumps(
                {
                    "files": len(report.files),
                    "lines": report.lines,
                    "seconds": round(report.seconds, 4),
                    "errors": [d.to_json() for d in errors],
                }
            )
        )
    else:
        for diagnostic in errors:
            print_diagnostic(diagnostic)
        failed = sum(1 for entry in report.files if entry.diagnostics)
        note(
            f"{_count(len(report.files), 'file')}, {_count(report.lines, 'line')} in {report.seconds:.2f} s: "
            + (f"{_count(len(errors), 'error')} in {_count(failed, 'file')}" if errors else "no errors")
        )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FINDINGS)


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"
