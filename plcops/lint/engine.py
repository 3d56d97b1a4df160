"""Running the rules over a project: two passes, a cache, worker processes, suppressions and fixes.

1. *Declarations.* Every file is parsed and contributes its declarations to the project index (cached
   per file content). Files with syntax errors are reported as ``syntax-error`` findings.
2. *Rules.* Every file is linted with the merged index (cached per file content, index and settings);
   the result holds its findings, its suppressions and the facts project-wide rules need.
3. *Project rules* run once on those facts (unused POUs, recursion, programs called outside a task,
   globals written from several tasks).
4. Suppressions are applied, unused ``plcops:`` suppressions reported, the baseline subtracted.

Only the files that changed are parsed again on the next run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from plcops.lint.config import LintConfig
from plcops.lint.context import FileContext, FileFacts, ProjectFacts
from plcops.lint.fixes import fix_file, wanted
from plcops.lint.rule import Edit, Finding, Fix, Level, Rule
from plcops.lint.rules import catalogue
from plcops.lint.suppression import Suppression, apply_suppressions, suppressions
from plcops.project.cache import ParseCache
from plcops.project.parsing import default_jobs
from plcops.project.sources import discover_sources, read_bytes, read_source
from plcops.st.diagnostics import DiagnosticError
from plcops.st.parser import ParseResult, parse_source
from plcops.st.source import decode_source
from plcops.st.symbols import ProjectIndex

_PARALLEL_THRESHOLD_BYTES = 512 * 1024
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SYNTAX_ERROR = "PLC000"
UNUSED_SUPPRESSION = "PLC099"


@dataclass(slots=True)
class LintReport:
    """The outcome of a lint run."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    paths: list[str] = field(default_factory=list)
    lines: int = 0
    seconds: float = 0.0
    cached_files: int = 0
    fixed: int = 0
    fix_notes: list[str] = field(default_factory=list)

    def failing(self, level: Level) -> list[Finding]:
        """Findings at or above ``level``."""
        return [f for f in self.findings if f.level.rank >= level.rank]

    @property
    def syntax_errors(self) -> int:
        """How many syntax errors were reported."""
        return sum(1 for f in self.findings if f.code == SYNTAX_ERROR)


@functools.cache
def _lint_identity() -> str:
    """The linter's own code: cached results of older rules must never be served (the parse cache's
    identity already covers the parser and the declarations index)."""
    digest = hashlib.blake2b(digest_size=12)
    for module in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def rules_by_code() -> dict[str, type[Rule]]:
    """Every rule class by code."""
    return {rule.code: rule for rule in catalogue()}


# ---------------------------------------------------------------------------------------------- pass 1


def _parse(path: str, data: bytes) -> ParseResult:
    return parse_source(read_source(path, data))


def _syntax_findings(path: str, result: ParseResult | None, error: DiagnosticError | None) -> list[Finding]:
    diagnostics = [error.diagnostic] if error is not None else (result.diagnostics if result else [])
    findings = []
    for diagnostic in diagnostics:
        finding = Finding(SYNTAX_ERROR, diagnostic.message, 0, 0)
        finding.path, finding.line, finding.column = path, diagnostic.line, diagnostic.column
        finding.end_line, finding.end_column = diagnostic.line, diagnostic.column + diagnostic.length
        finding.level, finding.name = Level.error, "syntax-error"
        finding.source_line = diagnostic.source_line or ""
        findings.append(finding)
    return findings


def _declarations(job: tuple[str, bytes]) -> dict[str, Any]:
    """Pass 1 for one file: its declarations, or its syntax errors."""
    path, data = job
    try:
        result = _parse(path, data)
    except DiagnosticError as exc:
        return {"lines": 0, "errors": [_finding_json(f) for f in _syntax_findings(path, None, exc)], "index": None}
    if result.diagnostics or result.unit is None:
        return {
            "names": sorted(set(_IDENTIFIER.findall(result.source.text))),
            "lines": result.source.line_count,
            "errors": [_finding_json(f) for f in _syntax_findings(path, result, None)],
            "index": None,
        }
    index = ProjectIndex.of_unit(result.unit, path, result.source.text, result.source.unit_name)
    _WORKER.setdefault("parsed", {})[path] = result  # reused by pass 2 when it runs in this process
    return {"lines": result.source.line_count, "errors": [], "index": index.to_json()}


