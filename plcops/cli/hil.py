"""``plcops hil``: serve a project as a virtual PLC over Modbus, and run scenarios against a controller."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, List, NoReturn

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_SIGTERM, EXIT_USAGE, note
from plcops.st.diagnostics import DiagnosticError

if TYPE_CHECKING:
    from plcops.sim.simulator import SimulationError

hil_app = typer.Typer(
    help="Hardware-in-the-loop: a virtual PLC over Modbus TCP/RTU, and a runner for real or emulated controllers.",
    no_args_is_help=True,
)


def _tcp(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (an IPv6 host in brackets: ``[::1]:5020``); port 0 asks for any free port."""
    host, _, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        typer.echo(f"error: --tcp {text}: needs HOST:PORT with a port 0..65535, for example 127.0.0.1:5020", err=True)
        raise typer.Exit(EXIT_USAGE)
    return host, int(port)


@hil_app.command("serve")
def serve(
    paths: List[Path] = typer.Argument(..., exists=True, help="The project (folder or files)."),
    program: str | None = typer.Option(
        None, "--program", help="The PROGRAM to run (default: the CONFIGURATION's tasks)."
    ),
    tcp: str | None = typer.Option(
        None, "--tcp", help="Serve Modbus TCP on HOST:PORT (default 127.0.0.1:5020 when no --rtu)."
    ),
    rtu: str | None = typer.Option(None, "--rtu", help="Serve Modbus RTU on this serial device."),
    baud: int = typer.Option(19200, "--baud", help="RTU baud rate."),
    parity: str = typer.Option("N", "--parity", help="RTU parity: N, E or O."),
    stopbits: int = typer.Option(1, "--stopbits", help="RTU stop bits: 1 or 2."),
    cycle_time: str | None = typer.Option(
        None, "--cycle-time", help="Scan period with --program (default: [target] cycle, else 10ms)."
    ),
    map_file: Path | None = typer.Option(
        None, "--map", exists=True, help="A map file for variables without AT addresses."
    ),
    lockstep: bool = typer.Option(
        False, "--lockstep", help="Scan only when a client asks (control block, see docs/hil.md)."
    ),
    show_map: bool = typer.Option(False, "--show-map", help="Print every Modbus address and its variable."),
    duration: float | None = typer.Option(
        None, "--duration", help="Stop after this many seconds (default: run until Ctrl-C)."
    ),
) -> None:
    """Run the project in the simulator on the wall clock and serve its I/O over Modbus: unit 1 is the
    controller as a SCADA/HMI sees it, unit 2 the field wiring as a rig sees it (docs/hil.md has the map).
    Binds to 127.0.0.1 unless told otherwise."""
    from hil.virtual_plc import VirtualPlc, describe_map, lag_warning
    from plcops.project.config import target_of
    from plcops.sim.simulator import SimulationError, parse_duration
    from plcops.testing import tcunit

    if parity.upper() not in ("N", "E", "O") or stopbits not in (1, 2) or baud <= 0:
        typer.echo("error: --parity must be N, E or O, --stopbits 1 or 2 and --baud positive", err=True)
        raise typer.Exit(EXIT_USAGE)
    if cycle_time is not None:
        try:
            period = parse_duration(cycle_time)
        except ValueError:
            period = 0
        if period <= 0:
            typer.echo(f"error: --cycle-time {cycle_time}: expected a positive time such as 10ms", err=True)
            raise typer.Exit(EXIT_USAGE)
    address = _tcp(tcp) if tcp else (None if rtu else ("127.0.0.1", 5020))
    try:
        target = target_of(paths)
        plc = VirtualPlc.load(
            paths,
            program=program or target.program,
            cycle_time=cycle_time or target.cycle,
            map_file=map_file,
            lockstep=lockstep,
            libraries=[tcunit.library()],
            intrinsics=tcunit.INTRINSICS,
        )
    except (SimulationError, DiagnosticError) as exc:
        _exit_on_load_error(exc)
    if cycle_time is not None and program is None and plc.sim.base_ns != parse_duration(cycle_time):
        note(
            f"note: --cycle-time {cycle_time} is not used: the CONFIGURATION's tasks set the scan periods (--program runs one program at --cycle-time)"
        )
    if show_map:
        for line in describe_map(plc.iomap):
            typer.echo(line)
    serial = {"device": rtu, "baudrate": baud, "parity": parity.upper(), "stopbits": stopbits} if rtu else None
    # SIGTERM stops the PLC cleanly (jitter summary, exit 0); installed before the banner is printed, so a
    # supervisor that stops us as soon as it sees the banner does not kill us mid-start.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        plc.serve(tcp=address, rtu=serial)
    except (OSError, RuntimeError, ValueError) as exc:
        typer.echo(f"error: cannot serve: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    where = []
    if address is not None:
        where.append(f"Modbus TCP {address[0]}:{plc.port}")
    if serial is not None:
        where.append(f"Modbus RTU {rtu} {baud} {parity.upper()} {stopbits}")
    mode = "lockstep (scans on request)" if lockstep else f"scanning every {plc.sim.base_ns / 1e6:g} ms"
    note(f"virtual PLC serving {', '.join(where)}: unit 1 SCADA view, unit 2 field view; {mode}")
    sys.stderr.flush()
    faulted = lost = lagging = False
    deadline = None if duration is None else time.monotonic() + duration
    try:
        while not stop.wait(0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic()))):
            warning = "" if lockstep or lagging else lag_warning(plc.stats, plc.sim.base_ns / 1e9)
            if warning:  # once: the summary at the end says how far behind it ended
                lagging = True
                typer.echo(warning, err=True)
            if plc.fault is not None and not faulted:
                faulted = True
                typer.echo(f"{plc.fault}", err=True)
                note("the PLC has stopped: every request is now answered with exception 04 (device failure)")
            if plc.lost_line():  # nothing left to serve on: a supervisor must see it stop
                typer.echo(f"error: {plc.lost_line()}", err=True)
                lost = True
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
    except KeyboardInterrupt:
        pass
    finally:
        jitter = plc.stats.jitter_ms(plc.sim.base_ns / 1e6)
        plc.stop()
        if not lockstep:
            behind = f"; virtual time {plc.stats.lag_s:.1f} s behind the wall clock" if lagging else ""
            note(
                f"{int(jitter['scans'])} scans; scan-period jitter p50 {jitter['p50']:.2f} ms, p99 {jitter['p99']:.2f} ms; {plc.slave.requests} requests, {plc.slave.refused} refused{behind}"
            )
    raise typer.Exit(EXIT_FINDINGS if plc.fault is not None or lost else EXIT_OK)


