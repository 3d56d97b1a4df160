"""git integration: ``plcops textconv``, ``plcops merge-driver`` and ``plcops git setup``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail, note
from plcops.project.gitsetup import setup_repository
from plcops.project.merge import LABELS, merge_files
from plcops.project.merge3 import merge_lines
from plcops.project.textconv import textconv
from plcops.st.diagnostics import DiagnosticError
from plcops.st.source import decode_source

git_app = typer.Typer(help="Set up git for PLC projects.", no_args_is_help=True)


def textconv_command(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Print the ST view of a file for git diff (TwinCAT/PLCopen noise removed)."""
    try:
        sys.stdout.write(textconv(file))
    except DiagnosticError as exc:
        fail(exc, EXIT_USAGE)
    raise typer.Exit(EXIT_OK)


def merge_driver_command(
    base: Path = typer.Argument(..., help="%O: the common ancestor."),
    ours: Path = typer.Argument(..., help="%A: our version; the result is written here."),
    theirs: Path = typer.Argument(..., help="%B: their version."),
    path: str = typer.Argument("", help="%P: the file's path in the repository."),
    ours_label: str = typer.Option("", "--ours-label", help="%X: our side's name on conflict markers (git 2.44+)."),
    theirs_label: str = typer.Option("", "--theirs-label", help="%Y: their side's name (git 2.44+)."),
) -> None:
    """git merge driver: merge by POU, method and variable; exit 1 when conflicts remain."""
    name = path or str(ours)
    labels = (_label(ours_label, "%X", LABELS[0]), _label(theirs_label, "%Y", LABELS[1]))
    data = [p.read_bytes() for p in (base, ours, theirs)]
    try:
        merged = merge_files(data[0], data[1], data[2], name, labels)
        result, conflicts = merged.data, merged.conflicts
    except Exception as exc:  # never lose a merge to a bug: fall back to git's line merge
        note(f"plcops merge-driver: {name}: structured merge failed ({exc}); merged line by line")
        decoded = [decode_source(d) for d in data]
        line_merge = merge_lines(decoded[0].text, decoded[1].text, decoded[2].text, labels)
        result, conflicts = decoded[1].encode(line_merge.text), line_merge.conflicts
    ours.write_bytes(result)
    if conflicts:
        note(f"plcops merge-driver: {name}: {conflicts} conflict(s) marked in the ST text")
    raise typer.Exit(EXIT_FINDINGS if conflicts else EXIT_OK)


def _label(given: str, placeholder: str, default: str) -> str:
    """A conflict marker label from git: git before 2.44 does not know %X/%Y and passes them as they are.
    A label is one line on a marker, so line breaks and control characters become spaces."""
    if not given.strip() or given == placeholder:
        return default
    return "".join(c if c.isprintable() else " " for c in given).strip()


@git_app.command("setup")
def git_setup(path: Path = typer.Option(Path("."), "--repo", help="A folder inside the repository.")) -> None:
    """Register plcops' diff (textconv) and merge drivers in .gitattributes and .git/config. Idempotent."""
    import git

    try:
        result = setup_repository(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        typer.echo(f"{path}: not inside a git repository", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    note(f"{'updated' if result.attributes_changed else 'unchanged'}: {result.attributes_file}")
    for key, value in result.config.items():
        note(f"git config {key} = {value}")
    raise typer.Exit(EXIT_OK)
