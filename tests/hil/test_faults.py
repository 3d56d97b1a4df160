"""Faults: malformed requests as raw bytes on the TCP socket, clients that vanish mid-request or
mid-scenario, many clients at once, random writes to unmapped addresses, runtime errors in the PLC.
After each, the server still answers, the PLC still scans and no variable changed that should not have.
Values from the table in tests/hil/common.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hil.virtual_plc import VirtualPlc
from plcops.testing import tcunit
from tests.hil.common import (
    EXAMPLE,
    ROOT,
    bits,
    code,
    control_block,
    registers,
    scan,
    serving,
    snapshot,
    tcp_client,
    write,
)

# The PLC's inputs and memory: what no fault may change (a scan changes the outputs and MAIN.nScans).
INPUTS_AND_MEMORY = [
    "GVL.bIn0",
    "GVL.bIn1",
    "GVL.bIn13",
    "GVL.nIn2",
    "GVL.nSpeed",
    "GVL.nByte",
    "GVL.nMem",
    "GVL.nMemD",
    "GVL.fMemD",
    "GVL.nMemL",
]
READ_HR3 = bytes.fromhex("0300030001")  # read 1 holding register at 3 (unit 1: nOut3)


def mbap(transaction: int, unit: int, pdu: bytes) -> bytes:
    """A Modbus TCP frame: transaction id, protocol 0, length (unit + PDU), unit, PDU."""
    return struct.pack(">HHHB", transaction, 0, len(pdu) + 1, unit) + pdu


def exchange(sock: socket.socket, data: bytes, quiet: float = 0.1) -> bytes:
    """Send raw bytes; what comes back until the line is quiet for ``quiet`` s (or the server hangs up)."""
    sock.sendall(data)
    received = b""
    sock.settimeout(quiet)
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return received


@pytest.fixture
def raw(plc: VirtualPlc) -> Iterator[socket.socket]:
    with socket.create_connection(("127.0.0.1", plc.port), timeout=2) as sock:
        yield sock


@pytest.fixture
def free_running(project: Path) -> Iterator[VirtualPlc]:
    virtual = VirtualPlc.load([project])
    with serving(virtual, tcp=("127.0.0.1", 0)):
        yield virtual


def assert_still_scanning(plc: VirtualPlc, port: int) -> None:
    with tcp_client(port) as client:
        first = control_block(client)[0]
        deadline = time.monotonic() + 2
        while control_block(client)[0] < first + 5:
            assert time.monotonic() < deadline, "the PLC stopped scanning"
            time.sleep(0.01)


# ---------------------------------------------------------------------------------------------- raw bytes


def test_raw_requests_get_the_replies_worked_out_by_hand(plc: VirtualPlc, raw: socket.socket) -> None:
    # nOut3 = 0 before the first scan; input register 2 (nIn2 = -300) = 0xFED4.
    assert exchange(raw, mbap(9, 1, READ_HR3)) == mbap(9, 1, b"\x03\x02\x00\x00")
    assert exchange(raw, mbap(10, 1, bytes.fromhex("0400020001"))) == mbap(10, 1, b"\x04\x02\xfe\xd4")
    # An unknown function code: exception 01 (ILLEGAL FUNCTION) for a unit the PLC has (the function code
    # of that reply: see test_exception_replies_carry_the_function_code), silence for one it has not.
    reply = exchange(raw, mbap(11, 1, b"\x41\x00\x00"))
    assert reply[:7] == struct.pack(">HHHB", 11, 0, 3, 1) and reply[7] & 0x80 and reply[8] == 1, reply
    assert exchange(raw, mbap(12, 9, b"\x41\x00\x00")) == b""
    # Refusals on the wire: write coil 0 of unit 1 (an output) -> 0x85 02; 2000 into nSpeed -> 0x86 03.
    assert exchange(raw, mbap(13, 1, bytes.fromhex("050000ff00"))) == mbap(13, 1, b"\x85\x02")
    assert exchange(raw, mbap(14, 2, bytes.fromhex("06000307d0"))) == mbap(14, 2, b"\x86\x03")
    assert exchange(raw, mbap(15, 1, READ_HR3)) == mbap(15, 1, b"\x03\x02\x00\x00")


MALFORMED = {
    "length too long": struct.pack(">HHHB", 1, 0, 200, 1) + READ_HR3,
    "length zero": struct.pack(">HHHB", 1, 0, 0, 1) + READ_HR3,
    "length 0xFFFF": struct.pack(">HHHB", 1, 0, 0xFFFF, 1) + READ_HR3,
    "truncated PDU": mbap(1, 1, READ_HR3)[:-2],
    "half a header": b"\x00\x01\x00",
    "protocol id 1": struct.pack(">HHHB", 1, 1, 6, 1) + READ_HR3,
    "write registers, byte count too big": mbap(1, 2, bytes.fromhex("100002000204") + b"\x00\x05"),
    "write coils, byte count too big": mbap(1, 2, bytes.fromhex("0f000000100a") + b"\xff"),
    "write registers, no data": mbap(1, 2, bytes.fromhex("10000200020400")),
    "noise": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("data", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_requests_do_not_crash_the_server_or_change_anything(plc: VirtualPlc, data: bytes) -> None:
    before = snapshot(plc, INPUTS_AND_MEMORY)
    with socket.create_connection(("127.0.0.1", plc.port), timeout=2) as bad:
        exchange(bad, data)  # answered, ignored or hung up on: all fine, as long as nothing else suffers
        # While that connection is still open (maybe waiting for bytes that never come), others are served.
        with tcp_client(plc.port) as client:
            scan(client)
            assert registers(client.read_holding_registers(3, count=2, device_id=1)) == [65531, 14]
            assert bits(client.read_coils(0, count=3, device_id=1), 3) == [False, False, False]
    assert snapshot(plc, INPUTS_AND_MEMORY) == before
    assert plc.sim.scans == 1


@pytest.mark.parametrize(
    ("pdu", "expected"),
    [
        (b"\x41\x00\x00", b"\xc1\x01"),
        (struct.pack(">BHH", 3, 3, 0), b"\x83\x03"),
        (struct.pack(">BHH", 3, 3, 126), b"\x83\x03"),
    ],
    ids=["unknown-function", "quantity-0", "quantity-126"],
)
def test_exception_replies_carry_the_function_code_and_the_right_exception(
    plc: VirtualPlc, raw: socket.socket, pdu: bytes, expected: bytes
) -> None:
    assert exchange(raw, mbap(5, 1, pdu)) == mbap(5, 1, expected)


def test_pipelined_requests_each_get_their_reply(plc: VirtualPlc, raw: socket.socket) -> None:
    reply = exchange(raw, mbap(1, 1, READ_HR3) + mbap(2, 1, bytes.fromhex("0400020001")))
    assert reply == mbap(1, 1, b"\x03\x02\x00\x00") + mbap(2, 1, b"\x04\x02\xfe\xd4")


# ---------------------------------------------------------------------------------------------- vanishing clients


def test_clients_vanishing_mid_request_do_not_disturb_the_plc(free_running: VirtualPlc) -> None:
    before = snapshot(free_running, INPUTS_AND_MEMORY)
    for cut in range(1, 12):
        sock = socket.create_connection(("127.0.0.1", free_running.port), timeout=2)
        sock.sendall(mbap(cut, 2, bytes.fromhex("10000200020403e80005"))[:cut])  # part of a write to nIn2/nSpeed
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # a reset, not a goodbye
    assert_still_scanning(free_running, free_running.port)
    assert snapshot(free_running, INPUTS_AND_MEMORY) == before
    with tcp_client(free_running.port) as client:
        assert registers(client.read_input_registers(2, count=3, device_id=1)) == [65236, 7, 9]


def test_a_runner_killed_mid_scenario_leaves_the_plc_scanning_and_consistent(tmp_path: Path) -> None:
    station = tmp_path / "filling_station"
    shutil.copytree(EXAMPLE, station)
    virtual = VirtualPlc.load([station], libraries=[tcunit.library()], intrinsics=tcunit.INTRINSICS)
    with serving(virtual, tcp=("127.0.0.1", 0)):
        rig = station / "rig.toml"
        text = rig.read_text(encoding="utf-8").replace("port = 5020", f"port = {virtual.port}")
        rig.write_text(
            text.replace('name = "filling-bench"', f'name = "killed-{os.getpid()}-{tmp_path.name}"'), encoding="utf-8"
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "plcops", "hil", "run", "rig.toml", "scenarios"],
            cwd=station,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while not (
                virtual.sim["GVL_IO.bConveyorRun"] and not virtual.sim["GVL_IO.bStartButton"]
            ):  # 300 ms..1 s: conveying
                assert time.monotonic() < deadline and process.poll() is None, "the run never started the conveyor"
                time.sleep(0.005)
            process.send_signal(signal.SIGKILL)  # no safe state, no goodbye: the connection just dies
            process.wait(10)
        finally:
            process.kill()
            process.wait(10)
        assert_still_scanning(virtual, virtual.port)
        # The inputs hold what the runner last wrote, whole; the PLC goes on with them (conveying).
        with tcp_client(virtual.port) as client:
            assert registers(client.read_holding_registers(1, count=1, device_id=2)) == [20000]
            assert bits(client.read_coils(0, count=2, device_id=2), 2) == [
                False,
                True,
            ]  # start released, stop not pressed
            assert bits(client.read_discrete_inputs(0, count=3, device_id=2), 3) == [True, False, False]
        assert virtual.sim["MAIN.fbStation.eState"] == 10  # E_FillState.Conveying


def test_many_clients_at_once_get_consistent_answers(free_running: VirtualPlc) -> None:
    errors: list[str] = []

    def work(number: int) -> None:
        try:
            with tcp_client(free_running.port, timeout=2) as client:
                for i in range(60):
                    if registers(client.read_input_registers(2, count=3, device_id=1)) != [65236, 7, 9]:
                        errors.append(f"client {number}: wrong inputs")
                    assert not client.write_register(1031, number * 100 + i, device_id=1).isError()
                    assert code(client.write_coil(0, True, device_id=1)) == 2
        except Exception as exc:  # reported below
            errors.append(f"client {number}: {exc!r}")

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert free_running.sim["GVL.nMem"] in {n * 100 + 59 for n in range(8)}  # someone's last write, whole
    assert free_running.slave.refused >= 8 * 60
    assert_still_scanning(free_running, free_running.port)


# ---------------------------------------------------------------------------------------------- random writes

# The writable addresses of the default map (tests/hil/common.py), by unit and table. Everything else
# -- other units, other addresses, the PLC's outputs -- must refuse a write and change nothing.
WRITABLE = {
    (1, "coil"): set(),
    (1, "holding"): {1031, 2052, 2053, 2054, 2055, 4100, 4101, 4102, 4103},
    (2, "coil"): {0, 1, 13},
    (2, "holding"): {2, 3, 4},
}
NEAR = [*range(0, 16), *range(1028, 1036), *range(2048, 2060), *range(4096, 4108), 64001, 64002, 64007]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    unit=st.sampled_from([1, 2]),
    table=st.sampled_from(["coil", "holding"]),
    address=st.sampled_from(NEAR),
    values=st.lists(st.integers(0, 7), min_size=1, max_size=4),  # valid for every variable behind
)
def test_random_writes_change_exactly_what_the_map_allows(
    plc: VirtualPlc, unit: int, table: str, address: int, values: list[int]
) -> None:
    with tcp_client(plc.port) as client:
        before = snapshot(plc)
        span = range(address, address + len(values))
        allowed = all(a in WRITABLE[(unit, table)] for a in span)
        if table == "coil":
            flags = [bool(v & 1) for v in values]
            response = (
                client.write_coils(address, flags, device_id=unit)
                if len(flags) > 1
                else client.write_coil(address, flags[0], device_id=unit)
            )
        else:
            response = (
                client.write_registers(address, values, device_id=unit)
                if len(values) > 1
                else client.write_register(address, values[0], device_id=unit)
            )
        if not allowed:
            assert code(response) == 2
            assert snapshot(plc) == before
            return
        assert not response.isError(), response
        if table == "coil":
            assert bits(client.read_coils(address, count=len(values), device_id=unit), len(values)) == flags
        else:
            assert registers(client.read_holding_registers(address, count=len(values), device_id=unit)) == values
        changed = {name for name in before if snapshot(plc, [name])[name] != before[name]}
        assert changed <= {
            "GVL.bIn0",
            "GVL.bIn1",
            "GVL.bIn13",
            "GVL.nIn2",
            "GVL.nSpeed",
            "GVL.nByte",
            "GVL.nMem",
            "GVL.nMemD",
            "GVL.fMemD",
            "GVL.nMemL",
        }
        assert plc.sim.scans == 0  # writing never scans


# ---------------------------------------------------------------------------------------------- runtime errors

DIVIDE = """
PROGRAM MAIN
VAR
    nDivisor AT %IW0 : INT := 1;
    nQuotient AT %QW0 : INT;
