"""Semantics of numbers in the simulator: integer wraparound, division, REAL/LREAL precision, BOOL logic,
bit access, shifts and rotations, and a few conversions.

Every expected value is worked out by hand in the comment beside it, from IEC 61131-3 (2nd ed. 2003 and 3rd ed.
2013), the CODESYS / TwinCAT manuals, IEEE 754, or plain arithmetic; none is copied from the simulator's output.
The property tests compare the simulator against a reference model built in this file from Python's exact
integers and the standard's definitions (two's complement wraparound, division truncated toward zero).
"""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

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


# --------------------------------------------------------------------------------------------------------------
# Integer wraparound on store
# --------------------------------------------------------------------------------------------------------------

# (type, initial value, expression of v, expected value stored back into a variable of that type).
# Two's complement: a result outside the type's range is reduced modulo 2**bits into the range.
WRAP_CASES = [
    ("SINT", "127", "v + 1", -128),  # 128 - 256
    ("SINT", "-128", "v - 1", 127),  # -129 + 256
    ("SINT", "100", "v * 3", 44),  # 300 - 256
    ("INT", "32760", "v + 1000", -31776),  # 33760 - 65536 (the reference's matiec observation)
    ("INT", "200", "v * 200", -25536),  # 40000 - 65536
    ("INT", "-32768", "v - 1", 32767),  # -32769 + 65536
    ("DINT", "2147483647", "v + 1", -2147483648),  # 2**31 - 2**32
    ("DINT", "65536", "v * 65536", 0),  # 2**32 mod 2**32
    ("DINT", "-2147483648", "v - 1", 2147483647),
    ("LINT", "9223372036854775807", "v + 1", -9223372036854775808),  # 2**63 - 2**64
    ("LINT", "4294967296", "v * 4294967296", 0),  # 2**64 mod 2**64
    ("USINT", "255", "v + 1", 0),  # 256 mod 256
    ("USINT", "0", "v - 1", 255),  # -1 + 256
    ("USINT", "16", "v * 17", 16),  # 272 - 256
    ("UINT", "65535", "v + 1", 0),
    ("UINT", "0", "v - 1", 65535),
    ("UDINT", "4294967295", "v + 1", 0),
    ("UDINT", "0", "v - 1", 4294967295),
    ("UDINT", "65536", "v * 65537", 65536),  # 2**32 + 2**16 mod 2**32
    ("ULINT", "18446744073709551615", "v + 1", 0),
    ("ULINT", "0", "v - 1", 18446744073709551615),
    ("BYTE", "16#FF", "v + 1", 0),
    ("BYTE", "16#80", "v * 2", 0),  # 256 mod 256
    ("WORD", "16#FFFF", "v + 2", 1),  # 65537 mod 65536
    ("DWORD", "16#FFFFFFFF", "v + 1", 0),
    ("LWORD", "16#FFFFFFFFFFFFFFFF", "v + 1", 0),
    ("LWORD", "0", "v - 1", 2**64 - 1),
]


@pytest.mark.parametrize(("type_name", "initial", "expression", "expected"), WRAP_CASES, ids=lambda x: str(x))
def test_integer_result_wraps_into_the_type_on_store(
    type_name: str, initial: str, expression: str, expected: int
) -> None:
    sim = run(f"v : {type_name} := {initial};\nr : {type_name};", f"r := {expression};")
    assert sim["P.r"] == expected


def test_wraparound_accumulates_over_scans() -> None:
    # USINT counting 300 times from 0: 300 mod 256 = 44. INT from 32767 one more step: -32768.
    sim = run("u : USINT;\ni : INT := 32766;", "u := u + 1;\ni := i + 1;", scans=300)
    assert sim["P.u"] == 44
    # 32766 + 300 = 33066 -> 33066 - 65536 = -32470
    assert sim["P.i"] == -32470


def test_negation_of_the_minimum_wraps_to_the_minimum() -> None:
    # -(-2**(n-1)) = 2**(n-1), one past the maximum: wraps back to -2**(n-1).
    sim = run(
        "s : SINT := -128;\ni : INT := -32768;\nd : DINT := -2147483648;\nl : LINT := -9223372036854775808;\nk : INT := 5;",
        "s := -s;\ni := -i;\nd := -d;\nl := -l;\nk := -k;",
    )
    assert sim["P.s"] == -128
    assert sim["P.i"] == -32768
    assert sim["P.d"] == -2147483648
    assert sim["P.l"] == -9223372036854775808
    assert sim["P.k"] == -5


def test_passing_a_value_to_a_parameter_wraps_it_into_the_parameter_type() -> None:
    # s + 1 = 128 is computed exactly and wrapped when it is stored in the SINT input x: -128.
    functions = "FUNCTION Id : SINT\nVAR_INPUT\n x : SINT;\nEND_VAR\nId := x;\nEND_FUNCTION\n"
    sim = run("s : SINT := 127;\nr : SINT;", "r := Id(s + 1);", types=functions)
    assert sim["P.r"] == -128


