"""The HIL stage of a pipeline: a rig file and scenario files in, one result per scenario case out.

This is what ``plcops hil run`` does, as a library call:

```python
from pathlib import Path
from hil.stage import run_stage

results = run_stage(Path("rig.toml"), [Path("scenarios")], emulate=[Path(".")])
print(all(result.passed for result in results))
```

Without ``emulate`` the rig's controller is driven in real time; signals map through the rig's
``[signals]`` and, where the rig names a ``project``, through that project's ``AT`` addresses. With
``emulate`` each scenario runs on a fresh virtual PLC of the project, served over real Modbus TCP on
127.0.0.1 in lockstep: the CI default without hardware. It then gives the verdict ``plcops test`` gives
on the simulator, so the rig's timing tolerance (meant for real hardware) is set to 0.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Callable, Sequence

from hil.iomap import IoMap, default_map, load_map
from hil.rig import Rig, load_rig
from hil.runner import HilResult, RunInterrupted, run_on_rig
from hil.virtual_plc import VirtualPlc, located_paths
from plcops.project.tomlfile import error_in_file
from plcops.sim.simulator import Simulator
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.testing import tcunit
from plcops.testing.scenario import SUFFIX, Scenario, load_scenarios


def load_stage(rig_file: Path, scenario_paths: Sequence[Path]) -> tuple[Rig, list[Scenario]]:
    """The rig and every scenario case (files, or folders searched for ``*.scenario.toml``).

    Raises:
        DiagnosticError: an invalid rig or scenario file (``file:line:col: message``), or no scenarios.
    """
    rig = load_rig(rig_file)
    files = [p for path in scenario_paths for p in ([path] if path.is_file() else sorted(path.rglob(f"*{SUFFIX}")))]
    cases = [case for file in files for case in load_scenarios(file)]
    if not cases:
        where = ", ".join(str(path) for path in scenario_paths)
        raise DiagnosticError(Diagnostic(where, 1, 1, f"no scenarios to run (no *{SUFFIX} files in {where})"))
    known = set(rig.signals) | {name for case in cases for name in case.signals}
    for name in rig.safe_state:
        if name not in known and "." not in name:  # a misspelt name would leave its signal driven
            raise error_in_file(
                rig.path,
                name,
                f"[safe_state] {name}: not a signal of the rig's [signals] or of the scenarios' [signals]",
                ("safe_state",),
            )
    return rig, cases


def run_stage(
    rig_file: Path,
    scenario_paths: Sequence[Path],
    *,
    emulate: Sequence[Path] | None = None,
    note: Callable[[str], None] = lambda message: None,
) -> list[HilResult]:
    """Run the scenarios against the rig's controller, or against virtual PLCs of ``emulate``.

    Raises:
        DiagnosticError: invalid rig or scenario files; SimulationError: the project does not load;
        HilError: the rig is in use, or a map cannot be built; RunInterrupted: Ctrl-C (after the safe
        state was applied; its ``results`` hold what ran).
    """
    rig, scenarios = load_stage(rig_file, scenario_paths)
    libraries: dict[str, Any] = {"libraries": [tcunit.library()], "intrinsics": tcunit.INTRINSICS}
    if not emulate:
        iomap: IoMap | None = None
        if rig.project is not None:
            simulator = Simulator.load([rig.project], **libraries)
            iomap = default_map(simulator.model, located_paths(simulator))
            if rig.map_file is not None:
                load_map(rig.map_file, iomap, simulator.type_of)
        elif rig.map_file is not None:
            raise DiagnosticError(
                Diagnostic(str(rig.path), 1, 1, "[map] file needs [rig] project: the map names the project's variables")
            )
        # A bench PLC free-runs; a virtual PLC served with --lockstep (over RTU, say) scans on command.
        return run_on_rig(rig, scenarios, iomap, lockstep=bool(rig.lockstep))
    if rig.tolerance_ns and rig.lockstep is not False:
        note(
            f"lockstep: judging without the rig's timing tolerance of {rig.tolerance_ns / 1e6:g} ms (meant for hardware)"
        )
        rig.tolerance_ns = 0
    results: list[HilResult] = []
    # One virtual PLC per program and cycle the scenarios ask for (consecutive scenarios share one).
    for (program, cycle), group in itertools.groupby(scenarios, key=lambda s: (s.program, s.cycle)):
        plc = VirtualPlc.load(
            emulate,
            program=program,
            cycle_time=cycle,
            lockstep=rig.lockstep is not False,
            map_file=rig.map_file,
            **libraries,
        )
        try:
            plc.serve(tcp=("127.0.0.1", 0))
            rig.transport.kind, rig.transport.host, rig.transport.port, rig.transport.unit = (
                "tcp",
                "127.0.0.1",
                plc.port,
                2,
            )
            rig.cycle_ns = plc.sim.base_ns
            mode = "lockstep" if plc.lockstep else "free-running"
            note(f"emulating {', '.join(str(p) for p in emulate)} as a virtual PLC on 127.0.0.1:{plc.port} ({mode})")
            # The virtual PLC is this run's own (a free port on 127.0.0.1): the bench rig's locks stay free.
            results += run_on_rig(
                rig, list(group), plc.iomap, lockstep=plc.lockstep, before_each=_restarting(plc), locked=False
            )
        except RunInterrupted as interrupted:
            raise RunInterrupted(results + interrupted.results, interrupted.cause) from None
        finally:
            plc.stop()
            if plc.last_error is not None:
                note(f"the virtual PLC had a runtime error: {plc.last_error}")
    return results


def _restarting(plc: VirtualPlc) -> Callable[[Scenario], None]:
    return lambda _: plc.restart()


__all__ = ["load_stage", "run_stage"]
