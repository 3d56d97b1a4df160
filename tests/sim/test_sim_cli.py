"""``plcops sim run``: the JSON contract ({"program", "cycles", "time", "variables"}), --set, --duration,
--cycle-time, and the exit codes (0 ran, 1 a runtime error in the ST with its location, 2 a project that does not
load or bad arguments).

Expected values are worked out by hand (see the comments; the benchmark's derivation is in
test_semantics_runtime.py and /work/shared/bench/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plcops.cli import app

BENCH = Path("/work/shared/bench/counter.st")
runner = CliRunner()


def sim_run(*args: str) -> Any:
    """Invoke ``plcops sim run ARGS``."""
    return runner.invoke(app, ["sim", "run", *args])


def sim_json(*args: str) -> dict[str, Any]:
    """``plcops sim run ARGS --json``, which must succeed, as the parsed JSON object."""
    result = sim_run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def write(tmp_path: Path) -> Any:
    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write_file


def test_benchmark_json_after_1000_cycles() -> None:
    data = sim_json(str(BENCH), "--program", "counter_prg", "--cycles", "1000")
    assert set(data) == {"program", "cycles", "time", "variables"}
    assert data["program"] == "counter_prg"
    assert data["cycles"] == 1000
    assert data["time"] == "T#10s"  # 1000 x 10 ms
    values = data["variables"]
    assert (values["count"], values["pulses"], values["wrap"], values["acc"], values["q"]) == (
        1000,
        83,
        -31776,
        500.0,
        False,
    )
    assert values["ctu1"]["CV"] == 83
    assert values["t1"]["ET"] == "T#30ms"
    assert values["start"] is True


def test_benchmark_through_its_configuration() -> None:
    # Without --program the CONFIGURATION's 10 ms task runs the program: same results.
    values = sim_json(str(BENCH), "--cycles", "1000")["variables"]
    assert (values["count"], values["pulses"], values["wrap"]) == (1000, 83, -31776)


def test_duration_runs_whole_cycles() -> None:
    # T#1s of 10 ms cycles = 100 scans (t = 0..990 ms). Pulses on scans 11 + 12k <= 100: k = 0..7, 8 pulses;
    # wrap 32760 + 100 = 32860 - 65536 = -32676; acc 50.0; the last pulse on scan 95, restart on scan 97 (t = 960),
    # scan 100 at t = 990: ET = 30 ms.
    data = sim_json(str(BENCH), "--program", "counter_prg", "--duration", "T#1s")
    assert (data["cycles"], data["time"]) == (100, "T#1s")
    values = data["variables"]
    assert (values["count"], values["pulses"], values["wrap"], values["acc"]) == (100, 8, -32676, 50.0)
    assert values["t1"]["ET"] == "T#30ms"


def test_cycle_time_option() -> None:
    # 20 ms cycles, 12 scans at t = 0..220 ms. The TON starts at 0, Q at t = 100 (scan 6): 1 pulse; reset on
    # scan 7, restart on scan 8 (t = 140); at scan 12 (t = 220) ET = 80 ms.
    data = sim_json(str(BENCH), "--program", "counter_prg", "--cycles", "12", "--cycle-time", "20ms")
    assert data["time"] == "T#240ms"
    values = data["variables"]
    assert (values["count"], values["pulses"]) == (12, 1)
    assert values["t1"]["ET"] == "T#80ms"


def test_set_changes_variables_before_the_first_scan() -> None:
    # start = FALSE: the blinker never runs (0 pulses); wrap = 0 counts to 1000 without wrapping.
    values = sim_json(
        str(BENCH), "--program", "counter_prg", "--cycles", "1000", "--set", "start=FALSE", "--set", "wrap=0"
    )["variables"]
    assert (values["pulses"], values["wrap"], values["count"]) == (0, 1000, 1000)
    assert values["t1"]["ET"] == "T#0ms"


def test_set_literals_of_several_types(write: Any) -> None:
    path = write(
        "typed.st",
        "PROGRAM P\nVAR_INPUT\n pt : TIME;\n name : STRING(4);\n k : REAL;\n n : DINT;\nEND_VAR\nVAR\n twice : TIME;\n "
        "greeting : STRING;\n half : REAL;\n m : DINT;\nEND_VAR\n"
        "twice := pt * 2;\ngreeting := CONCAT('hi ', name);\nhalf := k / 2.0;\nm := n + 1;\nEND_PROGRAM\n",
    )
    # pt = T#1.5s -> twice T#3s; name 'robot' is cut to STRING(4) 'robo'; k = 5.0 -> 2.5; n = -3 -> -2.
    values = sim_json(
        str(path), "--program", "P", "--set", "pt=T#1.5s", "--set", "name='robot'", "--set", "k=5.0", "--set", "n=-3"
    )["variables"]
    assert (values["twice"], values["greeting"], values["half"], values["m"]) == ("T#3s", "hi robo", 2.5, -2)


def test_set_a_qualified_path() -> None:
    # counter_prg.ctu1.PV is an FB input; the program passes PV := 1000 on every call, so the value set before the
    # first scan is overwritten by the call: CV 83 and Q FALSE as without --set. counter_prg.wrap = 5 -> 1005.
    values = sim_json(
        str(BENCH),
        "--program",
        "counter_prg",
        "--cycles",
        "1000",
        "--set",
        "counter_prg.ctu1.PV=3",
        "--set",
        "counter_prg.wrap=5",
    )["variables"]
    assert (values["ctu1"]["PV"], values["ctu1"]["Q"], values["wrap"]) == (1000, False, 1005)


def test_default_is_one_cycle(write: Any) -> None:
    path = write("one.st", "PROGRAM P\nVAR\n n : INT;\nEND_VAR\nn := n + 1;\nEND_PROGRAM\n")
    data = sim_json(str(path))
    assert (data["program"], data["cycles"], data["time"], data["variables"]) == ("P", 1, "T#10ms", {"n": 1})


def test_text_output_lists_every_variable(write: Any) -> None:
    path = write("text.st", "PROGRAM P\nVAR\n n : INT;\n b : BOOL;\nEND_VAR\nn := n + 2;\nb := n > 3;\nEND_PROGRAM\n")
    result = sim_run(str(path), "--cycles", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["P.n = 4", "P.b = true"]


def test_runtime_error_exits_1_with_the_st_location(write: Any) -> None:
    # n: 2 -> 1 on scan 1 (t = 0), -> 0 on scan 2 (t = 10 ms): 'r := 100 / n' on line 9 divides by zero.
    text = "PROGRAM P\nVAR\n n : INT := 2;\n r : INT;\nEND_VAR\n\n\nn := n - 1;\nr := 100 / n;\nEND_PROGRAM\n"
    path = write("boom.st", text)
    result = sim_run(str(path), "--cycles", "5", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "boom.st:9:" in result.stderr
    assert "division by zero" in result.stderr
    assert "T#10ms" in result.stderr


def test_project_that_does_not_compile_exits_2(write: Any) -> None:
    path = write("bad.st", "PROGRAM P\nVAR\n x : INT;\nEND_VAR\nx := 'text';\nEND_PROGRAM\n")
    result = sim_run(str(path), "--cycles", "1", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "bad.st:5:" in result.stderr


def test_syntax_error_exits_2(write: Any) -> None:
    path = write("syntax.st", "PROGRAM P\nVAR\n x : INT;\nEND_VAR\nx := ;\nEND_PROGRAM\n")
    result = sim_run(str(path), "--json")
    assert result.exit_code == 2
    assert "syntax.st:5:" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--cycles", "2", "--duration", "T#1s"],  # both
        ["--program", "NoSuchProgram"],
        ["--set", "nosuchvar=1"],
        ["--set", "novalue"],
        ["--set", "count=TRUE"],  # a BOOL for a DINT
    ],
    ids=["cycles-and-duration", "unknown-program", "unknown-variable", "set-without-equals", "set-wrong-type"],
)
def test_bad_arguments_exit_2(args: list[str]) -> None:
    result = sim_run(str(BENCH), *args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
