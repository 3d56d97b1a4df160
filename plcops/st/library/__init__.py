"""ST source that every project can use without declaring it: the IEC 61131-3 standard function blocks.

The counters exist for several count types (``CTU``, ``CTU_DINT``, ``CTU_UDINT``...), so their text is
generated from one template per counter.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

LIBRARY_PATH = "<iec-standard-library>"

# (suffix, count type): CTU is the INT version; the standard adds DINT, LINT, UDINT and ULINT ones.
_COUNT_TYPES = [("", "INT"), ("_DINT", "DINT"), ("_LINT", "LINT"), ("_UDINT", "UDINT"), ("_ULINT", "ULINT")]

_CTU = """
FUNCTION_BLOCK CTU{suffix}
VAR_INPUT
    CU : BOOL;
    R : BOOL;
    PV : {type};
END_VAR
VAR_OUTPUT
    Q : BOOL;
    CV : {type};
END_VAR
VAR
    {{attribute 'hide'}}
    _cu : BOOL;
END_VAR
IF R THEN
    CV := 0;
ELSIF CU AND NOT _cu AND CV < {max} THEN
    CV := CV + 1;
END_IF;
_cu := CU;
Q := CV >= PV;
END_FUNCTION_BLOCK
"""

_CTD = """
FUNCTION_BLOCK CTD{suffix}
VAR_INPUT
    CD : BOOL;
    LD : BOOL;
    PV : {type};
END_VAR
VAR_OUTPUT
    Q : BOOL;
    CV : {type};
END_VAR
VAR
    {{attribute 'hide'}}
    _cd : BOOL;
END_VAR
IF LD THEN
    CV := PV;
ELSIF CD AND NOT _cd AND CV > {min} THEN
    CV := CV - 1;
END_IF;
_cd := CD;
Q := CV <= 0;
END_FUNCTION_BLOCK
"""

_CTUD = """
FUNCTION_BLOCK CTUD{suffix}
VAR_INPUT
    CU : BOOL;
    CD : BOOL;
    R : BOOL;
    LD : BOOL;
    PV : {type};
END_VAR
VAR_OUTPUT
    QU : BOOL;
    QD : BOOL;
    CV : {type};
END_VAR
VAR
    {{attribute 'hide'}}
    _cu : BOOL;
    {{attribute 'hide'}}
    _cd : BOOL;
END_VAR
IF R THEN
    CV := 0;
ELSIF LD THEN
    CV := PV;
ELSIF NOT (CU AND NOT _cu AND CD AND NOT _cd) THEN
    IF CU AND NOT _cu AND CV < {max} THEN
        CV := CV + 1;
    ELSIF CD AND NOT _cd AND CV > {min} THEN
        CV := CV - 1;
    END_IF;
END_IF;
_cu := CU;
_cd := CD;
QU := CV >= PV;
QD := CV <= 0;
END_FUNCTION_BLOCK
"""

_LIMITS = {
    "INT": (-32768, 32767),
    "DINT": (-2147483648, 2147483647),
    "LINT": (-9223372036854775808, 9223372036854775807),
    "UDINT": (0, 4294967295),
    "ULINT": (0, 18446744073709551615),
}


@cache
def standard_library_text() -> str:
    """The ST text of every standard function block."""
    text = files(__package__).joinpath("standard.st").read_text(encoding="utf-8")
    for suffix, count_type in _COUNT_TYPES:
        low, high = _LIMITS[count_type]
        for template in (_CTU, _CTD, _CTUD):
            text += template.format(suffix=suffix, type=count_type, max=high, min=low)
    return text
