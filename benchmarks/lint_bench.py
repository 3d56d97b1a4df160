"""Lint speed, end to end with parsing: cold, warm (cache), and after one edit.

Usage::

    python benchmarks/lint_bench.py CORPUS [--lines 40000] [--rules default|ALL]

Copies the files of CORPUS that parse (ST, TwinCAT, PLCopen) into one temporary project of about
``--lines`` lines and lints it:

* *cold*: empty cache, in-process, with every core and with one process;
* *warm*: nothing changed, the cache holds every file;
* *one edit*: a statement changed in one file (declarations unchanged, so only that file is linted again);
* *command*: ``python -m plcops lint`` cold and warm, Python start-up included.

Issue #4's goals: >= 10,000 lines/s cold and >= 50,000 lines/s warm.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plcops.lint.config import LintConfig
from plcops.lint.engine import lint_paths
from plcops.project.cache import ParseCache
from plcops.project.sources import discover_sources, read_source
from plcops.st.parser import parse_source


def build_project(corpus: Path, target_lines: int, project: Path) -> tuple[int, list[Path]]:
    lines = 0
    copied: list[Path] = []
    for index, path in enumerate(discover_sources([corpus])):
        try:
            source = read_source(path)
        except Exception:  # unreadable corpus files are simply not part of the project
            continue
        if parse_source(source, attach=False).diagnostics:
            continue
        destination = project / f"{index:04}_{path.name}"
        shutil.copyfile(path, destination)
        copied.append(destination)
        lines += source.line_count
        if lines >= target_lines:
            break
    return lines, copied


def timed(label: str, lines: int, run: object) -> float:
    began = time.perf_counter()
    result = run()  # type: ignore[operator]
    seconds = time.perf_counter() - began
    extra = f" ({result})" if result is not None else ""
    print(f"{label:<34} {seconds:7.3f} s  {lines / seconds:>11,.0f} lines/s{extra}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--lines", type=int, default=40_000)
    parser.add_argument("--rules", default="default", help="'default' or 'ALL'")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        project = root / "project"
        project.mkdir()
        lines, files = build_project(options.corpus, options.lines, project)
        print(f"project: {len(files)} files, {lines:,} lines; rules: {options.rules}; cores: {os.cpu_count()}")
        config = LintConfig(select=[options.rules])

        def cold(jobs: int | None) -> object:
            cache_dir = root / f"cache-cold-{jobs}"
            report = lint_paths([project], config, cache=ParseCache(cache_dir), jobs=jobs)
            return f"{len(report.findings)} findings"

        timed("cold, all cores", lines, lambda: cold(None))
        timed("cold, 1 process", lines, lambda: cold(1))
        warm_cache = ParseCache(root / "cache-cold-None")
        timed(
            "warm (cache), nothing changed",
            lines,
            lambda: f"{lint_paths([project], config, cache=warm_cache).cached_files} cached",
        )
        edited = files[len(files) // 2]
        data = edited.read_bytes()
        # Change a statement, not a declaration: append an empty statement at the end of the file's text.
        edited.write_bytes(data.replace(b"END_IF", b"END_IF;;", 1) if b"END_IF" in data else data + b"\n")
        timed(
            "warm, one file edited",
            lines,
            lambda: f"{lint_paths([project], config, cache=warm_cache).cached_files} cached",
        )
        environment = {**os.environ, "PLCOPS_CACHE_DIR": str(root / "cache-command")}
        command = [
            sys.executable,
            "-m",
            "plcops",
            "lint",
            "--select",
            options.rules,
            "--format",
            "json",
            "--output",
            str(root / "r.json"),
            str(project),
        ]
        timed(
            "command, cold",
            lines,
            lambda: subprocess.run(command, env=environment, capture_output=True, check=False).returncode,
        )
        timed(
            "command, warm",
            lines,
            lambda: subprocess.run(command, env=environment, capture_output=True, check=False).returncode,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
