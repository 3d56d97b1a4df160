"""Hardware-in-the-loop: the virtual PLC served over Modbus and the HIL runner (``plcops hil``).

* :mod:`hil.virtual_plc` -- a project in the simulator on the wall clock, its I/O served over Modbus;
* :mod:`hil.modbus` and :mod:`hil.servers` -- the Modbus slave and its TCP and RTU transports;
* :mod:`hil.iomap` -- which Modbus addresses stand for which variables (default map, map files);
* :mod:`hil.rig`, :mod:`hil.runner`, :mod:`hil.stage` -- rig files, and scenarios run against a controller;
* :mod:`hil.plants`, :mod:`hil.fmu` -- plant models in closed loop.

This is the only package that imports the protocol and serial libraries, and it does so lazily, so the
rest of plcops starts fast.
"""

from __future__ import annotations
