"""Shared helpers for the ``plcops test`` suite: pytester projects written from ST text."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"
GOLDENS = HERE / "goldens"

# The fixture projects are plcops projects: the plcops pytest plugin would collect their suites and scenario
# files as items of *this* test run. They are run on purpose, inside pytester, by the tests.
collect_ignore_glob = ["projects/*", "goldens/*"]

PLCOPS_TOML = """\
[project]
name = "t"
sources = ["src", "tests"]
"""


def write_project(root: Path, files: dict[str, str], toml: str = PLCOPS_TOML) -> Path:
    """Write ``plcops.toml`` and ``files`` (relative path -> text, dedented) under ``root``."""
    (root / "plcops.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of ``path`` that contains ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def project(pytester: pytest.Pytester):
    """``project(files, toml=...)`` writes a plcops project into ``pytester.path`` and returns its root."""

    def make(files: dict[str, str], toml: str = PLCOPS_TOML) -> Path:
        return write_project(pytester.path, files, toml)

    return make


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytest`` in the pytester project, in this process (quick), without the cache plugin."""
    return pytester.runpytest("-p", "no:cacheprovider", *args)
