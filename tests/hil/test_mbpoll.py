"""Interoperability with an independent Modbus master: mbpoll (libmodbus, C) against the virtual PLC,
over TCP and over RTU on a pty null-modem. Values from the table in tests/hil/common.py.

mbpoll's flags: ``-t 0`` coils, ``-t 1`` discrete inputs, ``-t 3`` input registers, ``-t 4`` holding
registers (``4:int`` / ``4:float`` 32-bit, ``-B`` high word first); ``-r`` is 1-based unless ``-0`` is
given; ``-1`` polls once; values after the host are written; ``-o`` is the reply timeout in seconds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hil.virtual_plc import VirtualPlc
from tests.hil.common import serving, snapshot
from tests.hil.ptybridge import PtyPair

MBPOLL = shutil.which("mbpoll")
pytestmark = pytest.mark.skipif(
    MBPOLL is None, reason="mbpoll is not installed (.ci/run installs it from Debian: apt-get install mbpoll)"
)


def run(target: list[str], *options: str, write: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """mbpoll OPTIONS TARGET [VALUES...]: TARGET is ``-m tcp -p PORT 127.0.0.1`` or ``-m rtu ... /dev/pts/N``."""
    assert MBPOLL is not None
    return subprocess.run([MBPOLL, "-o", "0.3", *options, *target, *write], capture_output=True, text=True, timeout=15)


def values(done: subprocess.CompletedProcess[str]) -> dict[int, str]:
    """``[ref]: value`` lines of a read, by reference."""
    assert done.returncode == 0, done.stderr
    return {int(ref): value.strip() for ref, value in re.findall(r"^\[(\d+)\]:\s+(.+)$", done.stdout, re.MULTILINE)}


def written(done: subprocess.CompletedProcess[str], count: int) -> None:
    assert done.returncode == 0, done.stderr
    assert re.search(rf"Written {count} references?\.", done.stdout), done.stdout


@pytest.fixture
def tcp(plc: VirtualPlc) -> list[str]:
    return ["-m", "tcp", "-p", str(plc.port), "127.0.0.1"]


def test_mbpoll_reads_the_outputs_of_the_plc(plc: VirtualPlc, tcp: list[str]) -> None:
    # Before any scan (initial values): coils 0..2 = 0 0 1, discrete input 13 = 1, input registers 2..4.
    assert values(run(tcp, "-a", "1", "-t", "0", "-0", "-r", "0", "-c", "3", "-1")) == {0: "0", 1: "0", 2: "1"}
    assert values(run(tcp, "-a", "1", "-t", "1", "-0", "-r", "13", "-1")) == {13: "1"}
    assert values(run(tcp, "-a", "1", "-t", "3", "-0", "-r", "2", "-c", "3", "-1")) == {
        2: "65236 (-300)",
        3: "7",
        4: "9",
    }
    # One scan, asked by mbpoll through the control block (unit 2, holding 64000).
    written(run(tcp, "-a", "2", "-t", "4", "-0", "-r", "64000", write=("1",)), 1)
    assert plc.sim.scans == 1
    # bOut0..2 = 0 0 0, bOut10 = 1; nOut3 = -5 (mbpoll shows both readings), nOut4 = 14.
    assert values(run(tcp, "-a", "1", "-t", "0", "-0", "-r", "0", "-c", "3", "-1")) == {0: "0", 1: "0", 2: "0"}
    assert values(run(tcp, "-a", "1", "-t", "0", "-0", "-r", "10", "-1")) == {10: "1"}
    assert values(run(tcp, "-a", "1", "-t", "4", "-0", "-r", "3", "-c", "2", "-1")) == {3: "65531 (-5)", 4: "14"}
    assert values(run(tcp, "-a", "2", "-t", "3", "-0", "-r", "3", "-c", "2", "-1")) == {3: "65531 (-5)", 4: "14"}
    assert values(run(tcp, "-a", "2", "-t", "1", "-0", "-r", "10", "-1")) == {10: "1"}


def test_mbpoll_references_are_1_based_without_dash_0(plc: VirtualPlc, tcp: list[str]) -> None:
    # Reference 1 is address 0: references 1..3 are coils 0..2 (0 0 1 before the first scan).
    assert values(run(tcp, "-a", "1", "-t", "0", "-r", "1", "-c", "3", "-1")) == {1: "0", 2: "0", 3: "1"}
    assert values(run(tcp, "-a", "1", "-t", "4", "-r", "1032", "-1")) == {1032: "65534 (-2)"}  # %MW7 = 1031


def test_mbpoll_drives_the_inputs_and_the_program_reacts(plc: VirtualPlc, tcp: list[str]) -> None:
    written(run(tcp, "-a", "2", "-t", "0", "-0", "-r", "0", write=("1", "1")), 2)  # bIn0, bIn1
    written(run(tcp, "-a", "2", "-t", "0", "-0", "-r", "13", write=("0",)), 1)  # bIn13
    written(run(tcp, "-a", "2", "-t", "4", "-0", "-r", "2", write=("1000",)), 1)  # nIn2
    assert snapshot(plc, ["GVL.bIn0", "GVL.bIn1", "GVL.bIn13", "GVL.nIn2"]) == {
        "GVL.bIn0": True,
        "GVL.bIn1": True,
        "GVL.bIn13": False,
        "GVL.nIn2": 1000,
    }
    written(run(tcp, "-a", "2", "-t", "4", "-0", "-r", "64000", write=("1",)), 1)
    # T, NOT F = T, T AND T = T; 1000 + 295 = 1295.
    assert values(run(tcp, "-a", "1", "-t", "0", "-0", "-r", "0", "-c", "3", "-1")) == {0: "1", 1: "1", 2: "1"}
    assert values(run(tcp, "-a", "1", "-t", "4", "-0", "-r", "3", "-1")) == {3: "1295"}
    assert values(run(tcp, "-a", "2", "-t", "3", "-0", "-r", "3", "-1")) == {3: "1295"}


def test_mbpoll_32_bit_values_high_word_first(plc: VirtualPlc, tcp: list[str]) -> None:
    assert values(run(tcp, "-a", "1", "-t", "4:int", "-B", "-0", "-r", "2052", "-1")) == {2052: "100000"}
    assert values(run(tcp, "-a", "1", "-t", "4:float", "-B", "-0", "-r", "2054", "-1")) == {2054: "1.5"}
    written(run(tcp, "-a", "1", "-t", "4:float", "-B", "-0", "-r", "2054", write=("2.25",)), 1)
    assert plc.sim["GVL.fMemD"] == 2.25
    written(run(tcp, "-a", "1", "-t", "4:int", "-B", "-0", "-r", "2052", write=("123456789",)), 1)
    assert plc.sim["GVL.nMemD"] == 123456789


def test_mbpoll_reports_refused_writes_and_nothing_changes(plc: VirtualPlc, tcp: list[str]) -> None:
    before = snapshot(plc)
    done = run(tcp, "-a", "1", "-t", "0", "-0", "-r", "0", write=("1",))  # a PLC output, from the SCADA view
    assert done.returncode != 0
    assert "Write discrete output (coil) failed: Illegal data address" in done.stderr
    done = run(tcp, "-a", "2", "-t", "4", "-0", "-r", "3", write=("2000",))  # nSpeed is INT(0..1000)
    assert done.returncode != 0
    assert "Write output (holding) register failed: Illegal data value" in done.stderr
    done = run(tcp, "-a", "2", "-t", "4", "-0", "-r", "100", write=("1",))  # unmapped
    assert done.returncode != 0
    assert "Illegal data address" in done.stderr
    assert snapshot(plc) == before


def test_mbpoll_gets_no_reply_from_an_unknown_unit(plc: VirtualPlc, tcp: list[str]) -> None:
    done = run(tcp, "-a", "3", "-t", "0", "-0", "-r", "0", "-1")
    assert done.returncode != 0
    assert "Connection timed out" in done.stderr


@pytest.fixture
def rtu(project: Path, pty_pair: PtyPair) -> Iterator[tuple[VirtualPlc, list[str]]]:
    virtual = VirtualPlc.load([project], lockstep=True)
    with serving(virtual, tcp=None, rtu={"device": pty_pair.path_a, "baudrate": 115200}):
        # mbpoll's default parity is even: say none, as the server (a pty cannot do parity anyway).
        yield virtual, ["-m", "rtu", "-b", "115200", "-P", "none", pty_pair.path_b]


def test_mbpoll_over_rtu(rtu: tuple[VirtualPlc, list[str]]) -> None:
    plc, target = rtu
    assert values(run(target, "-a", "1", "-t", "3", "-0", "-r", "2", "-c", "3", "-1")) == {
        2: "65236 (-300)",
        3: "7",
        4: "9",
    }
    written(run(target, "-a", "2", "-t", "0", "-0", "-r", "0", write=("1",)), 1)
    written(run(target, "-a", "2", "-t", "4", "-0", "-r", "64000", write=("1",)), 1)
    assert values(run(target, "-a", "2", "-t", "1", "-0", "-r", "0", "-c", "3", "-1")) == {0: "1", 1: "0", 2: "0"}
    done = run(target, "-a", "1", "-t", "4", "-0", "-r", "3", write=("7",))
    assert done.returncode != 0 and "Illegal data address" in done.stderr
    done = run(target, "-a", "9", "-t", "0", "-0", "-r", "0", "-1")
    assert done.returncode != 0 and "Connection timed out" in done.stderr
    assert plc.sim.scans == 1
