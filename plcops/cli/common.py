"""What every plcops command shares: output formats, printing diagnostics, exit codes."""

from __future__ import annotations

import enum
import sys
from typing import NoReturn

import typer

from plcops.st.diagnostics import Diagnostic, DiagnosticError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a program stopped by Ctrl-C
EXIT_SIGTERM = 143  # 128 + SIGTERM


class OutputFormat(str, enum.Enum):
    """Machine- or human-readable output."""

    text = "text"
    json = "json"


def print_diagnostic(diagnostic: Diagnostic, *, show_source: bool = True) -> None:
    """Print one diagnostic in the ``file:line:col: severity: message`` style, with its source line."""
    typer.echo(diagnostic.format(show_source=show_source))


def fail(error: DiagnosticError, code: int = EXIT_FINDINGS) -> NoReturn:
    """Report an error that stops the command (never a traceback) and exit."""
    typer.echo(error.diagnostic.format(), err=True)
    raise typer.Exit(code)


def note(message: str) -> None:
    """A progress or summary line for humans, on stderr so stdout stays machine-readable."""
    print(message, file=sys.stderr)
