"""Signatures of the IEC 61131-3 standard function blocks and functions.

The tools need to know, without any library source, that ``TON.Q`` is a BOOL and ``TON.ET`` a TIME, or that
``INT_TO_REAL`` returns a REAL. This module is that one place; the simulator implements the behaviour.
"""

from __future__ import annotations

import re

from plcops.st.types import ELEMENTARY, INTEGERS, REALS, TypeRef, named

# Standard function blocks (IEC 61131-3, 3rd edition, tables 43-46): section -> variable -> type.
STANDARD_FBS: dict[str, dict[str, dict[str, str]]] = {
    "TON": {"VAR_INPUT": {"IN": "BOOL", "PT": "TIME"}, "VAR_OUTPUT": {"Q": "BOOL", "ET": "TIME"}},
    "TOF": {"VAR_INPUT": {"IN": "BOOL", "PT": "TIME"}, "VAR_OUTPUT": {"Q": "BOOL", "ET": "TIME"}},
    "TP": {"VAR_INPUT": {"IN": "BOOL", "PT": "TIME"}, "VAR_OUTPUT": {"Q": "BOOL", "ET": "TIME"}},
    "LTON": {"VAR_INPUT": {"IN": "BOOL", "PT": "LTIME"}, "VAR_OUTPUT": {"Q": "BOOL", "ET": "LTIME"}},
    "LTOF": {"VAR_INPUT": {"IN": "BOOL", "PT": "LTIME"}, "VAR_OUTPUT": {"Q": "BOOL", "ET": "LTIME"}},
    "LTP": {"VAR_INPUT": {"IN": "BOOL", "PT": "LTIME"}, "VAR_OUTPUT": {"Q": "BOOL", "ET": "LTIME"}},
    "CTU": {"VAR_INPUT": {"CU": "BOOL", "R": "BOOL", "PV": "INT"}, "VAR_OUTPUT": {"Q": "BOOL", "CV": "INT"}},
    "CTD": {"VAR_INPUT": {"CD": "BOOL", "LD": "BOOL", "PV": "INT"}, "VAR_OUTPUT": {"Q": "BOOL", "CV": "INT"}},
    "CTUD": {
        "VAR_INPUT": {"CU": "BOOL", "CD": "BOOL", "R": "BOOL", "LD": "BOOL", "PV": "INT"},
        "VAR_OUTPUT": {"QU": "BOOL", "QD": "BOOL", "CV": "INT"},
    },
    "R_TRIG": {"VAR_INPUT": {"CLK": "BOOL"}, "VAR_OUTPUT": {"Q": "BOOL"}},
    "F_TRIG": {"VAR_INPUT": {"CLK": "BOOL"}, "VAR_OUTPUT": {"Q": "BOOL"}},
    "SR": {"VAR_INPUT": {"S1": "BOOL", "R": "BOOL"}, "VAR_OUTPUT": {"Q1": "BOOL"}},
    "RS": {"VAR_INPUT": {"S": "BOOL", "R1": "BOOL"}, "VAR_OUTPUT": {"Q1": "BOOL"}},
}
for _width, _name in (("DINT", "CTU_DINT"), ("LINT", "CTU_LINT"), ("UDINT", "CTU_UDINT"), ("ULINT", "CTU_ULINT")):
    STANDARD_FBS[_name] = {
        "VAR_INPUT": {"CU": "BOOL", "R": "BOOL", "PV": _width},
        "VAR_OUTPUT": {"Q": "BOOL", "CV": _width},
    }

# Functions whose result type does not depend on their arguments.
_FIXED_RESULTS: dict[str, str] = {
    "LEN": "INT",
    "FIND": "INT",
    "LEFT": "STRING",
    "RIGHT": "STRING",
    "MID": "STRING",
    "CONCAT": "STRING",
    "INSERT": "STRING",
    "DELETE": "STRING",
    "REPLACE": "STRING",
    "ADR": "POINTER",
    # SIZEOF is missing on purpose: CODESYS/TwinCAT give it the smallest unsigned type that holds the
    # size (USINT for a BOOL, UDINT for a large array); XSIZEOF is __UXINT, 32 or 64 bits by target.
    "TIME": "TIME",
    "EQ": "BOOL",
    "NE": "BOOL",
    "GT": "BOOL",
    "GE": "BOOL",
    "LT": "BOOL",
    "LE": "BOOL",
    "AND": "BOOL",
    "OR": "BOOL",
    "XOR": "BOOL",
    "NOT": "BOOL",
}
# Functions whose result has the type of their (widest) argument.
ARGUMENT_TYPED = frozenset("ABS MIN MAX LIMIT SEL MUX MOVE SHL SHR ROL ROR ADD SUB MUL DIV MOD EXPT NEG".split())
# Functions on reals: REAL in, REAL out; LREAL in, LREAL out; integer in, the default real (LREAL).
REAL_FUNCTIONS = frozenset("SQRT LN LOG EXP SIN COS TAN ASIN ACOS ATAN ATAN2".split())

_CONVERSION = re.compile(r"^(?:([A-Z_]+?)_)?TO_([A-Z_]+)$")


def function_result(name: str, argument_types: list[TypeRef | None]) -> TypeRef | None:
    """The result type of a standard function called with arguments of these types, or None if unknown."""
    upper = name.upper()
    if upper in _FIXED_RESULTS:
        return named(_FIXED_RESULTS[upper])
    conversion = _CONVERSION.match(upper)
    if conversion and conversion.group(2) in ELEMENTARY:
        return named(conversion.group(2))
    if upper in ("TRUNC",):
        return named("DINT")
    elementary = [t.elementary for t in argument_types if t is not None and t.elementary]
    if upper in ARGUMENT_TYPED and elementary:
        arguments = elementary[1:] if upper in ("SEL", "MUX") and len(elementary) > 1 else elementary
        from plcops.st.types import wider

        result = arguments[0]
        for other in arguments[1:]:
            result = wider(result, other)
        return named(result)
    if upper in REAL_FUNCTIONS:
        if elementary and elementary[0] in REALS:
            return named(elementary[0])
        if elementary and elementary[0] in INTEGERS:
            return named("LREAL")
    return None
