"""An FMI 2.0 co-simulation FMU as a plant model, built offline with pythonfmu and stepped through fmpy.

The FMU is a tank: while ``inlet`` is open its level rises by 100 units per second; ``level`` is an
Integer output (the level rounded down). The expectations come from that rule by hand:

* stepped directly with dt = 10 ms: 150 steps with the inlet open -> 1.5 s * 100/s = 150, then the level
  holds while the inlet is closed;
* in closed loop with a PLC that keeps the inlet open while ``level < 300``: the level reaches 300 after
  3 s of filling, so at 2.5 s the valve is open with the level at most 250; it closes shortly after 3 s
  (a cycle or two of I/O latency), and the level then stays at 300 plus at most the latency's worth
  (>= 300 and < 310).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("fmpy")
pytest.importorskip("pythonfmu")

from hil.fmu import FmuPlant
from hil.plants import load_plant
from plcops.cli import app

TANK_SLAVE = """\
from pythonfmu import Fmi2Causality, Fmi2Slave, Fmi2Variability, Boolean, Integer


class PlcopsTank(Fmi2Slave):
    author = "plcops tests"
    description = "A tank: the level rises 100 units per second while the inlet is open"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inlet = False
        self.amount = 0.0
        self.level = 0
        self.register_variable(Boolean("inlet", causality=Fmi2Causality.input, variability=Fmi2Variability.discrete))
        self.register_variable(Integer("level", causality=Fmi2Causality.output, variability=Fmi2Variability.discrete))

    def do_step(self, current_time, step_size):
        if self.inlet:
            self.amount += 100.0 * step_size
        self.level = int(self.amount + 1e-9)
        return True
"""


@pytest.fixture(scope="module")
def tank_fmu(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fmu")
    script = folder / "PlcopsTank.py"
    script.write_text(TANK_SLAVE)
    built = subprocess.run(
        [sys.executable, "-m", "pythonfmu", "build", "-f", str(script), "-d", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    fmu = folder / "PlcopsTank.fmu"
    assert fmu.is_file()
    return fmu


def test_fmu_stepped_directly_follows_its_model(tank_fmu: Path) -> None:
    plant = FmuPlant(str(tank_fmu))
    try:
        for _ in range(150):
            produced = plant.step(0.01, {"inlet": True})
        assert produced == {"level": 150}
        for _ in range(50):
            produced = plant.step(0.01, {"inlet": False})
        assert produced == {"level": 150}
        assert plant.time == pytest.approx(2.0)
    finally:
        plant.close()


def test_relative_fmu_path_is_taken_from_the_rig_folder(
    tank_fmu: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # somewhere the FMU is not
    plant = load_plant("hil.fmu:FmuPlant", {"path": tank_fmu.name}, base_dir=tank_fmu.parent)
    try:
        assert plant.step(0.5, {"inlet": True}) == {"level": 50}
    finally:
        plant.close()  # type: ignore[attr-defined]


def test_bad_fmu_files_are_clear_errors(tmp_path: Path, tank_fmu: Path) -> None:
    with pytest.raises(ValueError, match="no FMU at"):
        FmuPlant(str(tmp_path / "missing.fmu"))
    broken = tmp_path / "broken.fmu"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a readable FMU"):
        FmuPlant(str(broken))
    plant = FmuPlant(str(tank_fmu))
    try:
        with pytest.raises(ValueError, match="no variable outlet"):
            plant.step(0.01, {"outlet": True})
    finally:
        plant.close()


GVL = """\
VAR_GLOBAL
    bInlet AT %QX0.0 : BOOL;
    nLevel AT %IW0 : INT;
END_VAR
"""

MAIN = """\
PROGRAM MAIN
GVL_Tank.bInlet := GVL_Tank.nLevel < 300;
END_PROGRAM
"""

RIG = """\
[rig]
name = "fmu-tank-{suffix}"
project = "."

[transport]
kind = "tcp"
host = "127.0.0.1"
port = 1
timeout = "500ms"

[timing]
cycle = "10ms"

[[plant]]
model = "hil.fmu:FmuPlant"
parameters = {{ path = "plant/PlcopsTank.fmu" }}
inputs = {{ inlet = "inlet" }}
outputs = {{ level = "level" }}
"""

SCENARIO = """\
[scenario]
name = "tank fills to 300"
timeout = "5s"

[signals]
inlet = "GVL_Tank.bInlet"
level = "GVL_Tank.nLevel"

[[step]]
at = "2.5s"
expect = { inlet = true, level = { le = 250 } }

[[step]]
at = "2.9s"
expect_within = { within = "200ms", inlet = false }

[[step]]
at = "3.5s"
expect = { level = { ge = 300 } }
expect_stays = { for = "1s", inlet = false, level = { lt = 310 } }
"""


def test_fmu_plant_in_closed_loop_with_a_virtual_plc(tank_fmu: Path, tmp_path: Path) -> None:
    project = tmp_path / "cell"
    (project / "plant").mkdir(parents=True)
    (project / "plant" / "PlcopsTank.fmu").write_bytes(tank_fmu.read_bytes())
    (project / "GVL_Tank.st").write_text(GVL)
    (project / "MAIN.st").write_text(MAIN)
    (project / "plcops.toml").write_text("")
    (project / "rig.toml").write_text(RIG.format(suffix=tmp_path.name))
    scenario = project / "tank.scenario.toml"
    scenario.write_text(SCENARIO)
    junit = tmp_path / "hil.xml"

    result = CliRunner().invoke(
        app, ["hil", "run", str(project / "rig.toml"), str(scenario), "--emulate", str(project), "--junit", str(junit)]
    )

    assert result.exit_code == 0, result.output
    assert 'failures="0"' in junit.read_text()
