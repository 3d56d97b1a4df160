"""The HIL runner (``plcops hil run``, hil/runner.py): the scenario files of ``plcops test`` against the
virtual PLC over real Modbus TCP and RTU, plant models in closed loop, safe state, the rig lock, error
messages and reports.

Timings of the filling station (docs/examples/filling_station), scanned every 10 ms, worked out by hand
from FB_FillStation / FB_Valve / MAIN. At each scan time t the runner writes what is due, the PLC scans,
then the runner reads (so a value "at t" is what the scan at t left):

* start pressed at 100 ms: the scan at 100 sees the edge and goes Idle -> Conveying, but the Idle branch
  already wrote bConveyorRun := FALSE, so the conveyor runs from the scan at 110 ms;
* bottle in place at 400 ms: the scan at 400 stops the conveyor and calls fbValve.Open() (state Filling),
  but fbValve ran at the top of that scan, so bFillValveOpen becomes TRUE in the scan at 410 ms;
* bLevelHigh at t: the scan at t closes the valve command and counts the bottle (nBottlesFilled = 1 at t),
  the valve output follows one scan later.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serial

from hil.iomap import IoMap
from hil.modbus import rtu_frame
from hil.plants import load_plant
from hil.rig import load_rig
from hil.runner import HilError, HilResult, junit, lock_path, rig_lock, run_on_rig, stop_signals, timing_diagram
from hil.stage import load_stage, run_stage
from hil.virtual_plc import VirtualPlc
from plcops.sim.simulator import Simulator
from plcops.st.diagnostics import DiagnosticError
from plcops.testing import tcunit
from plcops.testing.scenario import ScenarioResult, SimulatorTarget, load_scenarios, run_scenario
from tests.hil import plants_for_tests
from tests.hil.common import EXAMPLE, ROOT, ResettingProxy, serving, write
from tests.hil.ptybridge import PtyPair

LIBRARIES: dict[str, Any] = {"libraries": [tcunit.library()], "intrinsics": tcunit.INTRINSICS}
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # subprocesses import tests.hil.plants_for_tests

SIGNALS = """
[signals]
start = "GVL_IO.bStartButton"
stop = "GVL_IO.bStopButton"
bottle = "GVL_IO.bBottleInPlace"
full = "GVL_IO.bLevelHigh"
level = "GVL_IO.nTankLevel"
conveyor = "GVL_IO.bConveyorRun"
valve = "GVL_IO.bFillValveOpen"
alarm = "GVL_IO.bAlarmLamp"
filled = "GVL_IO.nBottlesFilled"
"""

PASSING = (
    """
[scenario]
name = "starts and opens the valve"
timeout = "2s"
"""
    + SIGNALS
    + """
[[step]]
at = "0s"
set = { stop = true, level = 20000 }
expect = { conveyor = false, valve = false }

[[step]]
at = "100ms"
set = { start = true }
expect_within = { within = "20ms", conveyor = true }    # on from the scan at 110 ms

[[step]]
at = "200ms"
set = { start = false }
expect_stays = { for = "100ms", conveyor = true, valve = false }

[[step]]
at = "400ms"
set = { bottle = true }
expect_within = { within = "20ms", conveyor = false, valve = true }   # valve on from the scan at 410 ms
"""
)

# The same, expecting things one scan too early and the valve to close: three failures, by hand.
FAILING = (
    """
[scenario]
name = "expects too early"
timeout = "2s"
"""
    + SIGNALS
    + """
[[step]]
at = "0s"
set = { stop = true, level = 20000 }

[[step]]
at = "100ms"
set = { start = true }
expect = { conveyor = true }

[[step]]
at = "200ms"
set = { start = false }

[[step]]
at = "400ms"
set = { bottle = true }
expect = { valve = true, conveyor = false }

[[step]]
at = "450ms"
expect_stays = { for = "50ms", valve = false }
"""
)
FAILURES = [
    "step 2: conveyor TRUE at T#100ms: observed FALSE",
    "step 4: valve TRUE at T#400ms: observed FALSE",
    "step 5: valve FALSE for T#50ms from T#450ms: observed TRUE",
]


def rig_text(
    name: str, transport: str, *, safe_state: str = "", extra: str = "", tolerance: str = "0ms", timeout: str = "400ms"
) -> str:
    return f"""
[rig]
name = "{name}"

[transport]
{transport}
unit = 2
timeout = "{timeout}"

[timing]
cycle = "10ms"
tolerance = "{tolerance}"

[safe_state]
{safe_state}
{extra}
"""


def tcp(port: int, retries: int = 0) -> str:
    return f'kind = "tcp"\nhost = "127.0.0.1"\nport = {port}\nretries = {retries}'


def rtu(device: str) -> str:
    return f'kind = "rtu"\ndevice = "{device}"\nbaudrate = 115200\nretries = 0'


def unique(tmp_path: Path, what: str) -> str:
    """A rig name no other test (or xdist worker) uses: the rig lock is named after it."""
    return f"{what}-{os.getpid()}-{tmp_path.name}"


@pytest.fixture
def station(tmp_path: Path) -> Path:
    """A copy of the filling station example, with a rig name of its own."""
    copy = tmp_path / "filling_station"
    shutil.copytree(EXAMPLE, copy)
    rig = copy / "rig.toml"
    rig.write_text(
        rig.read_text(encoding="utf-8").replace('name = "filling-bench"', f'name = "{unique(tmp_path, "bench")}"'),
        encoding="utf-8",
    )
    return copy


@pytest.fixture
def station_plc(station: Path) -> Iterator[VirtualPlc]:
    """A lockstep virtual PLC of the filling station on TCP."""
    virtual = VirtualPlc.load([station], lockstep=True, **LIBRARIES)
    with serving(virtual, tcp=("127.0.0.1", 0)):
        yield virtual


def run_rig(rig_path: Path, scenario_path: Path, iomap: IoMap | None, *, lockstep: bool = True) -> list[HilResult]:
    """run_on_rig with freshly loaded scenarios (Scenario objects keep their expectations' state)."""
    return run_on_rig(load_rig(rig_path), load_scenarios(scenario_path), iomap, lockstep=lockstep)


def on_simulator(project: Path, scenario_path: Path) -> ScenarioResult:
    """What ``plcops test`` runs for a scenario file: run_scenario on a fresh simulator."""
    (scenario,) = load_scenarios(scenario_path)
    simulator = Simulator.load([project], program=scenario.program, cycle_time=scenario.cycle, **LIBRARIES)
    return run_scenario(scenario, SimulatorTarget(simulator, scenario.signals))


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plcops", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=ENV
    )


