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

from plcops.project.tomlfile import error_at, error_in_file, read_toml, table_in
from plcops.st.diagnostics import DiagnosticError
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
        text: the file's text, to place their errors (:func:`plcops.project.tomlfile.error_at`).
    """

    path: Path | None = None
    name: str = ""
    sources: list[str] = field(default_factory=lambda: ["."])
    fmt: FormatOptions = field(default_factory=FormatOptions)
    target: TargetSettings = field(default_factory=TargetSettings)
    raw: dict[str, Any] = field(default_factory=dict)
    text: str = ""

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


def _error(path: Path, message: str, needle: str) -> DiagnosticError:
    return error_in_file(path, needle, message)


def _fmt_options(path: Path, table: Any) -> FormatOptions:
    if not isinstance(table, dict):
        raise _error(path, "[fmt] must be a table", "fmt")
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = _FMT_KEYS.get(key)
        if expected is None:
            raise _error(path, f"[fmt] unknown setting {key!r} (known: {', '.join(sorted(_FMT_KEYS))})", key)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise _error(path, f"[fmt] {key} must be {expected.__name__}, not {value!r}", key)
        values[key] = value
    if values.get("indent") == "tab":
        values["indent"] = 0
    try:
        return FormatOptions(**values)
    except ValueError as exc:
        raise _error(path, f"[fmt] {exc}", "fmt") from None


def load_config(path: Path | None) -> ProjectConfig:
    """Read ``plcops.toml`` (None gives the defaults).

    Raises:
        DiagnosticError: invalid TOML or settings, with the line when TOML reports one.
    """
    if path is None:
        return ProjectConfig()
    text, raw = read_toml(path, "the project file")
    name = str(path)
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise error_at(name, text, unknown[0], f"unknown section [{unknown[0]}] (known: {', '.join(SECTIONS)})")
    project = table_in(raw, "project", name, text)
    config = ProjectConfig(path=path, raw=raw, text=text)
    unknown = sorted(set(project) - {"name", "sources"})
    if unknown:
        raise error_at(name, text, unknown[0], f"[project] unknown setting {unknown[0]!r} (known: name, sources)")
    config.name = str(project.get("name", path.parent.name))
    sources = project.get("sources", ["."])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise error_at(name, text, "sources", "[project] sources must be a list of paths")
    config.sources = sources
    if "fmt" in raw:
        config.fmt = _fmt_options(path, raw["fmt"])
    if "target" in raw:
        config.target = _target(path, raw["target"])
    return config


def target_of(paths: Sequence[Path | str]) -> TargetSettings:
    """The ``[target]`` of the project the first path belongs to (defaults outside a project).

    Raises:
        DiagnosticError: an invalid ``plcops.toml``.
    """
    return load_config(find_config(Path(paths[0]))).target if paths else TargetSettings()


def _target(path: Path, table: Any) -> TargetSettings:
    from plcops.st.literals import LiteralError, duration_ns

    if not isinstance(table, dict):
        raise _error(path, "[target] must be a table", "target")
    unknown = set(table) - {"runtime", "cycle", "program"}
    if unknown:
        raise _error(
            path,
            f"[target] unknown setting {sorted(unknown)[0]!r} (known: cycle, program, runtime)",
            sorted(unknown)[0],
        )
    target = TargetSettings()
    runtime = table.get("runtime", target.runtime)
    if runtime not in RUNTIMES:
        raise _error(path, f"[target] runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}", "runtime")
    target.runtime = runtime
    cycle = str(table.get("cycle", target.cycle))
    try:
        if duration_ns(cycle if "#" in cycle else f"T#{cycle}") <= 0:
            raise LiteralError("not positive")
    except LiteralError:
        raise _error(path, f'[target] cycle must be a positive time such as "10ms", not {cycle!r}', "cycle") from None
    target.cycle = cycle
    program = table.get("program")
    if program is not None and not isinstance(program, str):
        raise _error(path, "[target] program must be the name of a PROGRAM", "program")
    target.program = program
    return target
