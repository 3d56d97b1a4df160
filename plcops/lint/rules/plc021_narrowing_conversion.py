from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.conversions import (
    ADAPTS,
    conversions,
    integer_like,
    literal_value,
    loses_data,
)
from plcops.lint.rule import Finding, Rule
from plcops.st.types import integer_fits


class PLC021(Rule):
    """A value is stored in a type that cannot hold all its values, without an explicit conversion.

    Why: the implicit conversion cuts off high bits (DINT to INT, WORD to BYTE), the fraction (REAL to
    INT) or precision (LREAL to REAL, DINT to REAL). IEC 61131-3 allows implicit conversion only to
    types that hold every value; CODESYS and TwinCAT accept more and warn. Writing the conversion
    (``DINT_TO_INT``) shows that the loss is intended and is the place to clamp the range.

    Assignments, call inputs (``fb(PV := nLong)``, ``F(nLong)``) and output connections
    (``fb(CV => nShort)``) are checked, as are integer literals too large for their target. Untyped
    literals take the type their context needs (``rOut := rIn * 0.5`` stays REAL). A change of sign
    alone (UINT to INT) is PLC022's.

    Anti-pattern:
    ```st
    nSpeed := nLongSetpoint;      // INT := DINT
    ```

    Best practice:
    ```st
    nSpeed := DINT_TO_INT(LIMIT(-32768, nLongSetpoint, 32767));
    ```
    """

    code = "PLC021"
    name = "narrowing-conversion"
    groups = ("conversion",)
    sa = ("SA0131",)
    plcopen = ("CP25",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for conversion in conversions(context):
            if conversion.source == ADAPTS:
                number = literal_value(conversion.value)
                if number is None or integer_like(conversion.target) is None or integer_fits(number, conversion.target):
                    continue
                message = f"{context.text_of(conversion.value)} does not fit in {conversion.target}"
                yield self.finding(message, conversion.value, conversion.scope)
            elif loses_data(conversion.source, conversion.target):
                message = f"implicit conversion from {conversion.source} to {conversion.target} may lose data"
                yield self.finding(message, conversion.value, conversion.scope)
