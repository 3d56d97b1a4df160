"""Plant models in closed loop with the controller: ``step(dt, plc_outputs) -> plc_inputs``.

A plant model is any class with a ``step`` method taking the time step in seconds and the PLC's outputs
it reads (by the names its ``[[plant]]`` entry gives them), and returning the PLC inputs it drives. The
HIL runner calls it once per cycle, after reading the outputs and before writing the inputs; the same
models run against the virtual PLC and a bench controller.

```python
class Heater:
    def __init__(self, gain: float = 2.0) -> None:
        self.temperature = 20.0
        self.gain = gain

    def step(self, dt: float, outputs: dict) -> dict:
        heating = outputs["heater_on"]
        self.temperature += (self.gain if heating else -0.5) * dt
        return {"temperature": round(self.temperature * 10)}   # 0.1 degC per digit
```
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any, Protocol


class PlantModel(Protocol):
    """What the HIL runner calls every cycle."""

    def step(self, dt: float, outputs: dict[str, Any]) -> dict[str, Any]: ...


class Tank:
    """A tank filled through a valve and drained by a pump.

    Inputs (PLC outputs): ``inlet`` (BOOL), ``outlet`` (BOOL). Outputs (PLC inputs): ``level`` (raw
    0..27648 for 0..100 %, as an analogue input card reports it), ``high`` (level >= 90 %), ``low``
    (level <= 10 %).
    """

    def __init__(self, level: float = 50.0, fill_rate: float = 10.0, drain_rate: float = 8.0) -> None:
        self.level = level  # percent
        self.fill_rate = fill_rate  # percent per second with the inlet open
        self.drain_rate = drain_rate

    def step(self, dt: float, outputs: dict[str, Any]) -> dict[str, Any]:
        if outputs.get("inlet"):
            self.level += self.fill_rate * dt
        if outputs.get("outlet"):
            self.level -= self.drain_rate * dt
        self.level = min(max(self.level, 0.0), 100.0)
        return {"level": round(self.level * 276.48), "high": self.level >= 90.0, "low": self.level <= 10.0}


class Conveyor:
    """A conveyor that brings a bottle under a station ``travel_time`` seconds after it starts running,
    and a bottle that fills while ``valve`` is open and reports full after ``fill_time`` seconds; a full
    bottle is taken away ``discharge_time`` seconds after the valve closed.

    Inputs: ``running``, ``valve``. Outputs: ``bottle_in_place``, ``full``.
    """

    def __init__(self, travel_time: float = 1.5, fill_time: float = 2.0, discharge_time: float = 0.4) -> None:
        self.travel_time = travel_time
        self.fill_time = fill_time
        self.discharge_time = discharge_time
        self.travelled = 0.0
        self.filled = 0.0
        self.closed_for = 0.0
        self.bottle = False

    def step(self, dt: float, outputs: dict[str, Any]) -> dict[str, Any]:
        if not self.bottle:
            self.travelled = self.travelled + dt if outputs.get("running") else 0.0
            if self.travelled >= self.travel_time:
                self.bottle, self.filled, self.closed_for = True, 0.0, 0.0
        else:
            if outputs.get("valve"):
                self.filled += dt
                self.closed_for = 0.0
            elif self.filled >= self.fill_time:
                self.closed_for += dt
                if self.closed_for >= self.discharge_time:
                    self.bottle, self.travelled = False, 0.0
        return {"bottle_in_place": self.bottle, "full": self.bottle and self.filled >= self.fill_time}


class Motor:
    """A motor with speed feedback: the speed follows the command with a first-order lag.

    Inputs: ``enable`` (BOOL), ``setpoint`` (rpm). Outputs: ``speed`` (rpm, integer), ``at_speed``
    (within 2 % of the setpoint).
    """

    def __init__(self, time_constant: float = 0.5) -> None:
        self.time_constant = time_constant
        self.speed = 0.0

    def step(self, dt: float, outputs: dict[str, Any]) -> dict[str, Any]:
        target = float(outputs.get("setpoint", 0)) if outputs.get("enable") else 0.0
        self.speed += (target - self.speed) * min(dt / self.time_constant, 1.0)
        at_speed = target > 0 and abs(self.speed - target) <= 0.02 * target
        return {"speed": round(self.speed), "at_speed": at_speed}


def load_plant(reference: str, parameters: dict[str, Any], *, base_dir: Path | None = None) -> PlantModel:
    """A plant model from ``module:Class`` with keyword parameters (an FMU: ``hil.fmu:FmuPlant``).

    A class whose constructor takes ``base_dir`` gets the rig file's folder, so that files it names
    (an FMU) are found relative to the rig rather than to wherever the command runs. A plant with a
    ``close()`` method is closed when its scenario ends.

    Raises:
        ValueError: the reference cannot be imported or the class does not have ``step``.
    """
    module_name, _, class_name = reference.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except Exception as exc:  # a user's module: ImportError, AttributeError, or its own SyntaxError or failure
        raise ValueError(f"plant model {reference}: {type(exc).__name__}: {exc}") from None
    arguments = dict(parameters)
    try:
        accepts_base = "base_dir" in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        accepts_base = False
    if accepts_base and base_dir is not None:
        arguments.setdefault("base_dir", str(base_dir))
    try:
        plant = cls(**arguments)
    except Exception as exc:  # wrong parameters (TypeError), or the model's own start-up failing
        raise ValueError(f"plant model {reference}: {type(exc).__name__}: {exc}") from None
    if not callable(getattr(plant, "step", None)):
        raise ValueError(f"plant model {reference} has no step(dt, outputs) method")
    return plant  # type: ignore[no-any-return]
