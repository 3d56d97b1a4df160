"""ST test suites as pytest items: outcomes, failure reports, timeouts, ordering, isolation, selection.

Every test writes a small plcops project into ``pytester.path`` and runs plain ``pytest`` there; the plcops
plugin (entry point ``pytest11``) collects one item per ``TEST('name')``. Expected counts and failure
details are worked out by hand from the ST below and TcUnit's documented behaviour (www.tcunit.org):

* ``TEST('x')`` names a test; ``TEST_FINISHED()`` ends it; until then it runs again every scan.
* ``DISABLED_`` tests are not run (pytest: skipped).
* The virtual clock starts at 0 in the first scan (scan 0) and advances by the cycle (default 10 ms).
"""

from __future__ import annotations

import re

import pytest

from tests.testing.conftest import PLCOPS_TOML, line_of, run

COUNTER = """
    FUNCTION_BLOCK FB_Counter
    VAR_INPUT
        bUp : BOOL;
        nDiv : INT := 1;
    END_VAR
    VAR_OUTPUT
        nCount : INT;
        nQuot : INT;
    END_VAR
    IF bUp THEN
        nCount := nCount + 1;
    END_IF
    nQuot := 100 / nDiv;
    END_FUNCTION_BLOCK
"""

GVL = """
    VAR_GLOBAL
        gnCalls : INT;
    END_VAR
"""

BASIC = """
    FUNCTION_BLOCK TS_Basic EXTENDS FB_TestSuite
    VAR
        fb : FB_Counter;
    END_VAR

    Passes();
    Fails();
    Errors();
    DISABLED_Skipped();

    METHOD Passes
    TEST('Passes');
    fb(bUp := TRUE);
    AssertEquals_INT(Expected := 1, Actual := fb.nCount, Message := 'counted once');
    TEST_FINISHED();
    END_METHOD

    METHOD Fails
    VAR_INST
        nScan : INT;
    END_VAR
    TEST('Fails');
    fb(bUp := TRUE);
    nScan := nScan + 1;
    IF nScan = 4 THEN
        AssertEquals_INT(Expected := 5, Actual := fb.nCount, Message := 'four scans count four'); // the failing assert
        TEST_FINISHED();
    END_IF
    END_METHOD

    METHOD Errors
    TEST('Errors');
    fb(bUp := TRUE, nDiv := 0);
    TEST_FINISHED();
    END_METHOD

    METHOD DISABLED_Skipped
    TEST('DISABLED_Skipped');
    AssertTrue(Condition := FALSE, Message := 'must not run');
    TEST_FINISHED();
    END_METHOD
    END_FUNCTION_BLOCK
"""


@pytest.fixture
def basic(project):
    return project({"src/FB_Counter.st": COUNTER, "tests/TS_Basic.st": BASIC})


# ---------------------------------------------------------------------------------------------- outcomes


def test_collects_one_item_per_test(pytester: pytest.Pytester, basic) -> None:
    result = run(pytester, "--collect-only", "-q")
    # Item ids: file :: suite (the FB) :: test name, in the order the tests appear.
    result.stdout.fnmatch_lines(
        [
            "tests/TS_Basic.st::TS_Basic::Passes",
            "tests/TS_Basic.st::TS_Basic::Fails",
            "tests/TS_Basic.st::TS_Basic::Errors",
            "tests/TS_Basic.st::TS_Basic::DISABLED_Skipped",
        ]
    )


def test_pass_fail_error_and_disabled(pytester: pytest.Pytester, basic) -> None:
    result = run(pytester)
    # Passes: 1 count after 1 call. Fails: 4 != 5. Errors: 100 / 0 is a runtime error, which is an error, not
    # a failure (pytest's ERROR, JUnit's <error>). DISABLED_Skipped: skipped.
    result.assert_outcomes(passed=1, failed=1, errors=1, skipped=1)


