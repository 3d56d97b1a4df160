"""The IEC 61131-3 standard functions as the checker and the compiler see them: names, formal parameters
and how the result type follows from the arguments.

Behaviour lives in the simulator (:mod:`plcops.sim.library`); this module only says what is callable and
what it returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Formal parameter names (for calls written with ``name := value``); extensible functions take IN1, IN2...
FORMALS: dict[str, tuple[str, ...]] = {
    "ABS": ("IN",),
    "SQRT": ("IN",),
    "LN": ("IN",),
    "LOG": ("IN",),
    "EXP": ("IN",),
    "SIN": ("IN",),
    "COS": ("IN",),
    "TAN": ("IN",),
    "ASIN": ("IN",),
    "ACOS": ("IN",),
    "ATAN": ("IN",),
    "ATAN2": ("Y", "X"),
    "EXPT": ("IN1", "IN2"),
    "MOVE": ("IN",),
    "NEG": ("IN",),
    "SHL": ("IN", "N"),
    "SHR": ("IN", "N"),
    "ROL": ("IN", "N"),
    "ROR": ("IN", "N"),
    "SEL": ("G", "IN0", "IN1"),
    "LIMIT": ("MN", "IN", "MX"),
    "LEN": ("IN",),
    "LEFT": ("IN", "L"),
    "RIGHT": ("IN", "L"),
    "MID": ("IN", "L", "P"),
    "INSERT": ("IN1", "IN2", "P"),
    "DELETE": ("IN", "L", "P"),
    "REPLACE": ("IN1", "IN2", "L", "P"),
    "FIND": ("IN1", "IN2"),
    "TRUNC": ("IN",),
    "SUB": ("IN1", "IN2"),
    "DIV": ("IN1", "IN2"),
    "MOD": ("IN1", "IN2"),
    "ADR": ("IN",),
    "REF": ("IN",),
    "SIZEOF": ("IN",),
    "LOWER_BOUND": ("ARR", "DIM"),
    "UPPER_BOUND": ("ARR", "DIM"),
    "TIME": (),
    "CONCAT_DATE_TOD": ("IN1", "IN2"),
    "DT_TO_DATE": ("IN",),
    "DT_TO_TOD": ("IN",),
}
# Functions with any number of inputs IN1, IN2, ... (MUX: K, IN0, IN1, ...).
EXTENSIBLE = frozenset(
    {"ADD", "MUL", "MAX", "MIN", "AND", "OR", "XOR", "CONCAT", "MUX", "GT", "GE", "EQ", "LE", "LT", "NE"}
)
REAL_FUNCTIONS = frozenset({"SQRT", "LN", "LOG", "EXP", "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN", "ATAN2"})
COMPARISONS = {"GT": ">", "GE": ">=", "EQ": "=", "LE": "<=", "LT": "<", "NE": "<>"}
ARITHMETIC = {"ADD": "+", "SUB": "-", "MUL": "*", "DIV": "/", "MOD": "MOD"}
BITWISE = {"AND": "AND", "OR": "OR", "XOR": "XOR"}
STRING_FUNCTIONS = frozenset({"LEN", "LEFT", "RIGHT", "MID", "CONCAT", "INSERT", "DELETE", "REPLACE", "FIND"})
# Typed time functions of the standard (ADD_TIME, SUB_DT_DT, ...): operator and result type.
TIME_FUNCTIONS: dict[str, tuple[str, str]] = {
    "ADD_TIME": ("+", "TIME"),
    "ADD_LTIME": ("+", "LTIME"),
    "SUB_TIME": ("-", "TIME"),
    "SUB_LTIME": ("-", "LTIME"),
    "MUL_TIME": ("*", "TIME"),
    "MUL_LTIME": ("*", "LTIME"),
    "DIV_TIME": ("/", "TIME"),
    "DIV_LTIME": ("/", "LTIME"),
    "ADD_TOD_TIME": ("+", "TOD"),
    "ADD_DT_TIME": ("+", "DT"),
    "SUB_TOD_TIME": ("-", "TOD"),
    "SUB_DT_TIME": ("-", "DT"),
    "SUB_DATE_DATE": ("-", "TIME"),
    "SUB_TOD_TOD": ("-", "TIME"),
    "SUB_DT_DT": ("-", "TIME"),
}

_CONVERSION = re.compile(
    r"^(?:(?P<source>[A-Z]+(?:_OF_DAY|_AND_TIME)?)_)?(?P<bcd>BCD_)?TO_(?P<bcd2>BCD_)?(?P<target>[A-Z]+(?:_OF_DAY|_AND_TIME)?)$"
)


@dataclass(frozen=True)
class Conversion:
    """``REAL_TO_INT``: source and target type names (source None for the generic ``TO_INT``)."""

    source: str | None
    target: str
    bcd: str = ""  # "from" for *_BCD_TO_*, "to" for *_TO_BCD_*


def conversion(name: str, elementary: set[str]) -> Conversion | None:
    """The conversion a function name stands for (``INT_TO_REAL``, ``TO_LREAL``, ``WORD_BCD_TO_INT``)."""
    upper = name.upper()
    if upper.startswith("TRUNC_"):
        return Conversion("REAL", upper[6:]) if upper[6:] in elementary else None
    match = _CONVERSION.match(upper)
    if match is None:
        return None
    aliases = {"TIME_OF_DAY": "TOD", "DATE_AND_TIME": "DT", "STRING": "STRING", "WSTRING": "WSTRING"}
    source = match.group("source")
    target = aliases.get(match.group("target"), match.group("target"))
    source = aliases.get(source, source) if source else None
    known = elementary | {"STRING", "WSTRING"}
    if target not in known or (source is not None and source not in known):
        return None
    bcd = "from" if match.group("bcd") else "to" if match.group("bcd2") else ""
    return Conversion(source, target, bcd)


def is_standard_function(name: str, elementary: set[str]) -> bool:
    """Whether a name is a standard function (or conversion) that needs no declaration."""
    upper = name.upper()
    return (
        upper in FORMALS
        or upper in EXTENSIBLE
        or upper in TIME_FUNCTIONS
        or upper in ARITHMETIC
        or upper in ("NOT",)
        or conversion(upper, elementary) is not None
    )


def formal_names(name: str, count: int) -> tuple[str, ...]:
    """The formal parameter names of a standard function called with ``count`` arguments."""
    upper = name.upper()
    if upper == "MUX":
        return ("K", *(f"IN{i}" for i in range(max(count - 1, 0))))
    if upper in EXTENSIBLE or upper in ARITHMETIC or upper in TIME_FUNCTIONS:
        return tuple(f"IN{i + 1}" for i in range(count))
    if upper in FORMALS:
        return FORMALS[upper]
    return ("IN",)
