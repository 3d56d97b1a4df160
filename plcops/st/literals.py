"""The values of ST literals, as the simulator and constant folding use them.

Value representation (shared by the checker, the compiler and the simulator):

* integers and bit strings: ``int``; BOOL: ``bool``; REAL/LREAL: ``float``;
* TIME/LTIME: ``int`` nanoseconds (negative durations allowed);
* DATE/LDATE and DT/LDT: ``int`` nanoseconds since 1970-01-01 00:00 (DATE at midnight);
  TOD/LTOD: ``int`` nanoseconds since midnight;
* STRING/WSTRING/CHAR/WCHAR: ``str``.

Errors raise :class:`LiteralError` with a message for a diagnostic.
"""

from __future__ import annotations

import datetime as _dt
import re
from fractions import Fraction

NS_PER = {
    "D": 86_400_000_000_000,
    "H": 3_600_000_000_000,
    "M": 60_000_000_000,
    "S": 1_000_000_000,
    "MS": 1_000_000,
    "US": 1_000,
    "NS": 1,
}
_TIME_PART = re.compile(r"(\d+(?:\.\d+)?)(MS|US|NS|D|H|M|S)", re.IGNORECASE)
_EPOCH = _dt.datetime(1970, 1, 1)
_ESCAPES = {"$": "$", "'": "'", '"': '"', "L": "\n", "N": "\n", "P": "\f", "R": "\r", "T": "\t"}


class LiteralError(ValueError):
    """A literal that cannot be read (malformed, out of range)."""


def integer_value(text: str) -> int:
    """``42``, ``1_000``, ``16#FF``, ``2#1010``, ``8#17``, ``-5``."""
    body = text.replace("_", "")
    sign = 1
    if body[:1] in "+-":
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    try:
        if "#" in body:
            base, digits = body.split("#", 1)
            if base not in ("2", "8", "16"):
                raise LiteralError(f"base {base} is not 2, 8 or 16")
            return sign * int(digits, int(base))
        return sign * int(body)
    except ValueError:
        raise LiteralError(f"not an integer: {text}") from None


def real_value(text: str) -> float:
    """``1.5``, ``-2.5E-3``, ``1_000.0``."""
    try:
        return float(text.replace("_", ""))
    except ValueError:
        raise LiteralError(f"not a real number: {text}") from None


# Prefixes of duration, date and time literals -> (type, an example), for literals whose body is malformed.
TIME_LITERAL_SHAPES = {
    "T": ("TIME", "T#5s or T#1m30s"),
    "TIME": ("TIME", "TIME#5s"),
    "LT": ("LTIME", "LT#5s"),
    "LTIME": ("LTIME", "LTIME#5us"),
    "D": ("DATE", "D#2024-01-31"),
    "DATE": ("DATE", "DATE#2024-01-31"),
    "LD": ("LDATE", "LD#2024-01-31"),
    "LDATE": ("LDATE", "LDATE#2024-01-31"),
    "TOD": ("TOD", "TOD#12:30:00"),
    "TIME_OF_DAY": ("TOD", "TIME_OF_DAY#12:30:00"),
    "LTOD": ("LTOD", "LTOD#12:30:00"),
    "LTIME_OF_DAY": ("LTOD", "LTIME_OF_DAY#12:30:00"),
    "DT": ("DT", "DT#2024-01-31-12:30:00"),
    "DATE_AND_TIME": ("DT", "DATE_AND_TIME#2024-01-31-12:30:00"),
    "LDT": ("LDT", "LDT#2024-01-31-12:30:00"),
    "LDATE_AND_TIME": ("LDT", "LDATE_AND_TIME#2024-01-31-12:30:00"),
}


def malformed_time_literal(text: str) -> LiteralError:
    """The error for a duration, date or time literal whose body is not one (``T#5``, ``TOD#25``)."""
    type_name, example = TIME_LITERAL_SHAPES[text.split("#", 1)[0].upper()]
    return LiteralError(f"{text} is not a valid {type_name} literal (write it like {example})")


def duration_ns(text: str) -> int:
    """``T#1d2h3m4s5ms``, ``TIME#-1.5s``, ``LTIME#5us``, ``T#1h_30m``: nanoseconds."""
    body = text.split("#", 1)[1] if "#" in text else text
    body = body.replace("_", "")
    negative = body.startswith("-")
    body = body[1:] if body[:1] in ("+", "-") else body  # one sign at most: T#+-1s is no duration
    if not body:
        raise LiteralError(f"empty duration: {text}")
    fractional = Fraction(0)  # exact: a float overflowed on 400 digits and rounded long ones
    exact = 0
    position = 0
    for match in _TIME_PART.finditer(body):
        if match.start() != position:
            raise LiteralError(f"not a duration: {text}")
        number, unit = match.group(1), match.group(2).upper()
        if "." in number:
            fractional += Fraction(number) * NS_PER[unit]
        else:
            exact += int(number) * NS_PER[unit]
        position = match.end()
    if position != len(body):
        raise LiteralError(f"not a duration: {text}")
    value = exact + round(fractional)
    value = -value if negative else value
    if not -(2**63) <= value < 2**63:  # times are LTIME's signed 64-bit nanoseconds (docs/semantics.md)
        raise LiteralError(f"{text} is out of range: durations reach about 106,751 days (64-bit nanoseconds)")
    return value