def test_failure_shows_st_location_expected_actual_scan_and_time(pytester: pytest.Pytester, basic) -> None:
    result = run(pytester)
    text = result.stdout.str()
    line = line_of(basic / "tests/TS_Basic.st", "// the failing assert")
    section = text[text.index("TS_Basic::Fails") :]
    # The assert runs in the 4th scan: nScan = 4 after scans 0, 1, 2, 3 -> scan 3, at 3 x 10 ms = 30 ms.
    # FB_Counter counted once per scan: actual 4, expected 5.
    assert f"tests/TS_Basic.st:{line}:" in section
    assert "four scans count four" in section
    assert re.search(r"expected:?\s+5\b", section), section
    assert re.search(r"actual:?\s+4\b", section), section
    assert re.search(r"scan 3\b", section), section
    assert "T#30ms" in section


def test_runtime_error_names_the_line_in_the_code_under_test(pytester: pytest.Pytester, basic) -> None:
    result = run(pytester)
    text = result.stdout.str()
    section = text[text.index("TS_Basic::Errors") :]
    line = line_of(basic / "src/FB_Counter.st", "nQuot := 100 / nDiv;")
    assert "division by zero" in section
    assert f"src/FB_Counter.st:{line}:" in section
    assert re.search(r"scan 0\b", section), section


def test_disabled_test_is_skipped_and_never_runs(pytester: pytest.Pytester, basic) -> None:
    result = run(pytester, "-rs")
    result.assert_outcomes(passed=1, failed=1, errors=1, skipped=1)
    assert "must not run" not in result.stdout.str()


