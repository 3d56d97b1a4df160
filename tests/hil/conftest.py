"""Fixtures of the HIL tests: the project of tests/hil/common.py, virtual PLCs that always stop, pty pairs."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hil.virtual_plc import VirtualPlc
from tests.hil.common import write_project
from tests.hil.ptybridge import PtyPair


def pytest_configure(config: pytest.Config) -> None:
    # Rig locks are files that outlive a run (hil.runner.lock_path) and the tests make a rig name per test:
    # keep them in a folder of this test process (inherited by the commands the tests start), not in /tmp.
    folder = tempfile.mkdtemp(prefix="plcops-rig-locks-")
    before = os.environ.get("PLCOPS_LOCK_DIR")
    os.environ["PLCOPS_LOCK_DIR"] = folder

    def restore() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        if before is None:
            os.environ.pop("PLCOPS_LOCK_DIR", None)
        else:
            os.environ["PLCOPS_LOCK_DIR"] = before

    config.add_cleanup(restore)


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
