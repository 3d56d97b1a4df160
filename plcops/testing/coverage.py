"""Statement and branch coverage of ST code under test: text summary, annotated HTML and Cobertura XML.

The compiler (with ``coverage=True``) gives every ST statement a counter and every branch outcome one:
each arm of IF/ELSIF/ELSE (and the path where no arm runs), each CASE arm (and the ELSE, or no match),
FOR/WHILE loops taken and not taken, and the two outcomes of AND_THEN/OR_ELSE (right side evaluated,
short circuit). :class:`CoverageData` adds counters up across test runs (and pytest-xdist workers) and maps
them to files, lines and POUs.
"""

from __future__ import annotations

import html
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from plcops.render import render
from plcops.sim.compiler import CoveragePoint


@dataclass
class LineCoverage:
    """What a line of ST holds: statements (hits) and branch outcomes (hit or not)."""

    statements: list[int] = field(default_factory=list)
    branches: list[tuple[str, int]] = field(default_factory=list)  # (label, hits)

    @property
    def hits(self) -> int:
        """Executions of the line: of its statements, or (a line with only a CASE label or ELSE) of its arms."""
        if self.statements:
            return max(self.statements)
        return max((hits for _, hits in self.branches), default=0)

    @property
    def covered(self) -> bool:
        return any(self.statements) if self.statements else True

    @property
    def branches_hit(self) -> int:
        return sum(1 for _, hits in self.branches if hits)


@dataclass
class FileCoverage:
    """Coverage of one source file."""

    path: str
    lines: dict[int, LineCoverage] = field(default_factory=dict)
    pous: dict[str, list[int]] = field(default_factory=dict)  # POU -> [statements, hit, branches, hit]

    def line_totals(self) -> tuple[int, int]:
        """Lines with code, and those of them that ran (what Cobertura's line-rate counts)."""
        code = [line for line in self.lines.values() if line.statements or line.branches]
        return len(code), sum(1 for line in code if line.hits)

    def totals(self) -> tuple[int, int, int, int]:
        statements = sum(len(line.statements) for line in self.lines.values())
        hit = sum(sum(1 for h in line.statements if h) for line in self.lines.values())
        branches = sum(len(line.branches) for line in self.lines.values())
        branch_hit = sum(line.branches_hit for line in self.lines.values())
        return statements, hit, branches, branch_hit