def test_mixed_width_operands_are_widened() -> None:
    # IEC 61131-3 3rd ed. (implicit conversions): SINT -> INT -> DINT and USINT -> UINT/INT are implicit widenings.
    # s * i = -100 * 1000 = -100000 fits DINT; u + u = 400 fits INT (not wrapped at USINT's 255).
    sim = run(
        "s : SINT := -100;\ni : INT := 1000;\nd : DINT;\nu : USINT := 200;\nw : INT;\nl : LINT;\ndd : DINT := 2000000000;",
        "d := s * i;\nw := u + u;\nl := dd + dd;",
    )
    assert sim["P.d"] == -100000
    assert sim["P.w"] == 400
    # dd + dd = 4_000_000_000: fits LINT.  (Implementation-defined: intermediate results are exact in plcops,
    # see the compiler's docstring; a strict DINT-typed addition would wrap to -294967296 first.)
    assert sim["P.l"] == 4000000000


def test_intermediate_results_are_not_narrowed() -> None:
    # st-semantics.md "Implementation-defined": with INT a = 30000, (a + a) / 2 is 30000 in matiec's C and in
    # CODESYS (register-width intermediates); plcops documents exact intermediates, so 60000 / 2 = 30000.
    sim = run("a : INT := 30000;\nr : INT;", "r := (a + a) / 2;")
    assert sim["P.r"] == 30000


def test_integer_literal_forms() -> None:
    # IEC 61131-3 2nd ed. 2.2.1: based literals 2#, 8#, 16#; underscores between digits; typed literals.
    # 2#1010 = 10, 8#17 = 15, 16#FF = 255, 1_000 = 1000, INT#16#7FFF = 32767, 2#1111_0000 = 240.
    sim = run(
        "a, b, c, d, e, f : INT;",
        "a := 2#1010;\nb := 8#17;\nc := 16#FF;\nd := 1_000;\ne := INT#16#7FFF;\nf := 2#1111_0000;",
    )
    assert [sim[f"P.{n}"] for n in "abcdef"] == [10, 15, 255, 1000, 32767, 240]


def test_comparison_of_signed_and_unsigned_values_compares_the_numbers() -> None:
    # USINT 200 and SINT -1 both widen to INT (IEC implicit conversions): 200 > -1. A C-style comparison in
    # unsigned 8 bits would see -1 as 255 and give FALSE.
    sim = run("u : USINT := 200;\ns : SINT := -1;\ngt : BOOL;\neq : BOOL := TRUE;", "gt := u > s;\neq := u = s;")
    assert (sim["P.gt"], sim["P.eq"]) == (True, False)


# --------------------------------------------------------------------------------------------------------------
# Integer division and MOD
# --------------------------------------------------------------------------------------------------------------

# IEC 61131-3 table 24 (2nd ed.): integer "/" truncates toward zero, and MOD is IN1 - (IN1 / IN2) * IN2,
# so the remainder has the sign of the dividend.
DIVISION_CASES = [
    (7, 2, 3, 1),
    (7, -2, -3, 1),  # -3.5 -> -3; 7 - (-3 * -2) = 1
    (-7, 2, -3, -1),  # -7 - (-3 * 2) = -1
    (-7, -2, 3, -1),  # -7 - (3 * -2) = -1
    (1, 3, 0, 1),
    (-1, 3, 0, -1),
    (6, 3, 2, 0),
    (0, -5, 0, 0),
]


@pytest.mark.parametrize(("a", "b", "quotient", "remainder"), DIVISION_CASES)
def test_integer_division_truncates_toward_zero_and_mod_has_the_dividends_sign(
    a: int, b: int, quotient: int, remainder: int
) -> None:
    sim = run(
        f"a : DINT := {a};\nb : DINT := {b};\nq : DINT;\nm : DINT;\nq2 : INT;",
        "q := a / b;\nm := a MOD b;\nq2 := DINT_TO_INT(a) / DINT_TO_INT(b);",
    )
    assert sim["P.q"] == quotient
    assert sim["P.m"] == remainder
    assert sim["P.q2"] == quotient


def test_minimum_divided_by_minus_one_wraps() -> None:
    # -32768 / -1 = 32768, one past INT's maximum: wraps to -32768; -32768 MOD -1 = -32768 - (32768 * -1) = 0.
    sim = run("a : INT := -32768;\nb : INT := -1;\nq : INT;\nm : INT;", "q := a / b;\nm := a MOD b;")
    assert sim["P.q"] == -32768
    assert sim["P.m"] == 0


def test_unsigned_division_uses_the_unsigned_value() -> None:
    # UDINT 4294967295 / 2 = 2147483647 (an unsigned value, not -1 / 2 = 0); 4294967295 MOD 10 = 5.
    sim = run("a : UDINT := 4294967295;\nq : UDINT;\nm : UDINT;", "q := a / 2;\nm := a MOD 10;")
    assert sim["P.q"] == 2147483647
    assert sim["P.m"] == 5


def test_integer_division_by_zero_is_a_scan_error_at_the_st_line() -> None:
    # z: 2 -> 1 on the first scan (t = 0) -> 0 on the second (t = 10 ms): that scan stops at the division,
    # after 'before' was written (2) and before 'after' is (it stays 1).
    text = program(
        "a : INT := 7;\nz : INT := 2;\nr : INT;\nbefore : INT;\nafter : INT;",
        "z := z - 1;\nbefore := before + 1;\n    r := a / z;\nafter := after + 1;",
    )
    sim = Simulator.from_text(text, "div.st", program="P")
    sim.scan(1)  # z = 1
    with pytest.raises(ScanError) as caught:
        sim.scan(5)
    error = caught.value
    assert error.path == "div.st"
    assert error.line == line_of(text, "r := a / z;")
    assert "division by zero" in error.message
    assert error.time_ns == 10_000_000  # the failing scan's start time
    assert sim["P.before"] == 2
    assert sim["P.after"] == 1


