"""Semantics of the non-numeric and derived types: TIME/LTIME, DATE/TOD/DT, STRING/WSTRING, arrays, structures,
enumerations and subranges.

Every expected value is worked out by hand in the comment beside it, from IEC 61131-3 (2nd ed. 2003, 3rd ed.
2013) or the CODESYS / TwinCAT manuals; none is copied from the simulator's output.
"""

from __future__ import annotations

import pytest

from plcops.sim.simulator import ScanError, SimulationError, Simulator


def program(decls: str, body: str, *, types: str = "") -> str:
    """``decls`` and ``body`` wrapped into ``PROGRAM P``, after ``types`` (TYPE blocks, functions, GVLs)."""
    return f"{types}\nPROGRAM P\nVAR\n{decls}\nEND_VAR\n{body}\nEND_PROGRAM\n"


def run(decls: str, body: str, *, types: str = "", scans: int = 1) -> Simulator:
    """Load ``program(decls, body)`` and run ``scans`` scans of 10 ms."""
    sim = Simulator.from_text(program(decls, body, types=types), program="P", cycle_time="10ms")
    sim.scan(scans)
    return sim


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the program")


def flags(sim: Simulator, *names: str) -> list[bool]:
    return [sim[f"P.{name}"] for name in names]


# --------------------------------------------------------------------------------------------------------------
# TIME and LTIME
# --------------------------------------------------------------------------------------------------------------


def test_time_arithmetic() -> None:
    # IEC 61131-3 2nd ed. table 30 (ADD/SUB/MUL/DIV on TIME): 1.5 s + 0.5 s = 2 s; 1 s - 1.5 s = -0.5 s;
    # 250 ms * 4 = 1 s; 1 s / 4 = 250 ms; 1 s * 2.5 = 2.5 s.
    sim = run(
        "a, b, c, d, e : TIME;\nfour : INT := 4;",
        "a := T#1s500ms + T#500ms;\nb := T#1s - T#1500ms;\nc := T#250ms * four;\nd := T#1s / four;\ne := T#1s * 2.5;",
    )
    assert sim["P.a"] == "T#2s"
    assert sim["P.b"] == "T#-500ms"
    assert sim["P.c"] == "T#1s"
    assert sim["P.d"] == "T#250ms"
    assert sim["P.e"] == "T#2s500ms"


def test_time_sums_are_normalised_before_comparison() -> None:
    # st-semantics.md: matiec stores T#500ms + T#500ms unnormalised so that '>= T#1s' is FALSE; a duration is
    # one quantity, 500 ms + 500 ms = 1 s exactly: TRUE, and '=' holds too.
    sim = run("ge : BOOL;\neq : BOOL;", "ge := T#500ms + T#500ms >= T#1s;\neq := T#500ms + T#500ms = T#1s;")
    assert flags(sim, "ge", "eq") == [True, True]


def test_time_literals() -> None:
    # IEC 61131-3 2nd ed. 2.2.3.1: units d, h, m, s, ms; a fraction on the last unit; underscores; either case;
    # T# and TIME# prefixes; a minus sign.
    # T#1d2h3m4s5ms = ((24 + 2) * 3600 + 3 * 60 + 4) * 1000 + 5 ms = 93784005 ms.
    sim = run(
        "r1, r2, r3, r4, r5, r6, r7 : BOOL;\nlong : TIME := T#1d2h3m4s5ms;",
        "r1 := long = T#93784005ms;\nr2 := T#1.5s = T#1s500ms;\nr3 := T#90m = T#1h30m;\nr4 := T#1_000ms = T#1s;\n"
        "r5 := TIME#2s = t#2S;\nr6 := T#-2s < T#0s;\nr7 := T#0.5d = T#12h;",
    )
    assert flags(sim, "r1", "r2", "r3", "r4", "r5", "r6", "r7") == [True] * 7
    assert sim["P.long"] == "T#1d2h3m4s5ms"


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        # IEC 61131-3 3rd ed. 6.3.5 (table 8): a duration has at least one unit; dates, times of day and
        # date-and-times have their fixed shapes; BOOL# takes TRUE, FALSE, 0 or 1. Without these checks T#5
        # failed with "unknown type 'T'", and TOD#25 or D#2024 loaded as 25 ns or 2024 ns after the epoch.
        ("t : TIME := T#5;", "T#5 is not a valid TIME literal (write it like T#5s or T#1m30s)"),
        ("t : LTIME := LTIME#5;", "LTIME#5 is not a valid LTIME literal"),
        ("t : TIME := TIME#5;", "TIME#5 is not a valid TIME literal"),
        # Well-formed tokens that name no moment: month 13, hour 25, February 30.
        ("t : DATE := DATE#2024-13-45;", "not a date: DATE#2024-13-45"),
        ("t : TOD := TOD#25:00:00;", "time of day out of range: TOD#25:00:00"),
        ("t : DT := DT#2024-02-30-12:00:00;", "not a date and time: DT#2024-02-30-12:00:00"),
        ("t : TOD := TOD#25;", "TOD#25 is not a valid TOD literal"),
        ("t : DATE := D#2024;", "D#2024 is not a valid DATE literal"),
        ("t : DT := DT#2024;", "DT#2024 is not a valid DT literal"),
        ("t : BOOL := BOOL#2;", "BOOL#2 is not a BOOL literal"),
    ],
)
def test_malformed_time_and_typed_literals_do_not_load(declaration: str, message: str) -> None:
    with pytest.raises(SimulationError) as caught:
        run(declaration, "")
    text = program(declaration, "")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, message in diagnostic.message) == (line_of(text, declaration), True), diagnostic


