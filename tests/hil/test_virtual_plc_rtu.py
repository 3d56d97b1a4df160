"""The virtual PLC over Modbus RTU on a serial line (a pty null-modem, tests/hil/ptybridge.py): the same
map, refusals and silences as over TCP, framing faults, the serial settings, and exclusive use."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import termios
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial
from pymodbus.exceptions import ModbusIOException
from pymodbus.framer.rtu import FramerRTU

from hil.modbus import ModbusSlave
from hil.servers import RtuServer, SerialSettings
from hil.virtual_plc import VirtualPlc
from tests.hil.common import (
    ROOT,
    bits,
    check_driving_inputs_on_unit_2,
    check_memory_writes_on_unit_1,
    check_reads_before_and_after_a_scan,
    check_refused_writes,
    check_unknown_addresses,
    registers,
    rtu_client,
    scan,
    serving,
    snapshot,
    tcp_client,
)
from tests.hil.ptybridge import PtyPair

BAUD = 115200  # ptys ignore it, but pymodbus' sync serial client polls for replies at a baud-derived pace


@pytest.fixture
def rtu_plc(project: Path, pty_pair: PtyPair) -> Iterator[VirtualPlc]:
    """A lockstep PLC serving RTU on one end of the null-modem (the client opens ``pty_pair.path_b``)."""
    virtual = VirtualPlc.load([project], lockstep=True)
    with serving(virtual, tcp=None, rtu={"device": pty_pair.path_a, "baudrate": BAUD}):
        yield virtual


def frame(unit: int, pdu: bytes) -> bytes:
    """An RTU frame: address, PDU, CRC (low byte first on the wire)."""
    body = bytes([unit]) + pdu
    return body + FramerRTU.compute_CRC(body).to_bytes(2, "big")


def ask(port: serial.Serial, data: bytes, wait: float = 0.08) -> bytes:
    """Send raw bytes, wait, and return whatever came back (b"" for silence)."""
    port.reset_input_buffer()
    port.write(data)
    port.flush()
    time.sleep(wait)
    return port.read(port.in_waiting or 0)


READ_HR3_UNIT1 = frame(1, bytes.fromhex("0300030001"))  # read 1 holding register at 3 (nOut3)


# ---------------------------------------------------------------------------------------------- the map


def test_every_row_of_the_default_map_reads_as_documented_over_rtu(rtu_plc: VirtualPlc, pty_pair: PtyPair) -> None:
    with rtu_client(pty_pair.path_b, BAUD) as client:
        check_reads_before_and_after_a_scan(client)


def test_the_rig_drives_inputs_over_rtu(rtu_plc: VirtualPlc, pty_pair: PtyPair) -> None:
    with rtu_client(pty_pair.path_b, BAUD) as client:
        check_driving_inputs_on_unit_2(client, rtu_plc)
        check_memory_writes_on_unit_1(client, rtu_plc)


def test_refusals_and_unknown_addresses_over_rtu(rtu_plc: VirtualPlc, pty_pair: PtyPair) -> None:
    with rtu_client(pty_pair.path_b, BAUD) as client:
        check_refused_writes(client, rtu_plc)
        check_unknown_addresses(client)


def test_unknown_units_are_silent_on_the_line(rtu_plc: VirtualPlc, pty_pair: PtyPair) -> None:
    with rtu_client(pty_pair.path_b, BAUD, timeout=0.25) as client:
        before = snapshot(rtu_plc)
        for unit in (0, 3, 247):
            with pytest.raises(ModbusIOException):
                client.write_coil(0, True, device_id=unit)
        assert snapshot(rtu_plc) == before
        assert bits(client.read_coils(0, count=3, device_id=1), 3) == [False, False, True]
    # Nothing at all goes on the line for them, not even an exception frame.
    with serial.Serial(pty_pair.path_b, BAUD, timeout=0.2) as port:
        assert ask(port, frame(3, bytes.fromhex("0300030001"))) == b""
        assert ask(port, frame(9, bytes.fromhex("0800000000"))) == b""  # diagnostics: echo, for unit 9
        assert ask(port, frame(1, bytes.fromhex("0800001234"))) == frame(1, bytes.fromhex("0800001234"))


def test_tcp_and_rtu_serve_the_same_plc_at_once(project: Path, pty_pair: PtyPair) -> None:
    virtual = VirtualPlc.load([project], lockstep=True)
    with serving(virtual, tcp=("127.0.0.1", 0), rtu={"device": pty_pair.path_a, "baudrate": BAUD}):
        with tcp_client(virtual.port) as tcp, rtu_client(pty_pair.path_b, BAUD) as rtu:
            assert not tcp.write_register(2, 1005, device_id=2).isError()  # nIn2 := 1005 over TCP
            scan(rtu)  # a scan asked over RTU: nOut3 = 1005 + 295 = 1300
            assert registers(rtu.read_holding_registers(3, count=1, device_id=1)) == [1300]
            assert registers(tcp.read_input_registers(3, count=1, device_id=2)) == [1300]


@pytest.mark.skipif(shutil.which("socat") is None, reason="socat is not installed (.ci/run installs it from Debian)")
def test_the_map_over_a_socat_null_modem(project: Path, tmp_path: Path) -> None:
    """The same map checks through a null-modem that is not ours: socat's pty pair."""
    a, b = tmp_path / "ttyA", tmp_path / "ttyB"
    bridge = subprocess.Popen(
        ["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not (a.exists() and b.exists()):
            assert time.monotonic() < deadline and bridge.poll() is None, "socat did not make its pty pair"
            time.sleep(0.02)
        virtual = VirtualPlc.load([project], lockstep=True)
        with serving(virtual, tcp=None, rtu={"device": str(a), "baudrate": BAUD}):
            with rtu_client(str(b), BAUD) as client:
                check_reads_before_and_after_a_scan(client)
    finally:
        bridge.terminate()
        bridge.wait(10)


# ---------------------------------------------------------------------------------------------- framing faults


def test_a_bad_crc_is_dropped_silently_and_the_next_frame_is_answered(rtu_plc: VirtualPlc, pty_pair: PtyPair) -> None:
    with serial.Serial(pty_pair.path_b, BAUD, timeout=0.2) as port:
        good = frame(1, bytes.fromhex("0300030001"))
        assert ask(port, good[:-1] + bytes([good[-1] ^ 0xFF])) == b""
        # nOut3 is 0 before the first scan: 01 03 02 00 00 + CRC.
        assert ask(port, good) == frame(1, bytes.fromhex("03020000"))


def test_garbage_on_the_line_then_the_server_recovers(rtu_plc: VirtualPlc, pty_pair: PtyPair) -> None:
    before = snapshot(rtu_plc)
    with serial.Serial(pty_pair.path_b, BAUD, timeout=0.2) as port:
        for garbage in (b"\xff\x00\x13\x37\x42", frame(1, b"\x41\x00\x00"), READ_HR3_UNIT1[:5], bytes(range(256))):
            ask(port, garbage, wait=0.05)
            # The server is back within a few requests (it has no 3.5-character resync, see below).
            replies = [ask(port, READ_HR3_UNIT1) for _ in range(3)]
            assert frame(1, bytes.fromhex("03020000")) in replies, (garbage, replies)
    assert snapshot(rtu_plc) == before
    with rtu_client(pty_pair.path_b, BAUD) as client:
        scan(client)
        assert registers(client.read_holding_registers(3, count=1, device_id=1)) == [65531]


@pytest.mark.parametrize(
    "garbage",
    [frame(1, b"\x41\x00\x00"), READ_HR3_UNIT1[:5], bytes.fromhex("0110000300" + "7ffe")],
    ids=["unknown-function", "truncated-read", "truncated-write-multiple"],
)
def test_the_first_valid_frame_after_a_silent_interval_is_answered(
    rtu_plc: VirtualPlc, pty_pair: PtyPair, garbage: bytes
) -> None:
    with serial.Serial(pty_pair.path_b, BAUD, timeout=0.2) as port:
        ask(port, garbage, wait=0.1)  # 100 ms of silence: over a thousand character times at 115200 baud
        replies = [ask(port, READ_HR3_UNIT1, wait=0.05) for _ in range(3)]
        assert replies[0] == frame(1, bytes.fromhex("03020000")), replies


# ---------------------------------------------------------------------------------------------- the serial port


def test_the_serial_settings_are_applied_to_the_line(project: Path, pty_pair: PtyPair) -> None:
    # Read back through the bridge's own fd of the server's tty. A Linux pty keeps the baud rate and the
    # stop bits but always clears PARENB, and pyserial's next tcsetattr then fails with EINVAL, so only
    # parity N can be served on a pty: E and O are checked on the server's settings instead.
    virtual = VirtualPlc.load([project], lockstep=True)
    with serving(virtual, tcp=None, rtu={"device": pty_pair.path_a, "baudrate": 9600, "parity": "N", "stopbits": 2}):
        _, _, cflag, _, ispeed, ospeed, _ = termios.tcgetattr(pty_pair.s1)
        assert ispeed == ospeed == termios.B9600
        assert cflag & termios.CSIZE == termios.CS8
        assert cflag & termios.CSTOPB
        with rtu_client(pty_pair.path_b, 9600, stopbits=2) as client:
            assert registers(client.read_input_registers(2, count=1, device_id=1)) == [65236]
    with serving(virtual, tcp=None, rtu={"device": pty_pair.path_a, "baudrate": 19200, "stopbits": 1}):
        _, _, cflag, _, ispeed, _, _ = termios.tcgetattr(pty_pair.s1)
        assert ispeed == termios.B19200
        assert not cflag & termios.CSTOPB
        with rtu_client(pty_pair.path_b, 19200) as client:
            assert registers(client.read_input_registers(2, count=1, device_id=1)) == [65236]

    # E and O: the port the server would open carries them (8 data bits, the given stop bits).
    for parity in ("E", "O"):
        port = RtuServer(ModbusSlave({1: {}}), SerialSettings(pty_pair.path_a, 38400, parity, 2)).make_port()
        assert (port.baudrate, port.parity, port.stopbits, port.bytesize, port.exclusive) == (38400, parity, 2, 8, True)
        assert not port.is_open


def test_the_serial_device_is_opened_exclusively(project: Path, rtu_plc: VirtualPlc, pty_pair: PtyPair) -> None:
    with pytest.raises(serial.SerialException):
        serial.Serial(pty_pair.path_a, BAUD, exclusive=True)
    second = VirtualPlc.load([project], lockstep=True)
    try:
        with pytest.raises((OSError, RuntimeError, serial.SerialException)):
            second.serve(tcp=None, rtu={"device": pty_pair.path_a, "baudrate": BAUD})
    finally:
        second.stop()
    # The first server is unaffected.
    with rtu_client(pty_pair.path_b, BAUD) as client:
        assert registers(client.read_input_registers(2, count=1, device_id=1)) == [65236]
    # Once it stops, the device is free again.
    rtu_plc.stop()
    with serial.Serial(pty_pair.path_a, BAUD, exclusive=True):
        pass


def test_a_missing_serial_device_is_an_error(project: Path, tmp_path: Path) -> None:
    virtual = VirtualPlc.load([project], lockstep=True)
    try:
        with pytest.raises((OSError, RuntimeError, serial.SerialException)):
            virtual.serve(tcp=None, rtu={"device": str(tmp_path / "ttyNOPE")})
    finally:
        virtual.stop()


def test_the_serve_command_serves_rtu(project: Path, pty_pair: PtyPair) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plcops",
            "hil",
            "serve",
            str(project),
            "--rtu",
            pty_pair.path_a,
            "--baud",
            "38400",
            "--stopbits",
            "2",
            "--duration",
            "1.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        assert re.search(rf"Modbus RTU {re.escape(pty_pair.path_a)} 38400 N 2", banner), banner
        assert "Modbus TCP" not in banner  # --rtu alone serves no TCP
        with rtu_client(pty_pair.path_b, 38400, stopbits=2) as client:
            assert registers(client.read_input_registers(2, count=1, device_id=1)) == [65236]
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == 0
    assert "scan-period jitter" in err


def test_serve_stops_with_an_error_when_its_only_serial_line_is_lost(project: Path) -> None:
    # The USB adapter unplugged: the line reads EIO. A PLC that serves nothing any more must say so and
    # exit non-zero, or a supervisor sees a healthy process that answers no one.
    master, slave = os.openpty()
    tty.setraw(slave)
    device = os.ttyname(slave)
    os.close(slave)
    process = subprocess.Popen(
        [sys.executable, "-m", "plcops", "hil", "serve", str(project), "--rtu", device, "--duration", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stderr is not None
        assert "Modbus RTU" in process.stderr.readline()
        os.close(master)  # the other end of the line is gone
        _, err = process.communicate(timeout=15)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == 1, err
    assert f"error: serial line {device} failed" in err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--tcp", "127.0.0.1:99999"], "port 0..65535"),
        (["--cycle-time", "abc", "--program", "MAIN"], "--cycle-time abc: expected a positive time"),
        (["--cycle-time", "0ms", "--program", "MAIN"], "--cycle-time 0ms: expected a positive time"),
        (["--rtu", "/dev/null", "--baud", "0"], "--baud positive"),
    ],
)
def test_serve_refuses_bad_options_with_a_usage_error(project: Path, option: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "plcops", "hil", "serve", str(project), *option, "--duration", "0.1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