def test_division_by_zero_inside_a_function_points_at_the_functions_line() -> None:
    functions = "FUNCTION Ratio : DINT\nVAR_INPUT\n a : DINT;\n b : DINT;\nEND_VAR\nRatio := a / b;\nEND_FUNCTION\n"
    text = program("r : DINT;", "r := Ratio(10, 0);", types=functions)
    sim = Simulator.from_text(text, program="P")
    with pytest.raises(ScanError) as caught:
        sim.scan()
    assert caught.value.line == line_of(text, "Ratio := a / b;")


def test_mod_by_zero_is_zero_as_the_standard_defines_it() -> None:
    sim = run("a : INT := 7;\nz : INT := 0;\nm : INT := 5;", "m := a MOD z;")
    assert sim["P.m"] == 0


# --------------------------------------------------------------------------------------------------------------
# REAL (IEEE single) and LREAL (IEEE double)
# --------------------------------------------------------------------------------------------------------------

# 0.1 rounded to single precision: 0.1 * 2**27 = 13421772.8 -> 13421773 (24 significant bits), so 13421773 / 2**27.
REAL_0_1 = 13421773 / 2**27  # 0.100000001490116119384765625


def test_real_addition_rounds_to_single_precision() -> None:
    # 2**24 + 1 needs 25 significant bits: in single precision it is a tie between 2**24 and 2**24 + 2, and
    # round-half-even keeps 2**24. In double precision it is exact.
    sim = run("r : REAL := 16777216.0;\nl : LREAL := 16777216.0;", "r := r + 1.0;\nl := l + 1.0;")
    assert sim["P.r"] == 16777216.0
    assert sim["P.l"] == 16777217.0


def test_every_real_operation_is_rounded_not_only_the_store() -> None:
    # (2**24 + 1.0) rounds to 2**24, and again + 1.0 rounds to 2**24: 16777216. Evaluating the expression in
    # double and rounding only on store would give 2**24 + 2 = 16777218 (representable in single).
    sim = run("a : REAL := 16777216.0;\nr : REAL;", "r := a + 1.0 + 1.0;")
    assert sim["P.r"] == 16777216.0


def test_real_multiplication_rounds_half_to_even() -> None:
    # 4097 * 4097 = 16785409, odd and between 2**24 and 2**25 where singles are 2 apart: a tie between
    # 16785408 (mantissa 8392704, even) and 16785410 (mantissa 8392705, odd): 16785408. LREAL is exact.
    sim = run("a : REAL := 4097.0;\nr : REAL;\nb : LREAL := 4097.0;\nl : LREAL;", "r := a * a;\nl := b * b;")
    assert sim["P.r"] == 16785408.0
    assert sim["P.l"] == 16785409.0


def test_real_division_rounds_to_single_precision() -> None:
    # 1/3 in [0.25, 0.5): spacing 2**-25; 2**25 / 3 = 11184810.67 -> 11184811, so 11184811 / 2**25.
    sim = run("a : REAL := 1.0;\nb : REAL := 3.0;\nr : REAL;\nl : LREAL;", "r := a / b;\nl := 1.0 / 3.0;")
    assert sim["P.r"] == 11184811 / 2**25
    assert sim["P.l"] == 1 / 3  # Python's float is IEEE double


def test_real_literal_0_1_is_stored_in_single_precision() -> None:
    sim = run("r : REAL;\nl : LREAL;\nw : LREAL;", "r := 0.1;\nl := 0.1;\nw := r;")
    assert sim["P.r"] == REAL_0_1
    assert sim["P.l"] == 0.1
    # Widening REAL to LREAL keeps the single value: 0.100000001490116..., not 0.1.
    assert sim["P.w"] == REAL_0_1


def test_real_sum_of_tenths_equals_three_tenths_but_lreal_does_not() -> None:
    # Single: 0.1f + 0.2f = (13421773 + 26843546) / 2**27 = 40265319 / 2**27; in [0.25, 0.5) the spacing is
    # 2**-25, 40265319 / 4 = 10066329.75 -> 10066330 / 2**25; and 0.3f: 0.3 * 2**25 = 10066329.6 -> 10066330.
    # Equal. Double: 0.1 + 0.2 = 0.30000000000000004 <> 0.3.
    sim = run(
        "a : REAL := 0.1;\nb : REAL := 0.2;\nc : REAL := 0.3;\nla : LREAL := 0.1;\nlb : LREAL := 0.2;\nlc : LREAL := 0.3;\n"
        "real_equal : BOOL;\nlreal_equal : BOOL := TRUE;",
        "real_equal := (a + b) = c;\nlreal_equal := (la + lb) = lc;",
    )
    assert sim["P.real_equal"] is True
    assert sim["P.lreal_equal"] is False


def test_real_compared_with_lreal_widens_the_real() -> None:
    # IEC 61131-3 3rd ed. (implicit conversions): REAL -> LREAL is the implicit conversion; REAL 0.1 widens to
    # 0.100000001490116..., which is greater than LREAL 0.1 (0.1000000000000000055...).
    sim = run(
        "r : REAL := 0.1;\nl : LREAL := 0.1;\neq : BOOL := TRUE;\ngt : BOOL;\nne : BOOL;",
        "eq := r = l;\ngt := r > l;\nne := r <> l;",
    )
    assert sim["P.eq"] is False
    assert sim["P.gt"] is True
    assert sim["P.ne"] is True


