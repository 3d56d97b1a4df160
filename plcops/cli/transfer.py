"""``plcops import`` and ``plcops export``."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from plcops.cli.common import EXIT_OK, fail, note
from plcops.project.transfer import export_project, import_project
from plcops.st.diagnostics import DiagnosticError


class ExportFormat(str, enum.Enum):
    """Vendor formats plcops writes."""

    plcopen = "plcopen"
    twincat = "twincat"


def import_command(
    source: Path = typer.Argument(
        ..., exists=True, help="A .plcproj (or its folder), TwinCAT files, PLCopen XML or .st files."
    ),
    out: Path = typer.Option(..., "--out", help="The plcops project folder to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite uncommitted work in the output folder."),
) -> None:
    """Import a vendor project into a plcops project: one .st file per POU, DUT and GVL.

    Vendor data plcops does not show as ST is kept beside each file (X.st.vendor) and in vendor/, so
    export gives back the original files. Refuses to overwrite uncommitted work without --force.
    """
    try:
        report = import_project(source, out, force=force)
    except DiagnosticError as exc:
        fail(exc)
    for message in report.notes:
        note(f"note: {message}")
    note(f"imported {source} into {out}: {len(report.written)} files written")
    raise typer.Exit(EXIT_OK)


def export_command(
    project: Path = typer.Argument(..., exists=True, file_okay=False, help="A plcops project folder."),
    output_format: ExportFormat = typer.Option(..., "--format", help="plcopen or twincat."),
    out: Path = typer.Option(..., "--out", help="Folder (twincat) or file (plcopen) to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite uncommitted work at the output path."),
) -> None:
    """Export a plcops project as TwinCAT 3 files or PLCopen XML.

    Unchanged imports give back the original files byte for byte; edited ST is written into the vendor
    structure without touching ids or anything else.
    """
    try:
        report = export_project(project, output_format.value, out, force=force)
    except DiagnosticError as exc:
        fail(exc)
    for message in report.notes:
        note(f"note: {message}")
    note(f"exported {project} to {out}: {len(report.written)} files written")
    raise typer.Exit(EXIT_OK)
