"""The standard function blocks against the timing diagrams and definitions of IEC 61131-3 (2nd ed. 2003,
2.5.2.3.1-2.5.2.3.4, and the 3rd ed. 2013): TON, TOF, TP, R_TRIG, F_TRIG, CTU, CTD, CTUD, SR, RS.

Scans are 10 ms apart and the first scan runs at t = 0, so scan k (1-based) runs at t = (k - 1) * 10 ms and the
timers read that time. Each trace is worked out by hand in the comment above it: one row per scan with the
inputs and the outputs expected after that scan.
"""

from __future__ import annotations

from typing import Any

import pytest

from plcops.sim.simulator import Simulator


def instance(fb_type: str, call: str, decls: str = "", scans: int = 0) -> Simulator:
    """A program with one instance ``f`` of ``fb_type`` called every scan as ``call``."""
    text = f"PROGRAM P\nVAR\n f : {fb_type};\n{decls}\nEND_VAR\n{call}\nEND_PROGRAM\n"
    sim = Simulator.from_text(text, program="P", cycle_time="10ms")
    sim.scan(scans)
    return sim


def trace(sim: Simulator, inputs: list[dict[str, Any]], outputs: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Set each row's inputs (program variables), scan once, and collect the outputs (paths under ``P.f``)."""
    rows = []
    for row in inputs:
        for name, value in row.items():
            sim[f"P.{name}"] = value
        sim.scan()
        rows.append(tuple(sim[f"P.f.{name}"] for name in outputs))
    return rows


# --------------------------------------------------------------------------------------------------------------
# TON
# --------------------------------------------------------------------------------------------------------------


def test_ton_q_rises_on_the_eleventh_scan_for_100ms() -> None:
    # IN TRUE from the first scan (t = 0): ET = t. ET reaches PT = 100 ms at t = 100 ms, the 11th scan; Q rises on
    # the first scan where ET >= PT (st-semantics.md: matiec, CODESYS and the standard's diagram).
    sim = instance("TON", "f(IN := TRUE, PT := T#100ms);", scans=10)
    assert sim["P.f.Q"] is False
    assert sim["P.f.ET"] == "T#90ms"
    sim.scan()
    assert sim["P.f.Q"] is True
    assert sim["P.f.ET"] == "T#100ms"


def test_ton_et_is_capped_at_pt() -> None:
    # After 20 scans t = 190 ms, but ET stops at PT.
    sim = instance("TON", "f(IN := TRUE, PT := T#100ms);", scans=20)
    assert sim["P.f.Q"] is True
    assert sim["P.f.ET"] == "T#100ms"


def test_ton_timing_diagram() -> None:
    # PT = 30 ms.
    # scan t    IN  ET  Q
    #  1    0   1   0   0   (start at 0)
    #  2    10  1   10  0
    #  3    20  1   20  0
    #  4    30  1   30  1   (ET >= PT)
    #  5    40  1   30  1   (capped)
    #  6    50  0   0   0   (IN falls: reset)
    #  7    60  1   0   0   (restart at 60)
    #  8    70  1   10  0
    #  9    80  0   0   0   (IN shorter than PT: Q never rose)
    sim = instance("TON", "f(IN := x, PT := T#30ms);", "x : BOOL;")
    rows = trace(sim, [{"x": v} for v in (1, 1, 1, 1, 1, 0, 1, 1, 0)], ("ET", "Q"))
    ms = [(int(et[2:-2]) if et != "T#0ms" else 0, q) for et, q in rows]
    assert ms == [
        (0, False),
        (10, False),
        (20, False),
        (30, True),
        (30, True),
        (0, False),
        (0, False),
        (10, False),
        (0, False),
    ]


def test_ton_with_pt_not_a_multiple_of_the_scan() -> None:
    # PT = 25 ms: ET = 0, 10, 20, 30 -> Q on the 4th scan (t = 30 ms), ET capped at 25 ms.
    sim = instance("TON", "f(IN := TRUE, PT := T#25ms);", scans=3)
    assert sim["P.f.Q"] is False
    sim.scan()
    assert sim["P.f.Q"] is True
    assert sim["P.f.ET"] == "T#25ms"


def test_ton_with_zero_pt_is_immediately_true() -> None:
    # PT = T#0s: ET = 0 >= 0 on the first call with IN TRUE (st-semantics.md: matiec's one-scan delay is a
    # departure).
    sim = instance("TON", "f(IN := TRUE, PT := T#0s);", scans=1)
    assert sim["P.f.Q"] is True


def test_ton_measures_virtual_time_not_calls() -> None:
    # Called only on even scans (t = 0, 20, 40 ms): at the third call t = 40 ms, ET = 40 >= 30: Q, ET = 30 ms.
    # A timer that counted calls would have ET = 2 x 10 ms instead.
    sim = instance(
        "TON", "IF n MOD 2 = 0 THEN\n f(IN := TRUE, PT := T#30ms);\nEND_IF;\nn := n + 1;", "n : INT;", scans=4
    )
    assert sim["P.f.Q"] is False  # calls at 0 and 20 ms
    assert sim["P.f.ET"] == "T#20ms"
    sim.scan()  # the call at 40 ms
    assert sim["P.f.Q"] is True
    assert sim["P.f.ET"] == "T#30ms"


# --------------------------------------------------------------------------------------------------------------
# TOF
# --------------------------------------------------------------------------------------------------------------


def test_tof_timing_diagram() -> None:
    # PT = 30 ms. Q follows IN up at once and falls PT after IN fell; ET counts from the falling edge and stays
    # at PT while IN stays FALSE (IEC 2nd ed. figure of TOF).
    # scan t    IN  ET  Q
    #  1    0   1   0   1
    #  2    10  1   0   1
    #  3    20  0   0   1   (IN falls at 20)
    #  4    30  0   10  1
    #  5    40  0   20  1
    #  6    50  0   30  0   (ET >= PT)
    #  7    60  0   30  0   (ET holds)
    #  8    70  1   0   1
    #  9    80  0   0   1   (falls at 80)
    # 10    90  0   10  1
    # 11    100 1   0   1   (IN back before PT: Q never fell)
    sim = instance("TOF", "f(IN := x, PT := T#30ms);", "x : BOOL;")
    rows = trace(sim, [{"x": v} for v in (1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1)], ("ET", "Q"))
    ms = [(0 if et == "T#0ms" else int(et[2:-2]), q) for et, q in rows]
    assert ms == [
        (0, True),
        (0, True),
        (0, True),
        (10, True),
        (20, True),
        (30, False),
        (30, False),
        (0, True),
        (0, True),
        (10, True),
        (0, True),
    ]


def test_tof_starts_false_when_in_starts_false() -> None:
    sim = instance("TOF", "f(IN := FALSE, PT := T#30ms);", scans=5)
    assert sim["P.f.Q"] is False
    assert sim["P.f.ET"] == "T#0ms"


# --------------------------------------------------------------------------------------------------------------
# TP
# --------------------------------------------------------------------------------------------------------------


def test_tp_timing_diagram() -> None:
    # PT = 30 ms. A rising edge starts a pulse of PT; the pulse cannot be retriggered; ET stays at PT while IN
    # stays TRUE after the pulse and returns to 0 when IN is FALSE.
    # scan t    IN  ET  Q
    #  1    0   1   0   1   (edge: pulse from 0 to 30)
    #  2    10  0   10  1   (IN falling does not stop the pulse)
    #  3    20  1   20  1   (a new edge during the pulse is ignored)
    #  4    30  1   30  0   (pulse over; IN TRUE: ET holds PT)
    #  5    40  1   30  0
    #  6    50  0   0   0   (IN FALSE: ET back to 0)
    #  7    60  1   0   1   (new edge: pulse from 60)
    #  8    70  1   10  1
    sim = instance("TP", "f(IN := x, PT := T#30ms);", "x : BOOL;")
    rows = trace(sim, [{"x": v} for v in (1, 0, 1, 1, 1, 0, 1, 1)], ("ET", "Q"))
    ms = [(0 if et == "T#0ms" else int(et[2:-2]), q) for et, q in rows]
    assert ms == [(0, True), (10, True), (20, True), (30, False), (30, False), (0, False), (0, True), (10, True)]


def test_tp_short_input_pulse_gives_a_full_output_pulse() -> None:
    # IN TRUE for one scan only: Q stays TRUE for the full 30 ms (scans at 0, 10, 20) and ET returns to 0 at the
    # end of the pulse since IN is FALSE then.
    sim = instance("TP", "f(IN := x, PT := T#30ms);", "x : BOOL;")
    rows = trace(sim, [{"x": v} for v in (1, 0, 0, 0, 0)], ("Q", "ET"))
    assert [q for q, _ in rows] == [True, True, True, False, False]
    assert rows[3][1] == "T#0ms"


# --------------------------------------------------------------------------------------------------------------
# R_TRIG, F_TRIG
# --------------------------------------------------------------------------------------------------------------


def test_r_trig() -> None:
    # Q is TRUE for one call on each FALSE -> TRUE change of CLK.
    sim = instance("R_TRIG", "f(CLK := x);", "x : BOOL;")
    rows = trace(sim, [{"x": v} for v in (0, 1, 1, 0, 1, 0)], ("Q",))
    assert [q for (q,) in rows] == [False, True, False, False, True, False]


def test_r_trig_with_clk_true_on_the_first_call() -> None:
    # IEC 2nd ed. 2.5.2.3.2: R_TRIG's memory M starts FALSE, so CLK TRUE on the first call is a rising edge.
    sim = instance("R_TRIG", "f(CLK := TRUE);", scans=1)
    assert sim["P.f.Q"] is True
    sim.scan()
    assert sim["P.f.Q"] is False


def test_f_trig_gives_no_pulse_on_the_first_call_with_clk_false() -> None:
    # IEC 2nd ed. 2.5.2.3.2: F_TRIG is 'Q := NOT CLK AND NOT M; M := NOT CLK;' with M initialised to 1, so a
    # FALSE CLK on the first call is not a falling edge (st-semantics.md: matiec's pulse is a departure).
    sim = instance("F_TRIG", "f(CLK := x);", "x : BOOL;")
    rows = trace(sim, [{"x": v} for v in (0, 0, 1, 1, 0, 0, 1, 0)], ("Q",))
    assert [q for (q,) in rows] == [False, False, False, False, True, False, False, True]


def test_f_trig_with_clk_true_first() -> None:
    sim = instance("F_TRIG", "f(CLK := x);", "x : BOOL;")
    rows = trace(sim, [{"x": v} for v in (1, 0, 0)], ("Q",))
    assert [q for (q,) in rows] == [False, True, False]


# --------------------------------------------------------------------------------------------------------------
# Counters
# --------------------------------------------------------------------------------------------------------------


def test_ctu_counts_rising_edges_and_past_pv() -> None:
    # IEC 2nd ed. 2.5.2.3.3: 'IF R THEN CV := 0 ELSIF CU (edge) AND CV < PVmax THEN CV := CV + 1; Q := CV >= PV'.
    # PV = 2.
    # scan CU R   CV Q
    #  1   0  0   0  0
    #  2   1  0   1  0
    #  3   0  0   1  0
    #  4   1  0   2  1
    #  5   1  0   2  1   (no edge)
    #  6   0  0   2  1
    #  7   1  0   3  1   (counts past PV: st-semantics.md, matiec stopping at PV is a departure)
    #  8   0  1   0  0   (reset)
    #  9   1  1   0  0   (R has priority over a CU edge)
    # 10   0  0   0  0
    # 11   1  0   1  0
    sim = instance("CTU", "f(CU := cu, R := r, PV := 2);", "cu, r : BOOL;")
    rows = trace(
        sim,
        [
            {"cu": cu, "r": r}
            for cu, r in ((0, 0), (1, 0), (0, 0), (1, 0), (1, 0), (0, 0), (1, 0), (0, 1), (1, 1), (0, 0), (1, 0))
        ],
        ("CV", "Q"),
    )
    assert rows == [
        (0, False),
        (1, False),
        (1, False),
        (2, True),
        (2, True),
        (2, True),
        (3, True),
        (0, False),
        (0, False),
        (0, False),
        (1, False),
    ]


def test_ctu_stops_at_the_type_maximum() -> None:
    # CV is INT: from 32766, two more edges give 32767 and then stay there (CV < PVmax fails), never wrapping.
    sim = instance("CTU", "f(CU := cu, PV := 100);", "cu : BOOL;")
    sim.scan()
    sim["P.f.CV"] = 32766
    rows = trace(sim, [{"cu": v} for v in (1, 0, 1, 0, 1)], ("CV", "Q"))
    assert rows == [(32767, True), (32767, True), (32767, True), (32767, True), (32767, True)]


def test_ctd_counts_down_below_zero_and_load_has_priority() -> None:
    # IEC: 'IF LD THEN CV := PV ELSIF CD (edge) AND CV > PVmin THEN CV := CV - 1; Q := CV <= 0'. PV = 2.
    # scan CD LD  CV  Q
    #  1   0  1   2   0   (load)
    #  2   1  0   1   0
    #  3   0  0   1   0
    #  4   1  0   0   1
    #  5   0  0   0   1
    #  6   1  0   -1  1   (below zero, down to PVmin)
    #  7   0  1   2   0   (load)
    #  8   1  1   2   0   (LD has priority over the CD edge)
    sim = instance("CTD", "f(CD := cd, LD := ld, PV := 2);", "cd, ld : BOOL;")
    rows = trace(
        sim,
        [{"cd": cd, "ld": ld} for cd, ld in ((0, 1), (1, 0), (0, 0), (1, 0), (0, 0), (1, 0), (0, 1), (1, 1))],
        ("CV", "Q"),
    )
    assert rows == [(2, False), (1, False), (1, False), (0, True), (0, True), (-1, True), (2, False), (2, False)]


def test_ctd_stops_at_the_type_minimum() -> None:
    sim = instance("CTD", "f(CD := cd, PV := 0);", "cd : BOOL;")
    sim.scan()
    sim["P.f.CV"] = -32767
    rows = trace(sim, [{"cd": v} for v in (1, 0, 1, 0, 1)], ("CV",))
    assert [cv for (cv,) in rows] == [-32768] * 5


def test_ctud() -> None:
    # IEC: R first, then LD, else count: a CU edge +1 (CV < PVmax), else a CD edge -1 (CV > PVmin); both edges
    # together: no change. QU := CV >= PV, QD := CV <= 0. PV = 2.
    # scan CU CD R  LD   CV  QU QD
    #  1   1  0  0  0    1   0  0
    #  2   0  0  0  0    1   0  0
    #  3   1  0  0  0    2   1  0
    #  4   0  1  0  0    1   0  0
    #  5   0  0  0  0    1   0  0
    #  6   1  1  0  0    1   0  0   (both edges)
    #  7   0  0  0  1    2   1  0   (load PV)
    #  8   0  0  1  1    0   0  1   (R over LD)
    #  9   0  1  0  0    -1  0  1
    # 10   1  0  1  0    0   0  1   (R over a CU edge)
    sim = instance("CTUD", "f(CU := cu, CD := cd, R := r, LD := ld, PV := 2);", "cu, cd, r, ld : BOOL;")
    rows = trace(
        sim,
        [
            {"cu": cu, "cd": cd, "r": r, "ld": ld}
            for cu, cd, r, ld in (
                (1, 0, 0, 0),
                (0, 0, 0, 0),
                (1, 0, 0, 0),
                (0, 1, 0, 0),
                (0, 0, 0, 0),
                (1, 1, 0, 0),
                (0, 0, 0, 1),
                (0, 0, 1, 1),
                (0, 1, 0, 0),
                (1, 0, 1, 0),
            )
        ],
        ("CV", "QU", "QD"),
    )
    assert rows == [
        (1, False, False),
        (1, False, False),
        (2, True, False),
        (1, False, False),
        (1, False, False),
        (1, False, False),
        (2, True, False),
        (0, False, True),
        (-1, False, True),
        (0, False, True),
    ]


@pytest.mark.parametrize(("fb_type", "maximum"), [("CTU_DINT", 2147483647), ("CTU_UDINT", 4294967295)])
def test_typed_counters_count_to_their_own_maximum(fb_type: str, maximum: int) -> None:
    # IEC 3rd ed.: CTU_DINT, CTU_UDINT ... have CV of that type, so PVmax is that type's maximum.
    sim = instance(fb_type, "f(CU := cu, PV := 1);", "cu : BOOL;")
    sim.scan()
    sim["P.f.CV"] = maximum - 1
    rows = trace(sim, [{"cu": v} for v in (1, 0, 1)], ("CV",))
    assert [cv for (cv,) in rows] == [maximum, maximum, maximum]


# --------------------------------------------------------------------------------------------------------------
# Bistables
# --------------------------------------------------------------------------------------------------------------


def test_sr_is_set_dominant() -> None:
    # IEC: Q1 := S1 OR (NOT R AND Q1).
    sim = instance("SR", "f(S1 := s, R := r);", "s, r : BOOL;")
    rows = trace(sim, [{"s": s, "r": r} for s, r in ((0, 0), (1, 0), (0, 0), (0, 1), (1, 1), (0, 0))], ("Q1",))
    assert [q for (q,) in rows] == [False, True, True, False, True, True]


def test_rs_is_reset_dominant() -> None:
    # IEC: Q1 := NOT R1 AND (S OR Q1).
    sim = instance("RS", "f(S := s, R1 := r);", "s, r : BOOL;")
    rows = trace(sim, [{"s": s, "r": r} for s, r in ((1, 0), (0, 0), (0, 1), (1, 1), (1, 0), (0, 0))], ("Q1",))
    assert [q for (q,) in rows] == [True, True, False, False, True, True]
