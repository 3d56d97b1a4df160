"""``plcops hil``: serve a project as a virtual PLC over Modbus, and run scenarios against a controller."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import List

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, note
from plcops.st.diagnostics import DiagnosticError

hil_app = typer.Typer(
    help="Hardware-in-the-loop: a virtual PLC over Modbus TCP/RTU, and a runner for real or emulated controllers.",
    no_args_is_help=True,
)


def _tcp(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise typer.BadParameter("--tcp needs HOST:PORT, for example 127.0.0.1:5020")
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
    cycle_time: str = typer.Option("10ms", "--cycle-time", help="Scan period with --program."),
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
    from hil.virtual_plc import VirtualPlc, describe_map
    from plcops.sim.simulator import SimulationError
    from plcops.testing import tcunit

    if parity.upper() not in ("N", "E", "O") or stopbits not in (1, 2):
        typer.echo("error: --parity must be N, E or O and --stopbits 1 or 2", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        plc = VirtualPlc.load(
            paths,
            program=program,
            cycle_time=cycle_time,
            map_file=map_file,
            lockstep=lockstep,
            libraries=[tcunit.library()],
            intrinsics=tcunit.INTRINSICS,
        )
    except SimulationError as exc:
        for diagnostic in exc.diagnostics:
            typer.echo(diagnostic.format(), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except DiagnosticError as exc:
        typer.echo(exc.diagnostic.format(), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if show_map:
        for line in describe_map(plc.iomap):
            typer.echo(line)
    address = _tcp(tcp) if tcp else (None if rtu else ("127.0.0.1", 5020))
    serial = {"device": rtu, "baudrate": baud, "parity": parity.upper(), "stopbits": stopbits} if rtu else None
    try:
        plc.serve(tcp=address, rtu=serial)
    except (OSError, RuntimeError) as exc:
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
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait(duration) if duration is not None else stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        jitter = plc.stats.jitter_ms(plc.sim.base_ns / 1e6)
        plc.stop()
        if not lockstep:
            note(
                f"{int(jitter['scans'])} scans; scan-period jitter p50 {jitter['p50']:.2f} ms, p99 {jitter['p99']:.2f} ms; {plc.context.requests} requests, {plc.context.refused} refused"
            )
    raise typer.Exit(EXIT_OK)


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
    """Run scenario files against the rig's controller (or, with --emulate, a virtual PLC of the project
    over real Modbus TCP, in lockstep unless the rig says otherwise). Exit 0 all passed, 1 failures, 2 usage
    or configuration errors."""
    from hil.iomap import IoMap, default_map
    from hil.rig import load_rig
    from hil.runner import HilError, run_on_rig, timing_diagram
    from hil.runner import junit as junit_xml
    from hil.virtual_plc import VirtualPlc, located_paths
    from plcops.sim.simulator import SimulationError, Simulator
    from plcops.testing import tcunit
    from plcops.testing.scenario import SUFFIX, load_scenarios

    try:
        rig = load_rig(rig_file)
        files = [p for path in scenarios for p in ([path] if path.is_file() else sorted(path.rglob(f"*{SUFFIX}")))]
        cases = [case for file in files for case in load_scenarios(file)]
    except DiagnosticError as exc:
        typer.echo(exc.diagnostic.format(), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if not cases:
        typer.echo("error: no scenarios to run", err=True)
        raise typer.Exit(EXIT_USAGE)
    plc = None
    iomap: IoMap | None = None
    try:
        project = emulate or ([rig.project] if rig.project else None)
        if emulate:
            first = cases[0]
            plc = VirtualPlc.load(
                emulate,
                program=first.program,
                cycle_time=first.cycle,
                lockstep=rig.lockstep is not False,
                map_file=rig.map_file,
                libraries=[tcunit.library()],
                intrinsics=tcunit.INTRINSICS,
            )
            plc.serve(tcp=("127.0.0.1", 0))
            rig.transport.kind, rig.transport.host, rig.transport.port, rig.transport.unit = (
                "tcp",
                "127.0.0.1",
                plc.port,
                2,
            )
            rig.cycle_ns = plc.sim.base_ns
            iomap = plc.iomap
            note(f"emulating {', '.join(str(p) for p in emulate)} as a virtual PLC on 127.0.0.1:{plc.port} (lockstep)")
        elif project:
            simulator = Simulator.load(project, libraries=[tcunit.library()], intrinsics=tcunit.INTRINSICS)
            iomap = default_map(simulator.model, located_paths(simulator))
        results = run_on_rig(rig, cases, iomap, lockstep=plc is not None and plc.lockstep)
    except SimulationError as exc:
        for diagnostic in exc.diagnostics:
            typer.echo(diagnostic.format(), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except (HilError, DiagnosticError) as exc:
        typer.echo(f"error: {exc.diagnostic.format() if isinstance(exc, DiagnosticError) else exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    finally:
        if plc is not None:
            plc.stop()
    failed = 0
    for result in results:
        verdict = "PASS" if result.passed else "FAIL"
        typer.echo(f"{verdict} {result.result.scenario.id} ({result.result.scans} cycles, {result.seconds:.2f} s)")
        for line in [*result.result.failures, *([result.error] if result.error else [])]:
            typer.echo(f"    {line}")
        if result.safe_state:
            typer.echo(f"    safe state applied: {', '.join(result.safe_state)}")
        failed += 0 if result.passed else 1
    if junit is not None:
        junit.write_text(junit_xml(results, rig), encoding="utf-8")
    if report is not None:
        report.mkdir(parents=True, exist_ok=True)
        for number, result in enumerate(results):
            (
                report / f"{number:02d}_{''.join(c if c.isalnum() else '_' for c in result.result.scenario.id)}.html"
            ).write_text(timing_diagram(result), encoding="utf-8")
    note(f"{len(results)} scenarios on rig {rig.name}: {len(results) - failed} passed, {failed} failed")
    time.sleep(0)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)
