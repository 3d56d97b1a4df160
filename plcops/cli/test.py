"""``plcops test``: run ST suites, scenario files and Python tests of a project (pytest underneath)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import List

import typer

from plcops.cli.common import EXIT_USAGE, fail, note
from plcops.project.config import find_config, load_config
from plcops.st.diagnostics import DiagnosticError


def _plugin_registered() -> bool:
    return any(entry.name == "plcops" for entry in importlib.metadata.entry_points(group="pytest11"))


def _project_root(start: Path) -> Path | None:
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / "plcops.toml").is_file():
            return folder
    return None


def _default_paths(start: Path) -> list[str]:
    """The [test] paths of the nearest plcops.toml (default: its [project] sources), else '.'.

    Raises:
        DiagnosticError: an invalid plcops.toml.
    """
    from plcops.testing.suites import test_settings  # the simulator: only when tests run

    path = find_config(start)
    if path is None:
        return ["."]
    folder = path.parent
    config = load_config(path)
    paths = test_settings(config).paths or config.sources
    found = [str(folder / p) for p in paths if (folder / p).exists()]
    scenarios = folder / "scenarios"
    if scenarios.is_dir() and str(scenarios) not in found:
        found.append(str(scenarios))
    return found or [str(folder)]


def test(
    paths: List[Path] | None = typer.Argument(
        None, help="Test files or folders (default: [test] paths of plcops.toml)."
    ),
    keyword: str | None = typer.Option(None, "-k", help="Only tests matching this expression (pytest -k)."),
    exitfirst: bool = typer.Option(False, "-x", "--exitfirst", help="Stop at the first failure."),
    junit: Path | None = typer.Option(None, "--junit", help="Write JUnit XML (suite = function block, case = test)."),
    coverage: bool = typer.Option(False, "--coverage", help="Measure ST statement and branch coverage."),
    cov_report: List[str] = typer.Option([], "--cov-report", help="text, html[:DIR] or cobertura[:FILE]; repeatable."),
    cov_fail_under: float | None = typer.Option(None, "--cov-fail-under", help="Fail when ST coverage is below N %."),
    workers: str | None = typer.Option(None, "-n", help="Parallel workers: a number or auto (pytest-xdist)."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="One line per test."),
) -> None:
    """Run a project's tests on the simulator: TcUnit-style ST suites (FUNCTION_BLOCKs that EXTEND
    FB_TestSuite), scenario files (*.scenario.toml) and Python tests (with the plc fixture).

    Exit status as pytest: 0 all passed, 1 failures, 2 interrupted or usage error, 5 no tests found.
    """
    import pytest

    try:
        arguments = [str(p) for p in paths] if paths else _default_paths(Path.cwd())
    except DiagnosticError as exc:
        fail(exc, EXIT_USAGE)
    if not _plugin_registered():
        arguments += ["-p", "plcops.testing.pytest_plugin"]
    arguments += [
        "-p",
        "no:cacheprovider",
        "-o",
        "junit_family=xunit2",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    root = _project_root(Path(arguments[0]) if arguments else Path.cwd())
    if root is not None:
        arguments += ["--rootdir", str(root)]
    else:
        note(
            "note: no plcops.toml here or above: ST suites and scenario files are collected only inside a "
            "plcops project (a folder with plcops.toml; see docs/commands/test.md)"
        )
    if keyword:
        arguments += ["-k", keyword]
    if exitfirst:
        arguments.append("-x")
    if verbose:
        arguments.append("-v")
    if junit is not None:
        arguments += ["--junitxml", str(junit)]
    if coverage or cov_report or cov_fail_under is not None:
        arguments.append("--plcops-cov")
        for report in cov_report:
            arguments += ["--plcops-cov-report", report]
        if cov_fail_under is not None:
            arguments += ["--plcops-cov-fail-under", str(cov_fail_under)]
    if workers is not None:
        if workers != "auto" and not workers.isdigit():
            typer.echo("error: -n takes a number or auto", err=True)
            raise typer.Exit(EXIT_USAGE)
        arguments += ["-n", workers]
    raise typer.Exit(int(pytest.main(arguments)))
