"""Loading a project for semantic work: every source parsed, then the declarations model and the checker.

``plcops check``, the simulator and ``plcops test`` all start here, so they agree on which files form the
project and report syntax errors the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from plcops.project.sources import discover_sources, read_source
from plcops.st.checker import Checked, check
from plcops.st.diagnostics import Diagnostic, DiagnosticError, Severity
from plcops.st.intrinsics import Intrinsic
from plcops.st.model import Model
from plcops.st.parser import ParseResult, parse_source


@dataclass
class LoadedProject:
    """Parsed files, and the checked model when every file parsed."""

    results: list[ParseResult] = field(default_factory=list)
    syntax_errors: list[Diagnostic] = field(default_factory=list)
    checked: Checked | None = None

    @property
    def files(self) -> int:
        return len(self.results) + len(
            {d.path for d in self.syntax_errors if not any(r.source.path == d.path for r in self.results)}
        )

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Syntax errors, else the checker's diagnostics."""
        if self.syntax_errors or self.checked is None:
            return self.syntax_errors
        return self.checked.diagnostics

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


def project_paths(paths: Sequence[Path | str]) -> list[Path]:
    """``paths`` with a project folder (one holding ``plcops.toml``) replaced by its ``[project] sources``,
    and the TwinCAT task files an import keeps in its ``vendor/`` folder (they say which programs run).

    Raises:
        DiagnosticError: an invalid ``plcops.toml``.
    """
    from plcops.project.config import CONFIG_NAME, load_config
    from plcops.project.twincat import TASK_SUFFIX

    expanded: list[Path] = []
    for entry in paths:
        path = Path(entry)
        config_file = path / CONFIG_NAME
        if path.is_dir() and config_file.is_file():
            config = load_config(config_file)
            expanded += [path / source for source in config.sources if (path / source).exists()]
            vendor = path / "vendor"
            if vendor.is_dir():
                expanded += sorted(p for p in vendor.rglob("*") if p.suffix.lower() == TASK_SUFFIX)
        else:
            expanded.append(path)
    return expanded


def parse_project(paths: Sequence[Path | str]) -> LoadedProject:
    """Parse every source of ``paths`` (files, folders, or project folders: see :func:`project_paths`)."""
    loaded = LoadedProject()
    try:
        chosen = project_paths(paths)
    except DiagnosticError as exc:
        loaded.syntax_errors.append(exc.diagnostic)
        return loaded
    for path in discover_sources(chosen):
        try:
            result = parse_source(read_source(path))
        except DiagnosticError as exc:
            loaded.syntax_errors.append(exc.diagnostic)
            continue
        loaded.syntax_errors.extend(result.diagnostics)
        loaded.results.append(result)
    return loaded


def check_project(
    paths: Sequence[Path | str], *, libraries: Sequence[ParseResult] = (), intrinsics: Sequence[Intrinsic] = ()
) -> LoadedProject:
    """Parse, then (when everything parsed) build the model and check it (with extra libraries and provided
    functions, such as the test framework's)."""
    loaded = parse_project(paths)
    if not loaded.syntax_errors:
        loaded.checked = check(Model.build(loaded.results, libraries=list(libraries), intrinsics=list(intrinsics)))
    return loaded
