from __future__ import annotations

from typing import Iterable

from plcops.lint.context import FileContext
from plcops.lint.conversions import ADAPTS, changes_sign, conversions
from plcops.lint.rule import Finding, Rule


class PLC022(Rule):
    """A signed value is stored in an unsigned type, or the reverse, without an explicit conversion.

    Why: -1 becomes 65535 in a UINT, and 40000 becomes -25536 in an INT: the bits are kept, the meaning is
    not. An explicit conversion shows the intent and is the place to check the range.

    Bit strings (BYTE, WORD, DWORD, LWORD) count as unsigned, as in CODESYS and TwinCAT. An unsigned
    value stored in a wider signed type (UINT to DINT, BYTE to INT) keeps every value and is fine.
    Assignments, call inputs and output connections are checked, as for PLC021.

    Anti-pattern:
    ```st
    nCount := nDelta;       // UINT := INT
    ```

    Best practice:
    ```st
    IF nDelta >= 0 THEN
        nCount := INT_TO_UINT(nDelta);
    END_IF
    ```
    """

    code = "PLC022"
    name = "sign-conversion"
    groups = ("conversion",)
    sa = ("SA0132",)
    plcopen = ("CP25",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for conversion in conversions(context):
            if conversion.source != ADAPTS and changes_sign(conversion.source, conversion.target):
                message = f"implicit conversion from {conversion.source} to {conversion.target} changes the sign interpretation"
                yield self.finding(message, conversion.value, conversion.scope)
