"""The ``plc`` fixture: Python tests in a plcops project drive a fresh simulator with signal history.

The program (scanned every 10 ms, the clock at 0 in the first scan): the lamp follows the switch in the
same scan; a TON with PT = 200 ms on the switch drives ``bDelayed``; ``nScans`` counts scans.
"""

from __future__ import annotations

import pytest

from tests.testing.conftest import run

SOURCES = {
    "src/GVL_IO.st": """
        {attribute 'qualified_only'}
        VAR_GLOBAL
            bSwitch : BOOL;
            bLamp : BOOL;
            bDelayed : BOOL;
        END_VAR
    """,
    "src/MAIN.st": """
        PROGRAM MAIN
        VAR
            tonDelay : TON;
            nScans : DINT;
        END_VAR
        nScans := nScans + 1;
        GVL_IO.bLamp := GVL_IO.bSwitch;
        tonDelay(IN := GVL_IO.bSwitch, PT := T#200ms);
        GVL_IO.bDelayed := tonDelay.Q;
        END_PROGRAM
    """,
}

PYTHON_TESTS = """
MS = 1_000_000


def test_advance_scan_until_and_history(plc):
    plc.watch("GVL_IO.bLamp", "GVL_IO.bDelayed")
    plc.advance("50ms")  # 5 scans: at 0, 10, 20, 30, 40 ms
    assert plc.now_ns == 50 * MS
    assert plc["MAIN.nScans"] == 5
    plc["GVL_IO.bSwitch"] = True
    # The switch is seen in the scan at 50 ms: the TON starts there, Q in the scan at 250 ms; scan_until
    # checks after each scan and returns after the scan at 250 ms, with the clock at 260 ms.
    assert plc.scan_until(lambda p: p["GVL_IO.bDelayed"], timeout="1s")
    assert plc.now_ns == 260 * MS
    assert plc["MAIN.nScans"] == 26
    history = plc.history("GVL_IO.bLamp")
    assert len(history) == 26  # one entry per scan, (time of the scan, value after it)
    assert history[:6] == [(0, False), (10 * MS, False), (20 * MS, False), (30 * MS, False), (40 * MS, False), (50 * MS, True)]
    assert plc.changes("GVL_IO.bLamp") == [(0, False), (50 * MS, True)]
    assert plc.rose("GVL_IO.bLamp") == [50 * MS]
    assert plc.rose("GVL_IO.bDelayed") == [250 * MS]
    assert plc.fell("GVL_IO.bLamp") == []
    plc["GVL_IO.bSwitch"] = False
    plc.scan()  # the scan at 260 ms
    assert plc.fell("GVL_IO.bLamp") == [260 * MS]
    assert plc.fell("GVL_IO.bDelayed") == [260 * MS]
    # Nothing switches the lamp on again: scan_until gives up after 100 ms of virtual time.
    assert not plc.scan_until(lambda p: p["GVL_IO.bLamp"], timeout="100ms")
    assert plc.now_ns == 370 * MS


def test_each_test_gets_a_fresh_simulator(plc):
    # The test above left the clock at 370 ms and 37 scans; this one starts again from 0.
    assert plc.now_ns == 0
    assert plc["MAIN.nScans"] == 0
    assert plc["GVL_IO.bSwitch"] is False
    plc.scan(3)
    assert plc["MAIN.nScans"] == 3


def test_advance_rounds_up_to_whole_scans(plc):
    plc.advance("25ms")  # 2.5 cycles: 3 scans
    assert plc["MAIN.nScans"] == 3
    assert plc.now_ns == 30 * MS


def test_a_failing_python_test(plc):
    plc.advance("T#1s")
    assert plc["GVL_IO.bLamp"] is True  # fails: nothing switched it on
"""


def test_plc_fixture_in_a_project(pytester: pytest.Pytester, project) -> None:
    root = project(SOURCES)
    (root / "tests").mkdir()
    (root / "tests/test_main.py").write_text(PYTHON_TESTS, encoding="utf-8")
    result = run(pytester)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["FAILED tests/test_main.py::test_a_failing_python_test*"])


def test_plc_fixture_with_xdist(pytester: pytest.Pytester, project) -> None:
    root = project(SOURCES)
    (root / "tests").mkdir()
    (root / "tests/test_main.py").write_text(PYTHON_TESTS, encoding="utf-8")
    run(pytester, "-n", "2").assert_outcomes(passed=3, failed=1)


def test_watch_rejects_an_unknown_variable(pytester: pytest.Pytester, project) -> None:
    root = project(SOURCES)
    (root / "tests").mkdir()
    (root / "tests/test_watch.py").write_text(
        "import pytest\n\n\ndef test_unknown(plc):\n    with pytest.raises(Exception, match='bNoSuchThing'):\n"
        "        plc.watch('GVL_IO.bNoSuchThing')\n",
        encoding="utf-8",
    )
    run(pytester).assert_outcomes(passed=1)


EDGES_AND_EXPECTATIONS = """
MS = 1_000_000


def test_an_edge_in_the_first_scan_after_watch(plc):
    plc.watch("GVL_IO.bLamp")  # FALSE now
    plc["GVL_IO.bSwitch"] = True
    plc.scan()  # the scan at 0 ms turns the lamp on: an edge, seen against the value when watching began
    assert plc.rose("GVL_IO.bLamp") == [0]


def test_expect_within_and_stays(plc):
    plc["GVL_IO.bSwitch"] = True
    plc.expect_within(lambda p: p["GVL_IO.bDelayed"], "T#1s", "the delayed output")
    assert plc.now_ns == 210 * MS  # Q in the scan at 200 ms; the clock then stands at 210 ms
    plc.expect_stays(lambda p: p["GVL_IO.bLamp"], "T#100ms", "the lamp")


def test_expect_within_fails_with_scan_and_time(plc):
    plc.expect_within(lambda p: p["GVL_IO.bLamp"], "T#50ms", "the lamp")


def test_a_plain_assert_reports_where_the_plc_was(plc):
    plc.advance("T#30ms")
    assert plc["GVL_IO.bLamp"]
"""


def test_edges_history_expectations_and_failure_reports(pytester: pytest.Pytester, project) -> None:
    root = project(SOURCES)
    (root / "tests").mkdir()
    (root / "tests/test_edges.py").write_text(EDGES_AND_EXPECTATIONS, encoding="utf-8")
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=2)
    text = result.stdout.str()
    # 5 scans of 10 ms (0..40 ms) without the lamp: the clock stands at 50 ms, scan count 5.
    assert "the lamp did not hold within T#50ms (from scan 0, at T#0ms to scan 5, at T#50ms)" in text
    assert "the PLC was at scan 3, at T#30ms" in text
