"""Settings files: errors land on the line that holds the bad setting (plcops/project/tomlfile.py).

The expected lines are counted by hand in each text below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hil.rig import load_rig
from plcops.project.config import load_config
from plcops.project.tomlfile import SettingsFile
from plcops.st.diagnostics import DiagnosticError
from plcops.testing import suites
from plcops.testing.scenario import load_scenarios

PLCOPS_TOML = [
    # [target] and [test] both set cycle: the [test] one is wrong (line 6), not [target]'s (line 2).
    ('[target]\ncycle = "10ms"\nprogram = "MAIN"\n\n[test]\ncycle = "0ms"\n', 6, "[test] cycle must be a positive"),
    ('[target]\nprogram = "MAIN"\n\n[test]\nprogram = 5\n', 5, "[test] program must be a string"),
    # A comment naming the key does not count.
    ('# cycle = "5ms" was too slow\n[test]\ncycle = "fast"\n', 3, "[test] cycle must be a positive"),
    # Quoted keys in a sub-table.
    ('# "TS_*" = "5s" old\n[test.timeouts]\n"TS_*" = "later"\n', 3, "[test.timeouts] 'TS_*'"),
    ('[test]\ntimeout = "-5s"\n', 2, "[test] timeout: expected a positive time"),
    ('[test]\ntimeout = "0 scans"\n', 2, "[test] timeout: expected a positive time"),
]


@pytest.mark.parametrize(("text", "line", "message"), PLCOPS_TOML, ids=[str(i) for i in range(len(PLCOPS_TOML))])
def test_plcops_toml_errors_point_at_the_setting(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "plcops.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        suites.test_settings(load_config(path))
    diagnostic = caught.value.diagnostic
    assert (diagnostic.line, message in diagnostic.message) == (line, True), diagnostic.header()


RIG = [
    # The key also appears in a comment and inside another table's inline table.
    (
        '# timeout = 2s was too long\n[transport]\nhost = "x"\n\n\ntimeout = "forever"\n',
        6,
        "timeout must be a positive",
    ),
    ('[[plant]]\nmodel = "m:C"\nparameters = { port = 1 }\n[transport]\nport = 70000\n', 5, "port must be 1..65535"),
    ('[transport]\nhost = "h"  # unit = 1 is the SCADA view\nunit = 300\n', 3, "unit (on tcp) must be 0..255"),
    # Misspelt settings inside a table are errors, not defaults.
    ('[transport]\nkind = "rtu"\ndevice = "/dev/ttyS0"\nbaud = 9600\n', 4, "[transport] unknown setting 'baud'"),
    ('[timing]\ncylce = "5ms"\n', 2, "[timing] unknown setting 'cylce'"),
    ('[timing]\nlockstep = "no"\n', 2, "lockstep must be true or false"),
    ('[signals]\nstart = { table = "coil", address = 70000 }\n', 2, "signal start: address must be 0..65535"),
    ('[signals]\nstart = { table = "coil", address = 1, typ = "INT" }\n', 2, "signal start: unknown setting 'typ'"),
]


@pytest.mark.parametrize(("text", "line", "message"), RIG, ids=[str(i) for i in range(len(RIG))])
def test_rig_errors_point_at_the_setting(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "rig.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_rig(path)
    diagnostic = caught.value.diagnostic
    assert (diagnostic.line, message in diagnostic.message) == (line, True), diagnostic.header()


SCENARIO_HEAD = '[signals]\nlamp = "GVL.bLamp"\n\n'
SCENARIOS = [
    # Step 3's `at` is wrong (line 11), not step 1's (line 5).
    ('[[step]]\nat = "0s"\n\n[[step]]\nat = "1s"\n\n[[step]]\nat = true\n', 11, "step 3 at: expected a time"),
    ('[scenario]\ntiemout = "5s"\n', 5, "[scenario] unknown setting 'tiemout'"),
    ("[scenario]\nprogram = 5\n", 5, "[scenario] program must be a string"),
    ('[scenario]\ntimeout = "0s"\n', 5, "[scenario] timeout must be a positive time"),
    # Found by review: numbers skipped the time checks (inf and nan were tracebacks, 1e30 s accepted) and a
    # step could be before the scenario's start. 2**63 ns is about 106,751.99 days.
    ("[[step]]\nat = inf\n", 5, "step 1 at: inf is not a time"),
    ("[[step]]\nat = nan\n", 5, "step 1 at: nan is not a time"),
    ("[[step]]\nat = 1e30\n", 5, "step 1 at: 1e+30 is out of range"),
    ('[[step]]\nat = "300000d"\n', 5, "is out of range"),
    ('[[step]]\nat = "-5ms"\n', 5, "step 1 at must not be negative"),
]


@pytest.mark.parametrize(("steps", "line", "message"), SCENARIOS, ids=[str(i) for i in range(len(SCENARIOS))])
def test_scenario_errors_point_at_the_setting(tmp_path: Path, steps: str, line: int, message: str) -> None:
    path = tmp_path / "s.scenario.toml"
    path.write_text(SCENARIO_HEAD + steps, encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_scenarios(path)
    diagnostic = caught.value.diagnostic
    assert (diagnostic.line, message in diagnostic.message) == (line, True), diagnostic.header()


def test_a_file_saved_in_windows_1252_is_an_error_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "plcops.toml"
    path.write_bytes('[project]\nname = "Straße"\n'.encode("cp1252"))  # ß is 0xdf, line 2 column 13
    with pytest.raises(DiagnosticError) as caught:
        SettingsFile.read(path, "the project file")
    diagnostic = caught.value.diagnostic
    assert (diagnostic.line, diagnostic.column) == (2, 13)
    assert "not UTF-8 (byte 0xdf)" in diagnostic.message


def test_a_byte_order_mark_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plcops.toml"
    path.write_bytes(b'\xef\xbb\xbf[project]\nname = "x"\n')  # Windows Notepad writes one
    assert load_config(path).name == "x"
