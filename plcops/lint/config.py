"""``[lint]`` in ``plcops.toml``: which rules run, with which options, and what fails a run.

```toml
[lint]
select = ["default", "naming"]     # rules by code (PLC012), name (real-equality) or group; "ALL"
ignore = ["magic-number"]
fail_level = "warning"             # findings at or above this level fail the run (exit 1)

[lint.options.nesting-depth]       # by code or name
max_depth = 4

[[lint.overrides]]                 # later overrides win
paths = ["tests/**"]
ignore = ["unused-variable"]
```

Unknown rules, groups or options are errors: a typo must not switch a check off silently.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plcops.lint.rule import Level, Rule
from plcops.project.tomlfile import error_in_file
from plcops.st.diagnostics import DiagnosticError


@dataclass(slots=True)
class Override:
    """Selection changes for files matching ``paths`` (glob patterns relative to the project)."""

    paths: list[str]
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LintConfig:
    """The linter's settings."""

    select: list[str] = field(default_factory=lambda: ["default"])
    ignore: list[str] = field(default_factory=list)
    fail_level: Level = Level.warning
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # by rule code
    overrides: list[Override] = field(default_factory=list)
    root: Path | None = None

    def digest(self) -> str:
        """A digest of the settings (cached results are per settings)."""
        data = {
            "select": self.select,
            "ignore": self.ignore,
            "options": self.options,
            "overrides": [[o.paths, o.select, o.ignore] for o in self.overrides],
        }
        return hashlib.blake2b(json.dumps(data, sort_keys=True).encode(), digest_size=12).hexdigest()

    def rules_for(self, path: str, catalogue: list[type[Rule]]) -> list[Rule]:
        """Rule instances that apply to a file."""
        selected = _select(self.select, self.ignore, catalogue)
        relative = _relative(path, self.root)
        for override in self.overrides:
            if any(fnmatch.fnmatch(relative, pattern) for pattern in override.paths):
                if override.select:
                    selected |= _select(override.select, [], catalogue)
                selected -= _select(override.ignore, [], catalogue) if override.ignore else set()
        return [rule(self.options.get(rule.code)) for rule in catalogue if rule in selected]

    def project_rules_anywhere(self, catalogue: list[type[Rule]]) -> list[Rule]:
        """Project rules selected for some file: they gather facts from every file, because an override
        that switches a rule off for ``vendor/*`` hides its findings there, not the uses found there."""
        selected = _select(self.select, self.ignore, catalogue)
        for override in self.overrides:
            selected |= _select(override.select, [], catalogue) if override.select else set()
        return [rule(self.options.get(rule.code)) for rule in catalogue if rule in selected and rule.project]


def _relative(path: str, root: Path | None) -> str:
    if root is None:
        return path.replace("\\", "/")
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.replace("\\", "/")


def _matching(word: str, catalogue: list[type[Rule]]) -> set[type[Rule]]:
    upper = word.upper()
    if upper == "ALL":
        return set(catalogue)
    if upper == "DEFAULT":
        return {rule for rule in catalogue if rule.enabled}
    return {
        rule for rule in catalogue if rule.code == upper or rule.name == word.lower() or word.lower() in rule.groups
    }


def _select(select: list[str], ignore: list[str], catalogue: list[type[Rule]]) -> set[type[Rule]]:
    chosen: set[type[Rule]] = set()
    for word in select:
        chosen |= _matching(word, catalogue)
    for word in ignore:
        chosen -= _matching(word, catalogue)
    return chosen


def _error(path: Path, message: str, needle: str = "") -> DiagnosticError:
    return error_in_file(path, needle, message)


def _check_words(words: Any, where: str, catalogue: list[type[Rule]], path: Path) -> list[str]:
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise _error(path, f"{where} must be a list of rule codes, names or groups", where.split()[-1])
    for word in words:
        if not _matching(word, catalogue):
            raise _error(path, f"{where}: unknown rule or group {word!r}", f'"{word}"')
    return list(words)


def load_lint_config(table: Any, catalogue: list[type[Rule]], path: Path | None) -> LintConfig:
    """Read the ``[lint]`` table (None or missing: the defaults).

    Raises:
        DiagnosticError: unknown keys, rules, groups, options or levels.
    """
    config = LintConfig(root=path.parent if path else None)
    if table is None:
        return config
    where = path or Path("plcops.toml")
    if not isinstance(table, dict):
        raise _error(where, "[lint] must be a table", "lint")
    known = {"select", "ignore", "fail_level", "options", "overrides"}
    for key in table:
        if key not in known:
            raise _error(where, f"[lint] unknown setting {key!r} (known: {', '.join(sorted(known))})", key)
    if "select" in table:
        config.select = _check_words(table["select"], "[lint] select", catalogue, where)
    if "ignore" in table:
        config.ignore = _check_words(table["ignore"], "[lint] ignore", catalogue, where)
    if "fail_level" in table:
        try:
            config.fail_level = Level(table["fail_level"])
        except ValueError:
            raise _error(where, "[lint] fail_level must be error, warning or info", "fail_level") from None
    for key, values in (table.get("options") or {}).items():
        matches = [rule for rule in catalogue if rule.code == key.upper() or rule.name == key]
        if not matches or not isinstance(values, dict):
            raise _error(where, f"[lint.options] unknown rule {key!r}", key)
        rule = matches[0]
        for option, value in values.items():
            if option not in rule.options:
                known_options = ", ".join(sorted(rule.options)) or "none"
                raise _error(where, f"[lint.options.{key}] unknown option {option!r} (known: {known_options})", option)
            default = rule.options[option]
            if default is not None and not isinstance(value, type(default)):
                raise _error(where, f"[lint.options.{key}] {option} must be {type(default).__name__}", option)
            if isinstance(value, int) and not isinstance(value, bool) and isinstance(default, int) and value < 0:
                raise _error(where, f"[lint.options.{key}] {option} must not be negative", option)
            allowed = rule.choices.get(option)
            if allowed is not None and value not in allowed:
                raise _error(where, f"[lint.options.{key}] {option} must be one of {', '.join(allowed)}", option)
        config.options[rule.code] = dict(values)
    for entry in table.get("overrides") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("paths"), list):
            raise _error(where, "[[lint.overrides]] needs paths = [...]", "lint.overrides")
        for key in entry:  # a typo must never switch a check back on (or off) silently
            if key not in ("paths", "select", "ignore"):
                raise _error(where, f"[[lint.overrides]] unknown setting {key!r} (known: ignore, paths, select)", key)
        config.overrides.append(
            Override(
                entry["paths"],
                _check_words(entry.get("select", []), "[[lint.overrides]] select", catalogue, where),
                _check_words(entry.get("ignore", []), "[[lint.overrides]] ignore", catalogue, where),
            )
        )
    return config
