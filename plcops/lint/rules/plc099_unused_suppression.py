from __future__ import annotations

from plcops.lint.rule import Level, Rule


class PLC099(Rule):
    """A ``plcops: disable`` comment suppresses nothing.

    Why: a stale suppression hides the next real finding at that place. Remove it once the code it
    excused is fixed. (The engine reports these; CODESYS ``{analysis}`` pragmas are not reported, as they
    may address the vendor's own checks.)

    Anti-pattern:
    ```st
    (* plcops: disable=real-equality *)
    nCount := nCount + 1;
    ```

    Best practice:
    ```st
    nCount := nCount + 1;
    ```
    """

    code = "PLC099"
    name = "unused-suppression"
    groups = ("style",)
    level = Level.info
