"""Semantics of ST statements: IF, CASE, FOR, WHILE, REPEAT, EXIT, CONTINUE, RETURN.

Expected values are worked out by hand from IEC 61131-3 (2nd ed. 2003 section 3.3.2, and the 3rd ed. 2013)
and the CODESYS / TwinCAT manuals, with the iterations written out in the comments.
"""

from __future__ import annotations

import pytest

from plcops.sim.simulator import Simulator


def program(decls: str, body: str, *, types: str = "") -> str:
    """``decls`` and ``body`` wrapped into ``PROGRAM P``, after ``types`` (TYPE blocks, functions, GVLs)."""
    return f"{types}\nPROGRAM P\nVAR\n{decls}\nEND_VAR\n{body}\nEND_PROGRAM\n"


def run(decls: str, body: str, *, types: str = "", scans: int = 1) -> Simulator:
    """Load ``program(decls, body)`` and run ``scans`` scans of 10 ms."""
    sim = Simulator.from_text(program(decls, body, types=types), program="P", cycle_time="10ms")
    sim.scan(scans)
    return sim


# A global call counter and functions with side effects, to see how often an expression is evaluated.
COUNTING = """
VAR_GLOBAL
    calls : INT;
END_VAR
FUNCTION Counted : INT
VAR_INPUT
    value : INT;
END_VAR
calls := calls + 1;
Counted := value;
END_FUNCTION
FUNCTION Touch : BOOL
VAR_INPUT
    result : BOOL;
END_VAR
calls := calls + 1;
Touch := result;
END_FUNCTION
"""


# --------------------------------------------------------------------------------------------------------------
# IF
# --------------------------------------------------------------------------------------------------------------

IF_CHAIN = "IF x > 10 THEN\n r := 1;\nELSIF x > 5 THEN\n r := 2;\nELSIF x > 3 THEN\n r := 3;\nELSE\n r := 4;\nEND_IF;"


@pytest.mark.parametrize(("x", "expected"), [(11, 1), (10, 2), (6, 2), (5, 3), (4, 3), (3, 4), (-100, 4)])
def test_if_elsif_else_takes_the_first_true_branch(x: int, expected: int) -> None:
    # x = 11 satisfies all three conditions: only the first branch runs (r = 1).
    sim = run(f"x : INT := {x};\nr : INT;", IF_CHAIN)
    assert sim["P.r"] == expected


def test_if_without_else_and_no_true_condition_does_nothing() -> None:
    sim = run("x : INT := 1;\nr : INT := 7;", "IF x > 1 THEN\n r := 1;\nELSIF x < 0 THEN\n r := 2;\nEND_IF;")
    assert sim["P.r"] == 7


def test_conditions_after_the_taken_branch_are_not_evaluated() -> None:
    # IF TRUE ...: the ELSIF condition is never evaluated; in the second IF the first condition (FALSE) is
    # evaluated, then the ELSIF's: one call each, the ELSE's none. 0 + 2 = 2 calls.
    sim = run(
        "r, s : INT;",
        "IF Touch(TRUE) THEN\n r := 1;\nELSIF Touch(TRUE) THEN\n r := 2;\nEND_IF;\n"
        "IF Touch(FALSE) THEN\n s := 1;\nELSIF Touch(TRUE) THEN\n s := 2;\nELSE\n s := 3;\nEND_IF;",
        types=COUNTING,
    )
    assert (sim["P.r"], sim["P.s"]) == (1, 2)
    assert sim["calls"] == 3  # 1 in the first IF, 2 in the second


def test_nested_if() -> None:
    body = "IF a THEN\n IF b THEN\n  r := 1;\n ELSE\n  r := 2;\n END_IF;\nELSE\n r := 3;\nEND_IF;"
    results = []
    for a, b in ((True, True), (True, False), (False, True)):
        sim = run(f"a : BOOL := {str(a).upper()};\nb : BOOL := {str(b).upper()};\nr : INT;", body)
        results.append(sim["P.r"])
    assert results == [1, 2, 3]


# --------------------------------------------------------------------------------------------------------------
# CASE
# --------------------------------------------------------------------------------------------------------------

CASE_BODY = """
CASE x OF
    1: r := 10;
    2, 3: r := 20;
    4..6: r := 30;
    7, 9..10: r := 40;
    -5..-1: r := 50;
ELSE
    r := 99;
END_CASE;
"""