# ---------------------------------------------------------------------------------------------- pass 2


def _finding_json(finding: Finding) -> dict[str, Any]:
    data = {slot: getattr(finding, slot) for slot in Finding.__slots__ if slot != "fix"}  # type: ignore[attr-defined]
    data["level"] = finding.level.value
    if finding.fix is not None:
        data["fix"] = {
            "description": finding.fix.description,
            "safe": finding.fix.safe,
            "edits": [[e.start, e.end, e.text] for e in finding.fix.edits],
        }
    return data


def _finding_from_json(data: dict[str, Any]) -> Finding:
    fix = data.pop("fix", None)
    level = Level(data.pop("level"))
    finding = Finding(**data)
    finding.level = level
    if fix:
        finding.fix = Fix(fix["description"], tuple(Edit(*edit) for edit in fix["edits"]), fix["safe"])
    return finding


def _locate(finding: Finding, context: FileContext, rule: type[Rule]) -> None:
    source = context.source
    finding.path = context.path
    finding.line, finding.column = source.location(finding.start)
    finding.end_line, finding.end_column = source.location(max(finding.end, finding.start))
    finding.level = rule.level
    finding.name = rule.name
    finding.source_line = source.origin_line(finding.line)


def lint_file(
    path: str, result: ParseResult, index: ProjectIndex, config: LintConfig
) -> tuple[list[Finding], list[Suppression], FileFacts]:
    """Pass 2 for one parsed file: raw findings (before suppression), suppressions and facts."""
    if result.unit is not None:
        index = index.overlaid(ProjectIndex.of_unit(result.unit, path, result.source.text, result.source.unit_name))
    context = FileContext(path, result, index)
    findings: list[Finding] = []
    facts = context.facts()
    for project_rule in config.project_rules_anywhere(catalogue()):
        extra = project_rule.file_facts(context)
        if extra is not None:
            facts.extra[project_rule.code] = extra
    for rule in config.rules_for(path, catalogue()):
        if rule.project:
            continue
        for finding in rule.check(context):
            _locate(finding, context, type(rule))
            findings.append(finding)
    records = suppressions(context.unit, context.source, catalogue())
    _fingerprint(findings, context)
    return findings, records, facts


def _fingerprint(findings: list[Finding], context: FileContext) -> None:
    """Fingerprints that survive line shifts: rule, file, POU, the finding's line text, occurrence."""
    seen: dict[tuple[str, str, str], int] = {}
    for finding in sorted(findings, key=lambda f: f.start):
        text = " ".join(context.line_text(finding.start).split())
        key = (finding.code, finding.pou, text)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        # The file's path is added once every finding is in (lint_paths), relative to its project's root.
        raw = f"{finding.code}|{finding.pou}|{text}|{occurrence}"
        finding.fingerprint = hashlib.sha256(raw.encode()).hexdigest()[:20]


# Worker state for pass 2: the merged index is deserialised once per process, not once per file.
_WORKER: dict[str, Any] = {}


def _start_worker(index_json: dict[str, Any], config: LintConfig) -> None:
    _WORKER["index"] = ProjectIndex.from_json(index_json)
    _WORKER["config"] = config


def _lint_job(job: tuple[str, bytes]) -> dict[str, Any]:
    path, data = job
    result = _WORKER.get("parsed", {}).pop(path, None) or _parse(path, data)
    try:
        findings, records, facts = lint_file(path, result, _WORKER["index"], _WORKER["config"])
    except Exception as exc:  # one broken rule must not hide every other finding
        findings, records, facts = [_internal_error(path, exc)], [], FileFacts(path)
    return {
        "findings": [_finding_json(f) for f in findings],
        "suppressions": [s.to_json() for s in records],
        "facts": facts.to_json(),
    }


