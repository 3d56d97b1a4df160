"""Shared parts of the HIL tests: a small ST project with AT addresses of every kind, Modbus clients
with bounded timeouts, and the default-map checks that run over TCP and over RTU alike.

The project (written into ``tmp_path`` by :func:`write_project`), with its default map worked out by hand
from the table in hil/iomap.py's docstring (``%QXm.n`` -> coil 8m+n on unit 1, discrete input 8m+n on
unit 2; ``%IXm.n`` -> discrete input 8m+n on unit 1, coil 8m+n on unit 2; ``%IWn`` -> input register n
on unit 1, holding register n on unit 2; ``%QWn`` -> holding register n on unit 1, input register n on
unit 2; ``%MWn`` -> holding 1024+n, ``%MDn`` -> holding 2048+2n, ``%MLn`` -> holding 4096+4n, on unit 1):

=========  ==========  ==================  ======================  ==============================
variable   AT          unit 1 (SCADA)      unit 2 (field)          initial value / registers
=========  ==========  ==================  ======================  ==============================
bIn0       %IX0.0      discrete 0          coil 0 (rw)             FALSE
bIn1       %IX0.1      discrete 1          coil 1 (rw)             FALSE
bIn13      %IX1.5      discrete 13         coil 13 (rw)            TRUE (8*1+5 = 13)
nIn2       %IW2 INT    input 2             holding 2 (rw)          -300 -> 65536-300 = 65236
nSpeed     %IW3        input 3             holding 3 (rw)          7 (INT(0..1000): 03 outside)
nByte      %IW4 USINT  input 4             holding 4 (rw)          9 (03 above 255)
bOut0      %QX0.0      coil 0 (read)       discrete 0              FALSE
bOut1      %QX0.1      coil 1 (read)       discrete 1              FALSE
bOut2      %QX0.2      coil 2 (read)       discrete 2              TRUE
bOut10     %QX1.2      coil 10 (read)      discrete 10             FALSE (8*1+2 = 10)
nOut3      %QW3 INT    holding 3 (read)    input 3                 0
nOut4      %QW4 UINT   holding 4 (read)    input 4                 0
nMem       %MW7 INT    holding 1031 (rw)   -                       -2 -> 65534
nMemD      %MD2 DINT   holding 2052-2053   -                       100000 = 0x0001_86A0 -> [1, 34464]
fMemD      %MD3 REAL   holding 2054-2055   -                       1.5 = 0x3FC0_0000 -> [16320, 0]
nMemL      %ML1 LINT   holding 4100-4103   -                       -3 -> [65535, 65535, 65535, 65533]
=========  ==========  ==================  ======================  ==============================

MAIN, one scan: ``bOut0 := bIn0; bOut1 := NOT bIn13; bOut2 := bIn0 AND bIn1; bOut10 := bIn0 OR bIn13;
nOut3 := nIn2 + 295; nOut4 := nSpeed * 2`` and ``nScans := nScans + 1``. So after the first scan with the
initial inputs: coils 0..2 = [F, F, F], coil 10 = T (F OR T), nOut3 = -300 + 295 = -5 -> 65531, nOut4 = 14.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import struct
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.framer import FramerType

from hil.virtual_plc import CONTROL, VirtualPlc

logging.getLogger("pymodbus").setLevel(logging.CRITICAL)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "filling_station"
TIMEOUT = 0.4  # every Modbus request in these tests: a silent unit costs this, not pymodbus' 12 s

GVL = """\
VAR_GLOBAL
    // PLC inputs: unit 1 reads them, unit 2 (the rig) writes them
    bIn0 AT %IX0.0 : BOOL;
    bIn1 AT %IX0.1 : BOOL;
    bIn13 AT %IX1.5 : BOOL := TRUE;
    nIn2 AT %IW2 : INT := -300;
    nSpeed AT %IW3 : INT(0..1000) := 7;
    nByte AT %IW4 : USINT := 9;
    // PLC outputs: read-only in both views
    bOut0 AT %QX0.0 : BOOL;
    bOut1 AT %QX0.1 : BOOL;
    bOut2 AT %QX0.2 : BOOL := TRUE;
    bOut10 AT %QX1.2 : BOOL;
    nOut3 AT %QW3 : INT;
    nOut4 AT %QW4 : UINT;
    // memory: unit 1, read/write
    nMem AT %MW7 : INT := -2;
    nMemD AT %MD2 : DINT := 100000;
    fMemD AT %MD3 : REAL := 1.5;
    nMemL AT %ML1 : LINT := -3;
