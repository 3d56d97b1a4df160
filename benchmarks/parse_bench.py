"""Parse speed of plcops on a folder of ST / TwinCAT / PLCopen files, beside blark when it is installed.

Usage::

    python benchmarks/parse_bench.py CORPUS [--blark-lines 4000] [--repeat 3]

Reports lines per second for:

* cold: every file parsed, empty cache, on all cores (what ``plcops parse`` does on a fresh checkout);
* cold, one process: the same on one core;
* warm: a second run answered from the content-hash cache (what CI does on an unchanged file);
* start-up: wall time of ``plcops parse`` on one small file in a new process;
* blark (``pip install blark``): blark on the first files of the corpus (it is slow: ~40-130 lines/s), and
  plcops on exactly the same files, with the ratio.

Issue #2's goals on a 2-core machine: cold >= 20,000 lines/s, >= 150x blark, warm >= 200,000 lines/s,
start-up < 0.5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plcops.project.cache import ParseCache
from plcops.project.parsing import check_syntax
from plcops.project.sources import discover_sources, read_source
from plcops.st.parser import parse_source


def timed(function, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - began)
    return best


def count_lines(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(Exception):
            total += read_source(path).line_count
    return total


def start_up_seconds(sample: Path, repeat: int) -> float:
    def run() -> None:
        subprocess.run([sys.executable, "-m", "plcops", "parse", str(sample)], capture_output=True, check=False)

    return timed(run, repeat)


def blark_comparison(files: list[Path], max_lines: int) -> tuple[list[Path], float, int]:
    """Run blark file by file until ``max_lines`` lines of files it parsed without error were timed.

    Returns the files blark parsed, the seconds it took on them, and how many files it failed on (those
    are left out of the comparison: failing early would flatter its speed).
    """
    from blark import parse as blark_parse  # type: ignore[import-not-found]

    parsed: list[Path] = []
    seconds = 0.0
    failed = 0
    lines = 0
    for path in files:
        if path.suffix.lower() == ".xml":
            continue  # blark does not read PLCopen XML
        began = time.perf_counter()
        try:
            with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                ok = all(result.exception is None for result in blark_parse.parse(path))
        except Exception:  # blark raises on some inputs
            ok = False
        elapsed = time.perf_counter() - began
        if not ok:
            failed += 1
            continue
        parsed.append(path)
        seconds += elapsed
        lines += count_lines([path])
        if lines >= max_lines:
            break
    return parsed, seconds, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blark-lines", type=int, default=4000, help="lines of the corpus to give blark")
    args = parser.parse_args()

    files = discover_sources([args.corpus])
    lines = count_lines(files)
    size = sum(path.stat().st_size for path in files)
    print(f"corpus: {len(files)} files, {lines} lines, {size / 1e6:.2f} MB")

    with tempfile.TemporaryDirectory() as scratch:

        def cold() -> None:
            cache_dir = Path(tempfile.mkdtemp(dir=scratch))
            check_syntax(files, cache=ParseCache(cache_dir))

        cold_s = timed(cold, args.repeat)
        one_s = timed(lambda: check_syntax(files, jobs=1, cache=None), args.repeat)
        warm_cache = ParseCache(Path(scratch) / "warm")
        check_syntax(files, cache=warm_cache)
        warm_s = timed(lambda: check_syntax(files, cache=warm_cache), args.repeat)

    report = check_syntax(files, jobs=1, cache=None)
    failed = sum(1 for entry in report.files if entry.diagnostics)
    print(f"files with syntax errors: {failed} of {len(files)} ({100 * (1 - failed / max(len(files), 1)):.1f} % parse)")
    print(f"plcops cold, all cores : {lines / cold_s:>12,.0f} lines/s ({cold_s:.3f} s)")
    print(f"plcops cold, 1 process : {lines / one_s:>12,.0f} lines/s ({one_s:.3f} s)")
    print(f"plcops warm (cached)   : {lines / warm_s:>12,.0f} lines/s ({warm_s:.3f} s)")

    small = min(files, key=lambda path: path.stat().st_size)
    print(f"plcops start-up        : {start_up_seconds(small, 5):.3f} s ('plcops parse {small.name}')")

    try:
        import blark  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        print("blark                  : not installed (pip install blark) - no comparison")
        return
    subset, blark_s, blark_failed = blark_comparison(files, args.blark_lines)
    subset_lines = count_lines(subset)
    sources = [read_source(path) for path in subset]
    plcops_s = timed(lambda: [parse_source(source, attach=False) for source in sources], args.repeat)
    print(f"same {len(subset)} files that blark parses ({subset_lines} lines; blark failed on {blark_failed} others):")
    print(f"  blark                : {subset_lines / blark_s:>12,.0f} lines/s ({blark_s:.2f} s)")
    print(f"  plcops, 1 process    : {subset_lines / plcops_s:>12,.0f} lines/s ({plcops_s:.3f} s)")
    print(f"  ratio                : {blark_s / plcops_s:>12,.0f}x")


if __name__ == "__main__":
    main()