def test_real_compared_with_a_real_typed_literal() -> None:
    # REAL#0.1 is the single 0.1, the same value as r.
    sim = run("r : REAL := 0.1;\neq : BOOL;\nlt : BOOL := TRUE;", "eq := r = REAL#0.1;\nlt := r < REAL#0.1;")
    assert sim["P.eq"] is True
    assert sim["P.lt"] is False


def test_real_comparisons() -> None:
    sim = run(
        "a : REAL := -1.5;\nb : REAL := 2.25;\nlt : BOOL;\nle : BOOL;\ngt : BOOL := TRUE;\nge : BOOL := TRUE;\nsame : BOOL;",
        "lt := a < b;\nle := b <= b;\ngt := a > b;\nge := a >= b;\nsame := a = -1.5;",
    )
    assert (sim["P.lt"], sim["P.le"], sim["P.gt"], sim["P.ge"], sim["P.same"]) == (True, True, False, False, True)


def single(x: float) -> float:
    """``x`` rounded to IEEE single precision (C's double-to-float cast: round to nearest, ties to even)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def test_real_sum_of_ten_tenths_is_not_one() -> None:
    # Adding REAL 0.1 ten times, rounding to single after every addition (the sum of two singles is exact in
    # double, so double addition then rounding is the correctly rounded single addition): the classic
    # 1.00000011920928955078125, not 1.0. The LREAL sum is the double 0.9999999999999999.
    expected_real = 0.0
    expected_lreal = 0.0
    for _ in range(10):
        expected_real = single(expected_real + single(0.1))
        expected_lreal += 0.1
    assert expected_real == 1 + 2**-23  # the hand result: one unit in the last place above 1
    sim = run("r : REAL;\nl : LREAL;\ntenth : REAL := 0.1;", "r := r + tenth;\nl := l + 0.1;", scans=10)
    assert sim["P.r"] == expected_real
    assert sim["P.l"] == expected_lreal == 0.9999999999999999


def test_real_compared_with_an_untyped_literal_uses_the_literal_as_real() -> None:
    # IEC 61131-3 3rd ed.: an untyped real literal takes the type the context needs; compared with a REAL it is
    # the REAL 0.1, so r = 0.1 is TRUE and r > 0.1 FALSE (st-semantics.md: matiec evaluates the literal as LREAL,
    # making r > 0.1 TRUE, which is one of the implementation-defined choices; the standard's reading is tested).
    sim = run("r : REAL := 0.1;\neq : BOOL;\ngt : BOOL := TRUE;", "eq := r = 0.1;\ngt := r > 0.1;")
    assert (sim["P.eq"], sim["P.gt"]) == (True, False)


def test_integer_converted_to_real_rounds_to_single() -> None:
    # 16777217 = 2**24 + 1: a tie between 2**24 and 2**24 + 2, half-even keeps 16777216. To LREAL it is exact.
    sim = run("d : DINT := 16777217;\nr : REAL;\nl : LREAL;", "r := DINT_TO_REAL(d);\nl := DINT_TO_LREAL(d);")
    assert sim["P.r"] == 16777216.0
    assert sim["P.l"] == 16777217.0


def test_real_division_by_zero_follows_ieee_754() -> None:
    # IEC 61131-3 leaves a REAL division by zero to the implementation (an error); IEEE 754, the floating point
    # unit's default and what CODESYS on x86 gives without FPU exceptions enabled, returns +-inf and NaN for 0/0.
    # plcops chooses IEEE (rt._fdiv's docstring): no runtime error, the values below.
    sim = run(
        "one : REAL := 1.0;\nzero : REAL := 0.0;\nneg : REAL := -1.0;\np : REAL;\nn : REAL;\nq : REAL;\n"
        "lone : LREAL := 1.0;\nlzero : LREAL := 0.0;\nlp : LREAL;\nlq : LREAL;",
        "p := one / zero;\nn := neg / zero;\nq := zero / zero;\nlp := lone / lzero;\nlq := lzero / lzero;",
    )
    assert sim["P.p"] == math.inf
    assert sim["P.n"] == -math.inf
    assert math.isnan(sim["P.q"])
    assert sim["P.lp"] == math.inf
    assert math.isnan(sim["P.lq"])


def test_real_overflow_is_infinite_in_single_but_finite_in_double() -> None:
    # 3e38 * 10 = 3e39 > the largest single (about 3.4028e38): +inf in REAL (IEEE overflow), finite in LREAL.
    sim = run("a : REAL := 3.0E38;\nr : REAL;\nb : LREAL := 3.0E38;\nl : LREAL;", "r := a * 10.0;\nl := b * 10.0;")
    assert sim["P.r"] == math.inf
    assert sim["P.l"] == pytest.approx(3.0e39)


# --------------------------------------------------------------------------------------------------------------
# BOOL logic
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [(False, False), (False, True), (True, False), (True, True)])
def test_boolean_operators_truth_table(a: bool, b: bool) -> None:
    sim = run(
        f"a : BOOL := {str(a).upper()};\nb : BOOL := {str(b).upper()};\nr_and, r_amp, r_or, r_xor, r_not, r_and_then, r_or_else : BOOL;",
        "r_and := a AND b;\nr_amp := a & b;\nr_or := a OR b;\nr_xor := a XOR b;\nr_not := NOT a;\n"
        "r_and_then := a AND_THEN b;\nr_or_else := a OR_ELSE b;",
    )
    assert sim["P.r_and"] is (a and b)
    assert sim["P.r_amp"] is (a and b)
    assert sim["P.r_or"] is (a or b)
    assert sim["P.r_xor"] is (a != b)
    assert sim["P.r_not"] is (not a)
    assert sim["P.r_and_then"] is (a and b)
    assert sim["P.r_or_else"] is (a or b)


def test_boolean_operator_precedence() -> None:
    # IEC 61131-3 (precedence table of the ST operators): NOT binds tighter than AND, AND tighter than XOR, XOR tighter than OR.
    # NOT FALSE AND FALSE = (NOT FALSE) AND FALSE = FALSE (not NOT(FALSE AND FALSE) = TRUE);
    # TRUE OR FALSE AND FALSE = TRUE OR (FALSE AND FALSE) = TRUE;
    # TRUE XOR TRUE OR TRUE = (TRUE XOR TRUE) OR TRUE = TRUE (not TRUE XOR (TRUE OR TRUE) = FALSE);
    # TRUE XOR TRUE AND FALSE = TRUE XOR (TRUE AND FALSE) = TRUE.
    sim = run(
        "t : BOOL := TRUE;\nf : BOOL;\nr1 : BOOL := TRUE;\nr2, r3, r4 : BOOL;",
        "r1 := NOT f AND f;\nr2 := t OR f AND f;\nr3 := t XOR t OR t;\nr4 := t XOR t AND f;",
    )
    assert (sim["P.r1"], sim["P.r2"], sim["P.r3"], sim["P.r4"]) == (False, True, True, True)


def test_arithmetic_precedence_and_comparison() -> None:
    # 2 + 3 * 4 = 14; (2 + 3) * 4 = 20; 10 - 4 - 3 = 3 (left to right); 20 / 4 / 5 = 1; 2 + 3 = 5 AND 1 < 2.
    sim = run(
        "a, b, c, d : INT;\ne : BOOL;",
        "a := 2 + 3 * 4;\nb := (2 + 3) * 4;\nc := 10 - 4 - 3;\nd := 20 / 4 / 5;\ne := 2 + 3 = 5 AND 1 < 2;",
    )
    assert (sim["P.a"], sim["P.b"], sim["P.c"], sim["P.d"], sim["P.e"]) == (14, 20, 3, 1, True)


SIDE_EFFECT = """
VAR_GLOBAL
    calls : INT;
