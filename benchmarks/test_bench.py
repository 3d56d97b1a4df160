"""``plcops test`` speed: 1,000 ST tests that each wait on a timer.

Usage::

    python benchmarks/test_bench.py [--suites 50] [--tests 20] [--workers 0]

Writes a plcops project with ``--suites`` TcUnit-style suites of ``--tests`` tests each. Every test starts a
TON with a preset between 100 ms and 5 s (virtual time), waits for Q, checks ET and the instance's output,
and calls TEST_FINISHED: on a real runtime this set takes over 40 minutes; issue #6's goal is < 20 s.
Then runs ``plcops test`` on it as a command (Python start-up and compilation included), serially and
with ``-n``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUITE = """FUNCTION_BLOCK TS_Timers{number}
EXTENDS TcUnit.FB_TestSuite
VAR
{instances}
END_VAR
{calls}
{methods}
END_FUNCTION_BLOCK
"""

METHOD = """METHOD WaitsFor{index}
TEST('WaitsFor{index}');
fbDelay{index}(bStart := TRUE, tDelay := T#{preset}MS);
IF fbDelay{index}.bDone THEN
    AssertEquals_TIME(Expected := T#{preset}MS, Actual := fbDelay{index}.tElapsed, Message := 'elapsed');
    AssertTrue(Condition := fbDelay{index}.bDone, Message := 'done');
    TEST_FINISHED();
END_IF;
END_METHOD
"""

DELAY = """FUNCTION_BLOCK FB_Delay
VAR_INPUT
    bStart : BOOL;
    tDelay : TIME;
END_VAR
VAR_OUTPUT
    bDone : BOOL;
    tElapsed : TIME;
END_VAR
VAR
    tonDelay : TON;
END_VAR
tonDelay(IN := bStart, PT := tDelay);
bDone := tonDelay.Q;
tElapsed := tonDelay.ET;
END_FUNCTION_BLOCK
"""


def write_project(root: Path, suites: int, tests: int) -> int:
    (root / "src").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "plcops.toml").write_text('[project]\nname = "bench"\nsources = ["src", "tests"]\n', encoding="utf-8")
    (root / "src" / "FB_Delay.st").write_text(DELAY, encoding="utf-8")
    total_virtual_ms = 0
    for number in range(suites):
        instances, calls, methods = [], [], []
        for index in range(tests):
            preset = 100 + (number * tests + index) * 4900 // max(suites * tests - 1, 1)
            total_virtual_ms += preset
            instances.append(f"    fbDelay{index} : FB_Delay;")
            calls.append(f"WaitsFor{index}();")
            methods.append(METHOD.format(index=index, preset=preset))
        text = SUITE.format(
            number=number, instances="\n".join(instances), calls="\n".join(calls), methods="\n".join(methods)
        )
        (root / "tests" / f"TS_Timers{number}.st").write_text(text, encoding="utf-8")
    return total_virtual_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suites", type=int, default=50)
    parser.add_argument("--tests", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "bench"
        virtual_ms = write_project(root, options.suites, options.tests)
        count = options.suites * options.tests
        print(f"{count} tests, {virtual_ms / 1000:,.0f} s of virtual timer time in total")
        for label, extra in (("serial", []), (f"-n {options.workers}", ["-n", str(options.workers)])):
            if label.startswith("-n") and options.workers <= 1:
                continue
            command = [sys.executable, "-m", "plcops", "test", "-q", *extra]
            command = [part for part in command if part != "-q"]
            began = time.perf_counter()
            result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - began
            summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-300:]
            print(f"plcops test {label:<8} {seconds:6.2f} s  (exit {result.returncode}; {summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