def test_time_comparisons() -> None:
    sim = run(
        "gt, lt, ne, le : BOOL;\neq : BOOL := TRUE;",
        "gt := T#1m > T#59s;\nlt := T#999ms < T#1s;\nne := T#1s <> T#1000ms;\nle := T#2s <= T#2s;\neq := T#1h = T#59m;",
    )
    assert flags(sim, "gt", "lt", "ne", "le", "eq") == [True, True, False, True, False]


def test_time_function_is_the_scan_start_time() -> None:
    # Scans run at 0, 10, 20 ms: TIME() in the third scan is T#20ms; 'first' kept the first scan's T#0ms.
    sim = run(
        "now : TIME;\nfirst : TIME := T#1h;\ndone : BOOL;",
        "now := TIME();\nIF NOT done THEN first := now; done := TRUE; END_IF;",
        scans=3,
    )
    assert sim["P.now"] == "T#20ms"
    assert sim["P.first"] == "T#0ms"


def test_time_to_integer_conversion_counts_milliseconds() -> None:
    # CODESYS and TwinCAT: TIME_TO_DINT gives milliseconds (st-semantics.md: matiec's seconds are a departure):
    # T#1s500ms -> 1500; DINT_TO_TIME(250) = T#250ms.
    sim = run("d : DINT;\nt : TIME;", "d := TIME_TO_DINT(T#1s500ms);\nt := DINT_TO_TIME(250);")
    assert sim["P.d"] == 1500
    assert sim["P.t"] == "T#250ms"


def test_ltime_has_nanosecond_resolution() -> None:
    # IEC 61131-3 3rd ed.: LTIME is a 64-bit duration in nanoseconds. 1 s + 1 ns > 1 s; 1 us / 1000 = 1 ns;
    # LTIME#1ms = LTIME#1000000ns.
    sim = run(
        "a : LTIME;\ngt, eq1, eq2 : BOOL;",
        "a := LTIME#1s + LTIME#1ns;\ngt := a > LTIME#1s;\neq1 := LTIME#1us / 1000 = LTIME#1ns;\neq2 := LTIME#1ms = LTIME#1000000ns;",
    )
    assert flags(sim, "gt", "eq1", "eq2") == [True, True, True]
    assert sim["P.a"] == "LTIME#1s1ns"


# --------------------------------------------------------------------------------------------------------------
# DATE, TIME_OF_DAY, DATE_AND_TIME
# --------------------------------------------------------------------------------------------------------------


def test_date_difference_is_a_duration_and_knows_leap_years() -> None:
    # 2024 is a leap year: 28 Feb -> 29 Feb -> 1 Mar = 2 days; in 2023: 1 day. (IEC 2nd ed. table 30: DATE - DATE
    # gives TIME.) 2000 is a leap year (divisible by 400), 2100 is not (divisible by 100): 2 d and 1 d.
    sim = run(
        "d2024, d2023 : TIME;\nr2000, r2100 : BOOL;",
        "d2024 := D#2024-03-01 - D#2024-02-28;\nd2023 := D#2023-03-01 - D#2023-02-28;\n"
        "r2000 := D#2000-03-01 - D#2000-02-28 = T#2d;\nr2100 := D#2100-03-01 - D#2100-02-28 = T#1d;",
    )
    assert sim["P.d2024"] == "T#2d"
    assert sim["P.d2023"] == "T#1d"
    assert flags(sim, "r2000", "r2100") == [True, True]


