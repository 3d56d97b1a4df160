"""``plcops diff``: semantic diff across git revisions or between folders."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import List

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_OK, fail
from plcops.diff import diff_paths, diff_revisions
from plcops.diff.render import render_json, render_markdown, render_text
from plcops.st.diagnostics import DiagnosticError


class DiffFormat(str, enum.Enum):
    """Output formats of ``plcops diff``."""

    text = "text"
    json = "json"
    markdown = "markdown"


def split_arguments(arguments: list[str], argv: list[str]) -> tuple[list[str], list[str]]:
    """Revisions and paths: what follows '--' on the command line is paths, as in git."""
    if "--" in argv:
        after = argv[argv.index("--") + 1 :]
        count = len(after)
        return arguments[: len(arguments) - count], arguments[len(arguments) - count :]
    return arguments, []


def diff(
    arguments: List[str] | None = typer.Argument(
        None, metavar="[REV_A [REV_B]] [-- PATH...]", help="Revisions, then paths after '--'; or two folders/files."
    ),
    output_format: DiffFormat = typer.Option(
        DiffFormat.text, "--format", help="text, json (for CI bots) or markdown (for PR comments)."
    ),
    ignore_format: bool = typer.Option(False, "--ignore-format", help="Hide changes to layout and comments only."),
    exit_code: bool = typer.Option(
        False, "--exit-code", help="Exit 1 when there are changes (like git diff --exit-code)."
    ),
) -> None:
    """Semantic diff: POUs, types and GVLs added, removed, renamed or moved; variables added, retyped or
    re-initialised; statement changes as unified diffs.

    With no revision, compares the working tree with HEAD; with one, that revision with the working tree;
    with two, the two revisions. Two existing files or folders outside git are compared directly.
    """
    revisions, paths = split_arguments(list(arguments or []), sys.argv)
    try:
        if len(revisions) == 2 and all(Path(r).exists() for r in revisions) and not paths:
            report = diff_paths(Path(revisions[0]), Path(revisions[1]))
        elif len(revisions) > 2:
            raise typer.BadParameter("at most two revisions; put paths after '--'")
        else:
            old = revisions[0] if revisions else None
            new = revisions[1] if len(revisions) == 2 else None
            report = diff_revisions(Path.cwd(), old, new, paths)
    except DiagnosticError as exc:
        fail(exc)
    if ignore_format:
        report = report.without_format_changes()
    renderer = {DiffFormat.text: render_text, DiffFormat.json: render_json, DiffFormat.markdown: render_markdown}[
        output_format
    ]
    sys.stdout.write(renderer(report) if output_format is not DiffFormat.json else renderer(report) + "\n")
    raise typer.Exit(EXIT_FINDINGS if exit_code and report.changes else EXIT_OK)