def values(plc: VirtualPlc, *names: str) -> dict[str, Any]:
    with plc.lock:
        return {name: plc.sim[f"GVL_IO.{name}"] for name in names}


# ---------------------------------------------------------------------------------------------- plcops hil run --emulate


def test_hil_run_emulate_runs_the_example_and_writes_junit_and_timing_diagrams(station: Path) -> None:
    done = cli(
        "hil", "run", "rig.toml", "scenarios", "--emulate", ".", "--junit", "hil.xml", "--report", "report", cwd=station
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^PASS fills one bottle\[full tank\] \(\d+ cycles, [\d.]+ s\)$", done.stdout, re.MULTILINE), (
        done.stdout
    )
    assert "virtual PLC on 127.0.0.1:" in done.stderr and "(lockstep)" in done.stderr
    assert "1 scenarios on rig bench-" in done.stderr and "1 passed, 0 failed" in done.stderr
    suite = ET.parse(station / "hil.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "fills one bottle[full tank]"
    assert case.get("classname", "").startswith("hil.bench-")
    assert float(case.get("time", "-1")) >= 0
    assert list(case) == []
    (page,) = (station / "report").glob("*.html")
    assert page.name == "00_fills_one_bottle_full_tank_.html"
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text and "fills one bottle[full tank]: passed" in text
    for name in ("start", "stop", "bottle", "full", "level", "conveyor", "valve", "alarm", "filled"):
        assert f">{name}</text>" in text
    assert 'fill="#9f9"' in text and 'fill="#f99"' not in text  # every expectation window met


def test_hil_run_emulate_reports_a_failing_scenario_with_the_safe_state(station: Path) -> None:
    write(station / "scenarios" / "too_early.scenario.toml", FAILING)
    done = cli(
        "hil",
        "run",
        "rig.toml",
        "scenarios/too_early.scenario.toml",
        "--emulate",
        ".",
        "--junit",
        "hil.xml",
        cwd=station,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    # The example rig allows 50 ms of lateness for hardware; a lockstep emulation judges without it, as the
    # simulator does: all three failures.
    assert "FAIL expects too early" in done.stdout
    assert all(line in done.stdout for line in FAILURES)
    assert "judging without the rig's timing tolerance of 50 ms" in done.stderr
    # Safe state: the rig declares start, bottle, full = false (all written); driven signals not declared get 0/FALSE.
    assert "safe state applied: bottle=False, full=False, level=0, start=False, stop=False" in done.stdout
    suite = ET.parse(station / "hil.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("message") == FAILURES[0]
    assert "safe state: bottle=False, full=False, level=0, start=False, stop=False" in (failure.text or "")


def test_hil_run_usage_errors(station: Path) -> None:
    done = cli("hil", "run", "rig.toml", "src", "--emulate", ".", cwd=station)  # no scenario files there
    assert done.returncode == 2 and "no scenarios to run" in done.stderr
    write(station / "bad.toml", '[rig]\nname = "x"\n\n[transprot]\nkind = "tcp"\n')
    done = cli("hil", "run", "bad.toml", "scenarios", "--emulate", ".", cwd=station)
    assert done.returncode == 2
    assert "bad.toml:4:2: error: unknown section [transprot]" in done.stderr


# ---------------------------------------------------------------------------------------------- same verdict everywhere


@pytest.mark.parametrize(("text", "failures"), [(PASSING, []), (FAILING, FAILURES)], ids=["passing", "failing"])
def test_the_same_verdict_on_the_simulator_over_tcp_and_over_rtu(
    station: Path, tmp_path: Path, text: str, failures: list[str]
) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", text)
    # 1. plcops test (the simulator), through the command line and through the same call in-process.
    done = cli("test", "scenarios/short.scenario.toml", cwd=station)
    assert done.returncode == (1 if failures else 0), done.stdout
    for line in failures:
        assert f"  {line}" in done.stdout
    simulated = on_simulator(station, scenario)
    assert simulated.failures == failures
    # 2. the virtual PLC over Modbus TCP, in lockstep, with no tolerance.
    tcp_plc = VirtualPlc.load([station], lockstep=True, **LIBRARIES)
    with serving(tcp_plc, tcp=("127.0.0.1", 0)):
        rig = write(tmp_path / "tcp.toml", rig_text(unique(tmp_path, "tcp"), tcp(tcp_plc.port)))
        (over_tcp,) = run_rig(rig, scenario, tcp_plc.iomap)
    # 3. the virtual PLC over Modbus RTU on a serial line.
    rtu_plc = VirtualPlc.load([station], lockstep=True, **LIBRARIES)
    with (
        PtyPair() as (server_end, client_end),
        serving(rtu_plc, tcp=None, rtu={"device": server_end, "baudrate": 115200}),
    ):
        rig = write(tmp_path / "rtu.toml", rig_text(unique(tmp_path, "rtu"), rtu(client_end)))
        (over_rtu,) = run_rig(rig, scenario, rtu_plc.iomap)
    for result in (over_tcp, over_rtu):
        assert result.error == ""
        assert result.result.failures == failures
        assert result.passed == (not failures)
        # Not just the verdict: every cycle saw the same values at the same virtual time.
        assert result.result.timeline == simulated.timeline
        assert result.result.scans == simulated.scans
    assert (
        over_tcp.safe_state
        == over_rtu.safe_state
        == ([] if not failures else ["bottle=False", "level=0", "start=False", "stop=False"])
    )


LATE = (
    """
[scenario]
name = "late by one scan"
"""
    + SIGNALS
    + """
[[step]]
at = "0s"
set = { stop = true, level = 20000 }

[[step]]
at = "100ms"
set = { start = true }
expect = { conveyor = true }    # the conveyor runs from the scan at 110 ms: FAIL on the simulator
"""
)


def test_emulate_gives_the_simulator_verdict_for_an_expectation_one_scan_late(station: Path) -> None:
    write(station / "scenarios" / "late.scenario.toml", LATE)
    on_sim = cli("test", "scenarios/late.scenario.toml", cwd=station)
    assert on_sim.returncode == 1 and "step 2: conveyor TRUE at T#100ms: observed FALSE" in on_sim.stdout
    emulated = cli("hil", "run", "rig.toml", "scenarios/late.scenario.toml", "--emulate", ".", cwd=station)
    assert emulated.returncode == 1, emulated.stdout
    assert "step 2: conveyor TRUE at T#100ms: observed FALSE" in emulated.stdout


def test_emulate_starts_every_scenario_on_a_fresh_plc_like_plcops_test(station: Path) -> None:
    scenario = station / "scenarios" / "fill_one_bottle.scenario.toml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8") + '\n[[case]]\nname = "again"\nlevel = 20000\n', encoding="utf-8"
    )
    on_sim = cli("test", "scenarios", cwd=station)
    assert on_sim.returncode == 0, on_sim.stdout
    emulated = cli("hil", "run", "rig.toml", "scenarios", "--emulate", ".", cwd=station)
    assert "PASS fills one bottle[again]" in emulated.stdout, emulated.stdout
    assert emulated.returncode == 0


def test_running_the_same_scenario_objects_twice_judges_each_run_on_its_own(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    scenarios = load_scenarios(write(station / "scenarios" / "late.scenario.toml", LATE))
    lenient = load_rig(
        write(tmp_path / "lenient.toml", rig_text(unique(tmp_path, "lenient"), tcp(station_plc.port), tolerance="50ms"))
    )
    strict = load_rig(write(tmp_path / "strict.toml", rig_text(unique(tmp_path, "strict"), tcp(station_plc.port))))
    (first,) = run_on_rig(lenient, scenarios, station_plc.iomap, lockstep=True)
    assert first.passed  # 50 ms of tolerance: the conveyor at 110 ms is in time
    with station_plc.lock:
        station_plc.sim.restart("cold")
    (second,) = run_on_rig(strict, scenarios, station_plc.iomap, lockstep=True)
    assert second.result.failures == ["step 2: conveyor TRUE at T#100ms: observed FALSE"]


# ---------------------------------------------------------------------------------------------- plants in closed loop

PLANT = """
[[plant]]
model = "hil.plants:Conveyor"
inputs = { running = "conveyor", valve = "valve" }
outputs = { bottle_in_place = "bottle", full = "full" }
parameters = { travel_time = 1.5, fill_time = 2.0, discharge_time = 0.4 }
"""

# The runner steps the plant before each scan with the outputs the previous scan left (dt = 10 ms):
# * the conveyor runs from the scan at 110 ms, so the plant first sees it at 120 ms; 150 steps of 10 ms
#   make 1.5 s: the bottle is in place at 120 + 149 * 10 = 1610 ms, before the scan at 1610 ms, which stops
#   the conveyor; the valve output is on from the scan at 1620 ms;
# * the plant first sees the valve open at 1630 ms; 200 steps make 2.0 s: full at 1630 + 199 * 10 = 3620 ms,
#   so the scan at 3620 ms counts the bottle (filled = 1) and the valve output is off from 3630 ms.
CLOSED_LOOP = (
    """
[scenario]
name = "the line fills a bottle on its own"
timeout = "6s"
"""
    + SIGNALS
    + """
[[step]]
at = "0s"
set = { stop = true, level = 20000 }
expect_stays = { for = "3.61s", filled = 0, alarm = false }

[[step]]
at = "100ms"
set = { start = true }

[[step]]
at = "200ms"
set = { start = false }
expect_stays = { for = "1.4s", bottle = false, valve = false, conveyor = true }

[[step]]
at = "1.61s"
expect = { bottle = true, conveyor = false, valve = false }

[[step]]
at = "1.62s"
expect = { valve = true }

[[step]]
at = "3.61s"
expect = { full = false, valve = true, filled = 0 }

[[step]]
at = "3.62s"
expect = { full = true, filled = 1 }

[[step]]
at = "3.63s"
expect = { valve = false, filled = 1 }
"""
)


def test_a_conveyor_model_closes_the_loop_and_a_bottle_gets_filled(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    scenario = write(station / "scenarios" / "closed_loop.scenario.toml", CLOSED_LOOP)
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "plant"), tcp(station_plc.port), extra=PLANT))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert result.error == ""
    assert result.result.failures == []
    assert station_plc.sim["MAIN.fbStation.nFilled"] == 1
    # Without the plant nobody brings a bottle: the same scenario fails where the plant mattered.
    with station_plc.lock:
        station_plc.sim.restart("cold")
    rig = write(tmp_path / "rig_no_plant.toml", rig_text(unique(tmp_path, "noplant"), tcp(station_plc.port)))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert "step 4: bottle TRUE at T#1s610ms: observed FALSE" in result.result.failures
    assert "step 7: filled = 1 at T#3s620ms: observed = 0" in result.result.failures