def test_time_of_day_and_date_and_time_arithmetic() -> None:
    # TOD + TIME: 12:00 + 1h30m = 13:30. DT + TIME across a year boundary: 2024-12-31 23:59:59 + 1 s =
    # 2025-01-01 00:00:00. DT - DT = T#10s; TOD - TOD = 30 min.
    sim = run(
        "tod1 : TOD;\ndt1 : DT;\nd1 : TIME;\nd2 : TIME;\nr1, r2 : BOOL;",
        "tod1 := TOD#12:00:00 + T#1h30m;\ndt1 := DT#2024-12-31-23:59:59 + T#1s;\n"
        "d1 := DT#2024-01-01-00:00:10 - DT#2024-01-01-00:00:00;\nd2 := TOD#13:00:00 - TOD#12:30:00;\n"
        "r1 := tod1 = TOD#13:30:00;\nr2 := dt1 = DT#2025-01-01-00:00:00;",
    )
    assert sim["P.tod1"] == "TOD#13:30:00"
    assert sim["P.dt1"] == "DT#2025-01-01-00:00:00"
    assert sim["P.d1"] == "T#10s"
    assert sim["P.d2"] == "T#30m"
    assert flags(sim, "r1", "r2") == [True, True]


def test_date_and_time_split_and_join() -> None:
    # DT_TO_DATE keeps the date, DT_TO_TOD the time of day; CONCAT_DATE_TOD joins them (IEC 3rd ed.).
    sim = run(
        "d : DATE;\nt : TOD;\nj : DT;\nbefore : BOOL;",
        "d := DT_TO_DATE(DT#2024-05-06-07:08:09);\nt := DT_TO_TOD(DT#2024-05-06-07:08:09);\n"
        "j := CONCAT_DATE_TOD(D#2024-05-06, TOD#07:08:09);\nbefore := D#2024-01-01 < D#2024-01-02;",
    )
    assert sim["P.d"] == "D#2024-05-06"
    assert sim["P.t"] == "TOD#07:08:09"
    assert sim["P.j"] == "DT#2024-05-06-07:08:09"
    assert sim["P.before"] is True


# --------------------------------------------------------------------------------------------------------------
# STRING and WSTRING
# --------------------------------------------------------------------------------------------------------------


def test_string_is_cut_to_its_declared_length_on_assignment() -> None:
    # IEC 61131-3 3rd ed. / CODESYS: a STRING(5) holds at most 5 characters; storing more keeps the first 5.
    sim = run(
        "s5 : STRING(5);\nlong : STRING := 'abcdefgh';\nfrom_var : STRING(3);\ncat : STRING(5);",
        "s5 := 'abcdefgh';\nfrom_var := long;\ncat := CONCAT('abc', 'def');",
    )
    assert sim["P.s5"] == "abcde"
    assert sim["P.from_var"] == "abc"
    assert sim["P.cat"] == "abcde"


def test_string_is_cut_when_passed_to_a_shorter_parameter_or_stored_in_a_member() -> None:
    types = (
        "TYPE S : STRUCT\n name : STRING(4);\nEND_STRUCT\nEND_TYPE\n"
        "FUNCTION Echo : STRING\nVAR_INPUT\n s : STRING(3);\nEND_VAR\nEcho := s;\nEND_FUNCTION\n"
    )
    sim = run(
        "r : STRING;\nst : S;\narr : ARRAY[1..2] OF STRING(2);",
        "r := Echo('abcdef');\nst.name := 'motor-1';\narr[2] := 'xyz';",
        types=types,
    )
    assert sim["P.r"] == "abc"
    assert sim["P.st.name"] == "moto"
    assert sim["P.arr[2]"] == "xy"


def test_concat_len_and_string_comparison() -> None:
    # CONCAT is extensible in IEC 3rd ed.; LEN counts characters. Comparison is character by character
    # (CODESYS/TwinCAT): 'abc' < 'abd'; a proper prefix is smaller ('abc' < 'abcd'); 'b' > 'abc'; case matters.
    sim = run(
        "c2, c3 : STRING;\nn, n0 : INT;\nlt1, lt2, gt, eq : BOOL;\ncase_eq : BOOL := TRUE;",
        "c2 := CONCAT('ab', 'cd');\nc3 := CONCAT('ab', 'cd', 'ef');\nn := LEN('hello');\nn0 := LEN('');\n"
        "lt1 := 'abc' < 'abd';\nlt2 := 'abc' < 'abcd';\ngt := 'b' > 'abc';\neq := 'abc' = 'abc';\ncase_eq := 'abc' = 'ABC';",
    )
    assert sim["P.c2"] == "abcd"
    assert sim["P.c3"] == "abcdef"
    assert (sim["P.n"], sim["P.n0"]) == (5, 0)
    assert flags(sim, "lt1", "lt2", "gt", "eq", "case_eq") == [True, True, True, True, False]