def test_body_tests_without_methods(pytester: pytest.Pytester, project) -> None:
    # TcUnit also allows tests written straight in the suite body, one after the other.
    project(
        {
            "tests/TS_Body.st": """
                FUNCTION_BLOCK TS_Body EXTENDS TcUnit.FB_TestSuite
                VAR
                    ton1 : TON;
                END_VAR
                TEST('Adds');
                AssertEquals_INT(Expected := 5, Actual := 2 + 3, Message := '2 + 3');
                TEST_FINISHED();

                TEST('AddsWrong');
                AssertEquals_INT(Expected := 6, Actual := 2 + 3, Message := 'wrong on purpose');
                TEST_FINISHED();

                TEST('Waits');
                ton1(IN := TRUE, PT := T#50ms);
                IF ton1.Q THEN
                    TEST_FINISHED();
                END_IF
                END_FUNCTION_BLOCK
            """,
        }
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    assert "wrong on purpose" in result.stdout.str()


def test_test_finished_named_and_is_test_finished(pytester: pytest.Pytester, project) -> None:
    # TEST_FINISHED_NAMED('x') ends test x from anywhere; IS_TEST_FINISHED('x') tells whether x has ended.
    project(
        {
            "tests/TS_Named.st": """
                FUNCTION_BLOCK TS_Named EXTENDS FB_TestSuite
                VAR
                    nScans : INT;
                END_VAR
                EndsByName();

                METHOD EndsByName
                TEST('EndsByName');
                nScans := nScans + 1;
                AssertFalse(Condition := IS_TEST_FINISHED('EndsByName'), Message := 'still running');
                IF nScans = 3 THEN
                    TEST_FINISHED_NAMED('EndsByName');
                    AssertTrue(Condition := IS_TEST_FINISHED('EndsByName'), Message := 'ended by name');
                END_IF
                END_METHOD
                END_FUNCTION_BLOCK
            """,
        }
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)


# ---------------------------------------------------------------------------------------------- timeouts

TIMEOUT_TOML = """
    [project]
    name = "t"
    sources = ["src", "tests"]

    [test]
    timeout = "T#2s"

    [test.timeouts]
    "TS_Time.ShortByPattern" = "T#300ms"
    "TS_Time.LongBy*" = "T#10s"
"""

TIMEOUTS = """
    FUNCTION_BLOCK TS_Time EXTENDS FB_TestSuite
    VAR
        ton1 : TON;
    END_VAR
    NeverFinishes();
    FinishesInTime();
    ShortByPattern();
    LongByPattern();
    ShortByPragma();
    LongByPragma();

    METHOD NeverFinishes
    TEST('NeverFinishes');
    ton1(IN := FALSE, PT := T#1s);
    IF ton1.Q THEN // stuck here
        TEST_FINISHED();
    END_IF
    END_METHOD

    METHOD FinishesInTime
    TEST('FinishesInTime');
    ton1(IN := TRUE, PT := T#1s500ms);
    IF ton1.Q THEN
        TEST_FINISHED();
    END_IF
    END_METHOD

    METHOD ShortByPattern
    TEST('ShortByPattern');
    ton1(IN := TRUE, PT := T#1s);
    IF ton1.Q THEN // pattern
        TEST_FINISHED();
    END_IF
    END_METHOD

    METHOD LongByPattern
    TEST('LongByPattern');
    ton1(IN := TRUE, PT := T#5s);
    IF ton1.Q THEN
        TEST_FINISHED();
    END_IF
    END_METHOD

    {attribute 'timeout' := 'T#500ms'}
    METHOD ShortByPragma
    TEST('ShortByPragma');
    ton1(IN := TRUE, PT := T#1s);
    IF ton1.Q THEN // pragma
        TEST_FINISHED();
    END_IF
    END_METHOD

    {attribute 'timeout' := 'T#8s'}
    METHOD LongByPragma
    TEST('LongByPragma');
    ton1(IN := TRUE, PT := T#5s);
    IF ton1.Q THEN
        TEST_FINISHED();
    END_IF
    END_METHOD
    END_FUNCTION_BLOCK
"""


@pytest.fixture
def timeouts(project):
    return project({"tests/TS_Time.st": TIMEOUTS}, TIMEOUT_TOML)


def test_timeouts_global_by_pattern_and_by_pragma(pytester: pytest.Pytester, timeouts) -> None:
    result = run(pytester)
    # NeverFinishes: never (global 2 s)             -> failed
    # FinishesInTime: 1.5 s timer < global 2 s       -> passed
    # ShortByPattern: 1 s timer > pattern 300 ms     -> failed (would pass under the global 2 s)
    # LongByPattern:  5 s timer < pattern 10 s       -> passed (would time out under the global 2 s)
    # ShortByPragma:  1 s timer > pragma 500 ms      -> failed
    # LongByPragma:   5 s timer < pragma 8 s         -> passed
    result.assert_outcomes(passed=3, failed=3)
    summary = [line for line in result.stdout.lines if line.startswith("FAILED ")]
    assert sorted(line.split("::")[2].split()[0] for line in summary) == [
        "NeverFinishes",
        "ShortByPattern",
        "ShortByPragma",
    ]


def test_timeout_report_says_where_and_which_limit(pytester: pytest.Pytester, timeouts) -> None:
    result = run(pytester)
    text = result.stdout.str()
    path = timeouts / "tests/TS_Time.st"

    def section(name: str) -> str:
        start = text.index(f"TS_Time::{name} _")
        end = text.find("\n___", start + 1)
        return text[start : end if end > 0 else len(text)]

    never = section("NeverFinishes")
    assert "timed out" in never
    assert "T#2s" in never
    assert f"tests/TS_Time.st:{line_of(path, '// stuck here')}:" in never
    pattern = section("ShortByPattern")
    assert "timed out" in pattern and "T#300ms" in pattern
    assert f"tests/TS_Time.st:{line_of(path, '// pattern')}:" in pattern
    pragma = section("ShortByPragma")
    assert "timed out" in pragma and "T#500ms" in pragma
    assert f"tests/TS_Time.st:{line_of(path, '// pragma')}:" in pragma


def test_a_timed_out_test_is_reported_where_it_was_waiting(pytester: pytest.Pytester, project) -> None:
    """A sequence stuck in step 1 (its condition can never hold: ET stops at PT = 1 s, never > 1 d) is
    reported at that step's IF, not at TEST(); its asserts and TEST_FINISHED in the extra scan that finds
    the place count for nothing (the suite's third test would pass in that scan, and still times out)."""
    path = project(
        {
            "tests/TS_Seq.st": """
                FUNCTION_BLOCK TS_Seq EXTENDS FB_TestSuite
                VAR
                    ton1 : TON;
                    nStep : INT;
                    nScans : INT;
                END_VAR
                IF TEST('StuckInStep1') THEN
                    ton1(IN := TRUE, PT := T#1s);
                    CASE nStep OF
                    0: nStep := 1;
                    1: IF ton1.ET > T#1d THEN // step 1 waits
                           nStep := 2;
                       END_IF
                    2: TEST_FINISHED();
                    END_CASE
                END_IF
                IF TEST('FinishesOneScanLate') THEN
                    nScans := nScans + 1;
                    AssertTrue(Condition := nScans < 3, Message := 'the probe scan counts for nothing');
                    IF nScans > 3 THEN
                        TEST_FINISHED(); // only the probe scan gets here
                    END_IF
                END_IF
                END_FUNCTION_BLOCK
            """
        },
        PLCOPS_TOML + '[test]\ntimeout = "3 scans"\n',
    )
    result = run(pytester)
    result.assert_outcomes(failed=2)
    text = result.stdout.str()
    source = path / "tests/TS_Seq.st"
    step = line_of(source, "// step 1 waits")
    assert f"tests/TS_Seq.st:{step}:" in text
    assert f"its last statement in scan 3 was line {step}: 1: IF ton1.ET > T#1d THEN" in text
    late = text[text.index("TS_Seq::FinishesOneScanLate _") :]
    # Scans 0..2 ran (nScans 1..3): the third scan's assert failed; the probe's (nScans = 4) is not counted.
    assert "(1 assert failures before)" in late
    assert late.count("the probe scan counts for nothing") == 1
    finish = line_of(source, "// only the probe scan gets here")
    assert f"was line {finish}: TEST_FINISHED();" in late


def test_a_timed_out_body_test_is_reported_inside_its_own_block(pytester: pytest.Pytester, project) -> None:
    """Tests written in the suite's body: each is reported at the IF it waits in, inside its own block --
    not at the next test's statement (A) nor at code after all tests (C). B's block runs its ELSE while B
    runs: NOT TEST('B') is FALSE then (it compiled to a bitwise ~, which is never FALSE)."""
    path = project(
        {
            "tests/TS_Body.st": """
                FUNCTION_BLOCK TS_Body EXTENDS FB_TestSuite
                VAR
                    x : BOOL;
                    n : INT;
                END_VAR
                IF TEST('A') THEN
                    IF x THEN // A waits
                        TEST_FINISHED();
                    END_IF
                END_IF
                IF NOT TEST('B') THEN
                    n := 0;
                ELSE
                    IF x THEN // B waits
                        TEST_FINISHED();
                    END_IF
                END_IF
                IF TEST('C') THEN
                    IF x THEN // C waits
                        TEST_FINISHED();
                    END_IF
                END_IF
                n := n + 1;
                END_FUNCTION_BLOCK
            """
        },
        PLCOPS_TOML + '[test]\ntimeout = "3 scans"\n',
    )
    result = run(pytester)
    result.assert_outcomes(failed=3)
    text = result.stdout.str()
    source = path / "tests/TS_Body.st"
    for name in ("A", "B", "C"):
        section = text[text.index(f"TS_Body::{name} _") :]
        line = line_of(source, f"// {name} waits")
        assert f"its last statement in scan 3 was line {line}: IF x THEN // {name} waits" in section.split("\n___")[0]


def test_a_guarded_test_and_an_ordered_test_that_never_ran_say_where_they_were(
    pytester: pytest.Pytester, project
) -> None:
    """Found by review: a method opening with a guard (IF NOT TEST('x') THEN RETURN; END_IF) was said to
    have run nothing after TEST(); an ordered test whose predecessor hung was said the same. Now the
    guarded test is reported at the IF it waits on, and the ordered one as never run, waiting for First."""
    path = project(
        {
            "tests/TS_Guard.st": """
                FUNCTION_BLOCK TS_Guard EXTENDS FB_TestSuite
                VAR
                    x : BOOL;
                END_VAR
                Guarded();

                METHOD Guarded
                IF NOT TEST('Guarded') THEN RETURN; END_IF
                IF x THEN // guarded waits
                    TEST_FINISHED();
                END_IF
                END_METHOD
                END_FUNCTION_BLOCK
            """,
            "tests/TS_Order.st": """
                FUNCTION_BLOCK TS_Order EXTENDS FB_TestSuite
                VAR
                    x : BOOL;
                END_VAR
                IF TEST_ORDERED('First') THEN
                    IF x THEN // first waits
                        TEST_FINISHED();
                    END_IF
                END_IF
                IF TEST_ORDERED('Second') THEN
                    TEST_FINISHED();
                END_IF
                END_FUNCTION_BLOCK
            """,
        },
        PLCOPS_TOML + '[test]\ntimeout = "3 scans"\n',
    )
    result = run(pytester)
    result.assert_outcomes(failed=3)
    text = result.stdout.str()

    def section(name: str) -> str:
        return text[text.index(f"::{name} _") :].split("\n___")[0]

    guarded = line_of(path / "tests/TS_Guard.st", "// guarded waits")
    assert f"its last statement in scan 3 was line {guarded}: IF x THEN // guarded waits" in section("Guarded")
    first = line_of(path / "tests/TS_Order.st", "// first waits")
    assert f"its last statement in scan 3 was line {first}: IF x THEN // first waits" in section("First")
    assert "it never ran: TEST_ORDERED runs it after 'First', which did not finish" in section("Second")


def test_one_hour_timer_runs_on_the_virtual_clock(pytester: pytest.Pytester, project) -> None:
    project(
        {
            "tests/TS_Hour.st": """
                FUNCTION_BLOCK TS_Hour EXTENDS FB_TestSuite
                VAR
                    ton1 : TON;
                END_VAR
                WaitsOneHour();

                METHOD WaitsOneHour
                TEST('WaitsOneHour');
                ton1(IN := TRUE, PT := T#1h);
                IF ton1.Q THEN
                    AssertEquals(Expected := T#1h, Actual := ton1.ET, Message := 'ET stops at PT');
                    TEST_FINISHED();
                END_IF
                END_METHOD
                END_FUNCTION_BLOCK
            """,
        }
    )
    records = pytester.inline_run("-p", "no:cacheprovider")
    records.assertoutcome(passed=1)
    (call,) = [r for r in records.getreports("pytest_runtest_logreport") if r.when == "call"]
    # The default timeout (T#2h) is above the hour; the hour passes on the virtual clock, not the wall clock.
    # (Well under a minute, not an hour; the speed itself is measured in benchmarks/test_bench.py.)
    assert call.duration < 60.0, f"a T#1h timer took {call.duration:.2f} s of wall time"
    properties = dict(call.user_properties)
    # TON: Q rises in the scan where now - start >= PT: started at t = 0, so at t = 3600 s, in scan
    # 3600 s / 10 ms = 360000 (counting from 0): 360001 scans ran.
    assert properties["virtual_time_ns"] == 3_600_000_000_000
    assert properties["scans"] == 360_001


# ---------------------------------------------------------------------------------------------- ordering and isolation

ORDERED = """
    FUNCTION_BLOCK TS_Ordered EXTENDS TcUnit.FB_TestSuite
    VAR
        nShared : INT;
        nSteps : INT;
    END_VAR
    First();
    Second();
    Third();

    METHOD First
    IF TEST_ORDERED('First') THEN
        nSteps := nSteps + 1;
        IF nSteps = 3 THEN
            nShared := 10;
            TEST_FINISHED();
        END_IF
    END_IF
    END_METHOD

    METHOD Second
    IF TEST_ORDERED('Second') THEN
        AssertEquals_INT(Expected := 10, Actual := nShared, Message := 'Second starts after First, same instance');
        AssertEquals_INT(Expected := 3, Actual := nSteps, Message := 'First ran three scans, then stopped');
        nShared := 20;
        TEST_FINISHED();
    END_IF
    END_METHOD

    METHOD Third
    IF TEST_ORDERED('Third') THEN
        AssertEquals_INT(Expected := 20, Actual := nShared, Message := 'Third sees what Second left');
        TEST_FINISHED();
    END_IF
    END_METHOD
    END_FUNCTION_BLOCK
"""


def test_ordered_tests_share_one_instance_in_order(pytester: pytest.Pytester, project) -> None:
    project({"tests/TS_Ordered.st": ORDERED})
    run(pytester).assert_outcomes(passed=3)


def test_ordered_test_selected_alone_still_runs_after_its_predecessors(pytester: pytest.Pytester, project) -> None:
    # Third depends on First and Second having run before it in the same instance (TcUnit's TEST_ORDERED).
    project({"tests/TS_Ordered.st": ORDERED})
    run(pytester, "-k", "Third").assert_outcomes(passed=1, deselected=2)


def test_each_test_gets_a_fresh_suite_instance_and_fresh_globals(pytester: pytest.Pytester, project) -> None:
    # Both tests increment the same suite variable, the same global and the same FB instance. Run in one
    # instance (as TcUnit does), the second would see 2; isolated, each sees only its own increment.
    method = """
        METHOD {name}
        TEST('{name}');
        nShared := nShared + 1;
        gnCalls := gnCalls + 1;
        fb(bUp := TRUE);
        AssertEquals_INT(Expected := 1, Actual := nShared, Message := 'suite variable not shared');
        AssertEquals_INT(Expected := 1, Actual := gnCalls, Message := 'fresh globals');
        AssertEquals_INT(Expected := 1, Actual := fb.nCount, Message := 'fresh FB instance');
        TEST_FINISHED();
        END_METHOD
    """
    project(
        {
            "src/FB_Counter.st": COUNTER,
            "src/GVL_Test.st": GVL,
            "tests/TS_Isolation.st": "FUNCTION_BLOCK TS_Isolation EXTENDS FB_TestSuite\n"
            "VAR\n    nShared : INT;\n    fb : FB_Counter;\nEND_VAR\nOne();\nTwo();\nThree();\n"
            + "".join(method.format(name=n) for n in ("One", "Two", "Three"))
            + "END_FUNCTION_BLOCK\n",
        }
    )
    run(pytester).assert_outcomes(passed=3)
    # Without Two in between: no test depends on which tests ran before it.
    run(pytester, "-k", "Three or One").assert_outcomes(passed=2, deselected=1)


# ---------------------------------------------------------------------------------------------- selection and workers


def test_keyword_selection(pytester: pytest.Pytester, basic) -> None:
    run(pytester, "-k", "Passes").assert_outcomes(passed=1, deselected=3)
    run(pytester, "-k", "not Fails and not Errors").assert_outcomes(passed=1, skipped=1, deselected=2)
    run(pytester, "-k", "TS_Basic and Err").assert_outcomes(errors=1, deselected=3)


def test_exitfirst_stops_after_the_first_failure(pytester: pytest.Pytester, basic) -> None:
    # Items run in file order: Passes (passed), Fails (failed) -> stop; Errors and the disabled test never run.
    run(pytester, "-x").assert_outcomes(passed=1, failed=1)


def test_xdist_gives_the_same_outcomes(pytester: pytest.Pytester, project) -> None:
    project(
        {
            "src/FB_Counter.st": COUNTER,
            "tests/TS_Basic.st": BASIC,
            "tests/TS_Time.st": TIMEOUTS,
        },
        TIMEOUT_TOML,
    )
    # TS_Basic: 1 passed, 1 failed, 1 error, 1 skipped; TS_Time: 3 passed, 3 failed (see the timeout test).
    run(pytester).assert_outcomes(passed=4, failed=4, errors=1, skipped=1)
    run(pytester, "-n", "2").assert_outcomes(passed=4, failed=4, errors=1, skipped=1)


# ---------------------------------------------------------------------------------------------- projects that do not compile

BROKEN = """
    FUNCTION_BLOCK FB_Broken
    VAR_OUTPUT
        nOut : INT;
    END_VAR
    nOut := nUndeclared + 1;
    END_FUNCTION_BLOCK
"""

USES_BROKEN = """
    FUNCTION_BLOCK TS_{name} EXTENDS FB_TestSuite
    VAR
        fb : FB_Broken;
    END_VAR
    Runs();

    METHOD Runs
    TEST('Runs');
    fb();
    TEST_FINISHED();
    END_METHOD
    END_FUNCTION_BLOCK
"""


def test_project_that_does_not_compile_is_one_failing_item_with_diagnostics(pytester: pytest.Pytester, project) -> None:
    root = project({"src/FB_Broken.st": BROKEN, "tests/TS_A.st": USES_BROKEN.format(name="A")})
    result = run(pytester)
    result.assert_outcomes(failed=1)
    line = line_of(root / "src/FB_Broken.st", "nUndeclared")
    text = result.stdout.str()
    assert f"src/FB_Broken.st:{line}:" in text
    assert "nUndeclared" in text


def test_syntax_error_is_one_failing_item_with_diagnostics(pytester: pytest.Pytester, project) -> None:
    root = project(
        {
            "src/FB_Syntax.st": "FUNCTION_BLOCK FB_Syntax\nVAR\n    n : INT;\nEND_VAR\nn := ;\nEND_FUNCTION_BLOCK\n",
            "tests/TS_A.st": USES_BROKEN.format(name="A").replace("FB_Broken", "FB_Syntax"),
        }
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert f"src/FB_Syntax.st:{line_of(root / 'src/FB_Syntax.st', 'n := ;')}:" in result.stdout.str()


def test_broken_project_with_several_suite_files_and_scenarios_is_still_one_failure(
    pytester: pytest.Pytester, project
) -> None:
    project(
        {
            "src/FB_Broken.st": BROKEN,
            "src/GVL_Test.st": GVL,
            "tests/TS_A.st": USES_BROKEN.format(name="A"),
            "tests/TS_B.st": USES_BROKEN.format(name="B"),
            "scenarios/s.scenario.toml": """
                [scenario]
                program = "MAIN"
                [[step]]
                at = "0s"
                expect = { "GVL_Test.gnCalls" = 0 }
            """,
        }
    )
    run(pytester).assert_outcomes(failed=1)


def test_programs_are_fresh_for_each_test_too(pytester: pytest.Pytester, project) -> None:
    # Each test calls the program once: with fresh program instances, MAIN.nRuns is 1 in both.
    method = """
        METHOD {name}
        TEST('{name}');
        MAIN();
        AssertEquals_INT(Expected := 1, Actual := MAIN.nRuns, Message := 'fresh program instance');
        TEST_FINISHED();
        END_METHOD
    """
    project(
        {
            "src/MAIN.st": "PROGRAM MAIN\nVAR\n    nRuns : INT;\nEND_VAR\nnRuns := nRuns + 1;\nEND_PROGRAM\n",
            "tests/TS_Prog.st": "FUNCTION_BLOCK TS_Prog EXTENDS FB_TestSuite\nRunsOnce();\nRunsOnceAgain();\n"
            + method.format(name="RunsOnce")
            + method.format(name="RunsOnceAgain")
            + "END_FUNCTION_BLOCK\n",
        }
    )
    run(pytester).assert_outcomes(passed=2)


def test_runtime_error_in_a_later_scan_and_the_next_test_starts_clean(pytester: pytest.Pytester, project) -> None:
    root = project(
        {
            "src/FB_Counter.st": COUNTER,
            "tests/TS_Crash.st": """
                FUNCTION_BLOCK TS_Crash EXTENDS FB_TestSuite
                VAR
                    fb : FB_Counter;
                    nScan : INT;
                END_VAR
                CrashesLater();
                RunsAfterTheCrash();

                METHOD CrashesLater
                TEST('CrashesLater');
                nScan := nScan + 1;
                fb(bUp := TRUE, nDiv := 6 - nScan);
                END_METHOD

                METHOD RunsAfterTheCrash
                TEST('RunsAfterTheCrash');
                nScan := nScan + 1;
                fb(bUp := TRUE, nDiv := 6 - nScan);
                AssertEquals_INT(Expected := 1, Actual := fb.nCount, Message := 'fresh after an error');
                AssertEquals_INT(Expected := 20, Actual := fb.nQuot, Message := '100 / 5');
                TEST_FINISHED();
                END_METHOD
                END_FUNCTION_BLOCK
            """,
        }
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=1)  # a runtime error is an error, not a failed assert
    text = result.stdout.str()
    section = text[text.index("TS_Crash::CrashesLater") :]
    # nDiv = 6 - nScan is 0 in the 6th scan: scan 5, at 50 ms.
    assert "division by zero" in section
    assert f"src/FB_Counter.st:{line_of(root / 'src/FB_Counter.st', 'nQuot := 100 / nDiv;')}:" in section
    assert re.search(r"scan 5\b", section) and "T#50ms" in section, section


def test_marker_selects_plcops_items(pytester: pytest.Pytester, basic) -> None:
    (basic / "tests/test_plain.py").write_text("def test_plain():\n    assert True\n", encoding="utf-8")
    run(pytester, "-m", "plcops").assert_outcomes(passed=1, failed=1, errors=1, skipped=1, deselected=1)
    run(pytester, "-m", "not plcops").assert_outcomes(passed=1, deselected=4)


SCAN_TIMEOUTS = """
    FUNCTION_BLOCK TS_Scans EXTENDS FB_TestSuite
    VAR
        nCount : INT;
        nOther : INT;
    END_VAR
    CountsTo100();
    CountsTo20();

    {attribute 'timeout' := '50 scans'}
    METHOD CountsTo100
    TEST('CountsTo100'); // scans
    nCount := nCount + 1;
    IF nCount >= 100 THEN
        TEST_FINISHED();
    END_IF
    END_METHOD

    METHOD CountsTo20
    TEST('CountsTo20');
    nOther := nOther + 1;
    IF nOther >= 20 THEN
        TEST_FINISHED();
    END_IF
    END_METHOD
    END_FUNCTION_BLOCK
"""


def test_a_timeout_in_scans(pytester: pytest.Pytester, project) -> None:
    # CountsTo100 needs 100 scans and may take 50: it fails after scans 0..49. CountsTo20 finishes in its
    # 20th scan, under the global "30 scans".
    toml = '[project]\nname = "s"\nsources = ["tests"]\n\n[test]\ntimeout = "30 scans"\n'
    project({"tests/TS_Scans.st": SCAN_TIMEOUTS}, toml)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    assert "timed out: TEST_FINISHED() was not called within 50 scans" in result.stdout.str()
    assert "(scan 50," in result.stdout.str()


def test_test_patterns_select_the_files_whose_tests_run(pytester: pytest.Pytester, project) -> None:
    # Only *_Test.st files are test files here: the suite in Helpers.st is compiled (it is a source) but its
    # tests are not collected. 2 tests in TS_Scans_Test.st: 1 passes, 1 times out after 50 scans.
    toml = '[project]\nname = "p"\nsources = ["tests"]\n\n[test]\npatterns = ["*_Test.st"]\n'
    helper = SCAN_TIMEOUTS.replace("TS_Scans", "TS_Helper")
    project({"tests/TS_Scans_Test.st": SCAN_TIMEOUTS, "tests/Helpers.st": helper}, toml)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    assert "TS_Helper" not in result.stdout.str()


def test_junit_has_an_error_for_a_runtime_error_and_a_failure_for_an_assert(pytester: pytest.Pytester, basic) -> None:
    import xml.etree.ElementTree as ET

    report = basic / "junit.xml"
    run(pytester, f"--junitxml={report}")
    cases = {case.get("name"): case for case in ET.parse(report).getroot().iter("testcase")}
    assert cases["Errors"].find("error") is not None and cases["Errors"].find("failure") is None
    assert "division by zero" in (cases["Errors"].find("error").get("message") or "")  # type: ignore[union-attr]
    assert cases["Fails"].find("failure") is not None and cases["Fails"].find("error") is None
