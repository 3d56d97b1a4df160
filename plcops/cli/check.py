"""``plcops check``: semantic checks (names, types, calls) of a whole project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OutputFormat, note, print_diagnostic
from plcops.project.checking import check_project
from plcops.st.diagnostics import Severity
from plcops.testing import tcunit


def check(
    paths: List[Path] = typer.Argument(
        ..., exists=True, help="Files or folders of one project (searched recursively)."
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text, or one JSON object."),
) -> None:
    """Resolve every name and type of the project and report what a PLC compiler would reject: undeclared
    identifiers, unknown types, type mismatches, wrong call parameters, writes to constants or to other
    instances' outputs. Unknown vendor-library POUs are reported once each.

    Exit status: 0 no errors, 1 errors, 2 files that do not parse. With --format json, prints one object:
    {"files": N, "errors": N, "warnings": N, "diagnostics": [{"path", "line", "column", "severity", "message"}]}.
    """
    # Test code (TcUnit-style suites) is part of a project: check it with the test framework's functions.
    loaded = check_project(paths, libraries=[tcunit.library()], intrinsics=tcunit.INTRINSICS)
    diagnostics = loaded.diagnostics
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = len(diagnostics) - errors
    if output_format is OutputFormat.json:
        items = [{**d.to_json(), "severity": d.severity.value} for d in diagnostics]
        typer.echo(json.dumps({"files": loaded.files, "errors": errors, "warnings": warnings, "diagnostics": items}))
    else:
        for diagnostic in diagnostics:
            print_diagnostic(diagnostic)
        what = "syntax errors" if loaded.syntax_errors else "errors"
        note(f"{loaded.files} files: " + (f"{errors} {what}, {warnings} warnings" if diagnostics else "no problems"))
    if loaded.syntax_errors:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FINDINGS if errors else EXIT_OK)
