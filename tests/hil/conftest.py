"""Fixtures of the HIL tests: the project of tests/hil/common.py, virtual PLCs that always stop, pty pairs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hil.virtual_plc import VirtualPlc
from tests.hil.common import write_project
from tests.hil.ptybridge import PtyPair


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path)


@pytest.fixture
def plc(project: Path) -> Iterator[VirtualPlc]:
    """A lockstep virtual PLC of the project, serving Modbus TCP on 127.0.0.1 and a free port."""
    virtual = VirtualPlc.load([project], lockstep=True)
    try:
        virtual.serve(tcp=("127.0.0.1", 0))
        yield virtual
    finally:
        virtual.stop()


@pytest.fixture
def pty_pair() -> Iterator[PtyPair]:
    """A null-modem: the server opens ``path_a``, the client ``path_b``."""
    pair = PtyPair()
    try:
        yield pair
    finally:
        pair.close()