def test_strings_of_different_declared_lengths_compare_by_content() -> None:
    sim = run(
        "a : STRING(5) := 'abc';\nb : STRING(80) := 'abc';\nc : STRING(3) := 'abd';\neq, lt : BOOL;",
        "eq := a = b;\nlt := b < c;",
    )
    assert (sim["P.eq"], sim["P.lt"]) == (True, True)


def test_string_escapes() -> None:
    # IEC 61131-3 2nd ed. (character strings): $' quote, $$ dollar, $N newline, $T tab, $41 the character 16#41 = 'A'.
    # LEN('$41$$') = 2 ('A' and '$').
    sim = run(
        "q, d, nl, tab, hex : STRING;\nn : INT;",
        "q := '$'';\nd := '$$';\nnl := '$N';\ntab := '$T';\nhex := '$41$$';\nn := LEN('$41$$');",
    )
    assert sim["P.q"] == "'"
    assert sim["P.d"] == "$"
    assert sim["P.nl"] == "\n"
    assert sim["P.tab"] == "\t"
    assert sim["P.hex"] == "A$"
    assert sim["P.n"] == 2


def test_wstring() -> None:
    # WSTRING literals are double-quoted; $00E9 is the 4-digit escape of 'é' (IEC 2nd ed., character strings). LEN counts
    # characters: 'héllo' has 5. WSTRING(3) keeps 3 characters.
    sim = run(
        'w : WSTRING := "h$00E9llo";\nw3 : WSTRING(3);\nn : INT;\nlt : BOOL;\ncat : WSTRING;',
        'w3 := "abcdef";\nn := LEN(w);\nlt := "a" < "b";\ncat := CONCAT(w3, "!");',
    )
    assert sim["P.w"] == "héllo"
    assert sim["P.w3"] == "abc"
    assert sim["P.n"] == 5
    assert sim["P.lt"] is True
    assert sim["P.cat"] == "abc!"


# --------------------------------------------------------------------------------------------------------------
# Arrays
# --------------------------------------------------------------------------------------------------------------


def test_array_with_negative_bounds() -> None:
    # ARRAY[-2..2] has 5 elements, indexed -2..2.
    sim = run(
        "a : ARRAY[-2..2] OF INT;\ni : INT;\nlow : INT;",
        "FOR i := -2 TO 2 DO\n a[i] := i * 10;\nEND_FOR;\nlow := a[-2];",
    )
    assert sim["P.a[-2]"] == -20
    assert sim["P.a[0]"] == 0
    assert sim["P.a[2]"] == 20
    assert sim["P.low"] == -20
    assert sim["P.a"] == [-20, -10, 0, 10, 20]


def test_array_with_non_zero_lower_bound() -> None:
    sim = run("a : ARRAY[10..12] OF DINT := [7, 8, 9];\nfirst, last : DINT;", "first := a[10];\nlast := a[12];")
    assert (sim["P.first"], sim["P.last"]) == (7, 9)
    assert sim["P.a[11]"] == 8


def test_multi_dimensional_array() -> None:
    # m[i, j] := i * 10 + j for i in 1..2, j in 1..3; m[2, 3] = 23, m[1, 2] = 12.
    sim = run(
        "m : ARRAY[1..2, 1..3] OF INT;\ni, j : INT;\nr : INT;",
        "FOR i := 1 TO 2 DO\n FOR j := 1 TO 3 DO\n  m[i, j] := i * 10 + j;\n END_FOR;\nEND_FOR;\nr := m[1, 2];",
    )
    assert sim["P.m[2, 3]"] == 23
    assert sim["P.m[1, 1]"] == 11
    assert sim["P.r"] == 12


def test_array_of_arrays() -> None:
    sim = run(
        "aa : ARRAY[1..2] OF ARRAY[0..2] OF INT;\nr : INT;", "aa[2][1] := 5;\naa[1][0] := 1;\nr := aa[2][1] + aa[1][0];"
    )
    assert sim["P.r"] == 6