END_VAR
"""

MAIN = """\
PROGRAM MAIN
VAR
    nScans : DINT;
    nHidden : DINT := 70000;
    fTemp : REAL := 21.5;
    nSetpoint : INT := 40;
    bEnable : BOOL;
END_VAR
nScans := nScans + 1;
GVL.bOut0 := GVL.bIn0;
GVL.bOut1 := NOT GVL.bIn13;
GVL.bOut2 := GVL.bIn0 AND GVL.bIn1;
GVL.bOut10 := GVL.bIn0 OR GVL.bIn13;
GVL.nOut3 := GVL.nIn2 + 295;
GVL.nOut4 := INT_TO_UINT(GVL.nSpeed * 2);
END_PROGRAM
"""

# Every variable of the default map, for "nothing changed" checks.
MAPPED = [
    "GVL.bIn0",
    "GVL.bIn1",
    "GVL.bIn13",
    "GVL.nIn2",
    "GVL.nSpeed",
    "GVL.nByte",
    "GVL.bOut0",
    "GVL.bOut1",
    "GVL.bOut2",
    "GVL.bOut10",
    "GVL.nOut3",
    "GVL.nOut4",
    "GVL.nMem",
    "GVL.nMemD",
    "GVL.fMemD",
    "GVL.nMemL",
    "MAIN.nScans",
]


def write_project(root: Path) -> Path:
    """The project above in ``root/proj`` (a folder of .st files; its only PROGRAM runs every 10 ms)."""
    project = root / "proj"
    project.mkdir(parents=True, exist_ok=True)
    (project / "GVL.st").write_text(GVL, encoding="utf-8")
    (project / "MAIN.st").write_text(MAIN, encoding="utf-8")
    return project


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def snapshot(plc: VirtualPlc, names: list[str] = MAPPED) -> dict[str, Any]:
    with plc.lock:
        return {name: plc.sim[name] for name in names}


@contextlib.contextmanager
def tcp_client(port: int, timeout: float = TIMEOUT) -> Iterator[ModbusTcpClient]:
    client = ModbusTcpClient("127.0.0.1", port=port, timeout=timeout, retries=0)
    try:
        assert client.connect(), f"cannot connect to 127.0.0.1:{port}"
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def rtu_client(
    device: str, baudrate: int = 115200, timeout: float = TIMEOUT, **settings: Any
) -> Iterator[ModbusSerialClient]:
    client = ModbusSerialClient(
        device, framer=FramerType.RTU, baudrate=baudrate, timeout=timeout, retries=0, **settings
    )
    try:
        assert client.connect(), f"cannot open {device}"
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def serving(plc: VirtualPlc, **where: Any) -> Iterator[VirtualPlc]:
    """``plc.serve(**where)`` that always stops."""
    try:
        yield plc.serve(**where)
    finally:
        plc.stop()


def scan(client: Any, count: int = 1) -> None:
    """Run ``count`` scans of a lockstep PLC through the control block (unit 2, holding 64000)."""
    response = client.write_register(CONTROL, count, device_id=2)
    assert not response.isError(), response


def control_block(client: Any) -> tuple[int, int, int]:
    """(scans, virtual ms, lockstep flag) from the control block, read in one request."""
    registers = client.read_holding_registers(CONTROL + 1, count=7, device_id=2).registers
    scans = (registers[0] << 16) | registers[1]
    millis = (registers[2] << 48) | (registers[3] << 32) | (registers[4] << 16) | registers[5]
    return scans, millis, registers[6]


def bits(response: Any, count: int) -> list[bool]:
    assert not response.isError(), response
    return list(response.bits[:count])  # pymodbus pads bits to a multiple of 8


def registers(response: Any) -> list[int]:
    assert not response.isError(), response
    return list(response.registers)


def code(response: Any) -> int:
    """The Modbus exception code of a refused request (0 when it was not refused)."""
    return int(getattr(response, "exception_code", 0)) if response.isError() else 0


# ---------------------------------------------------------------------------------------------- map checks
# Run over TCP and over RTU on a fresh lockstep PLC of the project above: same expectations, same client API.


def check_reads_before_and_after_a_scan(client: Any) -> None:
    # Before the first scan every value is its initializer.
    assert bits(client.read_coils(0, count=3, device_id=1), 3) == [False, False, True]
    assert bits(client.read_coils(10, count=1, device_id=1), 1) == [False]
    assert bits(client.read_discrete_inputs(0, count=2, device_id=1), 2) == [False, False]
    assert bits(client.read_discrete_inputs(13, count=1, device_id=1), 1) == [True]
    assert registers(client.read_input_registers(2, count=3, device_id=1)) == [65236, 7, 9]
    assert registers(client.read_holding_registers(3, count=2, device_id=1)) == [0, 0]
    # The field view shows the same variables mirrored.
    assert bits(client.read_coils(0, count=2, device_id=2), 2) == [False, False]
    assert bits(client.read_coils(13, count=1, device_id=2), 1) == [True]
    assert bits(client.read_discrete_inputs(0, count=3, device_id=2), 3) == [False, False, True]
    assert registers(client.read_holding_registers(2, count=3, device_id=2)) == [65236, 7, 9]
    assert registers(client.read_input_registers(3, count=2, device_id=2)) == [0, 0]
    # Memory on unit 1: %MW7 -> 1031, %MD2 -> 2052/2053, %MD3 -> 2054/2055, %ML1 -> 4100..4103.
    assert registers(client.read_holding_registers(1031, count=1, device_id=1)) == [65534]
    assert registers(client.read_holding_registers(2052, count=4, device_id=1)) == [1, 34464, 16320, 0]
    assert registers(client.read_holding_registers(4100, count=4, device_id=1)) == [65535, 65535, 65535, 65533]
    scan(client)
    # One scan: bOut0 = F, bOut1 = NOT T = F, bOut2 = F AND F = F, bOut10 = F OR T = T,
    # nOut3 = -300 + 295 = -5 -> 65531, nOut4 = 7 * 2 = 14.
    assert bits(client.read_coils(0, count=3, device_id=1), 3) == [False, False, False]
    assert bits(client.read_coils(10, count=1, device_id=1), 1) == [True]
    assert registers(client.read_holding_registers(3, count=2, device_id=1)) == [65531, 14]
    assert bits(client.read_discrete_inputs(0, count=3, device_id=2), 3) == [False, False, False]
    assert bits(client.read_discrete_inputs(10, count=1, device_id=2), 1) == [True]
    assert registers(client.read_input_registers(3, count=2, device_id=2)) == [65531, 14]


def check_driving_inputs_on_unit_2(client: Any, plc: VirtualPlc) -> None:
    scan(client)
    assert not client.write_coils(0, [True, True], device_id=2).isError()
    assert not client.write_coil(13, False, device_id=2).isError()
    assert not client.write_registers(2, [1000, 500, 255], device_id=2).isError()
    # Written at once, seen by the PLC's variables before any scan ...
    assert snapshot(plc, ["GVL.bIn0", "GVL.bIn1", "GVL.bIn13", "GVL.nIn2", "GVL.nSpeed", "GVL.nByte"]) == {
        "GVL.bIn0": True,
        "GVL.bIn1": True,
        "GVL.bIn13": False,
        "GVL.nIn2": 1000,
        "GVL.nSpeed": 500,
        "GVL.nByte": 255,
    }
    # ... and by the SCADA view (unit 1 discrete inputs and input registers).
    assert bits(client.read_discrete_inputs(0, count=2, device_id=1), 2) == [True, True]
    assert bits(client.read_discrete_inputs(13, count=1, device_id=1), 1) == [False]
    assert registers(client.read_input_registers(2, count=3, device_id=1)) == [1000, 500, 255]
    # The outputs only change with the next scan: T, NOT F = T, T AND T = T, T OR F = T; 1000 + 295; 500 * 2.
    assert bits(client.read_coils(0, count=3, device_id=1), 3) == [False, False, False]
    scan(client)
    assert bits(client.read_coils(0, count=3, device_id=1), 3) == [True, True, True]
    assert bits(client.read_coils(10, count=1, device_id=1), 1) == [True]
    assert registers(client.read_holding_registers(3, count=2, device_id=1)) == [1295, 1000]
    assert registers(client.read_input_registers(3, count=2, device_id=2)) == [1295, 1000]
    # Two's complement: 65535 into an INT is -1; nOut3 = -1 + 295 = 294.
    assert not client.write_register(2, 65535, device_id=2).isError()
    assert plc.sim["GVL.nIn2"] == -1
    scan(client)
    assert registers(client.read_holding_registers(3, count=1, device_id=1)) == [294]


def check_memory_writes_on_unit_1(client: Any, plc: VirtualPlc) -> None:
    assert not client.write_register(1031, 65535, device_id=1).isError()
    assert plc.sim["GVL.nMem"] == -1
    # DINT high word first: [0xFFFF, 0xFFFE] = -2; one word alone keeps the other.
    assert not client.write_registers(2052, [0xFFFF, 0xFFFE], device_id=1).isError()
    assert plc.sim["GVL.nMemD"] == -2
    assert not client.write_register(2052, 0, device_id=1).isError()
    assert plc.sim["GVL.nMemD"] == 0xFFFE  # [0x0000, 0xFFFE] = 65534
    # REAL 0x40490FDB = 3.1415927 (float32).
    assert not client.write_registers(2054, [0x4049, 0x0FDB], device_id=1).isError()
    assert abs(plc.sim["GVL.fMemD"] - 3.1415927) < 1e-6
    # LINT, four words high first: 2**32 + 5.
    assert not client.write_registers(4100, [0, 1, 0, 5], device_id=1).isError()
    assert plc.sim["GVL.nMemL"] == 2**32 + 5


def check_refused_writes(client: Any, plc: VirtualPlc) -> None:
    before = snapshot(plc)
    # PLC outputs on unit 1 (the SCADA may not write them) -> 02.
    assert code(client.write_coil(0, True, device_id=1)) == 2
    assert code(client.write_coils(0, [True, True, True], device_id=1)) == 2
    assert code(client.write_register(3, 1, device_id=1)) == 2
    assert code(client.write_registers(3, [1, 2], device_id=1)) == 2
    # Unmapped addresses -> 02, in either view; and a multi-write that touches one changes nothing.
    assert code(client.write_register(0, 1, device_id=1)) == 2
    assert code(client.write_registers(1031, [5, 6], device_id=1)) == 2  # 1032 is not mapped
    assert code(client.write_coils(0, [True, True, True], device_id=2)) == 2  # coil 2 is not an input
    assert code(client.write_coil(50, True, device_id=2)) == 2
    assert code(client.write_register(1031, 5, device_id=2)) == 2  # memory is not in the field view
    assert code(client.write_registers(64001, [1, 2], device_id=2)) == 2  # the scan counter is read-only
    # Values a PLC would refuse -> 03: outside the subrange INT(0..1000) (65535 is -1), above USINT.
    assert code(client.write_register(3, 1001, device_id=2)) == 3
    assert code(client.write_register(3, 65535, device_id=2)) == 3
    assert code(client.write_register(4, 256, device_id=2)) == 3
    assert snapshot(plc) == before
    # The limits themselves are accepted.
    assert not client.write_register(3, 1000, device_id=2).isError()
    assert not client.write_register(4, 255, device_id=2).isError()
    assert (plc.sim["GVL.nSpeed"], plc.sim["GVL.nByte"]) == (1000, 255)


def check_unknown_addresses(client: Any) -> None:
    assert code(client.read_coils(3, count=1, device_id=1)) == 2
    assert code(client.read_coils(0, count=4, device_id=1)) == 2  # a range crossing an unmapped address
    assert code(client.read_discrete_inputs(2, count=1, device_id=1)) == 2
    assert code(client.read_input_registers(0, count=1, device_id=1)) == 2
    assert code(client.read_holding_registers(0, count=1, device_id=1)) == 2
    assert code(client.read_holding_registers(1031, count=2, device_id=1)) == 2
    assert code(client.read_input_registers(2, count=1, device_id=2)) == 2  # nIn2 is holding 2 on unit 2
    assert code(client.read_holding_registers(65535, count=1, device_id=2)) == 2


class ResettingProxy:
    """A TCP proxy on 127.0.0.1 in front of ``upstream_port``. After :meth:`reset` it aborts its first
    client connection with a TCP reset (RST), as a switch reboot or a firewall does; later connections
    pass through, so a client that reconnects reaches the server again. ``done`` is set once it has."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.done = threading.Event()  # the first connection was reset
        self._reset = threading.Event()
        self._first = True
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        """Reset the first connection when the client next sends a request (it then waits for a reply
        that never comes: the reset reaches it in the middle of a request, the hard case)."""
        self._reset.set()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            first, self._first = self._first, False
            self.connections += 1
            threading.Thread(target=self._pump, args=(client, first), daemon=True).start()

    def _pump(self, client: socket.socket, first: bool) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        try:
            while True:
                ready, _, _ = select.select([client, upstream], [], [], 0.05)
                for source in ready:
                    data = source.recv(4096)
                    if not data:
                        return
                    if first and source is client and self._reset.is_set():
                        # A request is in flight and the client waits for its reply: reset now.
                        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        client.close()  # linger 0: the kernel sends RST, not FIN
                        self.done.set()
                        return
                    (upstream if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()
            if not (first and self.done.is_set()):
                client.close()