def test_case_with_lists_ranges_and_else() -> None:
    # Ranges include both ends (IEC 2nd ed. 3.3.2.3: "a range of values"); a value in no selector runs ELSE.
    expected = {
        1: 10,
        2: 20,
        3: 20,
        4: 30,
        5: 30,
        6: 30,
        7: 40,
        8: 99,
        9: 40,
        10: 40,
        11: 99,
        -5: 50,
        -1: 50,
        -6: 99,
        0: 99,
    }
    sim = run("x : INT;\nr : INT;", CASE_BODY)
    got = {}
    for x in expected:
        sim["P.x"] = x
        sim["P.r"] = 0
        sim.scan()
        got[x] = sim["P.r"]
    assert got == expected


def test_case_without_else_and_no_match_does_nothing() -> None:
    sim = run("x : INT := 5;\nr : INT := 7;", "CASE x OF\n 1: r := 1;\n 2..4: r := 2;\nEND_CASE;")
    assert sim["P.r"] == 7


def test_case_branch_with_several_statements() -> None:
    sim = run("x : INT := 2;\na, b : INT;", "CASE x OF\n 1: a := 1;\n 2: a := 2;\n    b := 3;\n 3: b := 4;\nEND_CASE;")
    assert (sim["P.a"], sim["P.b"]) == (2, 3)


def test_case_selector_is_evaluated_once() -> None:
    # The selector expression is evaluated once, then compared with every label: 1 call, not one per label.
    sim = run(
        "r : INT;",
        "CASE Counted(3) OF\n 1: r := 1;\n 2: r := 2;\n 3: r := 3;\nELSE\n r := 9;\nEND_CASE;",
        types=COUNTING,
    )
    assert sim["P.r"] == 3
    assert sim["calls"] == 1


def test_case_on_bit_string_with_typed_labels() -> None:
    sim = run(
        "w : WORD := 16#00FF;\nr : INT;",
        "CASE w OF\n 16#0000: r := 1;\n 16#00F0..16#00FF: r := 2;\nELSE\n r := 3;\nEND_CASE;",
    )
    assert sim["P.r"] == 2


# --------------------------------------------------------------------------------------------------------------
# FOR
# --------------------------------------------------------------------------------------------------------------

# IEC 61131-3 and CODESYS: the control variable takes the start value, the body runs while it
# is <= the end value (>= for a negative step), and it is incremented by the step after every iteration; the end
# and step expressions are evaluated once. After the loop, the control variable holds the first value that failed
# the test (CODESYS documents i = 11 after FOR i := 1 TO 10).


@pytest.mark.parametrize(
    ("header", "iterations", "final", "total"),
    [
        ("i := 1 TO 10", 10, 11, 55),  # 1..10
        ("i := 1 TO 10 BY 2", 5, 11, 25),  # 1, 3, 5, 7, 9
        ("i := 10 TO 1 BY -3", 4, -2, 22),  # 10, 7, 4, 1; then -2 < 1
        ("i := 5 TO 5", 1, 6, 5),  # runs once (matiec's zero times is a departure)
        ("i := 1 TO 3 BY 4", 1, 5, 1),  # 1 <= 3 runs, then 5 > 3
        ("i := 3 TO 1", 0, 3, 0),  # 3 > 1: never runs, i keeps the start value
        ("i := 0 TO -1", 0, 0, 0),
        ("i := -3 TO 3 BY 3", 3, 6, 0),  # -3, 0, 3
        ("i := 1 TO 1 BY -1", 1, 0, 1),
    ],
)
def test_for_loop_iterations_and_final_value(header: str, iterations: int, final: int, total: int) -> None:
    sim = run("i : INT;\nn : INT;\ntotal : INT;", f"FOR {header} DO\n n := n + 1;\n total := total + i;\nEND_FOR;")
    assert sim["P.n"] == iterations
    assert sim["P.i"] == final
    assert sim["P.total"] == total


def test_for_end_and_step_expressions_are_evaluated_once() -> None:
    # FOR i := 1 TO Counted(3) BY Counted(1): end and step evaluated once each: 2 calls, 3 iterations.
    sim = run("i, n : INT;", "FOR i := 1 TO Counted(3) BY Counted(1) DO\n n := n + 1;\nEND_FOR;", types=COUNTING)
    assert sim["P.n"] == 3
    assert sim["calls"] == 2