def _exit_on_load_error(error: SimulationError | DiagnosticError) -> NoReturn:
    """Print a project's or settings file's diagnostics (``file:line:col: ...``) and exit 2."""
    from plcops.sim.simulator import SimulationError

    diagnostics = error.diagnostics if isinstance(error, SimulationError) else [error.diagnostic]
    for diagnostic in diagnostics:
        typer.echo(diagnostic.format(), err=True)
    raise typer.Exit(EXIT_USAGE)


@hil_app.command("run")
def run(
    rig_file: Path = typer.Argument(
        ..., exists=True, help="The rig file (transport, map, tolerances, safe state, plants)."
    ),
    scenarios: List[Path] = typer.Argument(
        ..., exists=True, help="Scenario files (*.scenario.toml) or folders of them."
    ),
    junit: Path | None = typer.Option(None, "--junit", help="Write JUnit XML."),
    emulate: List[Path] | None = typer.Option(
        None, "--emulate", help="Run a virtual PLC of this project and drive it instead of the rig's controller."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Write a timing diagram (HTML) per scenario into this folder."
    ),
) -> None:
    """Run scenario files against the rig's controller (or, with --emulate, a fresh virtual PLC of the
    project per scenario over real Modbus TCP, in lockstep unless the rig says otherwise). Exit 0 all
    passed, 1 failures, 2 usage or configuration errors, 130 interrupted by Ctrl-C and 143 by SIGTERM (both
    after applying the safe state)."""
    from hil.runner import stop_signals

    if junit is not None and not junit.parent.is_dir():
        typer.echo(f"error: --junit {junit}: no folder {junit.parent}", err=True)
        raise typer.Exit(EXIT_USAGE)
    if report is not None and report.exists() and not report.is_dir():
        typer.echo(f"error: --report {report}: not a folder", err=True)
        raise typer.Exit(EXIT_USAGE)
    # The whole command, reports included, runs under stop_signals: after the first Ctrl-C or SIGTERM,
    # further signals cannot cut the safe state or the JUnit file short.
    with stop_signals():
        _run_and_report(rig_file, scenarios, emulate, junit, report)


def _run_and_report(
    rig_file: Path, scenarios: List[Path], emulate: List[Path] | None, junit: Path | None, report: Path | None
) -> None:
    from hil.runner import HilError, RunInterrupted, cause_of, timing_diagram
    from hil.runner import junit as junit_xml
    from hil.stage import load_stage, run_stage
    from plcops.sim.simulator import SimulationError

    cause = ""
    try:
        rig, _ = load_stage(rig_file, scenarios)
        results = run_stage(rig_file, scenarios, emulate=emulate, note=note)
    except (SimulationError, DiagnosticError) as exc:
        _exit_on_load_error(exc)
    except HilError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except RunInterrupted as stopped:
        results, cause = stopped.results, stopped.cause
    except KeyboardInterrupt as stopped:  # while loading, before anything was driven
        cause = cause_of(stopped)
        note(f"interrupted ({cause}) before any scenario ran")
        raise typer.Exit(EXIT_SIGTERM if cause == "SIGTERM" else EXIT_INTERRUPTED) from None
    failed = 0
    for result in results:
        verdict = "PASS" if result.passed else "FAIL"
        typer.echo(f"{verdict} {result.result.scenario.id} ({result.result.scans} cycles, {result.seconds:.2f} s)")
        for line in [*result.result.failures, *([result.error] if result.error else [])]:
            typer.echo(f"    {line}")
        if result.safe_state:
            typer.echo(f"    safe state applied: {', '.join(result.safe_state)}")
        failed += 0 if result.passed else 1
    try:
        if junit is not None:
            junit.write_text(junit_xml(results, rig), encoding="utf-8")
        if report is not None:
            report.mkdir(parents=True, exist_ok=True)
            for number, result in enumerate(results):
                name = "".join(c if c.isalnum() else "_" for c in result.result.scenario.id)
                (report / f"{number:02d}_{name}.html").write_text(timing_diagram(result), encoding="utf-8")
    except OSError as exc:
        typer.echo(f"error: cannot write the report: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if cause:
        note(f"interrupted ({cause}) after {len(results)} scenarios on rig {rig.name}; the safe state was applied")
        raise typer.Exit(EXIT_SIGTERM if cause == "SIGTERM" else EXIT_INTERRUPTED)
    note(f"{len(results)} scenarios on rig {rig.name}: {len(results) - failed} passed, {failed} failed")
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)
