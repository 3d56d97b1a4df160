"""The rig file (hil/rig.py): what it reads, and errors as ``rig.toml:line:col: error: message``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hil.iomap import Location, Point, to_words
from hil.rig import load_rig
from plcops.st.diagnostics import DiagnosticError
from tests.hil.common import EXAMPLE, write


def test_the_example_rig() -> None:
    rig = load_rig(EXAMPLE / "rig.toml")
    assert rig.name == "filling-bench"
    assert rig.project == EXAMPLE.resolve()
    assert (rig.transport.kind, rig.transport.host, rig.transport.port, rig.transport.unit) == (
        "tcp",
        "127.0.0.1",
        5020,
        2,
    )
    assert (rig.transport.timeout_s, rig.transport.retries) == (0.5, 2)
    assert (rig.cycle_ns, rig.tolerance_ns, rig.lockstep) == (10_000_000, 50_000_000, None)
    assert rig.safe_state == {"start": False, "bottle": False, "full": False}


def test_a_full_rig_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "rig.toml",
        """
        [rig]
        name = "bench 2"
        [transport]
        kind = "rtu"
        device = "/dev/ttyUSB0"
        baudrate = 9600
        parity = "even"
        stopbits = 2
        unit = 5
        timeout = "T#250ms"
        retries = 0
        [timing]
        cycle = "20ms"
        tolerance = 0.1
        lockstep = false
        [map]
        file = "maps/io.toml"
        [signals]
        speed = { table = "holding", address = 7, type = "REAL", word_order = "little" }
        [safe_state]
        speed = 0.0
        [[plant]]
        model = "hil.plants:Motor"
        inputs = { enable = "run", setpoint = "speed" }
        outputs = { speed = "actual" }
        parameters = { time_constant = 0.2 }
        """,
    )
    rig = load_rig(path)
    assert rig.transport.describe() == "/dev/ttyUSB0 (9600 E 2) unit 5"
    assert (rig.transport.timeout_s, rig.transport.retries) == (0.25, 0)
    assert (rig.cycle_ns, rig.tolerance_ns, rig.lockstep) == (20_000_000, 100_000_000, False)
    assert rig.map_file == (tmp_path / "maps" / "io.toml").resolve()
    assert rig.signals == {"speed": {"table": "holding", "address": 7, "type": "REAL", "word_order": "little"}}
    (plant,) = rig.plants
    assert (plant.model, plant.inputs, plant.outputs, plant.parameters) == (
        "hil.plants:Motor",
        {"enable": "run", "setpoint": "speed"},
        {"speed": "actual"},
        {"time_constant": 0.2},
    )


RIG_ERRORS = [
    ('[rig]\nname = "x"\n[transprot]\nkind = "tcp"\n', 3, "unknown section [transprot]"),
    ('[transport]\nkind = "udp"\n', 2, "transport kind must be tcp or rtu"),
    ('[transport]\nkind = "rtu"\nbaudrate = 9600\n', 2, 'an rtu transport needs device = "/dev/..."'),
    ('[transport]\nkind = "rtu"\ndevice = "/dev/ttyS0"\nparity = "X"\n', 4, "parity must be N, E or O"),
    ("[transport]\nretries = 11\n", 2, "retries (bounded) must be 0..10, not 11"),
    ('[transport]\ntimeout = "soon"\n', 2, "timeout must be a positive time such as \"10ms\", not 'soon'"),
    ('[timing]\ncycle = "10 parsecs"\n', 2, "cycle must be a positive time such as \"10ms\", not '10 parsecs'"),
    (
        '[signals]\nlevel = { table = "register", address = 1 }\n',
        2,
        "signal level: needs table (coil, discrete, holding, input) and address",
    ),
    ('[[plant]]\nmodel = "hil.plants.Tank"\n', 2, '[[plant]] needs model = "module:Class"'),
    ("[rig\n", 1, "invalid TOML"),
    ('[transport]\nport = "502"\n', 2, "port must be a whole number, not '502'"),
    ("[transport]\nport = 70000\n", 2, "port must be 1..65535"),
    ('[transport]\nkind = "rtu"\ndevice = "/dev/ttyS0"\nunit = 0\n', 4, "unit (on rtu) must be 1..247, not 0"),
    ("[transport]\nstopbits = 3\n", 2, "stopbits must be 1..2, not 3"),
    ("timing = 5\n", 1, "timing must be a table"),
    ("plant = [1]\n", 1, "plant 1: must be a table"),
]


@pytest.mark.parametrize(("text", "line", "message"), RIG_ERRORS, ids=[m[2][:32] for m in RIG_ERRORS])
def test_rig_file_errors_name_the_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "rig.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_rig(path)
    header = caught.value.diagnostic.header()
    assert header.startswith(f"{path}:{line}:"), header
    assert message in header


@pytest.mark.parametrize(
    ("table", "kind", "value", "sent"),
    [
        ("coil", "BOOL", True, [1]),
        ("coil", "BOOL", 0, [0]),
        ("holding", "INT", -5, [65531]),  # two's complement
        ("holding", "TIME", "T#2s", [0, 2000]),  # TIME travels in milliseconds, a DINT's two words
        ("holding", "TIME", 1500, [0, 1500]),
        ("holding", "REAL", 1.5, [0x3FC0, 0]),  # IEEE 754: 1.5 = 0x3FC00000
    ],
)
def test_scenario_values_that_a_plc_takes(table: str, kind: str, value: object, sent: list[int]) -> None:
    point = Point("GVL.x", kind, Location(2, table, 0), writable=True)
    assert to_words(value, point, strict=True) == sent


@pytest.mark.parametrize(
    ("table", "kind", "value", "why"),
    [
        ("coil", "BOOL", "false", "'false' is not TRUE/FALSE"),  # a non-empty string would be TRUE
        ("coil", "BOOL", 2, "2 is not TRUE/FALSE"),
        ("holding", "INT", 1.7, "1.7 is not an integer"),  # not rounded to 2
        ("holding", "INT", 40000, "40000 is outside -32768..32767 (INT)"),
        ("holding", "TIME", "soon", "'soon' is not a time"),
    ],
)
def test_scenario_values_that_a_plc_refuses(table: str, kind: str, value: object, why: str) -> None:
    point = Point("GVL.x", kind, Location(2, table, 0), writable=True)
    with pytest.raises(ValueError, match=re.escape(why)):
        to_words(value, point, strict=True)
