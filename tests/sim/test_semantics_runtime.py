"""The simulator's runtime: task scheduling on virtual time, program instances of a CONFIGURATION, the reference
benchmark, RETAIN/PERSISTENT across restarts, forcing, snapshots, and reading/writing variables by path.

Expected values are worked out by hand from IEC 61131-3 (2nd ed. 2.7 configurations and tasks, RETAIN;
3rd ed. PERSISTENT), the CODESYS manual (warm/cold/origin reset, forcing) and the benchmark's README.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plcops.sim.simulator import Simulator

BENCH = Path("/work/shared/bench/counter.st")


def program(decls: str, body: str, *, types: str = "") -> str:
    """``decls`` and ``body`` wrapped into ``PROGRAM P``, after ``types`` (TYPE blocks, functions, GVLs)."""
    return f"{types}\nPROGRAM P\nVAR\n{decls}\nEND_VAR\n{body}\nEND_PROGRAM\n"


def run(decls: str, body: str, *, types: str = "", scans: int = 1) -> Simulator:
    """Load ``program(decls, body)`` and run ``scans`` scans of 10 ms."""
    sim = Simulator.from_text(program(decls, body, types=types), program="P", cycle_time="10ms")
    sim.scan(scans)
    return sim


# --------------------------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------------------------

TWO_TASKS = """
VAR_GLOBAL
    seq : DINT;
    fast_runs : INT;
    slow_runs : INT;
END_VAR

PROGRAM PFast
VAR
    x : INT;
    seen : TIME;
END_VAR
fast_runs := fast_runs + 1;
seq := seq * 10 + 2;
x := x + 1;
seen := TIME();
END_PROGRAM

PROGRAM PSlow
VAR
    x : INT;
    seen : TIME;
END_VAR
slow_runs := slow_runs + 1;
seq := seq * 10 + 1;
x := x + 1;
seen := TIME();
END_PROGRAM