def test_plant_models_by_hand() -> None:
    tank = load_plant("hil.plants:Tank", {"level": 50.0, "fill_rate": 10.0, "drain_rate": 8.0})
    # 1 s with the inlet open: 50 + 10 = 60 % -> round(60 * 276.48) = 16589.
    assert tank.step(1.0, {"inlet": True}) == {"level": 16589, "high": False, "low": False}
    # 4 s more: 100 % (clamped) -> 27648, high.
    assert tank.step(4.0, {"inlet": True}) == {"level": 27648, "high": True, "low": False}
    # 11.25 s draining at 8 %/s: 100 - 90 = 10 % -> 2765 (round(2764.8)), low.
    assert tank.step(11.25, {"outlet": True}) == {"level": 2765, "high": False, "low": True}
    motor = load_plant("hil.plants:Motor", {"time_constant": 0.5})
    # First-order lag: 0.25 s of 0.5 s moves half the way: 0 -> 500 of 1000 rpm; a step >= tau arrives.
    assert motor.step(0.25, {"enable": True, "setpoint": 1000}) == {"speed": 500, "at_speed": False}
    assert motor.step(0.5, {"enable": True, "setpoint": 1000}) == {"speed": 1000, "at_speed": True}
    assert motor.step(0.25, {"enable": False, "setpoint": 1000}) == {"speed": 500, "at_speed": False}
    conveyor = load_plant("hil.plants:Conveyor", {"travel_time": 1.0, "fill_time": 0.5, "discharge_time": 0.2})
    assert conveyor.step(0.5, {"running": True}) == {"bottle_in_place": False, "full": False}
    assert conveyor.step(0.5, {"running": False}) == {"bottle_in_place": False, "full": False}  # travel restarts
    assert conveyor.step(1.0, {"running": True}) == {"bottle_in_place": True, "full": False}
    assert conveyor.step(0.5, {"valve": True}) == {"bottle_in_place": True, "full": True}
    assert conveyor.step(0.1, {"valve": False}) == {"bottle_in_place": True, "full": True}
    assert conveyor.step(0.1, {"valve": False}) == {"bottle_in_place": False, "full": False}  # taken away
    with pytest.raises(ValueError, match=r"plant model nowhere\.near:Plant"):
        load_plant("nowhere.near:Plant", {})
    with pytest.raises(ValueError, match="has no step"):
        load_plant("tests.hil.plants_for_tests:NoStep", {})