def test_array_initialisers_with_repetition_and_defaults() -> None:
    # IEC 61131-3 2nd ed. (array initialisation): [1, 2, 3(7)] = 1, 2, 7, 7, 7; elements without an initial value get the type's
    # default (0).
    sim = run("a : ARRAY[1..5] OF INT := [1, 2, 3(7)];\nb : ARRAY[1..4] OF INT := [1, 2];", "")
    assert sim["P.a"] == [1, 2, 7, 7, 7]
    assert sim["P.b"] == [1, 2, 0, 0]


@pytest.mark.parametrize(
    ("index", "declaration"),
    [(3, "ARRAY[0..2] OF INT"), (-1, "ARRAY[0..2] OF INT"), (-3, "ARRAY[-2..2] OF INT"), (11, "ARRAY[1..10] OF INT")],
)
def test_reading_outside_the_bounds_is_a_scan_error_at_the_st_line(index: int, declaration: str) -> None:
    # IEC 61131-3: an index outside the declared subrange is an error. It must not wrap around like a Python
    # negative index (a[-1] of ARRAY[0..2] is not a[2]).
    text = program(f"a : {declaration};\ni : INT := {index};\nx : INT := 99;", "x := 1;\n  x := a[i];\nx := 2;")
    sim = Simulator.from_text(text, "arr.st", program="P")
    with pytest.raises(ScanError) as caught:
        sim.scan()
    assert caught.value.path == "arr.st"
    assert caught.value.line == line_of(text, "x := a[i];")
    assert sim["P.x"] == 1


def test_writing_outside_the_bounds_is_a_scan_error_and_changes_nothing() -> None:
    text = program("a : ARRAY[1..3] OF INT := [1, 2, 3];\ni : INT := 4;", "  a[i] := 9;")
    sim = Simulator.from_text(text, program="P")
    with pytest.raises(ScanError) as caught:
        sim.scan()
    assert caught.value.line == line_of(text, "a[i] := 9;")
    assert sim["P.a"] == [1, 2, 3]


def test_multi_dimensional_index_out_of_bounds_is_a_scan_error() -> None:
    # m[1, 4] with 1..2, 1..3: the second index is out; a flat layout must not silently map it to m[2, 1].
    text = program("m : ARRAY[1..2, 1..3] OF INT;\nj : INT := 4;\nx : INT;", "m[2, 1] := 5;\nx := m[1, j];")
    sim = Simulator.from_text(text, program="P")
    with pytest.raises(ScanError) as caught:
        sim.scan()
    assert caught.value.line == line_of(text, "x := m[1, j];")


def test_array_assignment_copies() -> None:
    # IEC: assignment of an array copies its elements; changing the copy leaves the original.
    sim = run("a : ARRAY[1..3] OF INT := [1, 2, 3];\nb : ARRAY[1..3] OF INT;", "b := a;\nb[1] := 99;")
    assert sim["P.a"] == [1, 2, 3]
    assert sim["P.b"] == [99, 2, 3]


def test_array_input_is_copied_and_in_out_is_shared() -> None:
    types = (
        "FUNCTION ByValue : INT\nVAR_INPUT\n v : ARRAY[1..3] OF INT;\nEND_VAR\nv[1] := 100;\nByValue := v[1];\nEND_FUNCTION\n"
        "FUNCTION ByRef : INT\nVAR_IN_OUT\n v : ARRAY[1..3] OF INT;\nEND_VAR\nv[1] := 100;\nByRef := v[1];\nEND_FUNCTION\n"
    )
    sim = run(
        "a : ARRAY[1..3] OF INT := [1, 2, 3];\nb : ARRAY[1..3] OF INT := [1, 2, 3];\nr1, r2 : INT;",
        "r1 := ByValue(a);\nr2 := ByRef(b);",
        types=types,
    )
    assert (sim["P.r1"], sim["P.r2"]) == (100, 100)
    assert sim["P.a"] == [1, 2, 3]
    assert sim["P.b"] == [100, 2, 3]


POINT = "TYPE Point : STRUCT\n x : INT;\n y : INT := 5;\nEND_STRUCT\nEND_TYPE\n"


def test_array_of_structures() -> None:
    sim = run("pts : ARRAY[1..3] OF Point;\ns : INT;", "pts[2].x := 4;\ns := pts[2].x + pts[3].y;", types=POINT)
    assert sim["P.pts[2].x"] == 4
    assert sim["P.pts[1].y"] == 5  # the type's initial value in every element
    assert sim["P.s"] == 9


