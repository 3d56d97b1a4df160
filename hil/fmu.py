"""FMI 2.0 co-simulation FMUs as plant models (optional: ``pip install plcops[fmi]``, which brings fmpy).

```toml
[[plant]]
model = "hil.fmu:FmuPlant"
parameters = { path = "plant/Tank.fmu" }
inputs = { inlet = "valve" }          # FMU input  <- PLC output (signal)
outputs = { level = "tank_level" }    # FMU output -> PLC input (signal)
```

A relative ``path`` is taken from the rig file's folder. The FMU is stepped by the runner's cycle; inputs and outputs are matched by their FMI names, and their
FMI types (Real, Integer, Boolean) decide how values are passed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class FmuPlant:
    """A co-simulation FMU in the loop (see the module docstring)."""

    def __init__(self, path: str, start_time: float = 0.0, base_dir: str | None = None) -> None:
        try:
            from fmpy import extract, read_model_description
            from fmpy.fmi2 import FMU2Slave
        except ImportError:
            raise ValueError("FMU plant models need fmpy: pip install plcops[fmi]") from None
        fmu_path = Path(path)
        if base_dir is not None and not fmu_path.is_absolute():
            fmu_path = Path(base_dir) / fmu_path
        if not fmu_path.is_file():
            raise ValueError(f"no FMU at {fmu_path}")
        try:
            description = read_model_description(str(fmu_path))
        except Exception as exc:  # fmpy raises zip, XML and schema errors alike
            raise ValueError(f"{fmu_path} is not a readable FMU: {exc}") from None
        if description.coSimulation is None:
            raise ValueError(f"{fmu_path} is not a co-simulation FMU")
        self.variables = {v.name: (v.valueReference, v.type) for v in description.modelVariables}
        self.fmu = FMU2Slave(
            guid=description.guid,
            unzipDirectory=extract(str(fmu_path)),
            modelIdentifier=description.coSimulation.modelIdentifier,
            instanceName="plcops-plant",
        )
        self.fmu.instantiate()
        self.fmu.setupExperiment(startTime=start_time)
        self.fmu.enterInitializationMode()
        self.fmu.exitInitializationMode()
        self.time = start_time
        self.outputs = [v.name for v in description.modelVariables if v.causality == "output"]

    def step(self, dt: float, outputs: dict[str, Any]) -> dict[str, Any]:
        for name, value in outputs.items():
            if name not in self.variables:
                raise ValueError(f"the FMU has no variable {name}")
            reference, kind = self.variables[name]
            if kind == "Boolean":
                self.fmu.setBoolean([reference], [bool(value)])
            elif kind == "Integer":
                self.fmu.setInteger([reference], [int(value)])
            else:
                self.fmu.setReal([reference], [float(value)])
        self.fmu.doStep(currentCommunicationPoint=self.time, communicationStepSize=dt)
        self.time += dt
        produced: dict[str, Any] = {}
        for name in self.outputs:
            reference, kind = self.variables[name]
            if kind == "Boolean":
                produced[name] = bool(self.fmu.getBoolean([reference])[0])
            elif kind == "Integer":
                produced[name] = int(self.fmu.getInteger([reference])[0])
            else:
                produced[name] = float(self.fmu.getReal([reference])[0])
        return produced

    def close(self) -> None:
        self.fmu.terminate()
        self.fmu.freeInstance()
