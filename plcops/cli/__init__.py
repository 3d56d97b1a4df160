"""The ``plcops`` command line: a thin shell over library functions.

Each command group lives in its own module and is attached to the root app here. Commands parse
arguments, call into ``plcops.st`` / ``plcops.project`` / ..., print, and choose the exit code; they hold no
logic a test could not reach through the library.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import typer

from plcops import __version__
from plcops.cli.check import check
from plcops.cli.common import EXIT_INTERRUPTED, EXIT_USAGE
from plcops.cli.diff import diff
from plcops.cli.fmt import fmt
from plcops.cli.git import git_app, merge_driver_command, textconv_command
from plcops.cli.hil import hil_app
from plcops.cli.lint import lint
from plcops.cli.parse import parse
from plcops.cli.sim import sim_app
from plcops.cli.test import test
from plcops.cli.transfer import export_command, import_command

app = typer.Typer(
    name="plcops",
    help="GitOps-style DevOps toolchain for IEC 61131-3 PLC code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"plcops {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """GitOps-style DevOps toolchain for IEC 61131-3 PLC code."""


app.command(name="parse")(parse)
app.command(name="fmt")(fmt)
app.command(name="import")(import_command)
app.command(name="export")(export_command)
app.command(name="diff")(diff)
app.command(name="lint")(lint)
app.command(name="check")(check)
app.add_typer(sim_app, name="sim")
app.command(name="test")(test)
app.add_typer(hil_app, name="hil")
app.command(name="textconv")(textconv_command)
app.command(name="merge-driver")(merge_driver_command)
app.add_typer(git_app, name="git")


# The parser is a loop, but the formatter, checker and compiler walk the tree recursively: generated PLC
# code nests deeply (a 500-term interlock OR chain, 150 nested IFs). Python 3.11+ frames of pure Python
# calls do not use the C stack, so a higher limit is safe where the default 1,000 is not enough.
RECURSION_LIMIT = 20_000


def main() -> None:
    """Entry point of the ``plcops`` console script and ``python -m plcops``."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    try:
        app()
    except RecursionError:
        print(
            "error: the input nests more deeply than plcops can process; please report this with the file",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        raise SystemExit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        # A bug, not a finding: exit 2 (1 would read as "findings" to CI), say where, and keep the
        # traceback for a report (PLCOPS_DEBUG=1) rather than in every user's face.
        if os.environ.get("PLCOPS_DEBUG"):
            raise
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(
            f"plcops: internal error: {type(exc).__name__}: {exc} (at {Path(frame.filename).name}:{frame.lineno}); "
            "please report it with the input (PLCOPS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_USAGE) from None