CONFIGURATION Cell
    RESOURCE Cpu ON PLC
        TASK Fast(INTERVAL := T#10ms, PRIORITY := 1);
        TASK Slow(INTERVAL := T#30ms, PRIORITY := 0);
        PROGRAM fastInst WITH Fast : PFast;
        PROGRAM slowInst WITH Slow : PSlow;
    END_RESOURCE
END_CONFIGURATION
"""


def test_slow_task_runs_only_on_multiples_of_its_interval() -> None:
    # Base period gcd(10, 30) = 10 ms; scans at 0, 10, 20, 30, 40, 50 ms: Fast runs in all 6, Slow at 0 and 30.
    sim = Simulator.from_text(TWO_TASKS)
    sim.scan(6)
    assert sim["fast_runs"] == 6
    assert sim["slow_runs"] == 2
    assert sim["slowInst.seen"] == "T#30ms"
    assert sim["fastInst.seen"] == "T#50ms"
    sim.scan()  # t = 60 ms: the third Slow run
    assert sim["slow_runs"] == 3
    assert sim["slowInst.x"] == 3


def test_due_tasks_run_in_priority_order() -> None:
    # IEC 2nd ed. 2.7.2: priority 0 is the highest. Slow (priority 0) is declared after Fast but runs first in a
    # scan where both are due. seq := seq * 10 + digit records the order:
    # t = 0: Slow 1, Fast 2 -> 12; t = 10: 122; t = 20: 1222; t = 30: Slow then Fast -> 122212.
    sim = Simulator.from_text(TWO_TASKS)
    sim.scan(1)
    assert sim["seq"] == 12
    sim.scan(3)
    assert sim["seq"] == 122212


def test_program_instances_by_configuration_name() -> None:
    sim = Simulator.from_text(TWO_TASKS)
    sim.scan(4)
    assert sim["fastInst.x"] == 4
    assert sim["slowInst.x"] == 2
    assert sim.variables("slowInst")["x"] == 2


def test_advance_runs_whole_base_periods() -> None:
    # advance(T#100ms) with a 10 ms base period = 10 scans (t = 0..90); the clock is then at 100 ms.
    sim = Simulator.from_text(TWO_TASKS)
    assert sim.advance("T#100ms") == 10
    assert sim["fast_runs"] == 10
    assert sim["slow_runs"] == 4  # t = 0, 30, 60, 90
    assert sim.now_ns == 100_000_000


def test_base_period_is_the_gcd_of_the_intervals() -> None:
    # Intervals 20 and 30 ms: base 10 ms. In 60 ms (scans at 0..50): the 20 ms task at 0, 20, 40 (3 runs), the
    # 30 ms task at 0, 30 (2 runs).
    text = TWO_TASKS.replace("T#10ms, PRIORITY := 1", "T#20ms, PRIORITY := 1")
    sim = Simulator.from_text(text)
    sim.advance("T#60ms")
    assert (sim["fast_runs"], sim["slow_runs"]) == (3, 2)


def test_programs_of_one_task_run_in_declaration_order() -> None:
    text = """
VAR_GLOBAL
    seq : DINT;
END_VAR
PROGRAM PA
seq := seq * 10 + 1;
END_PROGRAM
PROGRAM PB
seq := seq * 10 + 2;
END_PROGRAM
CONFIGURATION C
    RESOURCE R ON PLC
        TASK T(INTERVAL := T#10ms, PRIORITY := 0);
        PROGRAM b WITH T : PB;
        PROGRAM a WITH T : PA;
    END_RESOURCE
END_CONFIGURATION
"""
    # b (PB) is declared first: 2 then 1 in each scan: 21, then 2121.
    sim = Simulator.from_text(text)
    sim.scan(2)
    assert sim["seq"] == 2121


def test_two_instances_of_one_program_type_have_their_own_state() -> None:
    text = """
PROGRAM PCount
VAR
    n : INT;
END_VAR
n := n + 1;
END_PROGRAM
CONFIGURATION C
    RESOURCE R ON PLC
        TASK T(INTERVAL := T#10ms, PRIORITY := 0);
        PROGRAM a WITH T : PCount;
        PROGRAM b WITH T : PCount;
    END_RESOURCE
END_CONFIGURATION
"""
    sim = Simulator.from_text(text)
    sim.scan(3)
    assert (sim["a.n"], sim["b.n"]) == (3, 3)


# --------------------------------------------------------------------------------------------------------------
# The reference benchmark
# --------------------------------------------------------------------------------------------------------------


def test_reference_benchmark_after_1000_scans() -> None:
    # Worked out from the standard (and matching /work/shared/bench/README.md):
    # - the TON runs with IN = start AND NOT t1.Q from t = 0; Q rises when ET >= 100 ms, on scan 11 (t = 100 ms);
    # - on scan 12 IN is FALSE (Q was TRUE), the timer resets; it restarts on scan 13 (t = 120 ms): a period of
    #   12 scans, pulses on scans 11, 23, ..., 11 + 12k <= 1000 -> k = 0..82: 83 pulses (R_TRIG sees each, CTU
    #   counts each: CV = 83, below PV = 1000 so Q FALSE);
    # - the last pulse is on scan 995, the reset on 996, the restart on 997 (t = 960 ms); scan 1000 runs at
    #   t = 990 ms: ET = 30 ms;
    # - wrap: 32760 + 1000 = 33760 -> 33760 - 65536 = -31776; acc = 1000 * 0.5 = 500.0; count = 1000.
    sim = Simulator.load([BENCH])
    sim.scan(1000)
    assert sim["inst0.count"] == 1000
    assert sim["inst0.pulses"] == 83
    assert sim["inst0.wrap"] == -31776
    assert sim["inst0.acc"] == 500.0
    assert sim["inst0.ctu1.CV"] == 83
    assert sim["inst0.q"] is False
    assert sim["inst0.t1.ET"] == "T#30ms"
    assert sim.now_ns == 10_000_000_000  # 1000 scans x 10 ms


def test_reference_benchmark_by_program_name() -> None:
    sim = Simulator.load([BENCH], program="counter_prg", cycle_time="10ms")
    sim.scan(1000)
    values = sim.variables("counter_prg")
    assert (values["count"], values["pulses"], values["wrap"], values["acc"]) == (1000, 83, -31776, 500.0)


# --------------------------------------------------------------------------------------------------------------
# RETAIN, PERSISTENT and restarts
# --------------------------------------------------------------------------------------------------------------

RETENTIVE = """
VAR_GLOBAL RETAIN
    g_retain : INT := 1;
END_VAR
VAR_GLOBAL PERSISTENT
    g_persistent : INT := 2;
END_VAR
VAR_GLOBAL
    g_plain : INT := 3;
END_VAR

FUNCTION_BLOCK FB_Count
VAR RETAIN
    kept : INT;
END_VAR
VAR
    lost : INT;
END_VAR
kept := kept + 1;
lost := lost + 1;
END_FUNCTION_BLOCK

PROGRAM P
VAR RETAIN
    r : INT := 10;
END_VAR
VAR PERSISTENT
    p : INT := 20;
END_VAR
VAR
    n : INT := 30;
    fb : FB_Count;
    since : TIME;
END_VAR
r := r + 1;
p := p + 1;
n := n + 1;
g_retain := g_retain + 1;
g_persistent := g_persistent + 1;
g_plain := g_plain + 1;
fb();
since := TIME();
END_PROGRAM
"""


def test_warm_restart_keeps_retain_and_persistent() -> None:
    # CODESYS 'Reset warm': RETAIN and PERSISTENT variables keep their values, the others get their initial value.
    # After 3 scans every counter is +3.
    sim = Simulator.from_text(RETENTIVE, program="P")
    sim.scan(3)
    sim.restart("warm")
    assert (sim["P.r"], sim["P.p"], sim["P.n"]) == (13, 23, 30)
    assert (sim["g_retain"], sim["g_persistent"], sim["g_plain"]) == (4, 5, 3)
    assert sim.now_ns == 0
    sim.scan()
    assert sim["P.since"] == "T#0ms"  # the clock starts again at 0
    assert (sim["P.r"], sim["P.n"]) == (14, 31)


def test_cold_restart_keeps_only_persistent() -> None:
    # CODESYS 'Reset cold': RETAIN variables are re-initialised, PERSISTENT ones are kept.
    sim = Simulator.from_text(RETENTIVE, program="P")
    sim.scan(3)
    sim.restart("cold")
    assert (sim["P.r"], sim["P.p"], sim["P.n"]) == (10, 23, 30)
    assert (sim["g_retain"], sim["g_persistent"], sim["g_plain"]) == (1, 5, 3)


def test_origin_restart_keeps_nothing() -> None:
    sim = Simulator.from_text(RETENTIVE, program="P")
    sim.scan(3)
    sim.restart("origin")
    assert (sim["P.r"], sim["P.p"], sim["P.n"]) == (10, 20, 30)
    assert (sim["g_retain"], sim["g_persistent"], sim["g_plain"]) == (1, 2, 3)


def test_restart_mode_must_be_known() -> None:
    sim = Simulator.from_text(RETENTIVE, program="P")
    with pytest.raises(ValueError):
        sim.restart("lukewarm")


def test_warm_restart_keeps_retain_variables_inside_function_blocks() -> None:
    sim = Simulator.from_text(RETENTIVE, program="P")
    sim.scan(3)
    sim.restart("warm")
    assert sim["P.fb.kept"] == 3
    assert sim["P.fb.lost"] == 0


# --------------------------------------------------------------------------------------------------------------
# Forcing
# --------------------------------------------------------------------------------------------------------------


def test_forced_variable_keeps_its_value_although_the_program_writes_it() -> None:
    # The body reads x into seen, then writes x + 1. Forced to 5: every scan starts with x = 5 (seen = 5) and
    # the forced value is written again after the scan, so x reads 5.
    sim = run("x : INT;\nseen : INT;", "seen := x;\nx := x + 1;", scans=2)
    assert sim["P.x"] == 2
    sim.force("P.x", 5)
    assert sim["P.x"] == 5
    sim.scan(3)
    assert (sim["P.x"], sim["P.seen"]) == (5, 5)
    sim.unforce("P.x")
    sim.scan()
    assert (sim["P.x"], sim["P.seen"]) == (6, 5)


def test_forcing_an_input_that_drives_logic() -> None:
    sim = run("start : BOOL;\nt : TON;\nrunning : BOOL;", "t(IN := start, PT := T#20ms);\nrunning := t.Q;", scans=5)
    assert sim["P.running"] is False
    sim.force("P.start", True)
    sim.scan(3)  # t = 50, 60, 70 ms: the timer starts at 50 ms, Q at 70 ms
    assert sim["P.running"] is True
    sim.unforce()
    sim["P.start"] = False
    sim.scan()
    assert sim["P.running"] is False


def test_forcing_a_global_and_a_member() -> None:
    types = "VAR_GLOBAL\n level : INT;\nEND_VAR\nTYPE S : STRUCT\n v : INT;\nEND_STRUCT\nEND_TYPE\n"
    sim = run("s : S;\ncopy : INT;", "level := level + 1;\ns.v := s.v + 1;\ncopy := level;", types=types)
    sim.force("level", 100)
    sim.force("P.s.v", -7)
    sim.scan(2)
    assert (sim["level"], sim["P.s.v"], sim["P.copy"]) == (100, -7, 101)


def test_forcing_checks_the_type() -> None:
    sim = run("x : SINT;", "")
    with pytest.raises(ValueError):
        sim.force("P.x", 200)


# --------------------------------------------------------------------------------------------------------------
# Snapshots
# --------------------------------------------------------------------------------------------------------------


def test_snapshot_and_restore_return_to_the_same_state() -> None:
    # A TON in the middle of its delay and a counter: after restoring, scanning again reproduces the same values.
    sim = run(
        "t : TON;\nn : INT;\nq_at : INT := -1;",
        "t(IN := TRUE, PT := T#100ms);\nn := n + 1;\nIF t.Q AND q_at < 0 THEN q_at := n; END_IF;",
        scans=5,
    )
    state = sim.snapshot()
    sim.scan(10)
    # Q rises on scan 11 (t = 100 ms).
    assert (sim["P.n"], sim["P.q_at"], sim["P.t.ET"]) == (15, 11, "T#100ms")
    sim.restore(state)
    assert (sim["P.n"], sim["P.q_at"], sim["P.t.ET"], sim.now_ns, sim.scans) == (5, -1, "T#40ms", 50_000_000, 5)
    sim.scan(6)
    assert (sim["P.n"], sim["P.q_at"]) == (11, 11)
    sim.restore(state)  # a snapshot can be restored again
    assert sim["P.n"] == 5


def test_snapshot_is_not_changed_by_later_scans() -> None:
    sim = run("a : ARRAY[1..2] OF INT;", "a[1] := a[1] + 1;", scans=1)
    state = sim.snapshot()
    sim.scan(3)
    sim.restore(state)
    assert sim["P.a"] == [1, 0]


# --------------------------------------------------------------------------------------------------------------
# Reading and writing variables
# --------------------------------------------------------------------------------------------------------------


def test_written_value_is_seen_by_the_next_scan() -> None:
    sim = run("x : INT;\ny : INT;", "y := x * 2;")
    sim["P.x"] = 21
    sim.scan()
    assert sim["P.y"] == 42


def test_written_real_and_time_values_take_the_variables_type() -> None:
    # A REAL written from Python is rounded to single precision (0.1 -> 13421773 / 2**27); a TIME can be written
    # as a literal; the program sees both.
    sim = run("r : REAL;\nt : TIME;\nlonger : BOOL;", "longer := t > T#1s;")
    sim["P.r"] = 0.1
    sim["P.t"] = "T#1s1ms"
    sim.scan()
    assert sim["P.r"] == 13421773 / 2**27
    assert sim["P.t"] == "T#1s1ms"
    assert sim["P.longer"] is True


def test_configuration_global_variables() -> None:
    # VAR_GLOBAL declared inside the CONFIGURATION (IEC 2nd ed. 2.7.1, configurations) are shared by its programs.
    text = """
PROGRAM PInc
VAR_EXTERNAL
    shared : INT;
END_VAR
shared := shared + 1;
END_PROGRAM
CONFIGURATION C
    VAR_GLOBAL
        shared : INT := 10;
    END_VAR
    RESOURCE R ON PLC
        TASK T(INTERVAL := T#10ms, PRIORITY := 0);
        PROGRAM inc WITH T : PInc;
    END_RESOURCE
END_CONFIGURATION
"""
    sim = Simulator.from_text(text)
    sim.scan(5)
    assert sim["shared"] == 15


def test_variables_of_a_program() -> None:
    types = "TYPE Pt : STRUCT\n x : INT;\n y : REAL;\nEND_STRUCT\nEND_TYPE\n"
    sim = run(
        "b : BOOL := TRUE;\ni : INT := -3;\nt : TIME := T#1s500ms;\ns : STRING := 'hi';\na : ARRAY[1..3] OF INT := [1, 2, 3];\np : Pt := (x := 1, y := 0.5);",
        "",
        types=types,
    )
    assert sim.variables("P") == {
        "b": True,
        "i": -3,
        "t": "T#1s500ms",
        "s": "hi",
        "a": [1, 2, 3],
        "p": {"x": 1, "y": 0.5},
    }


def test_unknown_paths_are_key_errors() -> None:
    sim = run("x : INT;", "")
    with pytest.raises(KeyError):
        sim["P.nope"]
    with pytest.raises(KeyError):
        sim["Nobody.x"]


# --------------------------------------------------------------------------------------------------------------
# Endless loops: the watchdog, and FOR counters that would wrap
# --------------------------------------------------------------------------------------------------------------


def test_an_endless_loop_is_stopped_by_the_watchdog_at_its_st_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from plcops.sim import rt
    from plcops.sim.simulator import ScanError

    monkeypatch.setattr(rt, "WATCHDOG_SECONDS", 0.2)  # a PLC task watchdog; 5 s by default
    text = "PROGRAM P\nVAR n : DINT; END_VAR\nn := 1;\nWHILE n > 0 DO\n    n := n + 1;\nEND_WHILE\nEND_PROGRAM\n"
    sim = Simulator.from_text(text, path="loop.st", program="P")
    with pytest.raises(ScanError) as raised:
        sim.scan()
    assert "watchdog" in raised.value.message
    assert (raised.value.path, raised.value.line) == ("loop.st", 4)  # the WHILE that does not end


@pytest.mark.parametrize(
    ("declaration", "loop", "limits"),
    [
        # 32767 + 1 leaves INT: a PLC's counter wraps to -32768 <= 32767 and loops for ever.
        ("i : INT;", "FOR i := 32765 TO 32767 DO", "INT (-32768..32767)"),
        ("k : USINT;", "FOR k := 250 TO 255 DO", "USINT (0..255)"),
        ("k : SINT;", "FOR k := -126 TO -128 BY -1 DO", "SINT (-128..127)"),
    ],
)
def test_a_for_counter_stepping_past_its_type_is_a_runtime_error(declaration: str, loop: str, limits: str) -> None:
    from plcops.sim.simulator import ScanError

    text = f"PROGRAM P\nVAR {declaration} n : DINT; END_VAR\n{loop}\n    n := n + 1;\nEND_FOR\nEND_PROGRAM\n"
    sim = Simulator.from_text(text, path="for.st", program="P")
    with pytest.raises(ScanError) as raised:
        sim.scan()
    assert f"steps past the range of {limits}" in raised.value.message
    assert raised.value.line == 3  # the FOR statement


def test_a_for_loop_ending_below_the_limit_is_fine() -> None:
    # 32765, 32766: two passes; the counter ends at 32767, inside INT.
    text = (
        "PROGRAM P\nVAR i : INT; n : DINT; END_VAR\nFOR i := 32765 TO 32766 DO\n    n := n + 1;\nEND_FOR\nEND_PROGRAM\n"
    )
    sim = Simulator.from_text(text, program="P")
    sim.scan()
    assert (sim["P.i"], sim["P.n"]) == (32767, 2)
