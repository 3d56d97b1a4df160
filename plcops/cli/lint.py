"""``plcops lint``: static analysis with CODESYS/TwinCAT- and PLCopen-traceable rules."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import List

import typer

from plcops.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail, note
from plcops.lint.config import LintConfig, load_lint_config
from plcops.lint.engine import apply_baseline, lint_paths, rules_by_code, write_baseline
from plcops.lint.output import render_github, render_json, render_junit, render_sarif, render_text, summary
from plcops.lint.rule import Level
from plcops.lint.rules import catalogue
from plcops.project.cache import ParseCache
from plcops.project.config import find_config, load_config
from plcops.st.diagnostics import Diagnostic, DiagnosticError


class LintFormat(str, enum.Enum):
    """Output formats of ``plcops lint``."""

    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"


def _config(paths: list[Path], select: list[str], ignore: list[str], fail_level: Level | None) -> LintConfig:
    project = load_config(find_config(paths[0]))
    config = load_lint_config(project.raw.get("lint"), catalogue(), project.path)
    if select or ignore:
        # Command-line choices replace the file's, as in ruff: "what do I want to see now". Each option may
        # also hold a comma-separated list (--select PLC016,PLC017).
        select = [word.strip() for item in select for word in item.split(",") if word.strip()]
        ignore = [word.strip() for item in ignore for word in item.split(",") if word.strip()]
        table = {"select": select or config.select, "ignore": ignore}
        try:
            override = load_lint_config(table, catalogue(), None)
        except DiagnosticError as exc:  # about the command line, not a plcops.toml
            message = exc.diagnostic.message.replace("[lint] select", "--select").replace("[lint] ignore", "--ignore")
            raise DiagnosticError(Diagnostic("<command line>", 1, 1, message)) from None
        config.select, config.ignore = override.select, override.ignore
    if fail_level is not None:
        config.fail_level = fail_level
    return config


def _project_sources() -> list[Path]:
    """Without paths: the ``[project] sources`` of the plcops.toml here or above, else this folder."""
    try:
        project = load_config(find_config(Path.cwd()))
    except DiagnosticError:
        return [Path(".")]  # the same error is reported when the configuration is loaded for real
    if project.root is None:
        return [Path(".")]
    return [Path(os.path.relpath(project.root / source)) for source in project.sources]


def _list_rules() -> None:
    for rule in catalogue():
        refs = ", ".join(rule.references())
        state = "on " if rule.enabled else "off"
        fix = f" fix:{rule.fix}" if rule.fix else ""
        typer.echo(f"{rule.code}  {state}  {rule.level.value:<7}  {rule.name:<34} {refs}{fix}")


def _explain(code: str) -> None:
    rules = rules_by_code()
    matches = [rule for rule in rules.values() if rule.code == code.upper() or rule.name == code.lower()]
    if not matches:
        typer.echo(f"error: unknown rule {code!r} (see plcops lint --list-rules)", err=True)
        raise typer.Exit(EXIT_USAGE)
    rule = matches[0]
    typer.echo(f"{rule.code} {rule.name}: {rule.summary()}\n")
    typer.echo(
        f"Level: {rule.level.value}; {'on' if rule.enabled else 'off'} by default; groups: {', '.join(rule.groups)}"
    )
    if rule.references():
        typer.echo(f"References: {', '.join(rule.references())}")
    if rule.options:
        typer.echo("Options: " + ", ".join(f"{key} = {value!r}" for key, value in rule.options.items()))
    typer.echo("\n" + rule.documentation())


def lint(
    paths: List[Path] | None = typer.Argument(
        None, help="Files or folders (searched recursively); default: [project] sources of plcops.toml, else '.'."
    ),
    output_format: LintFormat = typer.Option(
        LintFormat.text,
        "--format",
        help="text, json, sarif (code scanning), junit (CI test tab) or github (annotations).",
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes, then report what is left."),
    unsafe_fixes: bool = typer.Option(
        False, "--unsafe-fixes", help="With --fix, also apply fixes that may change behaviour."
    ),
    select: List[str] = typer.Option(
        [], "--select", help="Rules, names or groups to run (replaces [lint] select); repeatable."
    ),
    ignore: List[str] = typer.Option([], "--ignore", help="Rules, names or groups to skip; repeatable."),
    fail_level: Level | None = typer.Option(
        None, "--fail-level", help="Lowest level that fails the run (default from [lint], else warning)."
    ),
    write_baseline_to: Path | None = typer.Option(
        None, "--write-baseline", help="Record the current findings in this file and exit 0."
    ),
    baseline: Path | None = typer.Option(
        None, "--baseline", help="Report only findings not recorded in this baseline file."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the analysis cache."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: CPU count)."),
    list_rules: bool = typer.Option(False, "--list-rules", help="List every rule and exit."),
    explain: str | None = typer.Option(
        None, "--explain", metavar="RULE", help="Print a rule's documentation and exit."
    ),
) -> None:
    """Check ST code against rules traceable to CODESYS/TwinCAT static analysis (SA numbers) and the
    PLCopen coding guidelines.

    Exit status: 0 clean, 1 findings at or above the fail level, 2 usage errors or files that do not parse
    (syntax errors are reported as PLC000 findings too). Settings come from [lint] in the nearest plcops.toml;
    see docs/rules.md for every rule.
    """
    if list_rules:
        _list_rules()
        raise typer.Exit(EXIT_OK)
    if explain:
        _explain(explain)
        raise typer.Exit(EXIT_OK)
    if unsafe_fixes and not fix:
        typer.echo("error: --unsafe-fixes needs --fix", err=True)
        raise typer.Exit(EXIT_USAGE)
    targets = list(paths or _project_sources())
    for target in targets:
        if not target.exists():
            typer.echo(f"{target}:1:1: error: no such file or folder", err=True)
            raise typer.Exit(EXIT_USAGE)
    try:
        config = _config(targets, select, ignore, fail_level)
        report = lint_paths(
            targets, config, cache=None if no_cache else ParseCache(), jobs=jobs, fix=fix, unsafe_fixes=unsafe_fixes
        )
        if write_baseline_to is not None:
            write_baseline(report, write_baseline_to)
            note(f"wrote {len(report.findings) - report.syntax_errors} findings to {write_baseline_to}")
        if baseline is not None:
            removed = apply_baseline(report, baseline)
            note(f"{removed} findings in the baseline not shown")
    except DiagnosticError as exc:
        fail(exc, EXIT_USAGE)
    rules = rules_by_code()
    ran = [rule for rule in catalogue() if any(type(r) is rule for r in config.rules_for("", catalogue()))]
    if output_format is LintFormat.text:
        text = render_text(report, rules)
    elif output_format is LintFormat.json:
        text = render_json(report, config.fail_level)
    elif output_format is LintFormat.sarif:
        text = render_sarif(report, ran)
    elif output_format is LintFormat.junit:
        text = render_junit(report, report.paths, rules, config.fail_level)
    else:
        text = render_github(report)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            typer.echo(f"{output}:1:1: error: cannot write report: {exc.strerror}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
    else:
        sys.stdout.write(text)
    for line in report.fix_notes:
        note(f"not fixed: {line}")
    note(summary(report, config.fail_level))
    if report.syntax_errors:
        raise typer.Exit(EXIT_USAGE)
    if write_baseline_to is not None:
        raise typer.Exit(EXIT_OK)
    raise typer.Exit(EXIT_FINDINGS if report.failing(config.fail_level) else EXIT_OK)
