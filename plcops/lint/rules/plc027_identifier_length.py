from __future__ import annotations

from typing import Any, ClassVar, Iterable

from plcops.lint.context import FileContext
from plcops.lint.rule import Finding, Level, Rule
from plcops.st import ast


class PLC027(Rule):
    """A name is shorter or longer than the project allows.

    Why: one-letter names say nothing outside a tiny loop, and very long names push code off screen and
    get truncated in HMI tag lists. Off by default; set ``min_length``/``max_length`` (names listed in
    ``allowed``, such as loop counters, are exempt). Checked where a name is declared: POUs, methods,
    properties, actions, variables, structure members, types, tasks and configurations (the ``GET``/``SET``
    of a property are keywords, not names).

    Anti-pattern: ``VAR x : INT; END_VAR`` in a 300-line function block.
    ```st
    VAR
        x : INT;        // what does x count?
    END_VAR
    x := x + 1;
    ```

    Best practice: ``nRetryCount``.
    ```st
    VAR
        nRetryCount : INT;
    END_VAR
    nRetryCount := nRetryCount + 1;
    ```
    """

    code = "PLC027"
    name = "identifier-length"
    groups = ("naming",)
    level = Level.info
    enabled = False
    sa = ("SA0101",)
    plcopen = ("N6",)
    options: ClassVar[dict[str, Any]] = {"min_length": 2, "max_length": 64, "allowed": ["i", "j", "k"]}

    def check(self, context: FileContext) -> Iterable[Finding]:
        low, high = int(self.settings["min_length"]), int(self.settings["max_length"])
        allowed = {name.casefold() for name in self.settings["allowed"]}
        for identifier, parents in context.nodes(ast.Identifier):
            text = identifier.text
            if text.casefold() in allowed or "." in text:
                continue  # dotted: an instance path in VAR_CONFIG, made of names declared elsewhere
            if parents and isinstance(parents[-1], ast.PropertyAccessor) and parents[-1].name is identifier:
                continue
            if len(text) < low:
                yield self.finding(f"'{text}' is shorter than {low} characters", identifier)
            elif len(text) > high:
                yield self.finding(f"'{text}' is longer than {high} characters", identifier)