def test_for_end_value_is_not_reread_when_its_variable_changes() -> None:
    # The end value is fixed when the loop starts (st-semantics.md: re-reading it is matiec's departure):
    # last = 3 at the start, so 3 iterations although the body raises last.
    sim = run("i, n : INT;\nlast : INT := 3;", "FOR i := 1 TO last DO\n n := n + 1;\n last := 10;\nEND_FOR;")
    assert sim["P.n"] == 3
    assert sim["P.i"] == 4


def test_for_with_variable_bounds_of_dint() -> None:
    # FOR d := a TO b BY c with a = 100000, b = 100006, c = 3: 100000, 100003, 100006: 3 iterations, d = 100009.
    sim = run(
        "d, a, b, c : DINT;\nn : INT;",
        "a := 100000;\nb := 100006;\nc := 3;\nFOR d := a TO b BY c DO\n n := n + 1;\nEND_FOR;",
    )
    assert sim["P.n"] == 3
    assert sim["P.d"] == 100009


def test_for_loop_runs_again_every_scan() -> None:
    sim = run("i, n : INT;", "FOR i := 1 TO 4 DO\n n := n + 1;\nEND_FOR;", scans=3)
    assert sim["P.n"] == 12


def test_exit_leaves_the_for_loop() -> None:
    # Iterations 1, 2, 3 count; at i = 4 EXIT leaves with i = 4.
    sim = run("i, n : INT;", "FOR i := 1 TO 10 DO\n IF i = 4 THEN\n  EXIT;\n END_IF;\n n := n + 1;\nEND_FOR;")
    assert (sim["P.n"], sim["P.i"]) == (3, 4)


def test_continue_skips_to_the_next_for_iteration() -> None:
    # Even i skip the sum: 1 + 3 + 5 + 7 + 9 = 25; the loop still runs to the end (i = 11, 10 passes).
    sim = run(
        "i, total, passes : INT;",
        "FOR i := 1 TO 10 DO\n passes := passes + 1;\n IF i MOD 2 = 0 THEN\n  CONTINUE;\n END_IF;\n total := total + i;\nEND_FOR;",
    )
    assert (sim["P.total"], sim["P.i"], sim["P.passes"]) == (25, 11, 10)


def test_exit_in_a_nested_loop_leaves_only_the_inner_loop() -> None:
    # The inner loop counts j = 1 then exits at j = 2, for each of the 3 outer iterations: inner = 3, outer = 3.
    sim = run(
        "i, j, inner, outer : INT;",
        "FOR i := 1 TO 3 DO\n FOR j := 1 TO 3 DO\n  IF j = 2 THEN\n   EXIT;\n  END_IF;\n  inner := inner + 1;\n END_FOR;\n outer := outer + 1;\nEND_FOR;",
    )
    assert (sim["P.inner"], sim["P.outer"], sim["P.j"]) == (3, 3, 2)


def test_continue_in_a_nested_loop_continues_the_inner_loop() -> None:
    # 3 outer x (4 inner - 1 skipped at j = 2) = 9 counted; the outer loop is not skipped.
    sim = run(
        "i, j, n, outer : INT;",
        "FOR i := 1 TO 3 DO\n FOR j := 1 TO 4 DO\n  IF j = 2 THEN\n   CONTINUE;\n  END_IF;\n  n := n + 1;\n END_FOR;\n outer := outer + 1;\nEND_FOR;",
    )
    assert (sim["P.n"], sim["P.outer"]) == (9, 3)


def test_nested_loops_multiply() -> None:
    # 3 x 4 = 12 inner iterations; sum of i * j = (1 + 2 + 3) * (1 + 2 + 3 + 4) = 60.
    sim = run(
        "i, j, n, s : INT;",
        "FOR i := 1 TO 3 DO\n FOR j := 1 TO 4 DO\n  n := n + 1;\n  s := s + i * j;\n END_FOR;\nEND_FOR;",
    )
    assert (sim["P.n"], sim["P.s"]) == (12, 60)


def test_exit_inside_case_inside_a_loop_leaves_the_loop() -> None:
    # EXIT applies to the innermost loop, not to the CASE: at i = 3 the loop ends (n counted 1 and 2).
    sim = run("i, n : INT;", "FOR i := 1 TO 10 DO\n CASE i OF\n  3: EXIT;\n ELSE\n  n := n + 1;\n END_CASE;\nEND_FOR;")
    assert (sim["P.i"], sim["P.n"]) == (3, 2)


