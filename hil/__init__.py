"""Hardware-in-the-loop: the virtual PLC served over Modbus and the HIL runner (``plcops hil``).

This package is where the HIL stage will live (issue 7). It imports the protocol and serial libraries
lazily, so the rest of plcops starts fast. Nothing is implemented here yet.
"""

from __future__ import annotations