def date_ns(text: str) -> int:
    """``D#2024-01-31``, ``DATE#...``, ``LDATE#...``: midnight of that day."""
    body = text.split("#", 1)[1]
    try:
        day = _dt.datetime.strptime(body.replace("_", ""), "%Y-%m-%d")
    except ValueError:
        raise LiteralError(f"not a date: {text}") from None
    return _ns_since_epoch(day)


def time_of_day_ns(text: str) -> int:
    """``TOD#12:30:15.5``, ``TIME_OF_DAY#...``, ``LTOD#...``: nanoseconds since midnight."""
    return _clock_ns(text.split("#", 1)[1], text)


def date_and_time_ns(text: str) -> int:
    """``DT#2024-01-31-12:30:15.5``, ``DATE_AND_TIME#...``, ``LDT#...``."""
    body = text.split("#", 1)[1]
    match = re.fullmatch(r"(\d+-\d+-\d+)-(.+)", body)
    if match is None:
        raise LiteralError(f"not a date and time: {text}")
    try:
        day = date_ns("D#" + match.group(1))
    except LiteralError:
        raise LiteralError(f"not a date and time: {text}") from None  # name the literal that was written
    return day + _clock_ns(match.group(2), text)


def _clock_ns(body: str, text: str) -> int:
    match = re.fullmatch(r"(\d+):(\d+)(?::(\d+)(?:\.(\d+))?)?", body)
    if match is None:
        raise LiteralError(f"not a time of day: {text}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = int(match.group(3) or 0)
    fraction = match.group(4) or ""
    if hours > 23 or minutes > 59 or seconds > 59:
        raise LiteralError(f"time of day out of range: {text}")
    ns = int((fraction + "000000000")[:9]) if fraction else 0
    return ((hours * 60 + minutes) * 60 + seconds) * 1_000_000_000 + ns


def _ns_since_epoch(moment: _dt.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def string_value(text: str) -> str:
    """``'it$'s'`` / ``"wide$""``: the characters, with ``$`` escapes (``$N``, ``$41``, ``$0041``) resolved."""
    quote = text[0]
    body = text[1:-1]
    width = 4 if quote == '"' else 2
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != "$":
            out.append(char)
            index += 1
            continue
        following = body[index + 1 : index + 2].upper()
        if following in _ESCAPES:
            out.append(_ESCAPES[following])
            index += 2
            continue
        digits = body[index + 1 : index + 1 + width]
        if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            out.append(chr(int(digits, 16)))
            index += 1 + width
            continue
        raise LiteralError(f"unknown escape ${following} in {text}")
    return "".join(out)


_READERS = {
    "TIME_LITERAL": duration_ns,
    "DATE_LITERAL": date_ns,
    "TOD_LITERAL": time_of_day_ns,
    "DT_LITERAL": date_and_time_ns,
    "STRING": string_value,
    "WSTRING": string_value,
}


def literal_problem(kind: str, text: str) -> str | None:
    """Why a literal token cannot be read, judged from its text alone (no declarations needed), or None.

    The parser reports these, so ``plcops parse`` and pre-commit hooks reject what no IEC compiler accepts:
    ``'$Q'`` (no such escape), ``T#5`` (no unit), ``TOD#25:00``, ``DATE#2024-13-01``, ``BOOL#2``. Typed
    literals whose prefix may be a user's enumeration (``E_Mode#Run``) need the project and are left to
    the checker.
    """
    reader = _READERS.get(kind)
    try:
        if reader is not None:
            reader(text)
        elif kind == "TYPED_LITERAL":
            prefix, body = text.split("#", 1)
            shape = TIME_LITERAL_SHAPES.get(prefix.upper())
            if shape is not None:
                if shape[0] not in ("TIME", "LTIME"):
                    return str(malformed_time_literal(text))  # the lexer found no date or time after D#/TOD#
                try:
                    duration_ns(text)
                except LiteralError:
                    return str(malformed_time_literal(text))
            elif prefix.upper() == "BOOL" and body.upper() not in ("TRUE", "FALSE", "1", "0"):
                return f"{text} is not a BOOL literal (BOOL#TRUE, BOOL#FALSE, BOOL#1 or BOOL#0)"
    except LiteralError as exc:
        return str(exc)
    return None


def format_duration(ns: int, prefix: str = "T#") -> str:
    """An IEC duration literal for nanoseconds: ``T#1s500ms``, ``T#0ms``, ``T#-2h``."""
    sign = "-" if ns < 0 else ""
    remaining = abs(ns)
    parts = []
    for unit in ("D", "H", "M", "S", "MS", "US", "NS"):
        size = NS_PER[unit]
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit.lower()}")
    return f"{prefix}{sign}{''.join(parts) or '0ms'}"


def format_date(ns: int) -> str:
    """``D#2024-01-31``."""
    moment = _EPOCH + _dt.timedelta(microseconds=ns // 1_000)
    return f"D#{moment:%Y-%m-%d}"


def format_time_of_day(ns: int) -> str:
    """``TOD#12:30:15.5``."""
    seconds, fraction = divmod(ns % NS_PER["D"], 1_000_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    tail = f".{fraction:09d}".rstrip("0") if fraction else ""
    return f"TOD#{hour:02d}:{minute:02d}:{second:02d}{tail}"


def format_date_and_time(ns: int) -> str:
    """``DT#2024-01-31-12:30:15.5``."""
    day, clock = divmod(ns, NS_PER["D"])
    return f"DT#{format_date(day * NS_PER['D'])[2:]}-{format_time_of_day(clock)[4:]}"
