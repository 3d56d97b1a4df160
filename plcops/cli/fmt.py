"""``plcops fmt``: format ST files."""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_OK, fail, note
from plcops.project.config import find_config, load_config
from plcops.project.formatting import format_file
from plcops.project.sources import discover_sources
from plcops.st.diagnostics import DiagnosticError


def fmt(
    paths: List[Path] = typer.Argument(..., exists=True, help="Files or folders (searched recursively)."),
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 if a file would be reformatted."),
    diff: bool = typer.Option(False, "--diff", help="Print the changes as a unified diff (implies --check)."),
) -> None:
    """Format ST files in place: indentation, keyword case, spacing, one statement per line.

    Settings come from [fmt] in the nearest plcops.toml. Comments, pragmas and the program's meaning never
    change: the result is verified before a file is written.
    """
    try:
        config = load_config(find_config(paths[0]))
    except DiagnosticError as exc:
        fail(exc)
    write = not (check or diff)
    changed = errors = 0
    files = discover_sources(paths)
    for path in files:
        outcome = format_file(path, config.fmt, write=write)
        if outcome.skipped:
            continue
        if outcome.error:
            errors += 1
            typer.echo(outcome.error, err=True)
        elif outcome.changed:
            changed += 1
            if diff:
                typer.echo(outcome.diff(), nl=False)
            elif check:
                typer.echo(f"would reformat {path}")
            else:
                note(f"reformatted {path}")
    verb = "would be reformatted" if not write else "reformatted"
    note(f"{len(files)} files checked, {changed} {verb}" + (f", {errors} could not be formatted" if errors else ""))
    failed = errors > 0 or (not write and changed > 0)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)
