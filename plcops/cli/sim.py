"""``plcops sim``: run a project on the simulator, or show the Python it compiles to."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, note
from plcops.sim.run import json_safe, parse_setting, run
from plcops.sim.simulator import ScanError, SimulationError
from plcops.st.diagnostics import DiagnosticError
from plcops.testing import tcunit

sim_app = typer.Typer(
    help="Simulate ST on virtual time (the engine of plcops test and the virtual PLC).", no_args_is_help=True
)


def _fail(error: SimulationError) -> None:
    for diagnostic in error.diagnostics:
        typer.echo(diagnostic.format(), err=True)
    raise typer.Exit(EXIT_USAGE)


@sim_app.command("run")
def run_command(
    paths: List[Path] = typer.Argument(
        ..., exists=True, help="A plcops project folder, .st files, or any format plcops parse reads."
    ),
    program: str | None = typer.Option(
        None, "--program", help="The PROGRAM to run every cycle (default: the CONFIGURATION's tasks)."
    ),
    cycles: int | None = typer.Option(None, "--cycles", min=0, help="How many scans to run."),
    duration: str | None = typer.Option(None, "--duration", help="How much virtual time to run, e.g. T#10s."),
    cycle_time: str | None = typer.Option(
        None,
        "--cycle-time",
        help="Scan period when --program is given (e.g. 10ms, T#1ms; default: [target] cycle, else 10ms).",
    ),
    settings: List[str] = typer.Option(
        [], "--set", help="NAME=VALUE before the first scan (ST literal: TRUE, 5, T#2s, 'text'); repeatable."
    ),
    trace: Path | None = typer.Option(None, "--trace", help="Write a trace: OUT.vcd (GTKWave, Surfer) or OUT.csv."),
    trace_vars: List[str] = typer.Option(
        [], "--trace-var", help="Variables to trace (default: every variable of the program); repeatable."
    ),
    as_json: bool = typer.Option(
        False, "--json", help='Print one JSON object: {"program", "cycles", "time", "variables"}.'
    ),
) -> None:
    """Run the project for a number of cycles or a duration of virtual time and print the program's variables.

    Exit status: 0 ran, 1 a runtime error in the ST (printed with file:line and scan), 2 the project cannot be
    loaded or the arguments are wrong.
    """
    if cycles is not None and duration is not None:
        typer.echo("error: give --cycles or --duration, not both", err=True)
        raise typer.Exit(EXIT_USAGE)
    if cycles is None and duration is None:
        cycles = 1
    try:
        parsed = [parse_setting(item) for item in settings]
        result = run(
            paths,
            program=program,
            cycles=cycles,
            duration=duration,
            cycle_time=cycle_time,
            settings=parsed,
            trace=trace is not None,
            trace_variables=trace_vars,
            libraries=[tcunit.library()],  # test suites are part of a project's sources
            intrinsics=tcunit.INTRINSICS,
        )
    except SimulationError as exc:
        _fail(exc)
        return
    except DiagnosticError as exc:  # an invalid plcops.toml
        typer.echo(exc.diagnostic.format(), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except ScanError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    except (ValueError, KeyError) as exc:
        typer.echo(f"error: {exc.args[0] if exc.args else exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if trace is not None and result.trace is not None:
        result.trace.write(trace)
        note(f"wrote {len(result.trace.rows)} scans of {len(result.trace.signals)} signals to {trace}")
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), allow_nan=False) + "\n")
    else:
        for name, value in result.variables.items():
            typer.echo(f"{result.program}.{name} = {json.dumps(json_safe(value))}")
        note(f"{result.cycles} cycles, {result.to_json()['time']} of virtual time")
    raise typer.Exit(EXIT_OK)


@sim_app.command("compile")
def compile_command(
    paths: List[Path] = typer.Argument(..., exists=True, help="Files or folders of the project."),
    show: bool = typer.Option(False, "--show", help="Print the generated Python."),
) -> None:
    """Check and compile the project to Python; with --show, print the generated code."""
    try:
        source = _compile_only(paths)
    except SimulationError as exc:
        _fail(exc)
        return
    if show:
        sys.stdout.write(source)
    else:
        note(f"compiled to {source.count(chr(10))} lines of Python")
    raise typer.Exit(EXIT_OK)


def _compile_only(paths: List[Path]) -> str:
    from plcops.project.checking import check_project
    from plcops.sim.compiler import CompileError, compile_project
    from plcops.st.diagnostics import Diagnostic

    loaded = check_project(paths, libraries=[tcunit.library()], intrinsics=tcunit.INTRINSICS)
    if loaded.errors or loaded.checked is None:
        raise SimulationError(loaded.errors)
    try:
        return compile_project(loaded.checked).source
    except CompileError as exc:
        source = loaded.checked.model.sources.get(exc.path)
        span = getattr(exc.node, "span", None)
        if source is not None and span is not None:
            raise SimulationError([Diagnostic.at(source, span[0], exc.message, end=span[1], code="sim")]) from None
        raise SimulationError([Diagnostic(exc.path, 1, 1, exc.message, code="sim")]) from None