# ---------------------------------------------------------------------------------------------- safety

SAFE_STATE = "stop = false\nlevel = 1000\n"  # declared; start and bottle (driven, not declared) -> FALSE


def test_safe_state_is_applied_and_reported_on_a_failure(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    scenario = write(station / "scenarios" / "too_early.scenario.toml", FAILING)
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "safe"), tcp(station_plc.port), safe_state=SAFE_STATE))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert result.result.failures == FAILURES
    assert result.safe_state == ["bottle=False", "level=1000", "start=False", "stop=False"]
    # What the PLC holds afterwards (the run drove stop = TRUE, level = 20000, bottle = TRUE).
    assert values(station_plc, "bBottleInPlace", "nTankLevel", "bStartButton", "bStopButton") == {
        "bBottleInPlace": False,
        "nTankLevel": 1000,
        "bStartButton": False,
        "bStopButton": False,
    }
    xml = ET.fromstring(junit([result], load_rig(rig)))
    failure = xml.find("testsuite/testcase/failure")
    assert failure is not None and (failure.text or "").endswith(
        "safe state: bottle=False, level=1000, start=False, stop=False"
    )


def test_a_passing_scenario_leaves_the_plc_as_the_scenario_left_it(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "pass"), tcp(station_plc.port), safe_state=SAFE_STATE))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert result.passed and result.safe_state == []
    assert values(station_plc, "bBottleInPlace", "nTankLevel", "bStopButton") == {
        "bBottleInPlace": True,
        "nTankLevel": 20000,
        "bStopButton": True,
    }


def test_safe_state_on_a_scenario_timeout(station: Path, station_plc: VirtualPlc, tmp_path: Path) -> None:
    scenario = write(
        station / "scenarios" / "short.scenario.toml", PASSING.replace('timeout = "2s"', 'timeout = "250ms"')
    )
    rig = write(
        tmp_path / "rig.toml", rig_text(unique(tmp_path, "timeout"), tcp(station_plc.port), safe_state=SAFE_STATE)
    )
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert "scenario timed out after T#250ms" in result.result.failures
    assert result.result.scans == 26  # cycles at 0, 10, ..., 250 ms; the one at 260 ms is past the timeout
    assert result.safe_state == ["level=1000", "start=False", "stop=False"]  # the bottle was never driven
    assert values(station_plc, "nTankLevel", "bStartButton", "bStopButton") == {
        "nTankLevel": 1000,
        "bStartButton": False,
        "bStopButton": False,
    }


def run_in_thread(target: Any) -> tuple[threading.Thread, list[Any]]:
    results: list[Any] = []

    def work() -> None:
        try:
            results.append(target())
        except BaseException as exc:  # handed to the test
            results.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, results


GATE = """
[[plant]]
model = "tests.hil.plants_for_tests:Gate"
parameters = {{ name = "{name}", at = 30 }}
"""