class CoverageData:
    """Counters of one compiled project, added up over runs."""

    def __init__(self, points: list[CoveragePoint], sources: dict[str, Any], exclude: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.points = points
        self.sources = sources
        self.counts = [0] * len(points)
        self.exclude = {name.casefold() for name in exclude}  # POUs not under test (the suites themselves)
        self.root: Path | None = None

    def add(self, counts: list[int]) -> None:
        """Add a run's counters (the module's ``COV`` list, or a worker's)."""
        for index, value in enumerate(counts[: len(self.counts)]):
            self.counts[index] += value

    def files(self) -> dict[str, FileCoverage]:
        found: dict[str, FileCoverage] = {}
        for point, hits in zip(self.points, self.counts, strict=True):
            source = self.sources.get(point.path)
            if source is None or point.pou.split(".")[0].casefold() in self.exclude:
                continue
            line = source.location(point.offset).line
            coverage = found.setdefault(point.path, FileCoverage(point.path))
            entry = coverage.lines.setdefault(line, LineCoverage())
            totals = coverage.pous.setdefault(point.pou, [0, 0, 0, 0])
            if point.kind == "statement":
                entry.statements.append(hits)
                totals[0] += 1
                totals[1] += 1 if hits else 0
            else:
                entry.branches.append((point.label, hits))
                totals[2] += 1
                totals[3] += 1 if hits else 0
        return dict(sorted(found.items()))

    def totals(self) -> tuple[int, int, int, int]:
        result = [0, 0, 0, 0]
        for coverage in self.files().values():
            for index, value in enumerate(coverage.totals()):
                result[index] += value
        return result[0], result[1], result[2], result[3]

    def percent(self) -> float:
        """Statements and branches together, as coverage.py counts them."""
        statements, hit, branches, branch_hit = self.totals()
        total = statements + branches
        return 100.0 * (hit + branch_hit) / total if total else 100.0

    # -------------------------------------------------------------------- reports

    def text(self) -> str:
        """A table per file and POU: statements, missed, branches, partial, cover."""
        rows = [("Name", "Stmts", "Miss", "Branch", "BrMiss", "Cover")]
        for path, coverage in self.files().items():
            rows.append(_row(_relative(path, self.root) if self.root else path, coverage.totals()))
            for pou, (statements, hit, branches, branch_hit) in sorted(coverage.pous.items()):
                rows.append(_row(f"  {pou}", (statements, hit, branches, branch_hit)))
        rows.append(_row("TOTAL", self.totals()))
        widths = [max(len(row[i]) for row in rows) for i in range(6)]
        lines = []
        for number, row in enumerate(rows):
            lines.append(
                "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
            )
            if number == 0 or number == len(rows) - 2:
                lines.append("-" * len(lines[-1]))
        return "\n".join(lines) + "\n"

    def cobertura(self, root: Path) -> str:
        """Cobertura XML (GitLab, Jenkins and Azure DevOps show it): a class per file, lines with hits and
        ``condition-coverage`` for lines with branches."""
        _, _, branches, branch_hit = self.totals()
        line_totals = [coverage.line_totals() for coverage in self.files().values()]
        statements, hit = sum(t[0] for t in line_totals), sum(t[1] for t in line_totals)  # Cobertura counts lines
        line_rate = hit / statements if statements else 1.0
        branch_rate = branch_hit / branches if branches else 1.0
        out = [
            '<?xml version="1.0" ?>',
            f'<coverage version="plcops" timestamp="{int(time.time() * 1000)}" lines-valid="{statements}" lines-covered="{hit}"'
            f' line-rate="{line_rate:.4f}" branches-valid="{branches}" branches-covered="{branch_hit}" branch-rate="{branch_rate:.4f}" complexity="0">',
            f"  <sources><source>{html.escape(str(root))}</source></sources>",
            "  <packages>",
        ]
        by_folder: dict[str, list[tuple[str, FileCoverage]]] = defaultdict(list)
        for path, coverage in self.files().items():
            relative = _relative(path, root)
            by_folder[str(Path(relative).parent).replace("\\", "/")].append((relative, coverage))
        for folder, entries in sorted(by_folder.items()):
            package_totals = [sum(c.totals()[i] for _, c in entries) for i in range(4)]
            package_lines = [sum(c.line_totals()[i] for _, c in entries) for i in range(2)]
            out.append(
                f'    <package name={quoteattr(folder.replace("/", "."))} line-rate="{_rate(package_lines[1], package_lines[0])}"'
                f' branch-rate="{_rate(package_totals[3], package_totals[2])}" complexity="0">'
            )
            out.append("      <classes>")
            for relative, coverage in entries:
                totals = coverage.totals()
                lines, lines_hit = coverage.line_totals()
                out.append(
                    f"        <class name={quoteattr(Path(relative).name)} filename={quoteattr(relative)}"
                    f' line-rate="{_rate(lines_hit, lines)}" branch-rate="{_rate(totals[3], totals[2])}" complexity="0">'
                )
                out.append("          <methods/>")
                out.append("          <lines>")
                for number, line in sorted(coverage.lines.items()):
                    if not line.statements and not line.branches:
                        continue
                    attributes = f'number="{number}" hits="{line.hits}"'
                    if line.branches:
                        taken, total = line.branches_hit, len(line.branches)
                        attributes += (
                            f' branch="true" condition-coverage="{round(100 * taken / total)}% ({taken}/{total})"'
                        )
                    else:
                        attributes += ' branch="false"'
                    out.append(f"            <line {attributes}/>")
                out.append("          </lines>")
                out.append("        </class>")
            out.append("      </classes>")
            out.append("    </package>")
        out.append("  </packages>")
        out.append("</coverage>")
        return "\n".join(out) + "\n"

    def html(self, folder: Path, root: Path) -> Path:
        """An index page and one page per file with the ST annotated line by line; returns the index.

        The pages come from ``templates/reports/coverage_index.html`` and ``coverage_file.html``.
        """
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for number, (path, coverage) in enumerate(self.files().items()):
            page = f"file_{number}.html"
            relative = _relative(path, root)
            (folder / page).write_text(self._file_page(relative, coverage), encoding="utf-8")
            statements, hit, branches, branch_hit = coverage.totals()
            percent = 100.0 * (hit + branch_hit) / (statements + branches) if statements + branches else 100.0
            files.append(
                {
                    "name": relative,
                    "page": page,
                    "statements": statements,
                    "hit": hit,
                    "branches": branches,
                    "branch_hit": branch_hit,
                    "percent": percent,
                }
            )
        index = folder / "index.html"
        page_text = render(
            "reports/coverage_index.html", title="plcops ST coverage", percent=self.percent(), files=files
        )
        index.write_text(page_text, encoding="utf-8")
        return index

    def _file_page(self, relative: str, coverage: FileCoverage) -> str:
        source = self.sources[coverage.path]
        lines = []
        for number, text in enumerate(source.origin_text.splitlines(), 1):
            line = coverage.lines.get(number)
            css, note = "", ""
            if line is not None:
                missed = [label for label, hits in line.branches if not hits]
                if line.statements and not line.covered:
                    css = "miss"
                elif missed:
                    css, note = "partial", "not taken: " + ", ".join(missed)
                elif line.statements or line.branches:
                    css = "hit"
                if line.statements:
                    note = f"{line.hits}x" + (f"; {note}" if note else "")
            lines.append({"number": number, "text": text, "css": css, "note": note})
        return render("reports/coverage_file.html", title=relative, lines=lines)

    def to_json(self) -> list[int]:
        return list(self.counts)


def _row(name: str, totals: tuple[int, ...] | list[int]) -> tuple[str, str, str, str, str, str]:
    statements, hit, branches, branch_hit = totals
    total = statements + branches
    percent = 100.0 * (hit + branch_hit) / total if total else 100.0
    return (name, str(statements), str(statements - hit), str(branches), str(branches - branch_hit), f"{percent:.0f}%")


def _rate(hit: int, total: int) -> str:
    return f"{hit / total:.4f}" if total else "1.0000"


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path