END_VAR
nQuotient := 100 / nDivisor;
END_PROGRAM
"""


def test_a_runtime_error_in_a_lockstep_scan_is_exception_04_and_the_server_goes_on(tmp_path: Path) -> None:
    virtual = VirtualPlc.load([write(tmp_path / "divide" / "MAIN.st", DIVIDE).parent], lockstep=True)
    with serving(virtual, tcp=("127.0.0.1", 0)), tcp_client(virtual.port) as client:
        scan(client)
        assert registers(client.read_holding_registers(0, count=1, device_id=1)) == [100]
        assert not client.write_register(0, 0, device_id=2).isError()  # divide by zero from now on
        assert code(client.write_register(64000, 1, device_id=2)) == 4  # DEVICE FAILURE
        assert not client.write_register(0, 4, device_id=2).isError()
        scan(client)
        assert registers(client.read_holding_registers(0, count=1, device_id=1)) == [25]


def test_a_runtime_error_in_a_free_running_plc_is_not_hidden_behind_frozen_outputs(tmp_path: Path) -> None:
    virtual = VirtualPlc.load([write(tmp_path / "divide" / "MAIN.st", DIVIDE).parent])
    with serving(virtual, tcp=("127.0.0.1", 0)), tcp_client(virtual.port) as client:
        time.sleep(0.05)
        assert registers(client.read_holding_registers(0, count=1, device_id=1)) == [100]
        assert not client.write_register(0, 0, device_id=2).isError()
        time.sleep(0.1)
        assert code(client.read_holding_registers(0, count=1, device_id=1)) == 4


def test_a_second_server_on_the_same_port_does_not_steal_the_first_ones_clients(project: Path, plc: VirtualPlc) -> None:
    other = VirtualPlc.load([project], lockstep=True)
    try:
        with pytest.raises((OSError, RuntimeError)):
            other.serve(tcp=("127.0.0.1", plc.port))
    finally:
        other.stop()
    with tcp_client(plc.port) as client:
        assert registers(client.read_input_registers(2, count=1, device_id=1)) == [65236]


def test_the_serve_command_stops_cleanly_on_sigterm(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "plcops", "hil", "serve", str(project), "--tcp", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stderr is not None
        assert "virtual PLC serving" in process.stderr.readline()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill()
        process.wait(10)
    assert process.returncode == 0
    assert "scan-period jitter" in err and "Traceback" not in err