def test_lost_connection_mid_scenario_then_the_safe_state_once_it_is_back(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    name = unique(tmp_path, "gate")
    reached, resume = plants_for_tests.gate(name)
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(
        tmp_path / "rig.toml",
        rig_text(name, tcp(station_plc.port, retries=0), safe_state=SAFE_STATE, extra=GATE.format(name=name)),
    )
    thread, results = run_in_thread(lambda: run_rig(rig, scenario, station_plc.iomap))
    try:
        assert reached.wait(10), "the runner never reached cycle 30"
        # Cycle 30 (290 ms): the runner drove stop, level and start. The PLC's server goes away and comes
        # back on the same port: the runner's connection is gone, and with no retries the run fails (with
        # retries it would reconnect and go on: test_a_dropped_connection_is_retried_and_the_run_goes_on).
        port = station_plc.port
        station_plc.stop()
        station_plc.serve(tcp=("127.0.0.1", port))
    finally:
        resume.set()
    thread.join(20)
    assert not thread.is_alive()
    (result,) = results[0]
    assert "no valid reply writing holding 64000 of unit 2 (signal 'scan control')" in result.error
    assert f"from 127.0.0.1:{port} unit 2" in result.error
    assert result.safe_state == ["level=1000", "start=False", "stop=False"]
    assert values(station_plc, "nTankLevel", "bStartButton", "bStopButton") == {
        "nTankLevel": 1000,
        "bStartButton": False,
        "bStopButton": False,
    }


def test_lost_connection_for_good_reports_the_safe_state_as_not_applied(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    name = unique(tmp_path, "gate")
    reached, resume = plants_for_tests.gate(name)
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(
        tmp_path / "rig.toml",
        rig_text(name, tcp(station_plc.port, retries=1), safe_state=SAFE_STATE, extra=GATE.format(name=name)),
    )
    thread, results = run_in_thread(lambda: run_rig(rig, scenario, station_plc.iomap))
    try:
        assert reached.wait(10), "the runner never reached cycle 30"
        station_plc.stop()
        driven = values(station_plc, "nTankLevel", "bStartButton", "bStopButton")
    finally:
        resume.set()
    began = time.monotonic()
    thread.join(20)
    assert not thread.is_alive()
    assert time.monotonic() - began < 10  # bounded: a few refused connects, no endless retrying
    (result,) = results[0]
    assert "no valid reply" in result.error and "(signal 'scan control')" in result.error
    assert [entry.split(":")[0] for entry in result.safe_state] == ["level", "start", "stop"]
    assert all("NOT applied" in entry for entry in result.safe_state), result.safe_state
    # True to the report: the PLC still holds what the run drove.
    assert driven == {"nTankLevel": 20000, "bStartButton": False, "bStopButton": True}
    assert values(station_plc, "nTankLevel", "bStartButton", "bStopButton") == driven


def test_a_dropped_connection_is_retried_and_the_run_goes_on(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    name = unique(tmp_path, "gate")
    reached, resume = plants_for_tests.gate(name)
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(
        tmp_path / "rig.toml",
        rig_text(name, tcp(station_plc.port, retries=2), safe_state=SAFE_STATE, extra=GATE.format(name=name)),
    )
    thread, results = run_in_thread(lambda: run_rig(rig, scenario, station_plc.iomap))
    try:
        assert reached.wait(10)
        port = station_plc.port
        station_plc.stop()
        station_plc.serve(tcp=("127.0.0.1", port))
    finally:
        resume.set()
    thread.join(20)
    (result,) = results[0]
    assert result.error == ""
    assert result.passed


def test_ctrl_c_applies_the_safe_state_and_interrupts_the_run(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    extra = '[[plant]]\nmodel = "tests.hil.plants_for_tests:Interrupt"\nparameters = { at = 42 }\n'
    rig = write(
        tmp_path / "rig.toml",
        rig_text(unique(tmp_path, "ctrlc"), tcp(station_plc.port), safe_state=SAFE_STATE, extra=extra),
    )
    with pytest.raises(KeyboardInterrupt):
        run_rig(rig, scenario, station_plc.iomap)
    # Cycle 42 (410 ms, the last but one of the scenario): the bottle had been put in place at 400 ms.
    assert values(station_plc, "bBottleInPlace", "nTankLevel", "bStartButton", "bStopButton") == {
        "bBottleInPlace": False,
        "nTankLevel": 1000,
        "bStartButton": False,
        "bStopButton": False,
    }
    with rig_lock(load_rig(rig)):  # and the lock was released
        pass


@pytest.fixture
def free_running_station(station: Path) -> Iterator[VirtualPlc]:
    virtual = VirtualPlc.load([station], **LIBRARIES)
    with serving(virtual, tcp=("127.0.0.1", 0)):
        yield virtual


def _as_in_a_terminal() -> None:
    # A job started in the background by a non-interactive shell (CI runners do this) inherits SIGINT
    # ignored, and Python keeps it so; a terminal's Ctrl-C reaches a program with the default action.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_a_real_time_run(
    station: Path, plc: VirtualPlc, stop: signal.Signals = signal.SIGINT
) -> subprocess.CompletedProcess[str]:
    """``plcops hil run`` (no --emulate: real time, against ``plc`` as the rig's controller), sent ``stop``
    once it has pressed start."""
    rig = station / "rig.toml"
    rig.write_text(rig.read_text(encoding="utf-8").replace("port = 5020", f"port = {plc.port}"), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "plcops", "hil", "run", "rig.toml", "scenarios"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=station,
        env=ENV,
        preexec_fn=_as_in_a_terminal,
    )
    try:
        deadline = time.monotonic() + 20
        while not plc.sim["GVL_IO.bStartButton"]:  # pressed at 100 ms of the 2.6 s scenario
            assert time.monotonic() < deadline and process.poll() is None, "the run never pressed start"
            time.sleep(0.005)
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
        process.wait(10)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_ctrl_c_on_the_command_line_leaves_the_rig_safe(station: Path, free_running_station: VirtualPlc) -> None:
    done = interrupt_a_real_time_run(station, free_running_station)
    assert done.returncode == 130
    # The example rig: start, bottle, full = false; stop and level (driven, undeclared) -> FALSE / 0.
    assert values(free_running_station, "bStartButton", "bStopButton", "nTankLevel", "bBottleInPlace") == {
        "bStartButton": False,
        "bStopButton": False,
        "nTankLevel": 0,
        "bBottleInPlace": False,
    }


def test_ctrl_c_on_the_command_line_reports_the_safe_state(station: Path, free_running_station: VirtualPlc) -> None:
    done = interrupt_a_real_time_run(station, free_running_station)
    assert "interrupted" in done.stdout + done.stderr
    assert "safe state applied: bottle=False, full=False, level=0, start=False, stop=False" in done.stdout


def test_sigterm_stops_a_run_like_ctrl_c(station: Path, free_running_station: VirtualPlc) -> None:
    # CI runners cancel a job with SIGTERM; the rig must be left as safe as after Ctrl-C.
    done = interrupt_a_real_time_run(station, free_running_station, signal.SIGTERM)
    assert done.returncode == 143  # 128 + 15, as a shell reports a program ended by SIGTERM
    assert "interrupted (SIGTERM)" in done.stdout + done.stderr
    assert "safe state applied: bottle=False, full=False, level=0, start=False, stop=False" in done.stdout
    assert values(free_running_station, "bStartButton", "bStopButton", "nTankLevel", "bBottleInPlace") == {
        "bStartButton": False,
        "bStopButton": False,
        "nTankLevel": 0,
        "bBottleInPlace": False,
    }


# ---------------------------------------------------------------------------------------------- the rig lock


def test_the_rig_lock_stops_a_second_run(station: Path, station_plc: VirtualPlc, tmp_path: Path) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    name = unique(tmp_path, "locked")
    rig = write(tmp_path / "rig.toml", rig_text(name, tcp(station_plc.port)))
    with rig_lock(load_rig(rig)):
        with pytest.raises(
            HilError, match=rf"rig '{re.escape(name)}' is in use by another run \(lock .*plcops-rig-.*\.lock\)"
        ):
            run_rig(rig, scenario, station_plc.iomap)
        assert station_plc.sim.scans == 0  # refused before driving anything
        # Another process: the command line says so and exits 2.
        (tmp_path / "rig.toml").rename(station / "locked_rig.toml")
        done = cli("hil", "run", "locked_rig.toml", "scenarios/short.scenario.toml", cwd=station)
        assert done.returncode == 2
        assert f"error: rig '{name}' is in use by another run" in done.stderr
    # Released: the run goes ahead.
    (result,) = run_rig(station / "locked_rig.toml", scenario, station_plc.iomap)
    assert result.passed


def test_the_rig_lock_is_held_during_a_run(station: Path, station_plc: VirtualPlc, tmp_path: Path) -> None:
    name = unique(tmp_path, "held")
    reached, resume = plants_for_tests.gate(name)
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(tmp_path / "rig.toml", rig_text(name, tcp(station_plc.port), extra=GATE.format(name=name)))
    thread, results = run_in_thread(lambda: run_rig(rig, scenario, station_plc.iomap))
    try:
        assert reached.wait(10)
        lock = lock_path(load_rig(rig))
        assert lock.read_text() == str(os.getpid())  # the lock file names the process that holds it
        with open(lock) as handle, pytest.raises(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(HilError, match=f"is in use by another run \\(lock {re.escape(str(lock))}\\)"):
            with rig_lock(load_rig(rig)):
                pass
    finally:
        resume.set()
    thread.join(20)
    (result,) = results[0]
    assert result.passed


def test_two_rig_files_for_one_controller_cannot_drive_it_at_once(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    # Different names, same host and port: the second would write into the first's scenario.
    first = load_rig(write(tmp_path / "a.toml", rig_text(unique(tmp_path, "a"), tcp(station_plc.port))))
    second = write(tmp_path / "b.toml", rig_text(unique(tmp_path, "b"), tcp(station_plc.port)))
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    with rig_lock(first):
        with pytest.raises(HilError, match=rf"tcp 127\.0\.0\.1:{station_plc.port} is driven by another run"):
            run_rig(second, scenario, station_plc.iomap)
    assert station_plc.sim.scans == 0


def test_an_emulated_run_does_not_wait_for_the_bench_rig(station: Path) -> None:
    # --emulate drives a private virtual PLC: a hardware run on the bench (holding the rig's locks) must
    # not stop CI's emulated stage of another branch.
    with rig_lock(load_rig(station / "rig.toml")):
        done = cli("hil", "run", "rig.toml", "scenarios", "--emulate", ".", cwd=station)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_lock_folder_that_is_relative_or_missing_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rig = load_rig(write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "dir"), tcp(1))))
    for folder in ("locks", str(tmp_path / "missing")):
        monkeypatch.setenv("PLCOPS_LOCK_DIR", folder)
        with pytest.raises(HilError, match=f"PLCOPS_LOCK_DIR={re.escape(folder)}: must be an existing folder"):
            lock_path(rig)


def test_a_refused_run_leaves_the_holders_pid_in_the_lock_file(station: Path, tmp_path: Path) -> None:
    rig = load_rig(write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "pid"), tcp(1))))
    lock = lock_path(rig)
    assert lock.parent == Path(os.environ["PLCOPS_LOCK_DIR"])  # tests/hil/conftest.py: not /tmp for ever
    with rig_lock(rig):
        with pytest.raises(HilError):
            with rig_lock(rig):
                pass
        assert lock.read_text() == str(os.getpid())