def test_loop_in_a_function_block_runs_on_its_own_state() -> None:
    types = (
        "FUNCTION_BLOCK FB_Sum\nVAR_INPUT\n upto : INT;\nEND_VAR\nVAR_OUTPUT\n total : DINT;\nEND_VAR\nVAR\n i : INT;\nEND_VAR\n"
        "total := 0;\nFOR i := 1 TO upto DO\n total := total + i;\nEND_FOR;\nEND_FUNCTION_BLOCK\n"
    )
    # 1 + ... + 100 = 5050.
    sim = run("f : FB_Sum;", "f(upto := 100);", types=types)
    assert sim["P.f.total"] == 5050
    assert sim["P.f.i"] == 101


# --------------------------------------------------------------------------------------------------------------
# WHILE and REPEAT
# --------------------------------------------------------------------------------------------------------------


def test_while_loop() -> None:
    # i = 0, 1, 2, 3, 4 pass the test: 5 iterations, i = 5; a FALSE condition never runs the body.
    sim = run(
        "i, n, never : INT;",
        "WHILE i < 5 DO\n i := i + 1;\n n := n + 1;\nEND_WHILE;\nWHILE FALSE DO\n never := 1;\nEND_WHILE;",
    )
    assert (sim["P.i"], sim["P.n"], sim["P.never"]) == (5, 5, 0)


def test_while_condition_is_evaluated_before_every_iteration() -> None:
    # Touch(k < 3) for k = 0, 1, 2 (TRUE) and 3 (FALSE): 4 evaluations, 3 iterations.
    sim = run("k : INT;", "WHILE Touch(k < 3) DO\n k := k + 1;\nEND_WHILE;", types=COUNTING)
    assert sim["P.k"] == 3
    assert sim["calls"] == 4


def test_exit_and_continue_in_while() -> None:
    # i = 1..5; i = 3 is skipped by CONTINUE: 1 + 2 + 4 + 5 = 12. Second loop: EXIT at 4 leaves k = 4, sum 1+2+3 = 6.
    sim = run(
        "i, total, k, s : INT;",
        "WHILE i < 5 DO\n i := i + 1;\n IF i = 3 THEN\n  CONTINUE;\n END_IF;\n total := total + i;\nEND_WHILE;\n"
        "WHILE TRUE DO\n k := k + 1;\n IF k = 4 THEN\n  EXIT;\n END_IF;\n s := s + k;\nEND_WHILE;",
    )
    assert (sim["P.total"], sim["P.i"]) == (12, 5)
    assert (sim["P.k"], sim["P.s"]) == (4, 6)


def test_repeat_runs_at_least_once() -> None:
    # REPEAT tests its condition after the body (IEC 2nd ed. 3.3.2.4): with UNTIL TRUE the body runs once.
    sim = run(
        "n, m : INT;", "REPEAT\n n := n + 1;\nUNTIL TRUE\nEND_REPEAT;\nREPEAT\n m := m + 1;\nUNTIL m >= 5\nEND_REPEAT;"
    )
    assert (sim["P.n"], sim["P.m"]) == (1, 5)


def test_continue_in_repeat_goes_to_the_until_test() -> None:
    # CODESYS: CONTINUE in REPEAT jumps to the UNTIL condition. i = 1 (sum 1), 2 (skip), 3 (sum 4), 4 (skip),
    # 5 (sum 9, and 5 >= 5 ends the loop). If CONTINUE skipped the test, i = 6 would continue to 7: sum 16.
    sim = run(
        "i, total : INT;",
        "REPEAT\n i := i + 1;\n IF i MOD 2 = 0 THEN\n  CONTINUE;\n END_IF;\n total := total + i;\nUNTIL i >= 5\nEND_REPEAT;",
    )
    assert (sim["P.total"], sim["P.i"]) == (9, 5)


def test_continue_in_repeat_when_the_condition_is_met() -> None:
    # Iteration 1: i = 1, total = 1, UNTIL 1 >= 2 is FALSE. Iteration 2: i = 2, CONTINUE jumps to UNTIL 2 >= 2,
    # TRUE: the loop ends with total = 1, i = 2.
    sim = run(
        "i, total : INT;",
        "REPEAT\n i := i + 1;\n IF i = 2 THEN\n  CONTINUE;\n END_IF;\n total := total + i;\nUNTIL i >= 2\nEND_REPEAT;",
    )
    assert (sim["P.total"], sim["P.i"]) == (1, 2)


