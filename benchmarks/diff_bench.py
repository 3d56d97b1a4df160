"""Semantic diff speed: two revisions of a ~25k-line project in a real git repository.

Usage::

    python benchmarks/diff_bench.py CORPUS [--lines 25000] [--changed 0.1]

Copies files of CORPUS that parse (ST, TwinCAT, PLCopen) into a new git repository until it holds about
``--lines`` lines, commits, then edits a fraction of the files (statement changes, added variables, files
moved to another folder) and commits again. Reports the wall time of ``plcops diff HEAD~1 HEAD`` in-process
and as a command (Python start-up included). Issue #3's goal: < 2 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plcops.diff import diff_revisions
from plcops.project.sources import discover_sources, read_source
from plcops.st.parser import parse_source


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def build_repository(corpus: Path, target_lines: int, repo: Path) -> list[Path]:
    lines = 0
    copied: list[Path] = []
    for index, path in enumerate(discover_sources([corpus])):
        try:
            source = read_source(path)
        except Exception:
            continue
        if parse_source(source, attach=False).diagnostics:
            continue
        destination = repo / f"{index:04}_{path.name}"
        shutil.copyfile(path, destination)
        copied.append(destination)
        lines += source.line_count
        if lines >= target_lines:
            break
    git(repo, "init", "-q")
    git(repo, "-c", "user.email=b@b", "-c", "user.name=b", "add", "-A")
    git(repo, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-qm", "base")
    print(f"repository: {len(copied)} files, {lines} lines")
    return copied


def mutate(files: list[Path], fraction: float, repo: Path) -> int:
    rng = random.Random(7)
    chosen = rng.sample(files, max(1, int(len(files) * fraction)))
    for number, path in enumerate(chosen):
        data = path.read_bytes()
        if number % 3 == 0:
            (repo / "moved").mkdir(exist_ok=True)
            path.rename(repo / "moved" / path.name)
            continue
        # Statement and declaration changes that keep the file valid ST.
        data = data.replace(b" := TRUE;", b" := FALSE;", 1).replace(b"END_VAR", b"    nBench : INT;\r\nEND_VAR", 1)
        path.write_bytes(data)
    git(repo, "-c", "user.email=b@b", "-c", "user.name=b", "add", "-A")
    git(repo, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-qm", "changes")
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--lines", type=int, default=25000)
    parser.add_argument("--changed", type=float, default=0.1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        files = build_repository(args.corpus, args.lines, repo)
        changed = mutate(files, args.changed, repo)
        began = time.perf_counter()
        report = diff_revisions(repo, "HEAD~1", "HEAD")
        in_process = time.perf_counter() - began
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "plcops", "diff", "HEAD~1", "HEAD", "--format", "json"],
            cwd=repo,
            check=True,
            capture_output=True,
        )
        command = time.perf_counter() - began
    print(f"files changed or moved: {changed}; changes reported: {report.summary()}")
    print(f"plcops diff, in-process : {in_process:.2f} s")
    print(f"plcops diff, as command : {command:.2f} s (goal < 2 s)")


if __name__ == "__main__":
    main()