# ---------------------------------------------------------------------------------------------- clear messages


def test_a_driven_signal_on_a_read_only_table_is_named(station: Path, station_plc: VirtualPlc, tmp_path: Path) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    signals = '\n[signals]\nlevel = { table = "input", address = 1, type = "INT" }\n'
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "ro"), tcp(station_plc.port), extra=signals))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert result.error == "signal 'level' is input 1: the rig cannot drive a PLC output"
    assert not result.passed


def test_a_refused_write_names_address_signal_and_exception(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    signals = '\n[signals]\nlevel = { table = "holding", address = 9, type = "INT" }\n'  # unit 2 holding 9: unmapped
    rig = write(
        tmp_path / "rig.toml",
        rig_text(unique(tmp_path, "unmapped"), tcp(station_plc.port), safe_state=SAFE_STATE, extra=signals),
    )
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert (
        result.error
        == "the device refused writing holding 9 of unit 2 (signal 'level', GVL_IO.nTankLevel): exception 02 (illegal data address)"
    )
    # The safe state goes on where it can, and says where it cannot.
    assert result.safe_state[0].startswith("level: NOT applied (the device refused writing holding 9 of unit 2")
    assert result.safe_state[1:] == ["stop=False"]
    assert values(station_plc, "bStopButton") == {"bStopButton": False}


def test_a_value_the_plc_refuses_names_address_signal_and_exception_03(project: Path, tmp_path: Path) -> None:
    scenario = write(
        tmp_path / "speed.scenario.toml",
        """
        [scenario]
        name = "too fast"
        [signals]
        speed = "GVL.nSpeed"
        [[step]]
        at = "0s"
        set = { speed = 2000 }
        """,
    )
    virtual = VirtualPlc.load([project], lockstep=True)
    with serving(virtual, tcp=("127.0.0.1", 0)):
        rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "range"), tcp(virtual.port)))
        (result,) = run_rig(rig, scenario, virtual.iomap)
        assert (
            result.error
            == "the device refused writing holding 3 of unit 2 (signal 'speed', GVL.nSpeed): exception 03 (illegal data value)"
        )
        assert virtual.sim["GVL.nSpeed"] == 7


def test_a_scenario_value_outside_the_signal_type_is_refused_like_on_the_simulator(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING.replace("level = 20000", "level = 40000"))
    with pytest.raises(ValueError, match=r"outside -32768\.\.32767"):
        on_simulator(station, scenario)
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "wrap"), tcp(station_plc.port)))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert "level" in result.error and "40000" in result.error
    assert station_plc.sim["GVL_IO.nTankLevel"] != -25536


def test_a_reply_with_a_bad_crc_is_named_as_such(station: Path, tmp_path: Path) -> None:
    """A slave on a serial line whose replies fail their CRC (as with a wrong baud rate or a line without
    termination): pymodbus drops such frames, and the runner says bytes came back that were no reply."""
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    with PtyPair() as (slave_end, master_end), serial.Serial(slave_end, 115200, timeout=0.05) as line:
        stop = threading.Event()

        def garbling_slave() -> None:
            while not stop.is_set():
                request = line.read(8)
                if request:  # echo a write-coil request (the right reply) with its CRC inverted
                    reply = rtu_frame(request[0], request[1:6])
                    line.write(reply[:-2] + bytes(b ^ 0xFF for b in reply[-2:]))

        worker = threading.Thread(target=garbling_slave, daemon=True)
        worker.start()
        try:
            rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "crc"), rtu(master_end)))
            (result,) = run_rig(rig, scenario, VirtualPlc.load([station], **LIBRARIES).iomap)
        finally:
            stop.set()
            worker.join(2)
    assert result.error.startswith("no valid reply writing coil 1 of unit 2 (signal 'stop', GVL_IO.bStopButton)"), (
        result.error
    )
    assert "8 bytes came back that are not a valid reply (CRC error or garbled" in result.error
    assert all("NOT applied" in entry for entry in result.safe_state)


def test_no_reply_names_address_signal_transport_and_retries(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig_path = write(
        tmp_path / "rig.toml",
        rig_text(unique(tmp_path, "silent"), tcp(station_plc.port).replace("retries = 0", "retries = 1")),
    )
    rig = load_rig(rig_path)
    rig.transport.unit = 7  # a unit the PLC does not have: silence
    rig.transport.timeout_s = 0.2
    began = time.monotonic()
    (result,) = run_on_rig(rig, load_scenarios(scenario), station_plc.iomap, lockstep=True)
    # The first request: stop (signals in name order: level, start, stop ... set at 0 s: stop, level).
    assert re.fullmatch(
        rf"no valid reply writing coil 1 of unit 7 \(signal 'stop', GVL_IO\.bStopButton\) from 127\.0\.0\.1:{station_plc.port} unit 7 after 1 retries: .*No response received.*",
        result.error,
    ), result.error
    assert time.monotonic() - began < 5  # 0.2 s * 2 attempts, then the safe state's attempts
    assert station_plc.sim.scans == 0


def test_messages_are_spelled_right(station: Path, station_plc: VirtualPlc, tmp_path: Path) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    signals = '\n[signals]\nlevel = { table = "holding", address = 9, type = "INT" }\n'
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "spelling"), tcp(station_plc.port), extra=signals))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert "the device refused writing holding 9" in result.error


