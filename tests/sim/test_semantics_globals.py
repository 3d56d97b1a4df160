"""Globals seen from programs: VAR_EXTERNAL, initial values that name other globals, and values JSON carries.

Expected values by hand: a VAR_EXTERNAL is the global itself (IEC 61131-3, 2.4.1.3: it gives access to a
variable declared VAR_GLOBAL elsewhere), so reading, writing and forcing it from outside acts on the global.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from plcops.sim.simulator import SimulationError, Simulator

EXTERNAL = """
VAR_GLOBAL
    g : INT := 7;
END_VAR
PROGRAM P
VAR_EXTERNAL
    g : INT;
END_VAR
VAR
    c : INT := 3;
    vo : INT;
END_VAR
vo := c + g;
g := g + 1;
END_PROGRAM
"""


def test_a_var_external_is_the_global_from_inside_and_from_outside() -> None:
    sim = Simulator.from_text(EXTERNAL, program="P")
    sim.scan()
    # vo = 3 + 7 = 10; then g = 8, seen through the program and through the global alike.
    assert (sim["P.vo"], sim["P.g"], sim["g"]) == (10, 8, 8)
    sim["P.g"] = 100  # written through the program's name: the global changes
    sim.scan()
    assert (sim["P.vo"], sim["g"]) == (103, 101)
    assert sim.variables("P") == {"c": 3, "vo": 103, "g": 101}


GLOBAL_INITIALISERS = """
VAR_GLOBAL CONSTANT
    cSize : INT := 5;
    cMax : INT := cSize - 1;
END_VAR
VAR_GLOBAL
    nStart : INT := cSize * 3;
    aBuffer : ARRAY[0..cMax] OF INT;
END_VAR
PROGRAM P
VAR
    nLast : INT := cMax + 1;
    nSum : INT;
END_VAR
nSum := cMax + nStart;
END_PROGRAM
"""


def test_global_initial_values_may_name_globals_declared_before_them() -> None:
    sim = Simulator.from_text(GLOBAL_INITIALISERS, program="P")
    sim.scan()
    # cMax = 5 - 1 = 4; nStart = 15; aBuffer has 0..4 (5 elements); nLast = 5; nSum = 4 + 15 = 19.
    assert (sim["cMax"], sim["nStart"], len(sim["aBuffer"]), sim["P.nLast"], sim["P.nSum"]) == (4, 15, 5, 5, 19)
    sim.restart("origin")
    assert sim["nStart"] == 15


def test_globals_are_initialised_after_the_globals_they_read() -> None:
    # CODESYS and TwinCAT resolve a global's initial value whichever GVL (or line) declares what it reads:
    # a := b + 1 with b declared later is 6, not an error (it was one), wherever the two are declared.
    text = "VAR_GLOBAL\n    a : INT := b + 1;\n    b : INT := 5;\nEND_VAR\nPROGRAM P\nVAR x : INT; END_VAR\nx := a;\nEND_PROGRAM\n"
    sim = Simulator.from_text(text, path="g.st", program="P")
    assert (sim["a"], sim["b"]) == (6, 5)


def test_globals_whose_initial_values_read_each_other_are_an_error() -> None:
    text = "VAR_GLOBAL\n    a : INT := b + 1;\n    b : INT := a;\nEND_VAR\nPROGRAM P\nEND_PROGRAM\n"
    with pytest.raises(SimulationError) as raised:
        Simulator.from_text(text, path="g.st", program="P")
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.line, diagnostic.column) == (3, 16)  # b's read of a closes the cycle a -> b -> a
    assert "reads a, whose initial value depends on b: no order initialises them" in diagnostic.message


def test_a_real_literal_converted_from_real_is_single_precision_first() -> None:
    text = "PROGRAM P\nVAR a : DINT; b : LREAL; END_VAR\na := REAL_TO_DINT(16777217.0);\nb := REAL_TO_LREAL(0.1);\nEND_PROGRAM\n"
    sim = Simulator.from_text(text, program="P")
    sim.scan()
    # 16777217 is not a float32: the nearest are 16777216 and 16777218, ties to even -> 16777216.
    # float32(0.1) = 13421773 * 2**-27 = 0.100000001490116119384765625.
    assert sim["P.a"] == 16777216
    assert sim["P.b"] == 13421773 * 2**-27


def test_sim_run_json_carries_infinities_and_nan_as_strings(tmp_path: Path) -> None:
    source = tmp_path / "inf.st"
    source.write_text(
        "PROGRAM P\nVAR z : REAL; up : REAL; down : LREAL; nan : REAL; END_VAR\n"
        "up := 1.0 / z;\ndown := -1.0 / z;\nnan := z / z;\nEND_PROGRAM\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "plcops", "sim", "run", str(source), "--program", "P", "--json", "--cycles", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # Strict JSON: no bare Infinity/NaN tokens (json.loads would accept them, so refuse them explicitly).
    data = json.loads(done.stdout, parse_constant=lambda token: pytest.fail(f"non-JSON token {token}"))
    assert data["variables"] == {"z": 0.0, "up": "inf", "down": "-inf", "nan": "nan"}


CONFIGURATION_WITH_VAR_CONFIG = """PROGRAM P
VAR_INPUT
    b : BOOL;
END_VAR
VAR
    n : INT;
END_VAR
n := n + 1;
END_PROGRAM
CONFIGURATION C
    RESOURCE R ON PLC
        TASK T(INTERVAL := T#10ms, PRIORITY := 1);
        PROGRAM I WITH T : P;
    END_RESOURCE
    VAR_CONFIG
        R.I.b AT %IX2.0 : BOOL;
    END_VAR
END_CONFIGURATION
"""


def test_var_config_names_variables_declared_elsewhere() -> None:
    # IEC 61131-3 3rd ed. 6.8.2: VAR_CONFIG gives instance variables (R.I.b) addresses and initial values;
    # it declares no storage. It used to become a variable named "R.I.b", which no simulation could load.
    sim = Simulator.from_text(CONFIGURATION_WITH_VAR_CONFIG, path="c.st")
    sim.scan(3)
    assert sim["P.n"] == 3


def test_var_config_initial_values_are_reported_as_not_simulated() -> None:
    text = CONFIGURATION_WITH_VAR_CONFIG.replace("R.I.b AT %IX2.0 : BOOL;", "R.I.b AT %IX2.0 : BOOL := TRUE;")
    sim = Simulator.from_text(text, path="c.st")
    (warning,) = [d for d in sim.checked.model.diagnostics if d.severity.value == "warning"]
    assert (warning.line, "VAR_CONFIG initial values are not simulated" in warning.message) == (16, True)


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ("TASK T(SINGLE := , PRIORITY := 1);", "TASK T: SINGLE needs a value"),
        ("TASK T(INTERVALL := T#10ms, PRIORITY := 1);", "TASK T: parameters are INTERVAL, SINGLE, PRIORITY"),
    ],
)
def test_a_task_parameter_that_means_nothing_is_an_error(task: str, message: str) -> None:
    # An empty SINGLE silently made an event task cyclic; a misspelt INTERVAL made it run at the default.
    text = CONFIGURATION_WITH_VAR_CONFIG.replace("TASK T(INTERVAL := T#10ms, PRIORITY := 1);", task)
    with pytest.raises(SimulationError) as raised:
        Simulator.from_text(text, path="c.st")
    assert any(message in d.message and d.line == 12 for d in raised.value.diagnostics), raised.value.diagnostics