def test_exit_in_repeat() -> None:
    sim = run("i : INT;", "REPEAT\n i := i + 1;\n IF i = 3 THEN\n  EXIT;\n END_IF;\nUNTIL FALSE\nEND_REPEAT;")
    assert sim["P.i"] == 3


# --------------------------------------------------------------------------------------------------------------
# RETURN
# --------------------------------------------------------------------------------------------------------------


def test_return_ends_the_program_body_for_this_scan() -> None:
    # Each scan: a := a + 1, then RETURN skips b := b + 1: after 3 scans a = 3, b = 0.
    sim = run("a, b : INT;\nstop : BOOL := TRUE;", "a := a + 1;\nIF stop THEN\n RETURN;\nEND_IF;\nb := b + 1;", scans=3)
    assert (sim["P.a"], sim["P.b"]) == (3, 0)


def test_return_inside_a_loop_leaves_the_function() -> None:
    # Find the first index whose element is 7 in [3, 7, 7, 1]: 2; the loop stops at once (calls to the body: 2).
    types = (
        "FUNCTION FindSeven : INT\nVAR_INPUT\n v : ARRAY[1..4] OF INT;\nEND_VAR\nVAR\n i : INT;\nEND_VAR\n"
        "FindSeven := -1;\nFOR i := 1 TO 4 DO\n calls := calls + 1;\n IF v[i] = 7 THEN\n  FindSeven := i;\n  RETURN;\n END_IF;\nEND_FOR;\n"
        "FindSeven := -2;\nEND_FUNCTION\nVAR_GLOBAL\n calls : INT;\nEND_VAR\n"
    )
    sim = run("a : ARRAY[1..4] OF INT := [3, 7, 7, 1];\nr : INT;", "r := FindSeven(a);", types=types)
    assert sim["P.r"] == 2
    assert sim["calls"] == 2


def test_return_in_a_function_keeps_the_result_assigned_so_far() -> None:
    types = "FUNCTION Early : INT\nVAR_INPUT\n x : INT;\nEND_VAR\nEarly := 1;\nIF x > 0 THEN\n RETURN;\nEND_IF;\nEarly := 2;\nEND_FUNCTION\n"
    sim = run("a, b : INT;", "a := Early(5);\nb := Early(-5);", types=types)
    assert (sim["P.a"], sim["P.b"]) == (1, 2)


# --------------------------------------------------------------------------------------------------------------
# Assignment
# --------------------------------------------------------------------------------------------------------------


def test_statements_run_in_order_and_see_earlier_writes() -> None:
    # a := 1; b := a + 1 (2); a := b * 10 (20); c := a + b (22).
    sim = run("a, b, c : INT;", "a := 1;\nb := a + 1;\na := b * 10;\nc := a + b;")
    assert (sim["P.a"], sim["P.b"], sim["P.c"]) == (20, 2, 22)


def test_variables_keep_their_values_between_scans() -> None:
    # A PROGRAM's VAR is static: n counts the scans; the initial value is applied once.
    sim = run("n : INT := 100;", "n := n + 1;", scans=5)
    assert sim["P.n"] == 105


def test_set_and_reset_assignments() -> None:
    # CODESYS 'S=' / 'R=': set to TRUE when the right side is TRUE, otherwise leave it.
    sim = run("a, b : BOOL;\nc : BOOL := TRUE;\nd : BOOL := TRUE;", "a S= TRUE;\nb S= FALSE;\nc R= TRUE;\nd R= FALSE;")
    assert [sim["P.a"], sim["P.b"], sim["P.c"], sim["P.d"]] == [True, False, False, True]


def test_names_and_keywords_are_case_insensitive_and_comments_are_ignored() -> None:
    # IEC 61131-3 2nd ed. 2.1.2: identifiers and keywords are not case-sensitive. Comments: (* *), and the 3rd
    # edition's // and /* */.
    text = (
        "program P\nvar\n Counter : int;\n Flag : bool;\nend_var\n"
        "(* a comment with 'quotes' and counter := 1000; *)\n"
        "COUNTER := counter + 1; // counter := 1000;\n"
        "/* flag := FALSE; */\n"
        "If cOuNtEr > 0 Then fLaG := True; End_If;\n"
        "end_program\n"
    )
    sim = Simulator.from_text(text, program="p")
    sim.scan(2)
    assert sim["P.counter"] == 2
    assert sim["p.FLAG"] is True