def test_nothing_listening_is_a_clear_error(station: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "nothing"), tcp(port)))
    virtual = VirtualPlc.load([station], lockstep=True, **LIBRARIES)  # for the map only, not served
    (result,) = run_rig(rig, scenario, virtual.iomap)
    assert result.error == f"cannot connect to 127.0.0.1:{port} unit 2"
    assert result.safe_state == []


def test_a_signal_without_an_address_is_named(station: Path, station_plc: VirtualPlc, tmp_path: Path) -> None:
    scenario = write(
        station / "scenarios" / "short.scenario.toml",
        PASSING + '\n[[step]]\nat = "0s"\nexpect = { "MAIN.fbStation.nFilled" = 0 }\n',
    )
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "noaddr"), tcp(station_plc.port)))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert result.error == (
        "signal 'MAIN.fbStation.nFilled' (MAIN.fbStation.nFilled) has no Modbus address: "
        "give it one in the rig's [signals], or an AT address in the project"
    )


# ---------------------------------------------------------------------------------------------- reports


def test_junit_and_timing_diagram_of_a_failure_and_an_error(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    failing = write(station / "scenarios" / "too_early.scenario.toml", FAILING)
    rig_path = write(
        tmp_path / "rig.toml", rig_text(unique(tmp_path, "report"), tcp(station_plc.port), safe_state=SAFE_STATE)
    )
    (failed,) = run_rig(rig_path, failing, station_plc.iomap)
    errored = HilResult(
        ScenarioResult(load_scenarios(failing)[0]), safe_state=["start=False"], error="cannot connect to <bench> & co"
    )
    xml = ET.fromstring(junit([failed, errored], load_rig(rig_path)))
    suite = xml.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "1")
    failure, error = suite.find("testcase/failure"), suite.find("testcase/error")
    assert failure is not None and error is not None
    assert failure.get("message") == FAILURES[0]
    assert (failure.text or "").splitlines()[:3] == FAILURES
    assert error.get("message") == "cannot connect to <bench> & co"
    assert error.text == "cannot connect to <bench> & co\nsafe state: start=False"
    page = timing_diagram(failed)
    assert "expects too early: FAILED" in page
    assert all(f"<li>{line}</li>" in page for line in FAILURES)
    assert page.count('fill="#f99"') == 3 and page.count('fill="#9f9"') == 1  # conveyor FALSE at 400 ms was met
    assert "cannot connect to &lt;bench&gt; &amp; co" in timing_diagram(errored)


def test_a_second_signal_cannot_cut_the_safe_state_short() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stop_signals():
        with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler runs at the next bytecode; never reached
        # Now the runner is writing the safe state: another SIGTERM or Ctrl-C must not interrupt it.
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
    assert signal.getsignal(signal.SIGTERM) is before  # restored for whatever runs next


# ---------------------------------------------------------------------------------------------- safety under faults
# Found by an audit with real faults: each leaves the rig driven unless the runner handles it.


def test_a_connection_reset_mid_run_is_retried_on_a_new_connection(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    # The PLC stays up; only the connection dies (RST). With retries the runner reconnects and goes on.
    proxy = ResettingProxy(station_plc.port)
    name = unique(tmp_path, "rst")
    reached, resume = plants_for_tests.gate(name)
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(
        tmp_path / "rig.toml",
        # A generous timeout: on a loaded CI machine a slow reply must not fail the run before the reset.
        rig_text(name, tcp(proxy.port, retries=2), safe_state=SAFE_STATE, extra=GATE.format(name=name), timeout="3s"),
    )
    thread, results = run_in_thread(lambda: run_rig(rig, scenario, station_plc.iomap))
    try:
        assert reached.wait(10), "the runner never reached cycle 30"
        proxy.reset()
    finally:
        resume.set()
        thread.join(20)
        proxy.close()
    assert proxy.done.is_set()
    (result,) = results[0]
    assert result.passed, result.error or result.result.failures


def test_a_connection_reset_without_retries_fails_the_scenario_and_applies_the_safe_state(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    proxy = ResettingProxy(station_plc.port)
    name = unique(tmp_path, "rst0")
    reached, resume = plants_for_tests.gate(name)
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(
        tmp_path / "rig.toml",
        # A generous timeout: on a loaded CI machine a slow reply must not fail the run before the reset.
        rig_text(name, tcp(proxy.port, retries=0), safe_state=SAFE_STATE, extra=GATE.format(name=name), timeout="3s"),
    )
    thread, results = run_in_thread(lambda: run_rig(rig, scenario, station_plc.iomap))
    try:
        assert reached.wait(10), "the runner never reached cycle 30"
        proxy.reset()
    finally:
        resume.set()
        thread.join(20)
        proxy.close()
    (result,) = results[0]
    assert not result.passed
    assert proxy.done.is_set(), (proxy.connections, result.error, result.result.scans)
    assert "Connection reset by peer" in result.error, result.error
    # Cycle 30: the runner had driven stop = TRUE, level = 20000 and start = TRUE (PASSING's first steps).
    assert result.safe_state == ["level=1000", "start=False", "stop=False"]
    assert values(station_plc, "nTankLevel", "bStartButton", "bStopButton") == {
        "nTankLevel": 1000,
        "bStartButton": False,
        "bStopButton": False,
    }


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("ReturnsNone", "step() must return a dict of outputs, not None"),
        ("FailsToStart", "RuntimeError: calibration file missing"),
    ],
)
def test_a_broken_plant_model_fails_the_scenario_and_leaves_the_rig_safe(
    station: Path, station_plc: VirtualPlc, tmp_path: Path, model: str, message: str
) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    plant = f'[[plant]]\nmodel = "tests.hil.plants_for_tests:{model}"\noutputs = {{ bottle_in_place = "bottle" }}\n'
    rig = write(
        tmp_path / "rig.toml",
        rig_text(unique(tmp_path, "plant"), tcp(station_plc.port), safe_state=SAFE_STATE, extra=plant),
    )
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert not result.passed and message in result.error, result.error