def _internal_error(path: str, exc: Exception) -> Finding:
    """A crash inside plcops, reported as an error finding on the file instead of a traceback."""
    finding = Finding(SYNTAX_ERROR, f"internal error while linting (please report): {type(exc).__name__}: {exc}", 0, 0)
    finding.path, finding.line, finding.column, finding.end_line, finding.end_column = path, 1, 1, 1, 1
    finding.level, finding.name = Level.error, "syntax-error"
    return finding


# ---------------------------------------------------------------------------------------------- the run


def _map(function: Any, jobs: list[Any], workers: int, size: int, setup: tuple[Any, ...] | None = None) -> list[Any]:
    """Run jobs in worker processes when there is enough work, else here; ``setup`` initialises workers."""
    if workers > 1 and len(jobs) > 1 and size >= _PARALLEL_THRESHOLD_BYTES:
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        initializer = _start_worker if setup else None
        with ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)), mp_context=context, initializer=initializer, initargs=setup or ()
        ) as pool:
            return list(pool.map(function, jobs, chunksize=4))
    return [function(job) for job in jobs]


def lint_paths(
    paths: Sequence[Path | str],
    config: LintConfig | None = None,
    *,
    cache: ParseCache | None = None,
    jobs: int | None = None,
    fix: bool = False,
    unsafe_fixes: bool = False,
) -> LintReport:
    """Lint files and folders (see the module docstring).

    With ``fix``, safe fixes (and with ``unsafe_fixes`` also unsafe ones) are applied to the files first
    (see :mod:`plcops.lint.fixes`); the report then lists what is left.
    """
    began = time.perf_counter()
    config = config or LintConfig()
    report, indexes = _lint(paths, config, cache, jobs)
    if fix or unsafe_fixes:
        fixable = sorted({f.path for f in report.findings if wanted(f, unsafe_fixes)})
        outcomes = [fix_file(path, indexes[path], config, rules_by_code(), unsafe=unsafe_fixes) for path in fixable]
        if any(outcome.written for outcome in outcomes):
            report, _ = _lint(paths, config, cache, jobs)
        report.fixed = sum(len(outcome.applied) for outcome in outcomes if outcome.written)
        report.fix_notes = [f"{outcome.path}: {note}" for outcome in outcomes for note in outcome.skipped]
    report.seconds = time.perf_counter() - began
    return report


def _lint(
    paths: Sequence[Path | str], config: LintConfig, cache: ParseCache | None, jobs: int | None
) -> tuple[LintReport, dict[str, ProjectIndex]]:
    """Lint every file; returns the report and each file's project index (for fixes)."""
    report = LintReport()
    workers = default_jobs() if jobs is None else max(1, jobs)
    files: list[tuple[str, bytes]] = []
    for found in discover_sources(paths):
        try:
            files.append((str(found), read_bytes(found)))
        except DiagnosticError as exc:
            report.findings.extend(_syntax_findings(str(found), None, exc))
    report.paths = [path for path, _ in files] + [f.path for f in report.findings]
    report.files = len(report.paths)
    indexes: dict[str, ProjectIndex] = {}
    for root, group in _projects(files):
        first = len(report.findings)
        index = _lint_project(group, config, cache, workers, report)
        indexes.update((path, index) for path, _ in group)
        _anchor_fingerprints(report.findings[first:], root)
    report.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return report, indexes


_PROJECT_MARKERS = ("plcops.toml", "*.plcproj", "*.tsproj", "*.project")


def _anchor_fingerprints(findings: list[Finding], root: Path | None) -> None:
    """Put each finding's file into its fingerprint as a path relative to the project root (the current
    folder outside a project), so a baseline matches however the paths were typed: ``src``,
    ``$PWD/src`` or ``.`` from inside ``src``."""
    anchor = (root or Path.cwd()).resolve()
    stable: dict[str, str] = {}
    for finding in findings:
        where = stable.get(finding.path)
        if where is None:
            resolved = Path(finding.path).resolve()
            try:
                where = resolved.relative_to(anchor).as_posix()
            except ValueError:
                where = resolved.as_posix()
            stable[finding.path] = where
        finding.fingerprint = hashlib.sha256(f"{where}|{finding.fingerprint}".encode()).hexdigest()[:20]


