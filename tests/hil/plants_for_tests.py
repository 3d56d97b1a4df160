"""Plant models that let a test step into a running HIL scenario (``model = "tests.hil.plants_for_tests:Gate"``).

The runner calls ``step(dt, outputs)`` once per cycle, before the PLC scans, so a plant is a hook into
the middle of a scenario: :class:`Gate` pauses the runner at a given cycle until the test says go on
(after it has stopped a server, for example), :class:`Interrupt` presses Ctrl-C at a given cycle.
"""

from __future__ import annotations

import threading
from typing import Any

GATES: dict[str, tuple[threading.Event, threading.Event]] = {}


def gate(name: str) -> tuple[threading.Event, threading.Event]:
    """(reached, resume) events of the gate called ``name`` (created on first use)."""
    return GATES.setdefault(name, (threading.Event(), threading.Event()))


class Gate:
    """At cycle ``at``: set ``reached``, then wait (at most ``wait`` seconds) for ``resume``."""

    def __init__(self, name: str, at: int, wait: float = 10.0) -> None:
        self.reached, self.resume = gate(name)
        self.at = at
        self.wait = wait
        self.steps = 0

    def step(self, dt: float, outputs: dict[str, Any]) -> dict[str, Any]:
        self.steps += 1
        if self.steps == self.at:
            self.reached.set()
            self.resume.wait(self.wait)
        return {}


class Interrupt:
    """Ctrl-C at cycle ``at``."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.steps = 0

    def step(self, dt: float, outputs: dict[str, Any]) -> dict[str, Any]:
        self.steps += 1
        if self.steps == self.at:
            raise KeyboardInterrupt
        return {}


class NoStep:
    """Not a plant model: it has no ``step``."""


class ReturnsNone:
    """A broken model: ``step`` returns nothing."""

    def step(self, dt: float, outputs: dict[str, Any]) -> None:
        return None


class FailsToStart:
    """A model whose constructor fails (a calibration file missing, say)."""

    def __init__(self) -> None:
        raise RuntimeError("calibration file missing")

    def step(self, dt: float, outputs: dict[str, Any]) -> dict[str, Any]:
        return {}