def test_array_of_structures_assignment_copies_deeply() -> None:
    sim = run(
        "a : ARRAY[1..2] OF Point;\nb : ARRAY[1..2] OF Point;", "a[1].x := 1;\nb := a;\nb[1].x := 2;", types=POINT
    )
    assert sim["P.a[1].x"] == 1
    assert sim["P.b[1].x"] == 2


# --------------------------------------------------------------------------------------------------------------
# Structures
# --------------------------------------------------------------------------------------------------------------

NESTED = (
    "TYPE Inner : STRUCT\n v : INT := 3;\n s : STRING(8) := 'in';\nEND_STRUCT\nEND_TYPE\n"
    "TYPE Outer : STRUCT\n i : Inner;\n k : INT := 4;\n arr : ARRAY[1..2] OF Inner;\nEND_STRUCT\nEND_TYPE\n"
)


def test_nested_structure_initial_values_and_member_access() -> None:
    sim = run("o : Outer;\nr : INT;", "o.arr[2].v := o.arr[2].v + 10;\nr := o.i.v + o.k;", types=NESTED)
    assert sim["P.o.i.v"] == 3
    assert sim["P.o.i.s"] == "in"
    assert sim["P.o.k"] == 4
    assert sim["P.o.arr[2].v"] == 13
    assert sim["P.r"] == 7


def test_structure_literal_initialiser() -> None:
    # IEC 61131-3 2nd ed. (structure initialisation): '(x := 1, y := 2)'; members not named keep the type's initial value (y = 5).
    sim = run("p : Point := (x := 1, y := 2);\nq : Point := (x := 10);", "", types=POINT)
    assert (sim["P.p.x"], sim["P.p.y"]) == (1, 2)
    assert (sim["P.q.x"], sim["P.q.y"]) == (10, 5)


def test_nested_structure_literal_initialiser() -> None:
    sim = run("o : Outer := (i := (v := 30), k := 40);", "", types=NESTED)
    assert (sim["P.o.i.v"], sim["P.o.i.s"], sim["P.o.k"]) == (30, "in", 40)


def test_structure_assignment_copies() -> None:
    # Changing the copy, even a nested member, leaves the original.
    sim = run("a : Outer;\nb : Outer;", "a.i.v := 1;\nb := a;\nb.i.v := 2;\nb.k := 9;", types=NESTED)
    assert (sim["P.a.i.v"], sim["P.a.k"]) == (1, 4)
    assert (sim["P.b.i.v"], sim["P.b.k"]) == (2, 9)


def test_structure_member_assignment_copies_the_nested_structure() -> None:
    sim = run("a : Outer;\nx : Inner;", "x := a.i;\nx.v := 77;", types=NESTED)
    assert sim["P.a.i.v"] == 3
    assert sim["P.x.v"] == 77


def test_structure_passed_by_value_and_returned() -> None:
    # A VAR_INPUT structure is a copy: the function's change does not reach the caller; a function can return a
    # structure, which is copied into the target.
    types = POINT + (
        "FUNCTION Shift : Point\nVAR_INPUT\n p : Point;\n dx : INT;\nEND_VAR\np.x := p.x + dx;\nShift := p;\nEND_FUNCTION\n"
    )
    sim = run("a : Point := (x := 1, y := 2);\nb : Point;", "b := Shift(a, 10);", types=types)
    assert (sim["P.a.x"], sim["P.a.y"]) == (1, 2)
    assert (sim["P.b.x"], sim["P.b.y"]) == (11, 2)


def test_structure_output_of_a_function_block() -> None:
    types = (
        POINT + "FUNCTION_BLOCK FB_Pos\nVAR_OUTPUT\n pos : Point;\nEND_VAR\npos.x := pos.x + 1;\nEND_FUNCTION_BLOCK\n"
    )
    sim = run("f : FB_Pos;\ncopy : Point;", "f();\ncopy := f.pos;\ncopy.y := 0;", types=types, scans=2)
    assert (sim["P.f.pos.x"], sim["P.f.pos.y"]) == (2, 5)
    assert (sim["P.copy.x"], sim["P.copy.y"]) == (2, 0)


# --------------------------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------------------------


def test_constants_in_initial_values() -> None:
    types = "VAR_GLOBAL CONSTANT\n N : INT := 3;\nEND_VAR\n"
    sim = run("x : INT := N * 2;", "", types=types)
    assert sim["P.x"] == 6


