from __future__ import annotations

from plcops.lint.rule import Level, Rule


class PLC000(Rule):
    """The file has a syntax error.

    Why: nothing else in a file with a syntax error can be checked, and the PLC will not compile it.
    The engine reports parse errors under this code so they appear in every output format.

    Anti-pattern:
    ```st
    x := 1
    y := 2;
    ```

    Best practice:
    ```st
    x := 1;
    y := 2;
    ```
    """

    code = "PLC000"
    name = "syntax-error"
    groups = ("correctness",)
    level = Level.error
