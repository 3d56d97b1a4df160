"""The runtime standard-function library of the ST simulator: arithmetic helpers, conversions, string functions.

Every function is pure and works on the simulator's value representation (shared with
:mod:`plcops.st.literals`):

* integers and bit strings (SINT..ULINT, BYTE..LWORD): ``int`` within the type's range; BOOL: ``bool``;
* REAL: a ``float`` holding a value that IEEE single precision represents exactly; LREAL: ``float``;
* TIME/LTIME: ``int`` nanoseconds; DATE/LDATE and DT/LDT: ``int`` nanoseconds since 1970-01-01T00:00
  (DATE at midnight); TOD/LTOD: ``int`` nanoseconds since midnight;
* STRING/WSTRING/CHAR/WCHAR: ``str`` (a CHAR holds one character; NUL, ``'\\x00'``, is its zero).

Type names are the upper-case IEC names (``"DINT"``, ``"TOD"``, ...); the long spellings
``TIME_OF_DAY``, ``DATE_AND_TIME``, ``LTIME_OF_DAY`` and ``LDATE_AND_TIME`` are accepted too.

Where IEC 61131-3 leaves a choice (rounding, overflow, out-of-range string positions, the units of TIME and
date conversions), the library does what CODESYS and TwinCAT do; each choice and its source is listed in
docs/semantics.md, section "Standard functions and conversions".
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from plcops.st.literals import (
    LiteralError,
    date_and_time_ns,
    date_ns,
    duration_ns,
    format_date,
    format_date_and_time,
    format_duration,
    format_time_of_day,
    time_of_day_ns,
)
from plcops.st.types import BIT_STRINGS, INTEGERS

__all__ = [
    "CONCAT",
    "DELETE",
    "FIND",
    "INSERT",
    "LEFT",
    "LEN",
    "MID",
    "REPLACE",
    "RIGHT",
    "ConversionError",
    "acos",
    "asin",
    "atan",
    "atan2",
    "bcd_to_int",
    "concat_date_tod",
    "convert",
    "cos",
    "day_of_week",
    "default_value",
    "dt_to_date",
    "dt_to_tod",
    "exp",
    "expt",
    "f32",
    "idiv",
    "imod",
    "int_to_bcd",
    "ln",
    "log",
    "rol",
    "ror",
    "shl",
    "shr",
    "sin",
    "split_dt",
    "sqrt",
    "tan",
    "trunc",
    "wrap",
]


class ConversionError(ValueError):
    """A conversion that makes no sense (STRING to a structure) or names a type that is not elementary."""


# --------------------------------------------------------------------------------------------------------------
# Single precision
# --------------------------------------------------------------------------------------------------------------

# A precompiled Struct's bound methods are the fastest pure-Python way to round to single precision: about
# 120 ns a call against 135 ns for Struct.pack_into/unpack_from, 140 ns for struct.pack("f", ...) and
# ctypes.c_float(x).value, and 205 ns for array("f", ...) (CPython 3.11, timeit of 200 000 calls).
_SINGLE = struct.Struct("f")
_pack_single = _SINGLE.pack
_unpack_single = _SINGLE.unpack


def f32(x: float) -> float:
    """``x`` rounded to IEEE 754 single precision (round to nearest, ties to even); beyond the single range
    the result is an infinity of the same sign, like a float store on the PLC."""
    try:
        return _unpack_single(_pack_single(x))[0]
    except OverflowError:  # Python before 3.12 refused, instead of rounding, values beyond FLT_MAX
        return math.copysign(math.inf, x)


def _int_to_f32(value: int) -> float:
    """An integer rounded once to single precision.

    ``f32(float(value))`` would round twice (to double, then to single) and can miss the nearest single for
    64-bit values, so large integers are rounded to 24 significant bits here, ties to even.
    """
    magnitude = abs(value)
    if magnitude <= 1 << 24:
        return float(value)
    shift = magnitude.bit_length() - 24
    kept, rest = divmod(magnitude, 1 << shift)
    half = 1 << (shift - 1)
    if rest > half or (rest == half and kept & 1):
        kept += 1
    rounded = kept << shift
    if rounded >= 1 << 128:  # beyond the single range
        return math.copysign(math.inf, value)
    return float(-rounded if value < 0 else rounded)


# --------------------------------------------------------------------------------------------------------------
# Integers
# --------------------------------------------------------------------------------------------------------------

# Integer and bit-string types (BOOL apart): name -> (bit mask, offset of the signed range or 0).
_INTEGER_TYPES: dict[str, tuple[int, int]] = {
    **{name: ((1 << t.bits) - 1, (1 << (t.bits - 1)) if t.signed else 0) for name, t in INTEGERS.items()},
    **{name: ((1 << bits) - 1, 0) for name, bits in BIT_STRINGS.items() if name != "BOOL"},
}


def wrap(value: int, type_name: str) -> int:
    """``value`` wrapped into an integer or bit-string type, two's complement: ``wrap(32760 + 1000, "INT")``
    is ``-31776``, ``wrap(-1, "UINT")`` is ``65535``. For BOOL the result is ``value != 0``.

    Raises:
        ConversionError: ``type_name`` is not an integer, bit-string or BOOL type.
    """
    try:
        mask, offset = _INTEGER_TYPES[type_name]
    except KeyError:
        if type_name == "BOOL":
            return value != 0
        raise ConversionError(f"{type_name} is not an integer or bit-string type") from None
    if offset:
        return ((value + offset) & mask) - offset
    return value & mask


def idiv(a: int, b: int) -> int:
    """Integer division, truncated toward zero as IEC 61131-3 and C define it: ``idiv(7, -2)`` is ``-3``.

    The quotient is exact for any size; wrap it into the result type (``DINT`` min / -1 overflows).

    Raises:
        ZeroDivisionError: ``b`` is 0.
    """
    if b == 0:
        raise ZeroDivisionError("integer division by zero")
    quotient = abs(a) // abs(b)
    return -quotient if (a < 0) != (b < 0) else quotient


def imod(a: int, b: int) -> int:
    """The remainder of :func:`idiv`; it has the sign of the dividend: ``imod(7, -2)`` is ``1``,
    ``imod(-7, 2)`` is ``-1`` (IEC 61131-3: ``IN1 - (IN1 / IN2) * IN2``).

    Raises:
        ZeroDivisionError: ``b`` is 0.
    """
    return a - b * idiv(a, b)


def trunc(x: float, target: str = "DINT") -> int:
    """TRUNC: ``x`` truncated toward zero (``TRUNC(-1.6)`` is ``-1``) and wrapped into ``target``.
    NaN and infinities give 0."""
    if isinstance(x, int):
        return wrap(x, target)
    if not math.isfinite(x):
        return 0
    return wrap(int(x), target)


def _mask(bits: int) -> int:
    return (1 << bits) - 1


def shl(value: int, n: int, bits: int) -> int:
    """SHL: the ``bits``-wide pattern of ``value`` shifted left by ``n``, zeros shifted in.

    The result is the unsigned bit pattern (``wrap`` it for a signed type); ``n >= bits`` gives 0 and a
    negative ``n`` leaves the pattern unchanged.
    """
    if n >= bits:
        return 0
    if n <= 0:
        return value & _mask(bits)
    return (value << n) & _mask(bits)


def shr(value: int, n: int, bits: int) -> int:
    """SHR: the ``bits``-wide pattern of ``value`` shifted right by ``n``, zeros shifted in (a logical shift,
    also for negative values); ``n >= bits`` gives 0 and a negative ``n`` leaves the pattern unchanged."""
    if n >= bits:
        return 0
    return (value & _mask(bits)) >> max(n, 0)


def rol(value: int, n: int, bits: int) -> int:
    """ROL: the ``bits``-wide pattern of ``value`` rotated left by ``n`` modulo ``bits`` (a negative ``n``
    rotates right)."""
    pattern = value & _mask(bits)
    n %= bits
    if n == 0:
        return pattern
    return ((pattern << n) | (pattern >> (bits - n))) & _mask(bits)


def ror(value: int, n: int, bits: int) -> int:
    """ROR: the ``bits``-wide pattern of ``value`` rotated right by ``n`` modulo ``bits`` (a negative ``n``
    rotates left)."""
    return rol(value, -n, bits)


def bcd_to_int(value: int) -> int:
    """The number a packed-BCD bit string encodes: ``bcd_to_int(16#0369)`` is 369 (IEC ``WORD_BCD_TO_UINT``).

    A nibble above 9 makes the value invalid; the result is then -1, as CODESYS Util's ``BCD_TO_INT``.
    """
    value &= _mask(64)
    result = 0
    scale = 1
    while value:
        digit = value & 0xF
        if digit > 9:
            return -1
        result += digit * scale
        scale *= 10
        value >>= 4
    return result


def int_to_bcd(value: int, bits: int = 64) -> int:
    """``value`` encoded as packed BCD in a ``bits``-wide bit string: ``int_to_bcd(25, 8)`` is ``16#25``
    (IEC ``USINT_TO_BCD_BYTE``).

    A negative value, or one with more digits than the width holds, gives all ones (``16#FF`` for a BYTE),
    as CODESYS Util's ``INT_TO_BCD``.
    """
    if value < 0 or value >= 10 ** (bits // 4):
        return _mask(bits)
    result = 0
    shift = 0
    while value:
        value, digit = divmod(value, 10)
        result |= digit << shift
        shift += 4
    return result


# --------------------------------------------------------------------------------------------------------------
# Real functions
# --------------------------------------------------------------------------------------------------------------


def _real(value: float, real_type: str) -> float:
    return f32(value) if real_type == "REAL" else value


def sqrt(x: float, real_type: str = "LREAL") -> float:
    """SQRT; NaN for a negative argument (IEEE 754), no runtime error."""
    return _real(math.sqrt(x) if x >= 0 else math.nan, real_type)


def ln(x: float, real_type: str = "LREAL") -> float:
    """LN, the natural logarithm; ``-inf`` for 0 and NaN for a negative argument (IEEE 754)."""
    return _real(_logarithm(math.log, x), real_type)


def log(x: float, real_type: str = "LREAL") -> float:
    """LOG, the base-10 logarithm; ``-inf`` for 0 and NaN for a negative argument (IEEE 754)."""
    return _real(_logarithm(math.log10, x), real_type)


def _logarithm(function: Callable[[float], float], x: float) -> float:
    if x > 0:
        return function(x)
    if x == 0:
        return -math.inf
    return math.nan


def exp(x: float, real_type: str = "LREAL") -> float:
    """EXP; ``+inf`` when the result overflows."""
    try:
        return _real(math.exp(x), real_type)
    except OverflowError:
        return math.inf


def _domain(function: Callable[[float], float], x: float, real_type: str) -> float:
    """``function(x)``, NaN where Python raises a domain error (IEEE 754 invalid operation)."""
    try:
        return _real(function(x), real_type)
    except ValueError:
        return math.nan


def sin(x: float, real_type: str = "LREAL") -> float:
    """SIN of an angle in radians; NaN for an infinite argument."""
    return _domain(math.sin, x, real_type)


def cos(x: float, real_type: str = "LREAL") -> float:
    """COS of an angle in radians; NaN for an infinite argument."""
    return _domain(math.cos, x, real_type)


def tan(x: float, real_type: str = "LREAL") -> float:
    """TAN of an angle in radians; NaN for an infinite argument."""
    return _domain(math.tan, x, real_type)


def asin(x: float, real_type: str = "LREAL") -> float:
    """ASIN in radians; NaN outside -1..1."""
    return _domain(math.asin, x, real_type)


def acos(x: float, real_type: str = "LREAL") -> float:
    """ACOS in radians; NaN outside -1..1."""
    return _domain(math.acos, x, real_type)


def atan(x: float, real_type: str = "LREAL") -> float:
    """ATAN in radians."""
    return _real(math.atan(x), real_type)


def atan2(y: float, x: float, real_type: str = "LREAL") -> float:
    """ATAN2(Y, X): the angle of the point (x, y) in radians, -pi..pi."""
    return _real(math.atan2(y, x), real_type)


def expt(base: float, exponent: float, type_name: str = "LREAL") -> float | int:
    """EXPT: ``base`` to the power ``exponent``, in the result type ``type_name``.

    For a real result the IEEE 754 ``pow`` rules apply: ``0`` to a negative power is ``+inf``, a negative
    base to a fractional power is NaN, overflow is an infinity. For an integer result (both arguments
    integers) the power is exact and wrapped; a negative exponent gives the truncated quotient (0 unless
    the base is 1 or -1). Real arguments with an integer result type are rounded like ``LREAL_TO_<type>``.

    Raises:
        ZeroDivisionError: an integer 0 raised to a negative power.
    """
    if type_name in _INTEGER_TYPES:
        if isinstance(base, int) and isinstance(exponent, int):
            return _integer_power(base, exponent, type_name)
        return wrap(_round_half_even(_real_power(float(base), float(exponent))), type_name)
    return _real(_real_power(float(base), float(exponent)), type_name)


def _integer_power(base: int, exponent: int, type_name: str) -> int:
    if exponent >= 0:
        mask = _INTEGER_TYPES[type_name][0]
        # Modular exponentiation: the wrapped result without building a number of `exponent` digits.
        return wrap(pow(base, exponent, mask + 1), type_name)
    if base == 0:
        raise ZeroDivisionError("0 raised to a negative power")
    if base == 1:
        return 1
    if base == -1:
        return wrap(-1 if exponent % 2 else 1, type_name)
    return 0


def _real_power(base: float, exponent: float) -> float:
    odd_integer = exponent.is_integer() and exponent % 2 == 1
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return -math.inf if base < 0 and odd_integer else math.inf
    except ValueError:
        if base == 0:  # a pole: 0 to a negative power
            return math.copysign(math.inf, base) if odd_integer else math.inf
        return math.nan  # a negative base to a fractional power


def _round_half_even(x: float) -> int:
    """The nearest integer, ties to even (IEC 61131-3 table 22 note b, IEC 60559); NaN and infinities give 0."""
    if not math.isfinite(x):
        return 0
    return round(x)


# --------------------------------------------------------------------------------------------------------------
# Dates and times
# --------------------------------------------------------------------------------------------------------------

_NS_PER_MS = 1_000_000
_NS_PER_S = 1_000_000_000
_NS_PER_DAY = 86_400 * _NS_PER_S
_EPOCH = _dt.datetime(1970, 1, 1)
# Time and date values stay within IEC's 64-bit nanosecond range of LTIME/LDT (years 1677 to 2262).
_NS_RANGE = 1 << 64
_NS_HALF = 1 << 63


@dataclass(frozen=True, slots=True)
class _TimeType:
    """How a time or date type converts.

    Attributes:
        kind: ``"duration"``, ``"date"``, ``"date_and_time"`` or ``"time_of_day"``.
        unit: nanoseconds per count when the value converts to or from a number (the CODESYS storage unit).
        resolution: the value is a whole multiple of this many nanoseconds.
        prefix: the literal prefix of its *_TO_STRING form.
    """

    kind: str
    unit: int
    resolution: int
    prefix: str


_TIME_TYPES: dict[str, _TimeType] = {
    "TIME": _TimeType("duration", _NS_PER_MS, _NS_PER_MS, "T#"),
    "LTIME": _TimeType("duration", 1, 1, "LTIME#"),
    "DATE": _TimeType("date", _NS_PER_S, _NS_PER_DAY, "D#"),
    "LDATE": _TimeType("date", 1, _NS_PER_DAY, "LDATE#"),
    "DT": _TimeType("date_and_time", _NS_PER_S, _NS_PER_S, "DT#"),
    "LDT": _TimeType("date_and_time", 1, 1, "LDT#"),
    "TOD": _TimeType("time_of_day", _NS_PER_MS, _NS_PER_MS, "TOD#"),
    "LTOD": _TimeType("time_of_day", 1, 1, "LTOD#"),
}


def _toward_zero(value: int, step: int) -> int:
    quotient = abs(value) // step
    return -quotient if value < 0 else quotient


def _wrap_ns(ns: int) -> int:
    return ((ns + _NS_HALF) % _NS_RANGE) - _NS_HALF


def _normalize_time(ns: int, kind: _TimeType) -> int:
    """A nanosecond count made a valid value of the type: within 64 bits, on its resolution, a time of day
    within one day. Durations truncate toward zero; points in time round down."""
    ns = _wrap_ns(ns)
    if kind.kind == "duration":
        return _toward_zero(ns, kind.resolution) * kind.resolution
    if kind.kind == "time_of_day":
        ns %= _NS_PER_DAY
    start = ns // kind.resolution * kind.resolution
    # Rounding down the very first instants of the range would leave it; they take the next step instead.
    return start if start >= -_NS_HALF else start + kind.resolution


def _time_to_count(ns: int, kind: _TimeType) -> int:
    if kind.kind == "duration":
        return _toward_zero(ns, kind.unit)
    return ns // kind.unit


def _format_time(ns: int, kind: _TimeType) -> str:
    if kind.kind == "duration":
        return format_duration(ns, kind.prefix)
    ns = _wrap_ns(ns)
    if kind.kind == "date":
        return kind.prefix + format_date(ns).split("#", 1)[1]
    if kind.kind == "time_of_day":
        return kind.prefix + format_time_of_day(ns).split("#", 1)[1]
    return kind.prefix + format_date_and_time(ns).split("#", 1)[1]


def concat_date_tod(date: int, tod: int) -> int:
    """CONCAT_DATE_TOD: the DT of a DATE and a TOD."""
    return date // _NS_PER_DAY * _NS_PER_DAY + tod % _NS_PER_DAY


def dt_to_date(dt: int) -> int:
    """DT_TO_DATE: the date part (midnight of that day)."""
    return dt // _NS_PER_DAY * _NS_PER_DAY


def dt_to_tod(dt: int) -> int:
    """DT_TO_TOD: the time-of-day part."""
    return dt % _NS_PER_DAY


def day_of_week(date: int) -> int:
    """DAY_OF_WEEK (IEC 61131-3 3rd ed.): 0 for Sunday to 6 for Saturday."""
    return (date // _NS_PER_DAY + 4) % 7  # 1970-01-01 was a Thursday


def split_dt(dt: int) -> tuple[int, int, int, int, int, int, int]:
    """SPLIT_DT: year, month, day, hour, minute, second and millisecond of a DT."""
    dt = _wrap_ns(dt)
    moment = _EPOCH + _dt.timedelta(microseconds=dt // 1_000)
    millisecond = dt % _NS_PER_S // _NS_PER_MS
    return moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, millisecond


# --------------------------------------------------------------------------------------------------------------
# Strings (positions are 1-based, as in IEC 61131-3)
# --------------------------------------------------------------------------------------------------------------


def LEN(s: str) -> int:
    """LEN: the number of characters."""
    return len(s)


def LEFT(s: str, n: int) -> str:
    """LEFT(IN, L): the first ``n`` characters; all of them if ``n`` is longer, '' if ``n <= 0``."""
    return s[:n] if n > 0 else ""


def RIGHT(s: str, n: int) -> str:
    """RIGHT(IN, L): the last ``n`` characters; all of them if ``n`` is longer, '' if ``n <= 0``."""
    return s[-n:] if n > 0 else ""


def MID(s: str, n: int, p: int) -> str:
    """MID(IN, L, P): ``n`` characters from position ``p`` (1 is the first character).

    A position below 1 counts as 1; a position beyond the end or ``n <= 0`` gives ''; fewer characters are
    returned where the string ends first.
    """
    p = max(p, 1)
    if n <= 0 or p > len(s):
        return ""
    return s[p - 1 : p - 1 + n]


def CONCAT(*parts: str) -> str:
    """CONCAT(IN1, IN2, ...): the strings joined (IEC allows any number of inputs)."""
    return "".join(parts)


def INSERT(s1: str, s2: str, p: int) -> str:
    """INSERT(IN1, IN2, P): ``s2`` inserted after the ``p``-th character of ``s1`` (0 inserts before the first).

    A negative position leaves ``s1`` unchanged (CODESYS Standard); a position beyond the end appends.
    """
    if p < 0:
        return s1
    return s1[:p] + s2 + s1[p:]


def DELETE(s: str, n: int, p: int) -> str:
    """DELETE(IN, L, P): ``s`` without the ``n`` characters starting at position ``p``.

    As in CODESYS Standard, position 0 addresses the first character but deletes one character less
    (a documented quirk kept for compatibility). A negative position, a position beyond the end or
    ``n <= 0`` leaves ``s`` unchanged.
    """
    if p == 0:
        p, n = 1, n - 1
    if p < 0 or p > len(s) or n <= 0:
        return s
    return s[: p - 1] + s[p - 1 + n :]


def REPLACE(s1: str, s2: str, n: int, p: int) -> str:
    """REPLACE(IN1, IN2, L, P): ``s1`` with the ``n`` characters from position ``p`` replaced by ``s2``.

    A position below 1 counts as 1, a negative ``n`` as 0; a position beyond the end appends ``s2``.
    """
    start = min(max(p, 1), len(s1) + 1) - 1
    return s1[:start] + s2 + s1[start + max(n, 0) :]


def FIND(s1: str, s2: str) -> int:
    """FIND(IN1, IN2): the position of the first occurrence of ``s2`` in ``s1`` (1 is the first character),
    0 if it does not occur or ``s2`` is empty: ``FIND('AAB', 'AB')`` is 2."""
    if not s2:
        return 0
    return s1.find(s2) + 1


# --------------------------------------------------------------------------------------------------------------
# Conversions
# --------------------------------------------------------------------------------------------------------------

_ALIASES = {"TIME_OF_DAY": "TOD", "DATE_AND_TIME": "DT", "LTIME_OF_DAY": "LTOD", "LDATE_AND_TIME": "LDT"}
_REAL_TYPES = frozenset({"REAL", "LREAL"})
_STRING_TYPES = frozenset({"STRING", "WSTRING"})
# Character types and the unsigned integer type of their code.
_CHAR_TYPES = {"CHAR": "USINT", "WCHAR": "UINT"}
_NARROW_LIMIT = {"STRING": 0xFF, "CHAR": 0xFF, "WSTRING": 0xFFFF, "WCHAR": 0xFFFF}

Number = int | float
#: A value of an elementary type, as the simulator holds it.
Value = bool | int | float | str


def _canonical(type_name: str) -> str:
    name = type_name.upper()
    return _ALIASES.get(name, name)


def _is_elementary(name: str) -> bool:
    return (
        name == "BOOL"
        or name in _INTEGER_TYPES
        or name in _REAL_TYPES
        or name in _TIME_TYPES
        or name in _STRING_TYPES
        or name in _CHAR_TYPES
    )


def convert(value: Value, source: str, target: str) -> Value:
    """The IEC conversion ``<source>_TO_<target>`` of ``value``.

    * Integers and bit strings wrap into the target (``INT_TO_USINT(300)`` is 44, ``INT_TO_UINT(-1)`` is
      65535); anything to BOOL is ``value <> 0``; BOOL to a number is 0 or 1.
    * REAL/LREAL to an integer rounds to nearest, ties to even (``REAL_TO_INT(2.5)`` is 2), then wraps; NaN
      and infinities give 0. Results of type REAL are rounded to single precision.
    * TIME and TOD convert to and from numbers in milliseconds, DATE and DT in seconds, LTIME, LDATE, LDT and
      LTOD in nanoseconds (the CODESYS storage units). Between time and date types the instant or duration
      is kept: ``DT_TO_DATE`` keeps the date, ``DT_TO_TOD`` the time of day.
    * ``*_TO_STRING`` prints as CODESYS does: ``'TRUE'``, ``'-5'``, ``'1.5'``, ``'T#1s500ms'``,
      ``'DT#1998-02-13-14:20:00'``. ``STRING_TO_*`` reads the leading literal after blanks and ignores what
      follows it; text that is not a literal gives 0 (or FALSE, or the zero time).

    Raises:
        ConversionError: ``source`` or ``target`` is not an elementary type.
    """
    source, target = _canonical(source), _canonical(target)
    if not _is_elementary(source) or not _is_elementary(target):
        raise ConversionError(f"no conversion {source}_TO_{target}")
    if target in _STRING_TYPES:
        return _to_string(value, source, target)
    if source in _STRING_TYPES:
        return _from_string(str(value), target)
    if target in _CHAR_TYPES:
        return _to_char(value, source, target)
    if source in _TIME_TYPES and target in _TIME_TYPES:
        return _normalize_time(int(value), _TIME_TYPES[target])
    return _from_number(_number(value, source), target)


def _number(value: Value, source: str) -> Number:
    """The number a value stands for when it converts to a numeric type."""
    if source == "BOOL":
        return 1 if value else 0
    if source in _REAL_TYPES:
        return float(value)
    if source in _TIME_TYPES:
        return _time_to_count(int(value), _TIME_TYPES[source])
    if source in _CHAR_TYPES:
        text = str(value)
        return ord(text[0]) if text else 0
    return int(value)


def _from_number(number: Number, target: str) -> Value:
    if target == "BOOL":
        return number != 0
    if target in _REAL_TYPES:
        if isinstance(number, int):
            return _int_to_f32(number) if target == "REAL" else float(number)
        return f32(number) if target == "REAL" else number
    count = number if isinstance(number, int) else _round_half_even(number)
    if target in _TIME_TYPES:
        kind = _TIME_TYPES[target]
        return _normalize_time(count * kind.unit, kind)
    return wrap(count, target)


def _narrow(text: str, target: str) -> str:
    """``text`` in the character set of ``target``: characters a STRING/CHAR cannot hold become '?'."""
    limit = _NARROW_LIMIT[target]
    if all(ord(char) <= limit for char in text):
        return text
    return "".join(char if ord(char) <= limit else "?" for char in text)


def _to_char(value: Value, source: str, target: str) -> str:
    if source in _CHAR_TYPES:
        text = str(value)[:1] or "\x00"
        return _narrow(text, target)
    code = _from_number(_number(value, source), _CHAR_TYPES[target])
    return chr(int(code))


def _to_string(value: Value, source: str, target: str) -> str:
    if source in _STRING_TYPES:
        text = str(value)
    elif source in _CHAR_TYPES:
        text = str(value)[:1].replace("\x00", "")
    elif source == "BOOL":
        text = "TRUE" if value else "FALSE"
    elif source in _REAL_TYPES:
        text = _format_real(float(value), single=source == "REAL")
    elif source in _TIME_TYPES:
        text = _format_time(int(value), _TIME_TYPES[source])
    else:
        text = str(int(value))
    return _narrow(text, target)


# Positional notation between 1E-5 and 1E16, scientific outside, as C's %g with the shortest digits.
_POSITIONAL_EXPONENTS = range(-5, 16)


def _format_real(x: float, single: bool) -> str:
    """The shortest decimal text that reads back as the same REAL (``single``) or LREAL."""
    if math.isnan(x):
        return "#QNAN"
    if math.isinf(x):
        return "#INF" if x > 0 else "-#INF"
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    if x == 0:
        return sign + "0"
    digits, exponent = _shortest_digits(abs(x), single)
    if exponent in _POSITIONAL_EXPONENTS:
        if exponent >= len(digits) - 1:
            body = digits + "0" * (exponent - len(digits) + 1)
        elif exponent >= 0:
            body = digits[: exponent + 1] + "." + digits[exponent + 1 :]
        else:
            body = "0." + "0" * (-exponent - 1) + digits
    else:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        body = f"{mantissa}E{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    return sign + body


def _shortest_digits(x: float, single: bool) -> tuple[str, int]:
    """The significant digits (no trailing zeros) and the decimal exponent of the first one."""
    if single:
        for precision in range(1, 10):  # 9 significant digits always identify a single
            text = f"{x:.{precision - 1}e}"
            if f32(float(text)) == x:
                break
    else:
        text = repr(x)  # Python's repr is the shortest text that reads back as the same double
    _, digit_tuple, exponent = Decimal(text).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    return digits, int(exponent) + len(digits) - 1


# STRING_TO_*: a literal after leading blanks; anything after it is ignored (CODESYS, TwinCAT).
_TYPE_PREFIX = r"(?:[A-Za-z_][A-Za-z0-9_]*#)?"
_INTEGER_TEXT = re.compile(rf"\s*{_TYPE_PREFIX}([+-]?)(?:(2|8|16)#([0-9A-Fa-f_]*)|(\d[\d_]*))")
_REAL_TEXT = re.compile(rf"\s*{_TYPE_PREFIX}([+-]?\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)")
_BOOL_TEXT = re.compile(r"\s*(?:BOOL#)?(TRUE|FALSE)", re.IGNORECASE)
_DIGITS = {2: "01_", 8: "01234567_", 16: "0123456789abcdefABCDEF_"}
_TIME_TEXT = {
    "duration": re.compile(
        r"\s*(?:(?:LTIME|TIME|LT|T)#)?([+-]?(?:\d[\d_]*(?:\.\d[\d_]*)?(?:ms|us|ns|d|h|m|s)_?)+)", re.I
    ),
    "date": re.compile(r"\s*(?:(?:LDATE|DATE|LD|D)#)?(\d+-\d+-\d+)", re.I),
    "time_of_day": re.compile(r"\s*(?:(?:LTIME_OF_DAY|TIME_OF_DAY|LTOD|TOD)#)?(\d+:\d+(?::\d+(?:\.\d+)?)?)", re.I),
    "date_and_time": re.compile(
        r"\s*(?:(?:LDATE_AND_TIME|DATE_AND_TIME|LDT|DT)#)?(\d+-\d+-\d+-\d+:\d+(?::\d+(?:\.\d+)?)?)", re.I
    ),
}
_TIME_READERS: dict[str, Callable[[str], int]] = {
    "duration": lambda body: duration_ns("T#" + body),
    "date": lambda body: date_ns("D#" + body),
    "time_of_day": lambda body: time_of_day_ns("TOD#" + body),
    "date_and_time": lambda body: date_and_time_ns("DT#" + body),
}


def _from_string(text: str, target: str) -> Value:
    if target in _CHAR_TYPES:
        return _narrow(text[:1] or "\x00", target)
    if target == "BOOL":
        word = _BOOL_TEXT.match(text)
        if word:
            return word.group(1).upper() == "TRUE"
        return _read_integer(text) != 0
    if target in _TIME_TYPES:
        kind = _TIME_TYPES[target]
        return _normalize_time(_read_time(text, kind.kind), kind)
    if target in _REAL_TYPES:
        return _from_number(_read_real(text), target)
    return wrap(_read_integer(text), target)


def _read_integer(text: str) -> int:
    """The leading integer literal of ``text`` (``'34abc'`` is 34, ``'16#FF'`` 255), 0 if there is none."""
    match = _INTEGER_TEXT.match(text)
    if match is None:
        return 0
    sign, base, based_digits, decimal = match.groups()
    if base:
        allowed = _DIGITS[int(base)]
        length = next((i for i, char in enumerate(based_digits) if char not in allowed), len(based_digits))
        digits = based_digits[:length].replace("_", "")
        magnitude = int(digits, int(base)) if digits else 0
    else:
        magnitude = int(decimal.replace("_", ""))
    return -magnitude if sign == "-" else magnitude


def _read_real(text: str) -> Number:
    """The leading real or integer literal of ``text``, 0 if there is none (``'1.7E+400'`` is infinite)."""
    based = _INTEGER_TEXT.match(text)
    if based is not None and based.group(2):
        return _read_integer(text)
    match = _REAL_TEXT.match(text)
    if match is None:
        return 0
    return float(match.group(1).replace("_", ""))


def _read_time(text: str, kind: str) -> int:
    match = _TIME_TEXT[kind].match(text)
    if match is None:
        return 0
    try:
        return _TIME_READERS[kind](match.group(1))
    except LiteralError:
        return 0


# --------------------------------------------------------------------------------------------------------------
# Initial values
# --------------------------------------------------------------------------------------------------------------


def default_value(type_name: str) -> Value:
    """The initial value of an elementary type without an initializer: FALSE, 0, 0.0, '' (STRING/WSTRING),
    NUL (CHAR/WCHAR), and zero for times and dates (T#0s, TOD#00:00:00, D#1970-01-01 as CODESYS and TwinCAT).

    Raises:
        ConversionError: ``type_name`` is not elementary.
    """
    name = _canonical(type_name)
    if name == "BOOL":
        return False
    if name in _INTEGER_TYPES or name in _TIME_TYPES:
        return 0
    if name in _REAL_TYPES:
        return 0.0
    if name in _STRING_TYPES:
        return ""
    if name in _CHAR_TYPES:
        return "\x00"
    raise ConversionError(f"{type_name} is not an elementary type")
