"""The rule interface: what a lint rule declares about itself and what it reports.

A rule is a class in its own module under ``plcops/lint/rules/``. Its class attributes are its catalogue
entry (code, name, groups, severity, references to CODESYS/TwinCAT static analysis and the PLCopen coding
guidelines, options) and its docstring is its documentation: a one-line summary, then sections
``Why``, ``Anti-pattern`` and ``Best practice`` with ST examples. ``docs/rules.md`` is generated from them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

if TYPE_CHECKING:
    from plcops.lint.context import FileContext, ProjectFacts


class Level(str, enum.Enum):
    """How serious a finding is; ``fail_level`` decides which levels fail a run."""

    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        """Higher is more serious."""
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``[start, end)`` of the parsed text with ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A change that resolves a finding. Only ``safe`` fixes run without ``--unsafe-fixes``."""

    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(slots=True)
class Finding:
    """One problem a rule found.

    Offsets are in the parsed text; the engine turns them into lines and columns of the original file.
    """

    code: str
    message: str
    start: int
    end: int
    pou: str = ""
    fix: Fix | None = None
    # Filled in by the engine:
    path: str = ""
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    level: Level = Level.warning
    name: str = ""
    fingerprint: str = ""
    source_line: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``--format json``."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "level": self.level.value,
            "message": self.message,
            "fingerprint": self.fingerprint,
            "fixable": self.fix is not None,
            "safe_fix": bool(self.fix and self.fix.safe),
        }


class Rule:
    """Base class of lint rules (see the module docstring)."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    groups: ClassVar[tuple[str, ...]] = ()
    level: ClassVar[Level] = Level.warning
    enabled: ClassVar[bool] = True
    sa: ClassVar[tuple[str, ...]] = ()
    plcopen: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[dict[str, Any]] = {}
    choices: ClassVar[dict[str, tuple[str, ...]]] = {}  # options whose value must be one of these
    fix: ClassVar[str | None] = None  # "safe", "unsafe" or None: what kind of fix the rule offers
    project: ClassVar[bool] = False  # True: runs once on the whole project's facts

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.settings: dict[str, Any] = {**type(self).options, **(options or {})}

    def check(self, context: FileContext) -> Iterable[Finding]:
        """Findings in one file (per-file rules)."""
        return ()

    def file_facts(self, context: FileContext) -> Any:
        """What a project rule needs from one file, beyond the shared facts (JSON-friendly; cached with
        the file). It arrives in ``check_project`` as ``facts.files[i].extra[code]``."""
        return None

    def check_project(self, facts: ProjectFacts) -> Iterable[Finding]:
        """Findings across the project (project rules); their ``path`` is set by the rule."""
        return ()

    def finding(self, message: str, node: Any, pou: str = "", fix: Fix | None = None) -> Finding:
        """A finding at a node's span."""
        span = node.span if hasattr(node, "span") else node
        return Finding(self.code, message, span[0], span[1], pou, fix)

    # -------------------------------------------------------------------- documentation

    @classmethod
    def summary(cls) -> str:
        """The docstring's first line."""
        return (cls.__doc__ or "").strip().splitlines()[0].strip() if cls.__doc__ else ""

    @classmethod
    def documentation(cls) -> str:
        """The docstring without its first line, dedented."""
        lines = (cls.__doc__ or "").strip("\n").splitlines()[1:]
        indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
        cut = min(indents) if indents else 0
        return "\n".join(line[cut:] for line in lines).strip()

    @classmethod
    def references(cls) -> list[str]:
        """SA numbers and PLCopen ids, in that order."""
        return [*cls.sa, *cls.plcopen]

    @classmethod
    def sa_numbers(cls) -> set[int]:
        """The CODESYS/TwinCAT static analysis numbers (SA0033 -> 33), for ``{analysis -33}``."""
        return {int(match.group(1)) for ref in cls.sa for match in [re.match(r"SA0*(\d+)", ref)] if match}