END_VAR
FUNCTION Touch : BOOL
VAR_INPUT
    result : BOOL;
END_VAR
calls := calls + 1;
Touch := result;
END_FUNCTION
"""


def test_and_then_and_or_else_short_circuit() -> None:
    # AND_THEN (IEC 61131-3 3rd ed. and CODESYS) does not evaluate its right operand when the left one
    # is FALSE; OR_ELSE skips it when the left one is TRUE.
    sim = run(
        "r1 : BOOL := TRUE;\nr2 : BOOL;\nafter_skip : INT := -1;\nr3 : BOOL;\nr4 : BOOL;",
        "r1 := FALSE AND_THEN Touch(TRUE);\nr2 := TRUE OR_ELSE Touch(FALSE);\nafter_skip := calls;\n"
        "r3 := TRUE AND_THEN Touch(TRUE);\nr4 := FALSE OR_ELSE Touch(TRUE);",
        types=SIDE_EFFECT,
    )
    assert sim["P.r1"] is False
    assert sim["P.r2"] is True
    assert sim["P.after_skip"] == 0
    assert sim["P.r3"] is True
    assert sim["P.r4"] is True
    assert sim["calls"] == 2


# --------------------------------------------------------------------------------------------------------------
# Bit access, bit strings, shifts and rotations
# --------------------------------------------------------------------------------------------------------------


def test_bit_access_reads_single_bits() -> None:
    # 16#A5 = 1010_0101: bits 0, 2, 5, 7 set; bits 1, 3, 4, 6 clear. DWORD 16#8000_0000: bit 31 set.
    sim = run(
        "b : BYTE := 16#A5;\nd : DWORD := 16#80000000;\nx0, x1, x2, x5, x6, x7, d31, d30 : BOOL;",
        "x0 := b.0;\nx1 := b.1;\nx2 := b.2;\nx5 := b.5;\nx6 := b.6;\nx7 := b.7;\nd31 := d.31;\nd30 := d.30;",
    )
    assert [sim[f"P.x{i}"] for i in (0, 1, 2, 5, 6, 7)] == [True, False, True, True, False, True]
    assert sim["P.d31"] is True
    assert sim["P.d30"] is False


def test_bit_access_writes_single_bits() -> None:
    # w := 0; w.3 := TRUE -> 8; w.15 := TRUE -> 16#8008 = 32776. b := 16#A5; b.7 := FALSE -> 16#25 = 37;
    # b.1 := TRUE -> 16#27 = 39.
    sim = run(
        "w : WORD;\nb : BYTE := 16#A5;",
        "w.3 := TRUE;\nw.15 := TRUE;\nb.7 := FALSE;\nb.1 := TRUE;",
    )
    assert sim["P.w"] == 0x8008
    assert sim["P.b"] == 0x27


def test_bit_access_on_a_struct_member_and_array_element() -> None:
    types = "TYPE S : STRUCT\n flags : WORD;\nEND_STRUCT\nEND_TYPE\n"
    sim = run(
        "s : S;\na : ARRAY[0..1] OF BYTE;\nx : BOOL;",
        "s.flags.4 := TRUE;\na[1].0 := TRUE;\nx := s.flags.4;",
        types=types,
    )
    assert sim["P.s.flags"] == 16
    assert sim["P.a[1]"] == 1
    assert sim["P.x"] is True


# (function, type, operand, shift count, expected). IEC 61131-3 table 25: SHL/SHR fill with zeros, bits shifted
# out are lost; ROL/ROR rotate circularly within the operand's width.
SHIFT_CASES = [
    ("SHL", "BYTE", "16#81", 1, 0x02),  # 1000_0001 -> 0000_0010 (the top bit falls out)
    ("SHR", "BYTE", "16#81", 1, 0x40),  # 1000_0001 -> 0100_0000
    ("ROL", "BYTE", "16#81", 1, 0x03),  # 1000_0001 -> 0000_0011
    ("ROR", "BYTE", "16#81", 1, 0xC0),  # 1000_0001 -> 1100_0000
    ("ROL", "BYTE", "16#81", 9, 0x03),  # rotating 9 times one position = rotating once
    ("SHL", "BYTE", "16#FF", 8, 0x00),  # everything shifted out
    ("SHL", "WORD", "16#FFFF", 4, 0xFFF0),
    ("SHR", "WORD", "16#8000", 15, 0x0001),
    ("ROL", "WORD", "16#8001", 4, 0x0018),  # 1000_..._0001 -> 0000_0000_0001_1000
    ("ROR", "WORD", "16#8001", 4, 0x1800),  # the low nibble 0001 moves to the top: 0001_1000_0000_0000
    ("ROL", "DWORD", "16#80000000", 1, 0x00000001),
    ("SHR", "DWORD", "16#80000000", 31, 0x00000001),
]


@pytest.mark.parametrize(("function", "type_name", "operand", "count", "expected"), SHIFT_CASES, ids=lambda x: str(x))
def test_shifts_and_rotations(function: str, type_name: str, operand: str, count: int, expected: int) -> None:
    sim = run(f"v : {type_name} := {operand};\nr : {type_name};", f"r := {function}(v, {count});")
    assert sim["P.r"] == expected


def test_shift_of_a_typed_literal() -> None:
    # SHL(BYTE#16#81, 1): the literal's type fixes the width to 8 bits: 16#02.
    sim = run("r : BYTE;", "r := SHL(BYTE#16#81, 1);")
    assert sim["P.r"] == 0x02


def test_bitwise_not_and_logic_on_bit_strings() -> None:
    # NOT complements within the width: NOT 16#0F (BYTE) = 16#F0; NOT 0 (BYTE) = 16#FF; NOT 0 (WORD) = 16#FFFF.
    # 16#F0F0 AND 16#FF00 = 16#F000; OR = 16#FFF0; XOR = 16#0FF0.
    sim = run(
        "b : BYTE := 16#0F;\nz : BYTE;\nw0 : WORD;\nw1 : WORD := 16#F0F0;\nw2 : WORD := 16#FF00;\n"
        "nb, nz : BYTE;\nnw, wand, wor, wxor : WORD;\nlit : BYTE;",
        "nb := NOT b;\nnz := NOT z;\nnw := NOT w0;\nwand := w1 AND w2;\nwor := w1 OR w2;\nwxor := w1 XOR w2;\n"
        "lit := NOT BYTE#16#0F;",
    )
    assert sim["P.nb"] == 0xF0
    assert sim["P.nz"] == 0xFF
    assert sim["P.nw"] == 0xFFFF
    assert sim["P.wand"] == 0xF000
    assert sim["P.wor"] == 0xFFF0
    assert sim["P.wxor"] == 0x0FF0
    assert sim["P.lit"] == 0xF0


# --------------------------------------------------------------------------------------------------------------
# Conversions (a few: the library has its own tests)
# --------------------------------------------------------------------------------------------------------------


def test_narrowing_integer_conversion_keeps_the_low_bits() -> None:
    # CODESYS manual, integer conversions: "si := INT_TO_SINT(4223); (* Result: 127 *)": 4223 = 16#107F, low
    # byte 16#7F. DINT_TO_INT(70000): 70000 - 65536 = 4464. INT_TO_UINT(-1) = 65535. DINT_TO_USINT(-1) = 255.
    sim = run(
        "si : SINT;\ni : INT;\nu : UINT;\nus : USINT;\nneg : INT := -1;",
        "si := INT_TO_SINT(4223);\ni := DINT_TO_INT(70000);\nu := INT_TO_UINT(neg);\nus := DINT_TO_USINT(-1);",
    )
    assert (sim["P.si"], sim["P.i"], sim["P.u"], sim["P.us"]) == (127, 4464, 65535, 255)


def test_real_to_integer_rounds_and_trunc_truncates() -> None:
    # IEC 61131-3 (2nd ed. table 22, 3rd ed.): REAL_TO_INT rounds to the nearest integer (2.7 -> 3, -2.7 -> -3, 1.4 -> 1);
    # TRUNC cuts toward zero (-2.7 -> -2, 2.7 -> 2).
    sim = run(
        "p : REAL := 2.7;\nn : REAL := -2.7;\ns : REAL := 1.4;\nr1, r2, r3 : INT;\nt1, t2 : DINT;",
        "r1 := REAL_TO_INT(p);\nr2 := REAL_TO_INT(n);\nr3 := REAL_TO_INT(s);\nt1 := TRUNC(n);\nt2 := TRUNC(p);",
    )
    assert (sim["P.r1"], sim["P.r2"], sim["P.r3"]) == (3, -3, 1)
    assert (sim["P.t1"], sim["P.t2"]) == (-2, 2)


def test_bool_and_generic_conversions() -> None:
    # BOOL_TO_INT(TRUE) = 1; INT_TO_BOOL(5) = TRUE (non-zero); TO_DINT(INT#-5) = -5; TO_LREAL(i) = 3.0 for the
    # INT 3; INT_TO_STRING(-42) = '-42'; STRING_TO_INT('123') = 123.
    sim = run(
        "a : INT;\nb : BOOL;\nc : DINT;\nd : LREAL;\ns : STRING;\nn : INT;\nfive : INT := 5;\nthree : INT := 3;",
        "a := BOOL_TO_INT(TRUE);\nb := INT_TO_BOOL(five);\nc := TO_DINT(INT#-5);\nd := TO_LREAL(three);\n"
        "s := INT_TO_STRING(-42);\nn := STRING_TO_INT('123');",
    )
    assert (sim["P.a"], sim["P.b"], sim["P.c"], sim["P.d"], sim["P.s"], sim["P.n"]) == (1, True, -5, 3.0, "-42", 123)


def test_generic_conversion_of_an_untyped_literal() -> None:
    sim = run("d : REAL;\nk : DINT;", "d := TO_REAL(3);\nk := TO_DINT(7);")
    assert sim["P.d"] == 3.0
    assert sim["P.k"] == 7


# --------------------------------------------------------------------------------------------------------------
# Property tests against an exact reference model
# --------------------------------------------------------------------------------------------------------------

# name -> (bits, signed): written out here as the reference model, not taken from plcops.
INTEGER_TYPES = {
    "SINT": (8, True),
    "INT": (16, True),
    "DINT": (32, True),
    "LINT": (64, True),
    "USINT": (8, False),
    "UINT": (16, False),
    "UDINT": (32, False),
    "ULINT": (64, False),
}


def reference_wrap(value: int, type_name: str) -> int:
    """Two's complement reduction of an exact integer into ``type_name``'s range."""
    bits, signed = INTEGER_TYPES[type_name]
    value &= (1 << bits) - 1
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def reference_div(a: int, b: int) -> int:
    """IEC integer division: the exact quotient truncated toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def bounds(type_name: str) -> tuple[int, int]:
    bits, signed = INTEGER_TYPES[type_name]
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