def test_a_misspelt_plant_output_is_an_error_not_an_undriven_input(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    # hil.plants.Conveyor returns bottle_in_place and full; "bottle_inplace" is a typo in the rig file.
    plant = '[[plant]]\nmodel = "hil.plants:Conveyor"\ninputs = { running = "conveyor" }\noutputs = { bottle_inplace = "bottle" }\n'
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "typo"), tcp(station_plc.port), extra=plant))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert "returned no output 'bottle_inplace' (it returned: bottle_in_place, full)" in result.error


def test_every_declared_safe_state_signal_is_written_after_a_failure(
    station: Path, station_plc: VirtualPlc, tmp_path: Path
) -> None:
    # The first scenario passes and leaves the bottle TRUE; the second fails without naming the bottle.
    # bottle is declared safe (FALSE): a failure must leave it FALSE, as the rig file promises.
    first = write(station / "scenarios" / "a_passes.scenario.toml", PASSING)
    no_bottle = FAILING.replace("set = { bottle = true }\n", "").replace('bottle = "GVL_IO.bBottleInPlace"\n', "")
    second = write(station / "scenarios" / "b_fails.scenario.toml", no_bottle)
    rig = write(
        tmp_path / "rig.toml",
        rig_text(unique(tmp_path, "all"), tcp(station_plc.port), safe_state=SAFE_STATE + "bottle = false\n"),
    )
    passed, failed = run_on_rig(
        load_rig(rig), [*load_scenarios(first), *load_scenarios(second)], station_plc.iomap, lockstep=True
    )
    assert passed.passed and not failed.passed
    assert failed.safe_state == ["bottle=False", "level=1000", "start=False", "stop=False"]
    assert values(station_plc, "bBottleInPlace") == {"bBottleInPlace": False}


@pytest.mark.parametrize(
    ("safe_state", "message"),
    [
        ("strat = false", "[safe_state] strat: not a signal of the rig's [signals] or of the scenarios' [signals]"),
        ('start = "false"', "[safe_state] start: 'false' is not a value (write true, false or a number)"),
    ],
)
def test_a_safe_state_that_cannot_be_applied_is_refused_before_the_run(
    station: Path, station_plc: VirtualPlc, tmp_path: Path, safe_state: str, message: str
) -> None:
    scenario = write(station / "scenarios" / "short.scenario.toml", PASSING)
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "bad"), tcp(station_plc.port), safe_state=safe_state))
    with pytest.raises(DiagnosticError) as caught:
        load_stage(rig, [scenario])
    line = rig.read_text(encoding="utf-8").splitlines().index(safe_state) + 1
    assert caught.value.diagnostic.header() == f"{rig}:{line}:1: error: {message}"


@pytest.mark.parametrize(
    ("value", "why"),
    [('"false"', "'false' is not TRUE/FALSE"), ("2", "2 is not TRUE/FALSE"), ("0.5", "0.5 is not TRUE/FALSE")],
)
def test_a_bool_signal_takes_only_true_or_false_as_on_the_simulator(
    station: Path, station_plc: VirtualPlc, tmp_path: Path, value: str, why: str
) -> None:
    # The simulator refuses these for a BOOL (plcops test fails the scenario); a HIL run must not press
    # the button with them: "false" is a non-empty string, and a string written as a coil would be TRUE.
    text = PASSING.replace("set = { start = true }", f"set = {{ start = {value} }}")
    scenario = write(station / "scenarios" / "short.scenario.toml", text)
    rig = write(tmp_path / "rig.toml", rig_text(unique(tmp_path, "bool"), tcp(station_plc.port)))
    (result,) = run_rig(rig, scenario, station_plc.iomap)
    assert not result.passed and why in result.error, result.error
    assert values(station_plc, "bStartButton") == {"bStartButton": False}
    with pytest.raises(ValueError, match="is not TRUE/FALSE"):  # plcops test reports it as an error
        on_simulator(station, scenario)


def test_a_stop_signal_while_the_safe_state_is_written_waits_until_it_is_done() -> None:
    from hil.runner import held_stop, shielded

    with stop_signals():
        with shielded():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # a handler that raised would have done so here
        assert held_stop() == "SIGTERM"
        assert held_stop() == ""  # taken once
        os.kill(os.getpid(), signal.SIGINT)  # after the first: ignored
        time.sleep(0.05)


def test_sigterm_stops_an_emulated_run_with_its_own_exit_status(station: Path) -> None:
    # --emulate is the CI default: a cancelled job must exit 143 there too, not 130.
    slow = PASSING.replace('timeout = "2s"', 'timeout = "1000s"').replace(
        'expect_stays = { for = "100ms", conveyor = true, valve = false }',
        'expect_stays = { for = "900s", conveyor = true, valve = false }',
    )
    write(station / "scenarios" / "slow.scenario.toml", slow)
    process = subprocess.Popen(
        [sys.executable, "-m", "plcops", "hil", "run", "rig.toml", "scenarios/slow.scenario.toml", "--emulate", "."],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=station,
        env=ENV,
    )
    try:
        time.sleep(4)  # load, then lockstep cycles
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait(10)
    assert process.returncode == 143, out + err
    assert "interrupted (SIGTERM)" in err
    assert "safe state applied:" in out


def test_a_lockstep_rig_over_rtu_gives_the_simulators_verdict_without_emulate(station: Path) -> None:
    # [timing] lockstep = true drives a virtual PLC served with --lockstep over RTU scan by scan: the
    # deterministic comparison the issue asks for, through the command's own path (no --emulate).
    rig = station / "rig.toml"
    text = rig.read_text(encoding="utf-8")
    with PtyPair() as (server_end, runner_end):
        rig.write_text(
            text.replace('kind = "tcp"', f'kind = "rtu"\ndevice = "{runner_end}"\nbaudrate = 115200')
            .replace('host = "127.0.0.1"                  # the bench controller\'s Modbus server\n', "")
            .replace("port = 5020\n", "")
            .replace('tolerance = "50ms"', 'tolerance = "0ms"\nlockstep = true'),
            encoding="utf-8",
        )
        plc = VirtualPlc.load([station], lockstep=True, **LIBRARIES)
        with serving(plc, tcp=None, rtu={"device": server_end, "baudrate": 115200}):
            results = run_stage(rig, [station / "scenarios"])
    expected = on_simulator(station, next((station / "scenarios").glob("*.scenario.toml")))
    assert [r.passed for r in results] == [True] and expected.passed
    assert results[0].result.scans == expected.scans
