"""Deeply nested code: generated PLC code nests deeply (alarm summaries, interlock chains). Every command
handles what the parser accepts, or says clearly that it cannot; never a traceback.

The sizes are those that used to fail: fmt at 122 nested IFs and 325 chained operands, check and sim at
about 325, diff at about 340 (Python's default recursion limit of 1,000 frames).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

NESTED_IFS = 400
CHAIN = 1_000


def program(body: str) -> str:
    return f"PROGRAM P\nVAR\n    b : BOOL;\n    x : INT;\nEND_VAR\n{body}END_PROGRAM\n"


def plcops(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "plcops", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture
def deep(tmp_path: Path) -> Path:
    (tmp_path / "ifs.st").write_text(
        program("IF b THEN\n" * NESTED_IFS + "x := 1;\n" + "END_IF;\n" * NESTED_IFS), encoding="utf-8"
    )
    chain = " OR ".join(["b"] * CHAIN)
    (tmp_path / "chain.st").write_text(program(f"b := {chain};\n"), encoding="utf-8")
    (tmp_path / "chain_spaced.st").write_text(program(f"b :=  {chain};\n"), encoding="utf-8")
    (tmp_path / "parens.st").write_text(program("x := " + "(" * 900 + "1" + ")" * 900 + ";\n"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [
        ["fmt", "--check", "ifs.st", "chain.st", "parens.st"],
        ["check", "ifs.st", "chain.st", "parens.st"],
        ["lint", "ifs.st", "chain.st"],
        ["sim", "compile", "chain.st"],
        ["diff", "chain.st", "chain_spaced.st"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_deep_nesting_is_processed(deep: Path, command: list[str]) -> None:
    done = plcops(*command, cwd=deep)
    assert "Traceback" not in done.stderr and "internal error" not in done.stdout + done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr  # findings or a format change, not a failure


def test_nesting_beyond_what_can_be_processed_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "huge.st").write_text(program(f"b := {' OR '.join(['b'] * 30_000)};\n"), encoding="utf-8")
    done = plcops("check", "huge.st", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "nests more deeply than plcops can process" in done.stderr
