"""``plcops.toml``: the project file.

It names the project and its sources and holds one section per tool: ``[fmt]``, ``[lint]``, ``[test]``
and ``[target]`` (rigs have their own files). plcops finds it by walking up from the folder a command
works on, the way git finds ``.git``. Unknown sections and settings are errors: a typo must not silently
fall back to a default on code that runs machines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from plcops.project.tomlfile import SettingsFile
from plcops.st.formatter import FormatOptions

CONFIG_NAME = "plcops.toml"

_FMT_KEYS = {
    "indent": int,
    "keyword_case": str,
    "max_blank_lines": int,
    "indent_pou_contents": bool,
    "line_ending": str,
}


# The sections a project file may have; each tool checks its own (a typo must not fall back to defaults).
# [import] records where `plcops import` took the project from (information only).
SECTIONS = ("fmt", "import", "lint", "project", "target", "test")

RUNTIMES = ("twincat", "codesys", "beremiz", "openplc", "generic")


@dataclass(slots=True)
class TargetSettings:
    """``[target]``: what the project runs on.

    Attributes:
        runtime: the runtime the code is written for (``twincat``, ``codesys``, ``beremiz``, ``openplc``,
            ``generic``); ``plcops import`` sets it from the vendor format.
        cycle: the scan period where no CONFIGURATION or TwinCAT task says otherwise (``"10ms"``).
        program: the PROGRAM that runs then (default: the only one, or the CONFIGURATION's tasks).
    """

    runtime: str = "generic"
    cycle: str = "10ms"
    program: str | None = None


@dataclass(slots=True)
class ProjectConfig:
    """The parsed ``plcops.toml`` (defaults when there is none).

    Attributes:
        path: the file it was read from, or None for defaults.
        name: the project's name.
        sources: source folders/files relative to the project root.
        fmt: formatter settings.
        raw: the whole TOML document, for sections later layers read themselves.
        text: the file's text, to place their errors (see :attr:`settings_file`).
    """

    path: Path | None = None
    name: str = ""
    sources: list[str] = field(default_factory=lambda: ["."])
    fmt: FormatOptions = field(default_factory=FormatOptions)
    target: TargetSettings = field(default_factory=TargetSettings)
    raw: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    @property
    def settings_file(self) -> SettingsFile:
        """The file as a :class:`SettingsFile`, for layers that read and check their own sections."""
        return SettingsFile(self.path or Path(CONFIG_NAME), self.text, self.raw)

    @property
    def root(self) -> Path | None:
        """The project folder (where ``plcops.toml`` is)."""
        return self.path.parent if self.path else None


def find_config(start: Path) -> Path | None:
    """The nearest ``plcops.toml`` in ``start`` or a folder above it."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    return None


def _fmt_options(file: SettingsFile) -> FormatOptions:
    table = file.table(file.data, "fmt")
    file.check_keys(table, _FMT_KEYS, ("fmt",), "[fmt]")
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = _FMT_KEYS[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise file.error(key, f"[fmt] {key} must be {expected.__name__}, not {value!r}", ("fmt",))
        values[key] = value
    if values.get("indent") == "tab":
        values["indent"] = 0
    try:
        return FormatOptions(**values)
    except ValueError as exc:
        raise file.error("fmt", f"[fmt] {exc}") from None


def load_config(path: Path | None) -> ProjectConfig:
    """Read ``plcops.toml`` (None gives the defaults).

    Raises:
        DiagnosticError: invalid TOML or settings, with the line when TOML reports one.
    """
    if path is None:
        return ProjectConfig()
    file = SettingsFile.read(path, "the project file")
    unknown = sorted(set(file.data) - set(SECTIONS))
    if unknown:
        raise file.error(unknown[0], f"unknown section [{unknown[0]}] (known: {', '.join(SECTIONS)})")
    project = file.table(file.data, "project")
    file.check_keys(project, ("name", "sources"), ("project",), "[project]")
    config = ProjectConfig(path=path, raw=file.data, text=file.text)
    config.name = str(project.get("name", path.parent.name))
    sources = project.get("sources", ["."])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise file.error("sources", "[project] sources must be a list of paths", ("project",))
    config.sources = sources
    config.fmt = _fmt_options(file)
    config.target = _target(file)
    return config


def target_of(paths: Sequence[Path | str]) -> TargetSettings:
    """The ``[target]`` of the project the first path belongs to (defaults outside a project).

    Raises:
        DiagnosticError: an invalid ``plcops.toml``.
    """
    return load_config(find_config(Path(paths[0]))).target if paths else TargetSettings()


def _target(file: SettingsFile) -> TargetSettings:
    scope = ("target",)
    table = file.table(file.data, "target")
    file.check_keys(table, ("runtime", "cycle", "program"), scope, "[target]")
    target = TargetSettings()
    runtime = table.get("runtime", target.runtime)
    if runtime not in RUNTIMES:
        raise file.error("runtime", f"[target] runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}", scope)
    target.runtime = runtime
    cycle = table.get("cycle", target.cycle)
    if not isinstance(cycle, str):  # kept as text: consumers parse it like a task's INTERVAL
        raise file.error("cycle", f'[target] cycle must be a positive time such as "10ms", not {cycle!r}', scope)
    file.duration(cycle, "cycle", scope, "[target] cycle", positive=True)
    target.cycle = cycle
    target.program = file.string(table, "program", None, scope, "[target] program")
    return target
