"""Scenario files (``*.scenario.toml``) as pytest items: verdicts worked out by hand, and malformed files.

Semantics (module docstring of plcops/testing/scenario.py): at each scan time t the ``set`` of the steps
due at t is applied, then the scan runs, then expectations are checked on what the scan left. ``expect``
is judged on the first scan at or after ``at``; ``expect_within`` passes when some scan in
[at, at + within] meets it; ``expect_stays`` when every scan in [at, at + for] does.

The program below, scanned every 10 ms from t = 0:

* ``bLamp`` follows ``bSwitch`` in the same scan;
* ``tonDelay`` (TON, PT = 200 ms) starts in the scan where the switch is first seen, so with the switch
  set at 100 ms: ET = t - 100 ms, and Q is TRUE from the scan at 300 ms;
* ``rLevel`` grows by 0.5 in every scan with the switch on, up to 10.0: after the scan at 100 ms it is
  0.5, after the scan at 100 + 10k ms it is 0.5 (k + 1), so 3.0 at 150 ms and 10.0 from 290 ms on.
"""

from __future__ import annotations

import pytest

from tests.testing.conftest import line_of, run

SOURCES = {
    "src/GVL_IO.st": """
        {attribute 'qualified_only'}
        VAR_GLOBAL
            bSwitch : BOOL;
            bLamp : BOOL;
            bDelayed : BOOL;
            rLevel : REAL;
            tElapsed : TIME;
            nMode : INT;
        END_VAR
    """,
    "src/MAIN.st": """
        PROGRAM MAIN
        VAR
            tonDelay : TON;
        END_VAR
        GVL_IO.bLamp := GVL_IO.bSwitch;
        tonDelay(IN := GVL_IO.bSwitch, PT := T#200ms);
        GVL_IO.bDelayed := tonDelay.Q;
        GVL_IO.tElapsed := tonDelay.ET;
        IF GVL_IO.bSwitch AND GVL_IO.rLevel < 10.0 THEN
            GVL_IO.rLevel := GVL_IO.rLevel + 0.5;
        END_IF
        IF GVL_IO.nMode = 13 THEN
            GVL_IO.nMode := 100 / (GVL_IO.nMode - 13); // unlucky
        END_IF
        END_PROGRAM
    """,
}

HEAD = """
[scenario]
name = "{name}"
program = "MAIN"
cycle = "10ms"

[signals]
switch = "GVL_IO.bSwitch"
lamp = "GVL_IO.bLamp"
delayed = "GVL_IO.bDelayed"
level = "GVL_IO.rLevel"
elapsed = "GVL_IO.tElapsed"
"""

SWITCH_ON = """
[[step]]
at = "100ms"
set = { switch = true }
"""


def scenario(name: str, steps: str) -> str:
    return HEAD.format(name=name) + steps


PASSING = scenario(
    "passes",
    """
[[step]]
at = "0s"
expect = { lamp = false, delayed = false, level = 0.0 }

[[step]]
at = "100ms"
set = { switch = true }
expect = { lamp = true, level = 0.5 }
expect_within = { within = "250ms", delayed = true }      # Q at 300 ms, inside [100, 350]
expect_stays = { for = "190ms", delayed = false }         # [100, 290]: Q still FALSE at 290 ms

[[step]]
at = "105ms"                                              # between scans: judged on the scan at 110 ms
expect = { level = 1.0 }

[[step]]
at = "150ms"
expect = { level = { eq = 3.02, tolerance = 0.05 }, elapsed = "T#50ms", "GVL_IO.bLamp" = true }

[[step]]
at = "200ms"
expect = { level = { gt = 5.0 }, elapsed = "T#100ms" }   # 5.5 and T#100ms

[[step]]
at = "290ms"
expect = { level = { ge = 10.0 }, delayed = { ne = true } }

[[step]]
at = "300ms"
expect = { delayed = true, level = { le = 10.0 } }
expect_stays = { for = "200ms", level = { eq = 10.0, tolerance = 0.0 }, lamp = true }
""",
)