def test_constants_in_array_bounds_and_initial_values() -> None:
    # N = 3: ARRAY[1..N] has 3 elements; x := N * 2 = 6 as an initial value expression.
    types = "VAR_GLOBAL CONSTANT\n N : INT := 3;\nEND_VAR\n"
    sim = run(
        "a : ARRAY[1..N] OF INT;\nx : INT := N * 2;\ni : INT;", "FOR i := 1 TO N DO\n a[i] := i;\nEND_FOR;", types=types
    )
    assert sim["P.a"] == [1, 2, 3]
    assert sim["P.x"] == 6


def test_writing_a_constant_does_not_load() -> None:
    # IEC 61131-3: a CONSTANT variable cannot be written.
    with pytest.raises(SimulationError):
        run("", "N := 4;", types="VAR_GLOBAL CONSTANT\n N : INT := 3;\nEND_VAR\n")


# --------------------------------------------------------------------------------------------------------------
# Enumerations
# --------------------------------------------------------------------------------------------------------------

# The CODESYS manual's example: "TYPE COLOR : (red := 1, yellow, green := 10, blue); END_TYPE" gives
# yellow = 2 and blue = 11 (a value without an explicit number is the previous one + 1).
COLOR = "TYPE COLOR : (red := 1, yellow, green := 10, blue);\nEND_TYPE\nTYPE E_Mode : (Idle, Run, Stop);\nEND_TYPE\n"


def test_enumeration_values() -> None:
    sim = run(
        "c1, c2, c3, c4 : COLOR;\nm : E_Mode := E_Mode.Stop;",
        "c1 := COLOR.red;\nc2 := COLOR.yellow;\nc3 := COLOR#green;\nc4 := blue;",
        types=COLOR,
    )
    assert [sim[f"P.c{i}"] for i in range(1, 5)] == [1, 2, 10, 11]
    assert sim["P.m"] == 2  # Idle, Run, Stop = 0, 1, 2


def test_enumeration_default_is_its_first_value() -> None:
    # IEC 61131-3 2nd ed. (enumerated data types): the default initial value of an enumerated type is the first
    # identifier of its list: red (1), not 0.
    sim = run("c : COLOR;\nm : E_Mode;", "", types=COLOR)
    assert sim["P.c"] == 1
    assert sim["P.m"] == 0


def test_case_on_an_enumeration() -> None:
    body = (
        "CASE m OF\n E_Mode.Idle: r := 1;\n E_Mode.Run, E_Mode.Stop: r := 2;\nEND_CASE;\n"
        "CASE c OF\n COLOR.yellow: s := 10;\n COLOR.blue: s := 20;\nELSE\n s := 30;\nEND_CASE;\n"
        "is_run := m = E_Mode.Run;"
    )
    sim = run("m : E_Mode := E_Mode.Run;\nc : COLOR := COLOR.blue;\nr, s : INT;\nis_run : BOOL;", body, types=COLOR)
    assert (sim["P.r"], sim["P.s"], sim["P.is_run"]) == (2, 20, True)
    sim["P.m"] = "E_Mode.Idle"
    sim["P.c"] = "COLOR.green"
    sim.scan()
    assert (sim["P.r"], sim["P.s"], sim["P.is_run"]) == (1, 30, False)


def test_enumeration_with_a_base_type() -> None:
    # CODESYS: 'TYPE E : (A := 16#10, B := 16#20) WORD;' stores the values in a WORD.
    types = "TYPE E_Flags : (FlagA := 16#10, FlagB := 16#20) WORD;\nEND_TYPE\n"
    sim = run("f : E_Flags := E_Flags.FlagB;\nsame : BOOL;", "same := f = E_Flags#FlagB;", types=types)
    assert sim["P.f"] == 0x20
    assert sim["P.same"] is True


# --------------------------------------------------------------------------------------------------------------
# Subranges
# --------------------------------------------------------------------------------------------------------------


def test_subrange_holds_values_inside_its_range() -> None:
    sim = run("x : INT(-5..5) := -5;\ny : INT(0..100);", "x := x + 10;\ny := 100;")
    assert (sim["P.x"], sim["P.y"]) == (5, 100)


def test_subrange_violation_is_an_error() -> None:
    # IEC 61131-3 2nd ed. 2.3.3.1: "It shall be an error if the value of a subrange type falls outside the
    # specified range" (CODESYS checks it with CheckRangeSigned). The simulator must not store 11 silently.
    text = program("x : INT(0..10) := 10;", "   x := x + 1;")
    sim = Simulator.from_text(text, program="P")
    with pytest.raises(ScanError) as caught:
        sim.scan()
    assert caught.value.line == line_of(text, "x := x + 1;")


