"""Functions that tools provide to ST code without an ST declaration: the test framework's ``TEST``,
``AssertEquals`` and friends.

A layer above the language core (``plcops.testing``) registers them when it builds a model; the checker
binds their arguments by formal name or position and types them, and the compiler turns each call into a
call of the runtime object that layer supplies.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Intrinsic:
    """A provided function.

    Attributes:
        name: as ST code writes it (case-insensitive).
        parameters: formal names in positional order.
        result: the elementary type name of the result, or None for a statement-only call.
        optional: formal names that may be left out.
        any_typed: formal names that take a value of any type (``Expected``, ``Actual``).
        gate: written as a statement inside a method or action, a FALSE result returns from it (the test
            framework's ``TEST('name')`` skips the rest of a test method that is not running).
    """

    name: str
    parameters: tuple[str, ...]
    result: str | None = None
    optional: frozenset[str] = field(default_factory=frozenset)
    any_typed: frozenset[str] = field(default_factory=frozenset)
    gate: bool = False