@st.composite
def operands(draw: st.DrawFn, type_names: tuple[str, ...]) -> tuple[str, int, int]:
    type_name = draw(st.sampled_from(type_names))
    low, high = bounds(type_name)
    # Mix uniformly drawn values with the edges, where wraparound happens.
    value = st.one_of(
        st.integers(low, high), st.sampled_from([low, low + 1, -1 if low else 1, 0, 1, 2, high - 1, high])
    )
    return type_name, draw(value), draw(value)


def check_against_reference(type_name: str, a: int, b: int) -> None:
    text = program(
        f"a : {type_name} := {a};\nb : {type_name} := {b};\nr_add, r_sub, r_mul, r_div, r_mod : {type_name};",
        "r_add := a + b;\nr_sub := a - b;\nr_mul := a * b;\nr_div := a / b;\nr_mod := a MOD b;",
    )
    sim = Simulator.from_text(text, program="P")
    sim.scan()
    quotient = reference_div(a, b)
    assert sim["P.r_add"] == reference_wrap(a + b, type_name)
    assert sim["P.r_sub"] == reference_wrap(a - b, type_name)
    assert sim["P.r_mul"] == reference_wrap(a * b, type_name)
    assert sim["P.r_div"] == reference_wrap(quotient, type_name)
    # IEC: IN1 MOD IN2 = IN1 - (IN1 / IN2) * IN2, computed exactly and then wrapped.
    assert sim["P.r_mod"] == reference_wrap(a - quotient * b, type_name)