def test_writing_a_subrange_from_outside_is_checked() -> None:
    sim = run("x : INT(0..10);", "")
    with pytest.raises(ValueError):
        sim["P.x"] = 11


def test_writing_outside_an_elementary_type_is_refused() -> None:
    sim = run("i : INT;\nu : USINT;\nb : BOOL;", "")
    with pytest.raises(ValueError):
        sim["P.i"] = 32768
    with pytest.raises(ValueError):
        sim["P.u"] = -1
    with pytest.raises(ValueError):
        sim["P.b"] = "yes"
    sim["P.i"] = -32768
    assert sim["P.i"] == -32768


def test_unknown_type_does_not_load() -> None:
    with pytest.raises(SimulationError):
        run("x : NoSuchType;", "")


def test_initial_values_declared_on_types_apply_to_variables_and_members() -> None:
    # IEC 61131-3 2.3.3.2: a derived type may declare an initial value; a variable of that type without its
    # own initial value starts with it (enumerations: "TYPE E : (...) := value").
    text = """
TYPE E_A : (Idle := 3, Run, Stop) := Run; END_TYPE
TYPE T_Speed : INT := 100; END_TYPE
TYPE T_Fast : T_Speed; END_TYPE
TYPE T_Arr : ARRAY[1..2] OF INT := [7, 8]; END_TYPE
TYPE ST_Drive : STRUCT eMode : E_A; nSpeed : T_Speed; END_STRUCT END_TYPE
PROGRAM P
VAR e : E_A; sp : T_Speed; f : T_Fast; a : T_Arr; own : T_Speed := 5; st : ST_Drive; END_VAR
END_PROGRAM
"""
    from plcops.sim.simulator import Simulator

    sim = Simulator.from_text(text, program="P")
    # Run follows Idle := 3, so it is 4; an alias of an alias keeps the default; the variable's own wins.
    assert (sim.raw("P.e"), sim["P.sp"], sim["P.f"], sim["P.a"], sim["P.own"]) == (4, 100, 100, [7, 8], 5)
    assert (sim.raw("P.st.eMode"), sim["P.st.nSpeed"]) == (4, 100)


def test_union_members_share_their_bytes() -> None:
    # A UNION's members start at the same address (IEC 61131-3 3rd ed. / CODESYS); on a little-endian PLC
    # DINT 16#0001_0002 is the bytes 02 00 01 00: WORD[0] = 2, WORD[1] = 1, BYTE = 2. The words 0 and
    # 16#3F80 are the bytes 00 00 80 3F: the REAL 1.0 (IEEE 754: 0x3F800000), the DINT 1065353216.
    text = """
TYPE U_Word : UNION
    i : DINT;
    w : ARRAY[0..1] OF WORD;
    b : BYTE;
    r : REAL;
END_UNION END_TYPE
PROGRAM P
VAR u, u2 : U_Word; w0, w1 : WORD; b : BYTE; r : REAL; i2 : DINT; END_VAR
u.i := 16#00010002;
w0 := u.w[0]; w1 := u.w[1]; b := u.b;
u2 := u;
u.w[1] := 16#3F80; u.w[0] := 0;
r := u.r;
i2 := u2.i;
END_PROGRAM
"""
    from plcops.sim.simulator import Simulator

    sim = Simulator.from_text(text, program="P")
    sim.scan()
    assert (sim["P.w0"], sim["P.w1"], sim["P.b"]) == (2, 1, 2)
    assert (sim["P.r"], sim["P.u.i"]) == (1.0, 0x3F800000)
    assert sim["P.i2"] == 0x00010002  # u2 := u copied the bytes; later writes to u do not reach it


def test_multi_dimensional_arrays_and_long_dates_read_as_written() -> None:
    # ARRAY[0..1, 5..7] initialised row by row: [[1, 2, 3], [4, 5, 6]]; the long date types keep their
    # literal prefixes (IEC 61131-3 3rd ed.: LDT#, LD#/LDATE#, LTOD#).
    from plcops.sim.simulator import Simulator

    sim = Simulator.from_text(
        "PROGRAM P\nVAR m : ARRAY[0..1, 5..7] OF INT := [1, 2, 3, 4, 5, 6]; ldt : LDT; lt : LTOD; END_VAR\nEND_PROGRAM\n",
        program="P",
    )
    assert sim["P.m"] == [[1, 2, 3], [4, 5, 6]]
    assert sim["P.m[1, 6]"] == 5
    assert (sim["P.ldt"], sim["P.lt"]) == ("LDT#1970-01-01-00:00:00", "LTOD#00:00:00")