# Each of these breaks exactly one expectation of the timeline above.
FAILING = {
    "wrong_value": SWITCH_ON + "expect = { lamp = false }\n",  # the lamp is on in the scan at 100 ms
    "window_too_short": SWITCH_ON + 'expect_within = { within = "150ms", delayed = true }\n',  # Q only at 300 ms
    "does_not_stay": SWITCH_ON + 'expect_stays = { for = "250ms", delayed = false }\n',  # Q at 300 ms <= 350 ms
    "beyond_tolerance": SWITCH_ON + '\n[[step]]\nat = "150ms"\nexpect = { level = { eq = 3.2, tolerance = 0.05 } }\n',
    "comparison_fails": SWITCH_ON
    + '\n[[step]]\nat = "150ms"\nexpect = { level = { gt = 3.0 } }\n',  # 3.0 > 3.0 is false
    "too_early": SWITCH_ON + '\n[[step]]\nat = "290ms"\nexpect = { delayed = true }\n',  # Q only from 300 ms
}


@pytest.fixture
def sources(project):
    return project(SOURCES)


def test_passing_scenario(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    (sources / "scenarios/passes.scenario.toml").write_text(PASSING, encoding="utf-8")
    run(pytester).assert_outcomes(passed=1)


def test_each_broken_expectation_fails_its_scenario(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    for name, steps in FAILING.items():
        (sources / f"scenarios/{name}.scenario.toml").write_text(scenario(name, steps), encoding="utf-8")
    result = run(pytester, "-rf")
    result.assert_outcomes(failed=len(FAILING))


def test_failure_names_the_step_signal_and_what_was_observed(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    (sources / "scenarios/wrong.scenario.toml").write_text(scenario("wrong", FAILING["wrong_value"]), encoding="utf-8")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "wrong.scenario.toml" in text
    failure = next(line for line in result.stdout.lines if "lamp" in line and "observed" in line)
    # Step 1 (the only step) expected FALSE at 100 ms; the scan at 100 ms left TRUE.
    assert "step 1" in failure
    assert "T#100ms" in failure
    assert failure.rstrip().endswith("TRUE")


def test_runtime_error_during_a_scenario_names_the_st_line_and_time(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    (sources / "scenarios/crash.scenario.toml").write_text(
        scenario(
            "crash",
            '\n[[step]]\nat = "50ms"\nset = { "GVL_IO.nMode" = 13 }\n\n[[step]]\nat = "100ms"\nexpect = { lamp = false }\n',
        ),
        encoding="utf-8",
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    line = line_of(sources / "src/MAIN.st", "// unlucky")
    assert "division by zero" in text
    assert f"src/MAIN.st:{line}:" in text
    assert "T#50ms" in text  # set at 50 ms, so the scan at 50 ms divides by zero


def test_cycle_of_the_scenario(pytester: pytest.Pytester, sources) -> None:
    # Every 20 ms: scans at 100, 120, 140, 160 ms with the switch on. The expectation at 150 ms is judged on
    # the scan at 160 ms: level 4 x 0.5 = 2.0, ET = 160 - 100 = 60 ms.
    (sources / "scenarios").mkdir()
    text = scenario("slow", SWITCH_ON + '\n[[step]]\nat = "150ms"\nexpect = { level = 2.0, elapsed = "T#60ms" }\n')
    (sources / "scenarios/slow.scenario.toml").write_text(
        text.replace('cycle = "10ms"', 'cycle = "20ms"'), encoding="utf-8"
    )
    run(pytester).assert_outcomes(passed=1)
    # The same file at 10 ms: 6 scans up to 150 ms -> 3.0 and T#50ms: fails.
    (sources / "scenarios/slow.scenario.toml").write_text(text, encoding="utf-8")
    run(pytester).assert_outcomes(failed=1)


def test_scenario_timeout(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    text = scenario("late", SWITCH_ON + "expect = { lamp = true }\n").replace(
        'cycle = "10ms"', 'cycle = "10ms"\ntimeout = "50ms"'
    )
    (sources / "scenarios/late.scenario.toml").write_text(text, encoding="utf-8")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "timed out" in result.stdout.str()
    assert "T#50ms" in result.stdout.str()


def test_cases_parametrise_a_scenario(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    (sources / "scenarios/cases.scenario.toml").write_text(
        scenario(
            "lamp",
            """
[[step]]
at = "100ms"
set = { switch = "$on" }
expect = { lamp = "$lamp", level = { ge = "$level" } }

[[case]]
name = "on"
on = true
lamp = true
level = 0.5

[[case]]
name = "off"
on = false
lamp = false
level = 0.0

[[case]]
name = "wrong"
on = true
lamp = false
level = 0.0
""",
        ),
        encoding="utf-8",
    )
    collected = run(pytester, "--collect-only", "-q")
    collected.stdout.fnmatch_lines(
        [
            "scenarios/cases.scenario.toml::lamp[[]on[]]",
            "scenarios/cases.scenario.toml::lamp[[]off[]]",
            "scenarios/cases.scenario.toml::lamp[[]wrong[]]",
        ]
    )
    # on: lamp TRUE, level 0.5 >= 0.5. off: lamp FALSE, level 0.0 >= 0.0. wrong: the lamp is on.
    result = run(pytester, "-rf")
    result.assert_outcomes(passed=2, failed=1)
    assert any("lamp[wrong]" in line for line in result.stdout.lines if line.startswith("FAILED"))
    run(pytester, "-k", "off").assert_outcomes(passed=1, deselected=2)


def test_scenarios_and_st_suites_in_one_run(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    (sources / "scenarios/passes.scenario.toml").write_text(PASSING, encoding="utf-8")
    (sources / "tests").mkdir()
    (sources / "tests/test_python.py").write_text("def test_python(plc):\n    plc.scan()\n", encoding="utf-8")
    (sources / "tests/TS_Main.st").write_text(
        "FUNCTION_BLOCK TS_Main EXTENDS FB_TestSuite\nLampFollows();\n"
        "METHOD LampFollows\nTEST('LampFollows');\nGVL_IO.bSwitch := TRUE;\nMAIN();\n"
        "AssertTrue(Condition := GVL_IO.bLamp, Message := 'lamp');\nTEST_FINISHED();\nEND_METHOD\nEND_FUNCTION_BLOCK\n",
        encoding="utf-8",
    )
    run(pytester).assert_outcomes(passed=3)
    # The ST test and the scenario carry the plcops marker; the Python test does not.
    run(pytester, "-m", "plcops").assert_outcomes(passed=2, deselected=1)


# ---------------------------------------------------------------------------------------------- malformed files

MALFORMED = {
    # name: (steps, the text on the line the error must point at, words of the message)
    "unknown_key": ('\n[[step]]\nat = "0s"\nexpct = { lamp = true }\n', "expct = {", ["unknown key", "expct"]),
    "unknown_signal": ('\n[[step]]\nat = "0s"\nexpect = { lamb = true }\n', "lamb = true", ["unknown signal", "lamb"]),
    "bad_time": (
        '\n[[step]]\nat = "10 parsecs"\nexpect = { lamp = false }\n',
        'at = "10 parsecs"',
        ["10 parsecs", "not a time"],
    ),
    "missing_window": (
        '\n[[step]]\nat = "0s"\nexpect_within = { lamp = true }\n',
        "expect_within = {",
        ["expect_within", "within"],
    ),
    "missing_parameter": ('\n[[step]]\nat = "0s"\nset = { switch = "$on" }\n', '"$on"', ["parameter", "on"]),
    "bad_comparison": ('\n[[step]]\nat = "0s"\nexpect = { level = { about = 3 } }\n', "about = 3", ["comparison"]),
    "set_not_a_table": ('\n[[step]]\nat = "0s"\nset = 3\n', "set = 3", ["set", "must be a table"]),
    "expect_not_a_table": ('\n[[step]]\nat = "0s"\nexpect = 4\n', "expect = 4", ["expect", "must be a table"]),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_a_clear_error_with_file_and_line(pytester: pytest.Pytester, sources, name: str) -> None:
    steps, needle, words = MALFORMED[name]
    text = scenario(name, steps)
    (sources / "scenarios").mkdir()
    (sources / f"scenarios/{name}.scenario.toml").write_text(text, encoding="utf-8")
    line = next(number for number, content in enumerate(text.splitlines(), 1) if needle in content)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    location = f"scenarios/{name}.scenario.toml:{line}:"
    reported = [entry for entry in result.stdout.lines if location in entry]
    assert reported, f"no line with {location} in:\n{result.stdout.str()}"
    assert all(word in reported[0] for word in words), reported[0]


def test_invalid_toml_is_reported_with_the_file(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    (sources / "scenarios/broken.scenario.toml").write_text('[scenario\nname = "x"\n', encoding="utf-8")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert "broken.scenario.toml:" in result.stdout.str()
    assert "TOML" in result.stdout.str()


def test_time_comparisons(pytester: pytest.Pytester, sources) -> None:
    # ET = t - 100 ms: T#100ms at 200 ms. T#100ms < T#101ms, >= T#50ms, > T#99ms, <= T#100ms, and (as a
    # duration, not as text) T#100ms < T#1s.
    (sources / "scenarios").mkdir()
    (sources / "scenarios/times.scenario.toml").write_text(
        scenario(
            "times",
            SWITCH_ON
            + """
[[step]]
at = "200ms"
expect = { elapsed = { lt = "T#101ms" } }
expect_within = { within = "0s", elapsed = { ge = "T#50ms" } }

[[step]]
at = "200ms"
expect = { elapsed = { gt = "T#99ms" }, "GVL_IO.tElapsed" = { le = "T#100ms" } }

[[step]]
at = "200ms"
expect = { elapsed = { lt = "T#1s" } }
""",
        ),
        encoding="utf-8",
    )
    run(pytester).assert_outcomes(passed=1)


def test_malformed_file_error_has_no_python_traceback(pytester: pytest.Pytester, sources) -> None:
    steps, _, _ = MALFORMED["unknown_key"]
    (sources / "scenarios").mkdir()
    (sources / "scenarios/bad.scenario.toml").write_text(scenario("bad", steps), encoding="utf-8")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    text = result.stdout.str()
    assert "bad.scenario.toml:" in text
    assert "scenario.py" not in text and "DiagnosticError" not in text


def test_signal_mapped_to_a_missing_variable_names_the_file_and_line(pytester: pytest.Pytester, sources) -> None:
    (sources / "scenarios").mkdir()
    text = scenario("ghost", '\n[[step]]\nat = "0s"\nexpect = { ghost = true }\n').replace(
        'lamp = "GVL_IO.bLamp"', 'lamp = "GVL_IO.bLamp"\nghost = "GVL_IO.bGhost"'
    )
    (sources / "scenarios/ghost.scenario.toml").write_text(text, encoding="utf-8")
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "bGhost" in content)
    result = run(pytester)
    assert f"ghost.scenario.toml:{line}:" in result.stdout.str()
    assert "Traceback" not in result.stdout.str() and "scenario.py:" not in result.stdout.str()


# expect_change: an edge, not a level. The delayed output rises at 300 ms; the lamp is already on from the
# scan at 100 ms, so from 200 ms on it does not rise again ("becomes TRUE within" would pass, this fails).
CHANGES = {
    "rises": (SWITCH_ON + '\n[[step]]\nat = "200ms"\nexpect_change = { within = "150ms", delayed = true }\n', True),
    "already_on": (SWITCH_ON + '\n[[step]]\nat = "200ms"\nexpect_change = { within = "150ms", lamp = true }\n', False),
    "within_passes_on_a_level": (
        SWITCH_ON + '\n[[step]]\nat = "200ms"\nexpect_within = { within = "150ms", lamp = true }\n',
        True,
    ),
    "rises_too_late": (
        SWITCH_ON + '\n[[step]]\nat = "200ms"\nexpect_change = { within = "50ms", delayed = true }\n',
        False,
    ),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_expect_change_wants_an_edge(pytester: pytest.Pytester, sources, name: str) -> None:
    steps, passes = CHANGES[name]
    (sources / "scenarios").mkdir()
    (sources / f"scenarios/{name}.scenario.toml").write_text(scenario(name, steps), encoding="utf-8")
    result = run(pytester)
    if passes:
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(failed=1)
        assert "changes to TRUE within" in result.stdout.str()