def _projects(files: list[tuple[str, bytes]]) -> list[tuple[Path | None, list[tuple[str, bytes]]]]:
    """Files grouped by the PLC project they belong to, with its root: the nearest folder above them with
    a ``plcops.toml``, a TwinCAT ``.plcproj``/``.tsproj`` or a CODESYS ``.project``. Files of different
    projects never see each other's declarations; files outside any project form one group (root None)."""
    roots: dict[Path, Path | None] = {}

    def root_of(folder: Path) -> Path | None:
        if folder not in roots:
            marked = any(any(folder.glob(marker)) for marker in _PROJECT_MARKERS)
            roots[folder] = folder if marked else (None if folder.parent == folder else root_of(folder.parent))
        return roots[folder]

    groups: dict[Path | None, list[tuple[str, bytes]]] = {}
    for path, data in files:
        groups.setdefault(root_of(Path(path).resolve().parent), []).append((path, data))
    return list(groups.items())


def _line_of(data: bytes, line: int, decoded: dict[int, list[str]]) -> str:
    """A line of a file's text (files are decoded once per run)."""
    lines = decoded.get(id(data))
    if lines is None:
        lines = decoded[id(data)] = decode_source(data).text.splitlines() if data else []
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _lint_project(
    files: list[tuple[str, bytes]], config: LintConfig, cache: ParseCache | None, workers: int, report: LintReport
) -> ProjectIndex:
    """Lint the files of one project into ``report``; returns the project's index."""
    # Pass 1: declarations.
    keys = {path: cache.key(path, data) if cache else "" for path, data in files}
    declared: dict[str, dict[str, Any]] = {}
    missing: list[tuple[str, bytes]] = []
    for path, data in files:
        entry = cache.load_json("lint-index", keys[path]) if cache else None
        if entry is None:
            missing.append((path, data))
        else:
            declared[path] = entry
    parsed = _map(_declarations, missing, workers, sum(len(d) for _, d in missing))
    for (path, _), entry in zip(missing, parsed, strict=True):
        declared[path] = entry
        if cache:
            cache.store_json("lint-index", keys[path], entry)
    index = ProjectIndex()
    for path, _ in files:
        entry = declared[path]
        report.lines += entry["lines"]
        for error in entry["errors"]:
            report.findings.append(_finding_from_json(dict(error)))
        if entry["index"] is not None:
            index.merge(ProjectIndex.from_json(entry["index"]))
    context_key = f"{index.digest()}:{config.digest()}:{_lint_identity()}"

    # Pass 2: rules per file.
    clean = [(path, data) for path, data in files if declared[path]["index"] is not None]
    results: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, bytes]] = []
    for path, data in clean:
        key = hashlib.blake2b(f"{keys[path]}:{context_key}".encode(), digest_size=20).hexdigest() if cache else ""
        entry = cache.load_json("lint-file", key) if cache else None
        if entry is None:
            todo.append((path, data))
        else:
            results[path] = entry
            report.cached_files += 1
    _WORKER.update(index=index, config=config)
    setup = (index.to_json(), config)
    try:
        done = _map(_lint_job, todo, workers, sum(len(job[1]) for job in todo), setup)
    finally:
        _WORKER.clear()
    for job, entry in zip(todo, done, strict=True):
        results[job[0]] = entry
        if cache:
            key = hashlib.blake2b(f"{keys[job[0]]}:{context_key}".encode(), digest_size=20).hexdigest()
            cache.store_json("lint-file", key, entry)

    # Project rules, then suppressions, per file. A file with syntax errors still counts as using the
    # names it mentions, so fixing a typo in one file does not make others report "unused".
    rule_classes = rules_by_code()
    facts = [FileFacts.from_json(results[path]["facts"]) for path, _ in clean]
    facts += [FileFacts(path, references=declared[path].get("names", [])) for path, _ in files if path not in results]
    by_file: dict[str, list[Finding]] = {
        path: [_finding_from_json(dict(f)) for f in results[path]["findings"]] for path, _ in clean
    }
    texts = {path: data for path, data in files}
    occurrences: dict[tuple[str, ...], int] = {}
    decoded: dict[int, list[str]] = {}
    # A project rule runs when selected anywhere; its findings stay only in files it applies to
    # ([[lint.overrides]] may switch it off for tests/*).
    applies: dict[str, set[str]] = {}
    project_rules = {type(r) for path, _ in files for r in config.rules_for(path, catalogue()) if r.project}
    for rule in (
        rule_class(config.options.get(rule_class.code)) for rule_class in catalogue() if rule_class in project_rules
    ):
        for finding in rule.check_project(ProjectFacts(facts, index)):
            if finding.path not in applies:
                applies[finding.path] = {r.code for r in config.rules_for(finding.path, catalogue())}
            if finding.code not in applies[finding.path]:
                continue
            finding.level, finding.name = type(rule).level, type(rule).name
            # Like per-file findings: keyed by the text of the line, not its number, so it survives shifts.
            line = _line_of(texts.get(finding.path, b""), finding.line, decoded)
            identity = (
                finding.code,
                finding.path,
                finding.pou,
                " ".join(line.split()),
            )  # path: see _anchor_fingerprints
            occurrences[identity] = occurrences.get(identity, 0) + 1
            raw = "|".join([finding.code, finding.pou, identity[3], str(occurrences[identity])])
            finding.fingerprint = hashlib.sha256(raw.encode()).hexdigest()[:20]
            finding.source_line = line
            by_file.setdefault(finding.path, []).append(finding)
    unused_rule = rule_classes.get(UNUSED_SUPPRESSION)
    for path, _ in clean:
        records = [Suppression.from_json(item) for item in results[path]["suppressions"]]
        running = {rule.code for rule in config.rules_for(path, catalogue())}
        outcome = apply_suppressions(by_file.get(path, []), records, rule_classes, running)
        report.findings.extend(outcome.kept)
        if unused_rule is not None and unused_rule.code in running:
            for record, problem in outcome.unused:
                finding = Finding(UNUSED_SUPPRESSION, problem, 0, 0)
                finding.path, finding.line, finding.column = path, record.line, record.column
                finding.end_line, finding.end_column = record.line, record.column + len(record.text)
                finding.level, finding.name = unused_rule.level, unused_rule.name
                raw = f"{UNUSED_SUPPRESSION}|{record.line}|{problem}"
                finding.fingerprint = hashlib.sha256(raw.encode()).hexdigest()[:20]
                report.findings.append(finding)
    return index


# ---------------------------------------------------------------------------------------------- baseline


def write_baseline(report: LintReport, path: Path) -> None:
    """Record the current findings so later runs report only new ones."""
    entries = {
        f.fingerprint: {"code": f.code, "path": f.path, "message": f.message}
        for f in report.findings
        if f.code != SYNTAX_ERROR
    }
    path.write_text(
        json.dumps({"plcops_baseline": 1, "findings": entries}, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def apply_baseline(report: LintReport, path: Path) -> int:
    """Remove findings recorded in a baseline; returns how many were removed.

    Raises:
        DiagnosticError: when the file is not a plcops baseline.
    """
    from plcops.st.diagnostics import Diagnostic

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = set(data["findings"])
    except (OSError, ValueError, KeyError, TypeError):
        raise DiagnosticError(
            Diagnostic(str(path), 1, 1, "not a plcops lint baseline (write one with --write-baseline)")
        ) from None
    before = len(report.findings)
    report.findings = [f for f in report.findings if f.fingerprint not in known]
    return before - len(report.findings)
