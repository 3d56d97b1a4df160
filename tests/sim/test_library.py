"""The simulator's standard-function library against the standard and the vendor manuals.

Every expected value is worked out by hand (the arithmetic is in the comment) or quoted from the source named
beside it: IEC 61131-3 2nd/3rd ed. table 22 ("IEC t22"), the CODESYS online help ("CODESYS") or the TwinCAT 3
Infosys ("TwinCAT"). Property tests compare against reference models built from Python's exact integers and
fractions, not against the library itself.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from plcops.sim import library as lib
from plcops.sim.library import (
    CONCAT,
    DELETE,
    FIND,
    INSERT,
    LEFT,
    LEN,
    MID,
    REPLACE,
    RIGHT,
    ConversionError,
    convert,
    f32,
    idiv,
    imod,
    wrap,
)
from plcops.st.literals import date_and_time_ns, date_ns, duration_ns, time_of_day_ns

MS = 1_000_000
S = 1_000_000_000
DAY = 86_400 * S

# name -> (bits, signed): written out here rather than taken from plcops.st.types, as the reference model.
INTEGER_TYPES = {
    "SINT": (8, True),
    "INT": (16, True),
    "DINT": (32, True),
    "LINT": (64, True),
    "USINT": (8, False),
    "UINT": (16, False),
    "UDINT": (32, False),
    "ULINT": (64, False),
    "BYTE": (8, False),
    "WORD": (16, False),
    "DWORD": (32, False),
    "LWORD": (64, False),
}


def reference_single(q: Fraction) -> float:
    """IEEE single rounding of an exact rational, from the definition: keep 24 significant bits (fewer
    below 2**-126, spacing 2**-149), ties to even; 2**128 and beyond is infinite."""
    if q == 0:
        return 0.0
    magnitude = abs(q)
    exponent = math.floor(math.log2(magnitude))
    while Fraction(2) ** exponent > magnitude:  # log2 of a huge fraction may be off by one
        exponent -= 1
    while Fraction(2) ** (exponent + 1) <= magnitude:
        exponent += 1
    quantum = Fraction(2) ** max(exponent - 23, -149)
    rounded = round(magnitude / quantum) * quantum  # round() of a Fraction is half to even
    result = math.inf if rounded >= 2**128 else float(rounded)
    return -result if q < 0 else result


# --------------------------------------------------------------------------------------------------------------
# f32
# --------------------------------------------------------------------------------------------------------------


def test_f32_of_a_tenth_is_the_nearest_single() -> None:
    # 0.1 * 2**27 = 13421772.8 -> 13421773; 13421773 / 2**27 = 0.100000001490116119384765625
    assert f32(0.1) == 13421773 / 2**27 == 0.100000001490116119384765625


def test_f32_adding_one_to_2_pow_24_is_lost() -> None:
    # 16777217 lies half-way between 16777216 (mantissa 2**23, even) and 16777218 (odd): ties to even.
    assert f32(16777216.0 + 1.0) == 16777216.0
    # 16777219 lies half-way between 16777218 (mantissa 8388609, odd) and 16777220 (8388610, even).
    assert f32(16777219.0) == 16777220.0


def test_f32_overflow_underflow_and_specials() -> None:
    flt_max = (2**24 - 1) * 2.0**104  # 3.4028234663852886e38
    assert f32(flt_max) == flt_max
    assert f32(3.5e38) == math.inf
    assert f32(-1e39) == -math.inf
    assert f32(1e-46) == 0.0  # below half of the smallest subnormal 2**-149 = 1.4e-45
    assert f32(2.0**-149) == 2.0**-149
    assert math.isnan(f32(math.nan))
    assert f32(math.inf) == math.inf


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_f32_matches_the_rounding_definition(x: float) -> None:
    assert f32(x) == reference_single(Fraction(x))


# --------------------------------------------------------------------------------------------------------------
# wrap, idiv, imod, trunc
# --------------------------------------------------------------------------------------------------------------


def test_wrap_examples() -> None:
    assert wrap(32760 + 1000, "INT") == -31776  # 33760 - 65536
    assert wrap(2**31, "DINT") == -(2**31)
    assert wrap(-(2**31) - 1, "DINT") == 2**31 - 1
    assert wrap(-1, "UINT") == 65535
    assert wrap(256, "BYTE") == 0
    assert wrap(2**64, "ULINT") == 0
    assert wrap(300, "USINT") == 44  # 300 - 256
    assert wrap(200, "SINT") == -56  # 200 - 256
    assert wrap(2, "BOOL") is True
    assert wrap(0, "BOOL") is False


def test_wrap_rejects_non_integer_types() -> None:
    with pytest.raises(ConversionError):
        wrap(1, "REAL")


@given(st.sampled_from(sorted(INTEGER_TYPES)), st.integers(min_value=-(2**70), max_value=2**70))
def test_wrap_is_the_value_modulo_2_pow_bits_in_range(type_name: str, value: int) -> None:
    bits, signed = INTEGER_TYPES[type_name]
    low = -(2 ** (bits - 1)) if signed else 0
    result = wrap(value, type_name)
    assert low <= result < low + 2**bits
    assert (result - value) % 2**bits == 0


def test_idiv_and_imod_truncate_toward_zero() -> None:
    # IEC 61131-3: integer division truncates toward zero; MOD has the sign of the dividend.
    assert idiv(7, -2) == -3
    assert idiv(-7, 2) == -3
    assert idiv(-7, -2) == 3
    assert imod(7, -2) == 1
    assert imod(-7, 2) == -1
    assert imod(-7, -2) == -1
    assert imod(7, 2) == 1


def test_idiv_is_exact_for_64_bit_values() -> None:
    # 2**63 = 9223372036854775808 = 3 * 3074457345618258602 + 2
    assert idiv(-(2**63), 3) == -3074457345618258602
    assert imod(-(2**63), 3) == -2
    assert idiv(2**64 - 1, 2**64 - 2) == 1


def test_division_by_zero_raises() -> None:
    with pytest.raises(ZeroDivisionError):
        idiv(1, 0)
    with pytest.raises(ZeroDivisionError):
        imod(1, 0)


@given(st.integers(min_value=-(2**64), max_value=2**64), st.integers(min_value=-(2**64), max_value=2**64))
def test_idiv_imod_against_exact_fractions(a: int, b: int) -> None:
    if b == 0:
        return
    quotient = int(Fraction(a, b))  # int() of a Fraction truncates toward zero
    assert idiv(a, b) == quotient
    assert imod(a, b) == a - quotient * b
    remainder = imod(a, b)
    assert abs(remainder) < abs(b)
    assert remainder == 0 or (remainder < 0) == (a < 0)


def test_trunc() -> None:
    # IEC t22 note c
    assert lib.trunc(1.6) == 1
    assert lib.trunc(-1.6) == -1
    assert lib.trunc(1.4) == 1
    assert lib.trunc(-1.4) == -1
    assert lib.trunc(1.9, "INT") == 1  # CODESYS TRUNC_INT(1.9)
    assert lib.trunc(3.0e9) == -1294967296  # 3000000000 - 2**32
    assert lib.trunc(math.nan) == 0
    assert lib.trunc(-math.inf) == 0
    assert lib.trunc(7, "SINT") == 7


# --------------------------------------------------------------------------------------------------------------
# Shifts and rotations: CODESYS examples SHL/SHR/ROL/ROR(16#45, 2) on a BYTE
# --------------------------------------------------------------------------------------------------------------


def test_shifts_and_rotations_of_a_byte() -> None:
    assert lib.shl(0x45, 2, 8) == 0x14  # 0100_0101 -> 01_0001_0100, 8 bits kept
    assert lib.shr(0x45, 2, 8) == 0x11  # 0100_0101 -> 0001_0001
    assert lib.rol(0x45, 2, 8) == 0x15  # 0100_0101 -> 0001_0101 (01 wraps to the bottom)
    assert lib.ror(0x45, 2, 8) == 0x51  # 0100_0101 -> 0101_0001 (01 wraps to the top)


def test_shift_counts_at_and_beyond_the_width() -> None:
    assert lib.shl(1, 16, 16) == 0
    assert lib.shr(0xFFFF, 16, 16) == 0
    assert lib.shl(1, 100, 64) == 0
    assert lib.shl(0x1234, 0, 16) == 0x1234
    assert lib.shl(0x1234, -3, 16) == 0x1234
    assert lib.rol(0x8001, 17, 16) == 0x0003  # 17 mod 16 = 1
    assert lib.ror(0x8001, 16, 16) == 0x8001
    assert lib.rol(0x0001, -1, 16) == 0x8000


def test_shifts_see_the_unsigned_pattern_of_negative_values() -> None:
    assert lib.shl(-1, 4, 16) == 0xFFF0
    assert lib.shr(-1, 4, 16) == 0x0FFF  # a logical shift: zeros come in


# --------------------------------------------------------------------------------------------------------------
# BCD
# --------------------------------------------------------------------------------------------------------------


def test_bcd_conversions() -> None:
    assert lib.int_to_bcd(25, 8) == 0b0010_0101  # IEC t22 note d: USINT_TO_BCD_BYTE(25)
    assert lib.bcd_to_int(0b0011_0110_1001) == 369  # IEC t22 note d: WORD_BCD_TO_UINT
    assert lib.int_to_bcd(49, 8) == 73  # CODESYS Util INT_TO_BCD(49) = 16#49
    assert lib.bcd_to_int(151) == 97  # CODESYS Util BCD_TO_INT(151 = 16#97)
    assert lib.bcd_to_int(15) == -1  # CODESYS Util: 16#0F is not BCD
    assert lib.int_to_bcd(100, 8) == 255  # CODESYS Util: > 99 does not fit a byte
    assert lib.int_to_bcd(-1, 8) == 255
    assert lib.int_to_bcd(9999, 16) == 0x9999
    assert lib.int_to_bcd(0, 16) == 0


# --------------------------------------------------------------------------------------------------------------
# Strings: the CODESYS Standard examples, then positions out of range
# --------------------------------------------------------------------------------------------------------------


def test_string_functions_vendor_examples() -> None:
    assert LEN("SUSI") == 4
    assert LEFT("SUSI", 3) == "SUS"
    assert RIGHT("SUSI", 3) == "USI"
    assert MID("SUSI", 2, 2) == "US"
    assert INSERT("SUSI", "XY", 2) == "SUXYSI"
    assert DELETE("SUXYSI", 2, 3) == "SUSI"
    assert REPLACE("SUXYSI", "K", 2, 2) == "SKYSI"
    assert FIND("SUXYSI", "XY") == 3
    assert FIND("abcdef", "de") == 4
    assert CONCAT("AB", "CD") == "ABCD"


def test_find_is_not_fooled_by_a_partial_match() -> None:
    # matiec answers 0; 'AB' starts at the second character of 'AAB'.
    assert FIND("AAB", "AB") == 2
    assert FIND("ABC", "D") == 0
    assert FIND("ABC", "") == 0
    assert FIND("", "A") == 0


def test_empty_strings() -> None:
    assert LEN("") == 0
    assert LEFT("", 2) == ""
    assert RIGHT("", 2) == ""
    assert MID("", 1, 1) == ""
    assert CONCAT() == ""
    assert CONCAT("", "") == ""
    assert INSERT("", "XY", 0) == "XY"
    assert DELETE("", 1, 1) == ""
    assert REPLACE("", "X", 1, 1) == "X"


def test_left_right_mid_out_of_range() -> None:
    assert LEFT("SUSI", 10) == "SUSI"
    assert LEFT("SUSI", 0) == ""
    assert LEFT("SUSI", -1) == ""
    assert RIGHT("SUSI", 9) == "SUSI"
    assert RIGHT("SUSI", -2) == ""
    assert MID("SUSI", 10, 3) == "SI"  # only two characters from position 3
    assert MID("SUSI", 2, 5) == ""  # position beyond the end
    assert MID("SUSI", 2, 0) == "SU"  # position 0 counts as 1
    assert MID("SUSI", 0, 2) == ""


def test_insert_delete_replace_out_of_range() -> None:
    assert INSERT("SUSI", "XY", 0) == "XYSUSI"  # CODESYS: 0 inserts before the first character
    assert INSERT("SUSI", "XY", -1) == "SUSI"  # CODESYS: POS < 0 gives STR1
    assert INSERT("SUSI", "XY", 10) == "SUSIXY"
    # CODESYS: POS 0 addresses the first character but LEN is reduced by one: delete 1 character.
    assert DELETE("SUXYSI", 2, 0) == "UXYSI"
    assert DELETE("SUSI", 2, 4) == "SUS"
    assert DELETE("SUSI", 2, 5) == "SUSI"
    assert DELETE("SUSI", 2, -1) == "SUSI"
    assert DELETE("SUSI", 0, 1) == "SUSI"
    assert DELETE("SUSI", -1, 1) == "SUSI"
    assert REPLACE("ABC", "X", 0, 1) == "XABC"
    assert REPLACE("ABC", "X", 1, 0) == "XBC"
    assert REPLACE("ABC", "X", 5, 3) == "ABX"
    assert REPLACE("ABC", "X", 1, 9) == "ABCX"
    assert REPLACE("ABC", "X", -1, 2) == "AXBC"


# --------------------------------------------------------------------------------------------------------------
# Real functions
# --------------------------------------------------------------------------------------------------------------

SQRT2_SINGLE = 1.41421353816986083984375  # 16#3FB504F3
E_SINGLE = 2.71828174591064453125  # 16#402DF854


def test_real_functions_values() -> None:
    assert lib.sqrt(4.0) == 2.0
    assert lib.sqrt(2.0, "REAL") == SQRT2_SINGLE
    assert lib.ln(math.e) == 1.0
    assert lib.log(1000.0) == 3.0
    assert lib.exp(0.0) == 1.0
    assert lib.exp(1.0, "REAL") == E_SINGLE
    assert lib.sin(0.0) == 0.0
    assert lib.cos(0.0) == 1.0
    assert lib.tan(0.0) == 0.0
    assert lib.asin(1.0) == math.pi / 2
    assert lib.acos(1.0) == 0.0
    assert lib.atan(1.0) == math.pi / 4
    assert lib.atan2(1.0, -1.0) == 3 * math.pi / 4
    assert lib.atan2(0.0, -1.0) == math.pi


def test_real_functions_follow_ieee_outside_their_domain() -> None:
    assert math.isnan(lib.sqrt(-1.0))
    assert lib.ln(0.0) == -math.inf
    assert math.isnan(lib.ln(-1.0))
    assert lib.log(0.0) == -math.inf
    assert math.isnan(lib.log(-10.0))
    assert lib.exp(1000.0) == math.inf
    assert lib.exp(-math.inf) == 0.0
    assert math.isnan(lib.tan(math.inf))
    assert math.isnan(lib.asin(2.0))
    assert math.isnan(lib.acos(-1.5))
    assert math.isnan(lib.sqrt(math.nan))
    assert lib.exp(100.0, "REAL") == math.inf  # e**100 = 2.7e43 is beyond the single range


def test_expt() -> None:
    assert lib.expt(2.0, 10) == 1024.0
    assert lib.expt(2.0, 0.5, "REAL") == SQRT2_SINGLE
    assert lib.expt(2, 10, "INT") == 1024
    assert lib.expt(2, 15, "INT") == -32768  # 32768 wraps
    assert lib.expt(-3, 3, "DINT") == -27
    assert lib.expt(2, -1, "DINT") == 0  # 0.5 truncated
    assert lib.expt(-1, -3, "DINT") == -1
    assert lib.expt(1, -5, "DINT") == 1
    assert lib.expt(0.0, -1.0) == math.inf
    assert math.isnan(lib.expt(-8.0, 1 / 3))
    assert lib.expt(10.0, 400.0) == math.inf
    assert lib.expt(-10.0, 401.0) == -math.inf
    assert lib.expt(2.0, 3.0, "INT") == 8  # real arguments, integer result
    assert lib.expt(2.0, 0.5, "DINT") == 1  # 1.414... rounded
    with pytest.raises(ZeroDivisionError):
        lib.expt(0, -1, "INT")


# --------------------------------------------------------------------------------------------------------------
# Conversions: numbers
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # IEC t22 note b (IEC 60559 round to nearest, ties to even)
        (1.6, 2),
        (-1.6, -2),
        (1.5, 2),
        (-1.5, -2),
        (1.4, 1),
        (-1.4, -1),
        (2.5, 2),
        (-2.5, -2),
        (3.5, 4),
        (0.5, 0),
    ],
)
def test_real_to_int_rounds_half_to_even(value: float, expected: int) -> None:
    assert convert(value, "REAL", "INT") == expected
    assert convert(value, "LREAL", "DINT") == expected


def test_real_to_integer_out_of_range_wraps() -> None:
    # CODESYS: beyond the range "the first bytes of the number are not taken into account".
    assert convert(3.0e9, "LREAL", "DINT") == -1294967296  # 3000000000 - 2**32
    assert convert(70000.0, "REAL", "INT") == 4464  # 70000 - 65536
    assert convert(-1.0, "REAL", "UINT") == 65535
    assert convert(math.nan, "LREAL", "INT") == 0
    assert convert(math.inf, "REAL", "DINT") == 0
    assert convert(1.234, "REAL", "DWORD") == 1  # CODESYS REAL_TO_DWORD(1.234)


def test_integer_narrowing_and_sign_changes_wrap() -> None:
    assert convert(300, "INT", "USINT") == 44
    assert convert(200, "INT", "SINT") == -56
    assert convert(-1, "INT", "UINT") == 65535
    assert convert(65535, "UINT", "INT") == -1
    assert convert(0xFFFF_FFFF, "DWORD", "DINT") == -1
    assert convert(-1, "LINT", "ULINT") == 2**64 - 1
    assert convert(-1, "SINT", "LWORD") == 2**64 - 1
    assert convert(70000, "DINT", "WORD") == 4464


def test_bool_conversions() -> None:
    assert convert(True, "BOOL", "INT") == 1  # CODESYS BOOL_TO_INT(TRUE)
    assert convert(False, "BOOL", "LREAL") == 0.0
    assert convert(2, "INT", "BOOL") is True  # CODESYS: FALSE only for 0
    assert convert(0, "DWORD", "BOOL") is False
    assert convert(0.987654321, "LREAL", "BOOL") is True  # CODESYS LREAL_TO_BOOL
    assert convert(0.0, "REAL", "BOOL") is False
    assert convert(True, "BOOL", "BOOL") is True


def test_integer_to_real_is_rounded_once_to_single() -> None:
    assert convert(-5, "INT", "REAL") == -5.0
    assert convert(16777217, "DINT", "REAL") == 16777216.0  # tie, to the even mantissa
    # 2**60 + 2**36 + 1: via a double it would become 2**60 + 2**36, a tie that rounds down to 2**60; the
    # exact value is just above that tie, so the nearest single is 2**60 + 2**37.
    assert convert(2**60 + 2**36 + 1, "LINT", "REAL") == float(2**60 + 2**37)
    assert convert(2**64 - 1, "ULINT", "LREAL") == 2.0**64
    assert isinstance(convert(1, "INT", "REAL"), float)
    assert convert(2**128, "LINT", "REAL") == math.inf  # out of LINT's range, but no crash


@given(st.integers(min_value=-(2**63), max_value=2**64 - 1))
def test_integer_to_real_matches_the_rounding_definition(value: int) -> None:
    assert convert(value, "LINT", "REAL") == reference_single(Fraction(value))


@given(st.floats(min_value=-(2.0**62), max_value=2.0**62))
def test_lreal_to_lint_rounds_half_to_even(x: float) -> None:
    assert convert(x, "LREAL", "LINT") == round(Fraction(x))  # round() of a Fraction: half to even


def test_real_precision_conversions() -> None:
    assert convert(0.1, "LREAL", "REAL") == 0.100000001490116119384765625
    assert convert(1e39, "LREAL", "REAL") == math.inf
    assert convert(f32(0.1), "REAL", "LREAL") == 0.100000001490116119384765625


# --------------------------------------------------------------------------------------------------------------
# Conversions: TIME, DATE, TOD, DT
# --------------------------------------------------------------------------------------------------------------


def test_time_converts_in_milliseconds() -> None:
    assert convert(duration_ns("T#5m"), "TIME", "DWORD") == 300000  # TwinCAT TIME_TO_DWORD(T#5m)
    assert convert(duration_ns("T#1s500ms"), "TIME", "DINT") == 1500
    assert convert(1500, "DINT", "TIME") == 1500 * MS
    assert convert(0, "TIME", "BOOL") is False  # CODESYS TIME_TO_BOOL(T#0MS)
    assert convert(59 * MS, "TIME", "BOOL") is True  # CODESYS TIME_TO_BOOL(T#59ms)
    # T#1d2h3m4s5ms = 93784005 ms; between 2**26 and 2**27 singles are 8 apart: 93784005 / 8 = 11723000.625
    # -> 11723001 * 8 = 93784008.
    assert convert(duration_ns("T#1d2h3m4s5ms"), "TIME", "REAL") == 93784008.0
    assert convert(1.234, "REAL", "TIME") == 1 * MS  # rounded to whole milliseconds
    assert convert(-1500 * MS, "TIME", "DINT") == -1500


def test_ltime_converts_in_nanoseconds() -> None:
    assert convert(duration_ns("LTIME#2us1ns"), "LTIME", "LINT") == 2001
    assert convert(5, "LINT", "LTIME") == 5
    assert convert(2.5, "LREAL", "LTIME") == 2  # ties to even
    assert convert(duration_ns("T#1s"), "TIME", "LTIME") == S
    assert convert(duration_ns("LTIME#1ms500us"), "LTIME", "TIME") == MS  # TIME holds milliseconds
    assert convert(-1_500_000, "LTIME", "TIME") == -MS  # truncated toward zero


def test_time_of_day_converts_in_milliseconds() -> None:
    assert convert(time_of_day_ns("TOD#00:00:00.012"), "TOD", "SINT") == 12  # TwinCAT TOD_TO_SINT
    assert convert(time_of_day_ns("TOD#14:01:05.123"), "TOD", "UDINT") == 0x03020963  # TwinCAT: 50465123 ms
    # TwinCAT TOD_TO_TIME(TOD#14:01:05.123) = T#841m5s123ms = (841 * 60 + 5) * 1000 + 123 ms
    assert convert(time_of_day_ns("TOD#14:01:05.123"), "TOD", "TIME") == ((841 * 60 + 5) * 1000 + 123) * MS
    assert convert(time_of_day_ns("TOD#12:00:00"), "TOD", "DINT") == 43200000  # CODESYS TOD_TO_DINT
    assert convert(duration_ns("T#25h"), "TIME", "TOD") == time_of_day_ns("TOD#01:00")  # modulo one day
    assert convert(-1, "DINT", "TOD") == DAY - MS  # TOD#23:59:59.999


def test_date_and_dt_convert_in_seconds() -> None:
    # TwinCAT DATE_TO_INT(D#1970-01-15) = 29952: 14 days = 1209600 s; 1209600 - 18 * 65536 = 29952
    assert convert(date_ns("D#1970-01-15"), "DATE", "INT") == 29952
    # TwinCAT DT_TO_BYTE(DT#1970-01-15-05:05:05) = 129: 1209600 + 18305 = 1227905 = 4796 * 256 + 129
    assert convert(date_and_time_ns("DT#1970-01-15-05:05:05"), "DT", "BYTE") == 129
    assert convert(0, "DATE", "BOOL") is False  # TwinCAT DATE_TO_BOOL(D#1970-01-01)
    # TwinCAT DATE_TO_DWORD(D#2002-08-18) = 16#3D5EE380: 11917 days (32 years with 8 leap days = 11688,
    # + 212 days January..July + 17) * 86400 = 1029628800 = 16#3D5EE380
    assert convert(date_ns("D#2002-08-18"), "DATE", "DWORD") == 0x3D5EE380
    assert convert(date_ns("D#1970-01-02"), "DATE", "DINT") == 86400  # CODESYS DATE_TO_DINT(D#1970-1-2)
    assert convert(date_and_time_ns("DT#2019-09-01-12:00:00"), "DT", "DINT") == 1567339200  # CODESYS
    assert convert(1, "DINT", "DT") == S
    assert convert(86401, "UDINT", "DATE") == DAY  # a DATE is midnight: the second is dropped


def test_conversions_between_dates_and_times() -> None:
    dt = date_and_time_ns("DT#2019-09-01-12:00:00")
    assert convert(dt, "DT", "DATE") == date_ns("D#2019-09-01")
    assert convert(dt, "DT", "TOD") == 12 * 3600 * S
    assert convert(date_ns("D#2002-08-18"), "DATE", "DT") == date_and_time_ns("DT#2002-08-18-00:00")  # TwinCAT
    assert convert(dt, "DATE_AND_TIME", "TIME_OF_DAY") == 12 * 3600 * S
    assert convert(dt + 500 * MS, "LDT", "DT") == dt  # DT holds whole seconds
    assert convert(dt + 1, "LDT", "LTOD") == 12 * 3600 * S + 1
    assert convert(dt, "DT", "LDATE") == date_ns("D#2019-09-01")
    assert convert(time_of_day_ns("TOD#12:00"), "TOD", "DT") == 12 * 3600 * S  # on 1970-01-01


def test_numbers_to_dates_and_times() -> None:
    # CODESYS/Schneider BOOL_TO_*: T#1ms, TOD#00:00:00.001, DT#1970-01-01-00:00:01, D#1970-01-01
    assert convert(True, "BOOL", "TIME") == MS
    assert convert(True, "BOOL", "TOD") == MS
    assert convert(True, "BOOL", "DT") == S
    assert convert(False, "BOOL", "DATE") == 0
    # CODESYS REAL_TO_DT(1.234) = DT#1970-1-1-0:0:1, LREAL_TO_DT(0.987654321) the same, REAL_TO_DATE(1.234)
    # = D#1970-1-1
    assert convert(1.234, "REAL", "DT") == S
    assert convert(0.987654321, "LREAL", "DT") == S
    assert convert(1.234, "REAL", "DATE") == 0
    assert convert(math.nan, "LREAL", "TIME") == 0


def test_date_helpers() -> None:
    assert lib.concat_date_tod(date_ns("D#2024-01-31"), time_of_day_ns("TOD#12:30")) == date_and_time_ns(
        "DT#2024-01-31-12:30"
    )
    assert lib.dt_to_date(date_and_time_ns("DT#2024-01-31-12:30")) == date_ns("D#2024-01-31")
    assert lib.dt_to_tod(date_and_time_ns("DT#2024-01-31-12:30")) == time_of_day_ns("TOD#12:30")
    assert lib.split_dt(date_and_time_ns("DT#2024-01-31-12:30:15.5")) == (2024, 1, 31, 12, 30, 15, 500)
    assert lib.day_of_week(0) == 4  # 1970-01-01 was a Thursday
    assert lib.day_of_week(date_ns("D#2024-01-31")) == 3  # a Wednesday
    assert lib.day_of_week(date_ns("D#1969-12-28")) == 0  # a Sunday


# --------------------------------------------------------------------------------------------------------------
# Conversions: to and from STRING
# --------------------------------------------------------------------------------------------------------------


def test_to_string_vendor_examples() -> None:
    assert convert(True, "BOOL", "STRING") == "TRUE"  # TwinCAT BOOL_TO_STRING
    assert convert(False, "BOOL", "STRING") == "FALSE"
    assert convert(duration_ns("T#12ms"), "TIME", "STRING") == "T#12ms"  # TwinCAT TIME_TO_STRING
    assert convert(duration_ns("T#1s500ms"), "TIME", "STRING") == "T#1s500ms"
    assert convert(date_ns("D#2002-08-18"), "DATE", "STRING") == "D#2002-08-18"  # TwinCAT DATE_TO_STRING
    assert convert(time_of_day_ns("TOD#14:01:05.123"), "TOD", "STRING") == "TOD#14:01:05.123"  # TwinCAT
    # TwinCAT 3 DT_TO_STRING(DT#1998-02-13-14:20) = 'DT#1998-02-13-14:20:00'
    assert convert(date_and_time_ns("DT#1998-02-13-14:20"), "DT", "STRING") == "DT#1998-02-13-14:20:00"
    assert convert(1.4, "LREAL", "STRING") == "1.4"  # TwinCAT LREAL_TO_STRING
    assert convert(1.5, "REAL", "STRING") == "1.5"
    # CODESYS Control Win V3 (forum thread "Unexpected output from REAL_TO_STRING"): 0.7, -0.5, 0.2
    assert convert(f32(0.7), "REAL", "STRING") == "0.7"
    assert convert(-0.5, "REAL", "STRING") == "-0.5"
    assert convert(f32(0.2), "REAL", "STRING") == "0.2"


def test_numbers_to_string() -> None:
    assert convert(-12345, "INT", "STRING") == "-12345"
    assert convert(255, "BYTE", "STRING") == "255"
    assert convert(2**64 - 1, "ULINT", "WSTRING") == "18446744073709551615"
    assert convert(f32(0.1), "REAL", "STRING") == "0.1"  # shortest text that reads back as the same single
    assert convert(0.1, "LREAL", "STRING") == "0.1"
    assert convert(f32(0.1), "LREAL", "STRING") == "0.10000000149011612"  # the single seen as a double
    assert convert(16777216.0, "REAL", "STRING") == "16777216"
    assert convert(2.0, "LREAL", "STRING") == "2"
    assert convert(-0.0, "LREAL", "STRING") == "-0"
    assert convert(1e20, "LREAL", "STRING") == "1E+20"
    assert convert(1.5e-7, "LREAL", "STRING") == "1.5E-07"
    assert convert(0.001, "LREAL", "STRING") == "0.001"
    assert convert(123456.7, "LREAL", "STRING") == "123456.7"
    assert convert(math.nan, "LREAL", "STRING") == "#QNAN"
    assert convert(math.inf, "REAL", "STRING") == "#INF"
    assert convert(-math.inf, "REAL", "STRING") == "-#INF"


def test_time_types_to_string() -> None:
    assert convert(0, "TIME", "STRING") == "T#0ms"
    assert convert(duration_ns("LTIME#2us1ns"), "LTIME", "STRING") == "LTIME#2us1ns"
    assert convert(-2 * 3600 * S, "TIME", "STRING") == "T#-2h"
    assert convert(date_ns("D#2024-01-31"), "LDATE", "STRING") == "LDATE#2024-01-31"
    assert convert(time_of_day_ns("TOD#12:30:15.5"), "LTOD", "STRING") == "LTOD#12:30:15.5"
    assert convert(date_and_time_ns("DT#2024-01-31-12:30:15.5"), "LDT", "STRING") == "LDT#2024-01-31-12:30:15.5"


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        # TwinCAT STRING_TO_<type> samples
        ("TRUE", "BOOL", True),
        ("abc34", "WORD", 0),
        ("34abc", "WORD", 34),
        ("500", "BYTE", 244),  # 500 - 256
        # CODESYS STRING_TO_<type>: prefixes, grouping, blanks before
        ("16#FFFFFFFF", "UDINT", 0xFFFF_FFFF),
        ("2#1111_1111", "INT", 255),
        ("   42", "INT", 42),
        (" 42  ", "INT", 42),
        ("INT#-5", "INT", -5),
        ("-17", "SINT", -17),
        ("3.7", "DINT", 3),  # the integer literal ends at the '.'
        ("2m", "INT", 2),
        ("", "INT", 0),
        ("   ", "LINT", 0),
        ("x", "ULINT", 0),
        ("16#", "INT", 0),
        ("false", "BOOL", False),
        ("BOOL#TRUE", "BOOL", True),
        ("1", "BOOL", True),
        ("0", "BOOL", False),
        ("maybe", "BOOL", False),
    ],
)
def test_string_to_integers_and_bool(text: str, target: str, expected: object) -> None:
    assert convert(text, "STRING", target) == expected
    assert convert(text, "WSTRING", target) == expected


def test_string_to_reals() -> None:
    # 1.234 * 2**23 = 10351542.27 -> 10351542: the single nearest 1.234 is 10351542 / 2**23
    assert convert("1.234", "STRING", "REAL") == 10351542 / 2**23  # TwinCAT STRING_TO_REAL('1.234')
    assert convert("9.876", "STRING", "LREAL") == 9.876
    assert convert("1.2E-34", "STRING", "LREAL") == 1.2e-34
    assert convert("1.7E+400", "STRING", "REAL") == math.inf  # CODESYS: infinite values
    assert convert("3,14", "STRING", "LREAL") == 3.0  # CODESYS: the comma ends the number
    assert convert(" -2.5e3x", "STRING", "LREAL") == -2500.0
    assert convert("1_000.5", "STRING", "LREAL") == 1000.5
    assert convert("16#10", "STRING", "LREAL") == 16.0
    assert convert("abc", "STRING", "REAL") == 0.0
    assert convert(".5", "STRING", "LREAL") == 0.0  # IEC literals need a digit before the point


def test_string_to_times_and_dates() -> None:
    assert convert("T#127ms", "STRING", "TIME") == 127 * MS  # TwinCAT STRING_TO_TIME
    assert convert("T#2h", "STRING", "TIME") == 2 * 3600 * S  # CODESYS
    assert convert("TIME#1h_30m", "STRING", "TIME") == 90 * 60 * S
    assert convert("5s", "STRING", "TIME") == 5 * S
    assert convert("LTIME#1ms2us3ns", "STRING", "LTIME") == 1_002_003
    assert convert("T#1ms2us", "STRING", "TIME") == MS  # TIME holds milliseconds
    assert convert("T#1_000ms", "STRING", "TIME") == S
    assert convert("T#", "STRING", "TIME") == 0
    # CODESYS 'DT#2019-9-9-12:30:30.9': DT holds seconds, LDT keeps the fraction
    assert convert("DT#2019-9-9-12:30:30.9", "STRING", "DT") == date_and_time_ns("DT#2019-09-09-12:30:30")
    assert convert("DT#2019-9-9-12:30:30.9", "STRING", "LDT") == date_and_time_ns("DT#2019-09-09-12:30:30.9")
    assert convert("D#2019-09-09", "STRING", "DATE") == date_ns("D#2019-09-09")
    assert convert("2019-09-09", "STRING", "DATE") == date_ns("D#2019-09-09")
    assert convert("TOD#12:30", "STRING", "TOD") == time_of_day_ns("TOD#12:30")
    assert convert("D#2019-13-01", "STRING", "DATE") == 0  # no 13th month
    assert convert("TOD#25:00", "STRING", "TOD") == 0
    assert convert("nonsense", "STRING", "DT") == 0


def test_characters() -> None:
    assert convert(65, "INT", "CHAR") == "A"
    assert convert("A", "CHAR", "INT") == 65
    assert convert(0x20AC, "UINT", "WCHAR") == "€"
    assert convert(0x141, "INT", "CHAR") == "A"  # 321 wraps to 65 in a byte
    assert convert("ABC", "STRING", "CHAR") == "A"
    assert convert("", "STRING", "CHAR") == "\x00"
    assert convert("\x00", "CHAR", "STRING") == ""
    assert convert("Z", "CHAR", "STRING") == "Z"
    assert convert("€", "WCHAR", "CHAR") == "?"
    assert convert("€", "WSTRING", "STRING") == "?"
    assert convert("ä€", "WSTRING", "WSTRING") == "ä€"
    assert convert("A", "CHAR", "WCHAR") == "A"
    assert convert("", "CHAR", "UINT") == 0


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_integer_string_round_trip(value: int) -> None:
    assert convert(convert(value, "LINT", "STRING"), "STRING", "LINT") == value


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_real_string_round_trip(x: float) -> None:
    assert convert(convert(x, "REAL", "STRING"), "STRING", "REAL") == x


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_lreal_string_round_trip(x: float) -> None:
    assert convert(convert(x, "LREAL", "STRING"), "STRING", "LREAL") == x


TIME_AND_DATE_TYPES = ["TIME", "LTIME", "DATE", "LDATE", "DT", "LDT", "TOD", "LTOD"]


@example(-(2**63) + 1, "DATE")  # the first day of the 64-bit range starts before it
@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.sampled_from(TIME_AND_DATE_TYPES))
def test_time_and_date_string_round_trip(ns: int, type_name: str) -> None:
    value = convert(ns, type_name, type_name)  # a valid value of the type
    assert convert(convert(value, type_name, "STRING"), "STRING", type_name) == value


# --------------------------------------------------------------------------------------------------------------
# Errors and initial values
# --------------------------------------------------------------------------------------------------------------


def test_conversions_that_make_no_sense_raise() -> None:
    with pytest.raises(ConversionError):
        convert("x", "STRING", "MY_STRUCT")
    with pytest.raises(ConversionError):
        convert(1, "POINTER", "INT")
    with pytest.raises(ValueError):  # ConversionError is a ValueError
        convert(1, "INT", "ARRAY")


def test_type_names_are_case_insensitive_and_accept_long_forms() -> None:
    assert convert(300, "int", "usint") == 44
    assert convert(date_and_time_ns("DT#2024-01-31-12:30"), "DATE_AND_TIME", "STRING") == "DT#2024-01-31-12:30:00"
    assert convert(S, "LTIME_OF_DAY", "LDATE_AND_TIME") == S


def test_default_values() -> None:
    assert lib.default_value("BOOL") is False
    assert lib.default_value("INT") == 0
    assert lib.default_value("LWORD") == 0
    assert lib.default_value("REAL") == 0.0
    assert isinstance(lib.default_value("LREAL"), float)
    assert lib.default_value("STRING") == ""
    assert lib.default_value("WSTRING") == ""
    assert lib.default_value("CHAR") == "\x00"
    assert lib.default_value("TIME") == 0
    assert lib.default_value("DT") == 0
    assert lib.default_value("TIME_OF_DAY") == 0
    with pytest.raises(ConversionError):
        lib.default_value("MY_STRUCT")