@settings(max_examples=60, deadline=None)
@given(operands(("INT", "DINT", "UDINT")))
def test_integer_operations_match_the_reference_model(case: tuple[str, int, int]) -> None:
    type_name, a, b = case
    assume(b != 0)
    check_against_reference(type_name, a, b)


@settings(max_examples=30, deadline=None)
@given(operands(("SINT", "USINT", "UINT", "LINT", "ULINT")))
def test_other_integer_types_match_the_reference_model(case: tuple[str, int, int]) -> None:
    type_name, a, b = case
    assume(b != 0)
    check_against_reference(type_name, a, b)


def real_literal(x: float) -> str:
    """An IEC REAL literal for ``x`` (digits '.' digits [E exponent]) that reads back as exactly ``x``."""
    text = repr(x)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}E{exponent}"
    return text if "." in text else f"{text}.0"


def reference_single(x: float) -> float:
    """IEEE single rounding of a double; +-inf when it rounds beyond the largest single."""
    try:
        return single(x)
    except OverflowError:
        return math.copysign(math.inf, x)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(width=32, allow_nan=False, allow_infinity=False),
    st.floats(width=32, allow_nan=False, allow_infinity=False),
)
def test_real_operations_match_single_precision_rounding(a: float, b: float) -> None:
    # Reference: for +, -, *, / of two singles, computing in double and rounding once to single gives the
    # correctly rounded single result (double has more than 2 * 24 + 2 bits, so the double rounding is harmless).
    assume(b != 0.0)
    text = program(
        f"a : REAL := {real_literal(a)};\nb : REAL := {real_literal(b)};\nr_add, r_sub, r_mul, r_div : REAL;",
        "r_add := a + b;\nr_sub := a - b;\nr_mul := a * b;\nr_div := a / b;",
    )
    sim = Simulator.from_text(text, program="P")
    sim.scan()
    assert sim["P.a"] == a
    assert sim["P.r_add"] == reference_single(a + b)
    assert sim["P.r_sub"] == reference_single(a - b)
    assert sim["P.r_mul"] == reference_single(a * b)
    assert sim["P.r_div"] == reference_single(a / b)


@pytest.mark.parametrize("type_name", sorted(INTEGER_TYPES))
def test_reference_model_sanity(type_name: str) -> None:
    # The reference model itself, on the brief's examples: INT 32760 + 1000 = -31776, USINT 255 + 1 = 0.
    assert reference_wrap(32760 + 1000, "INT") == -31776
    assert reference_wrap(255 + 1, "USINT") == 0
    assert reference_div(7, -2) == -3
    low, high = bounds(type_name)
    assert reference_wrap(high + 1, type_name) == low


def test_compile_errors_are_simulation_errors() -> None:
    # A type error (assigning a STRING to an INT) is not a runtime error: the project does not load.
    with pytest.raises(SimulationError) as caught:
        run("i : INT;", "i := 'text';")
    assert caught.value.diagnostics


# --------------------------------------------------------------------------------------------------------------
# Intermediate results of 32- and 64-bit operations, and bit writes into signed integers
# --------------------------------------------------------------------------------------------------------------

# A 32-bit register (and matiec's C, int32_t/uint32_t with wraparound) computes DINT and UDINT operations
# in 32 bits, so the intermediate wraps before it is compared, divided or converted; every value by hand.
INTERMEDIATE_CASES = [
    # (d + d) / 2, d = 2e9: 4e9 - 2**32 = -294967296, / 2 = -147483648
    ("d : DINT := 2000000000; r : DINT;", "r := (d + d) / 2;", "r", -147483648),
    # 2**31 - 1 + 1 wraps to -2**31, which is not > 2**31 - 1
    ("d : DINT := 2147483647; r : BOOL;", "r := d + 1 > d;", "r", False),
    # UDINT 0 - 1 is 2**32 - 1, never negative
    ("u : UDINT := 0; r : BOOL;", "r := u - 1 < 0;", "r", False),
    # 2e9 * 2e9 = 4e18; mod 2**32 = 4e18 - 931322574 * 2**32 = 2643460096 -> - 2**32 = -1651507200
    ("d : DINT := 2000000000; r : LREAL;", "r := d * d;", "r", -1651507200.0),
    # LINT: (2**62 + 2**62) / 2 wraps to -2**63 / 2 = -2**62
    ("l : LINT := 4611686018427387904; r : LINT;", "r := (l + l) / 2;", "r", -4611686018427387904),
    # ULINT 0 - 1 MOD 10: 2**64 - 1 = 18446744073709551615, MOD 10 = 5
    ("u : ULINT := 0; r : ULINT;", "r := (u - 1) MOD 10;", "r", 5),
    # 16-bit operands are computed in 32 bits (C's promotion): (30000 + 30000) / 2 = 30000, not -1384
    ("a : INT := 30000; r : INT;", "r := (a + a) / 2;", "r", 30000),
    # UINT 0 - 1 promoted to a signed 32-bit int is -1 < 0 (C: (int)0 - 1)
    ("u : UINT := 0; r : BOOL;", "r := u - 1 < 0;", "r", True),
]


@pytest.mark.parametrize(
    ("decls", "body", "name", "expected"), INTERMEDIATE_CASES, ids=[c[1] for c in INTERMEDIATE_CASES]
)
def test_intermediate_results_wrap_in_their_register_width(decls: str, body: str, name: str, expected: object) -> None:
    assert run(decls, body)[f"P.{name}"] == expected


# Two's complement: bit 15 of an INT is its sign bit (-32768), bit 7 of a SINT its sign bit (-128).
BIT_WRITE_CASES = [
    ("i : INT;", "i.15 := TRUE;", "i", -32768),
    ("i : INT := -1;", "i.15 := FALSE;", "i", 32767),  # 16#FFFF without bit 15 = 16#7FFF
    ("s : SINT;", "s.7 := TRUE;", "s", -128),
    ("d : DINT;", "d.31 := TRUE;", "d", -2147483648),
    ("w : WORD;", "w.15 := TRUE;", "w", 32768),  # unsigned: 16#8000
    ("i : INT; n : BOOL;", "i.15 := TRUE; n := i < 0;", "n", True),
]


@pytest.mark.parametrize(("decls", "body", "name", "expected"), BIT_WRITE_CASES, ids=[c[1] for c in BIT_WRITE_CASES])
def test_writing_the_sign_bit_stores_a_value_in_range(decls: str, body: str, name: str, expected: int) -> None:
    assert run(decls, body)[f"P.{name}"] == expected
