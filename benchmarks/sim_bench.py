"""Simulator speed: scans per second on the reference counter program, and a 24-hour virtual soak.

Usage::

    python benchmarks/sim_bench.py [--scans 1000000] [--soak-hours 24]

1. ``../shared/bench/counter.st`` (TON blinker, R_TRIG, CTU, DINT/INT/LREAL arithmetic) for ``--scans``
   scans, compiled by plcops, side by side with two Python anchors written here the way the bench README
   describes them: a hand-flattened loop, and one object per function block. (The native anchor, matiec's
   C at ~14 M scans/s, cannot be built on this machine.) Issue #5's goal: >= 1,000,000 scans/s.
2. The filling-station example with an ST plant model in closed loop (benchmarks/sim/filling_plant.st),
   10 ms cycle, for ``--soak-hours`` of virtual time (8.64 M scans for 24 h). Goal: <= 60 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from plcops.sim.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
COUNTER = ROOT.parent / "shared" / "bench" / "counter.st"
EXAMPLE = ROOT / "docs" / "examples" / "filling_station" / "src"


def hand_flattened(scans: int) -> tuple[int, int, int, float]:
    """The counter program as one loop over locals (the bench README's 1.1 M scans/s anchor)."""
    start = True
    q = et = running = False
    t_start = 0
    trig_m = False
    cu_m = False
    cv = pulses = count = 0
    wrap = 32760
    acc = 0.0
    now = 0
    for _ in range(scans):
        tin = start and not q
        if tin:
            if not running:
                running = True
                t_start = now
            et = now - t_start
            q = et >= 100_000_000
            if q:
                et = 100_000_000
        else:
            running = False
            et = 0
            q = False
        trig_q = q and not trig_m
        trig_m = q
        if trig_q:
            pulses = ((pulses + 1 + 2**31) & 0xFFFFFFFF) - 2**31
        if q and not cu_m and cv < 32767:
            cv += 1
        cu_m = q
        count = ((count + 1 + 2**31) & 0xFFFFFFFF) - 2**31
        wrap = ((wrap + 1 + 32768) & 0xFFFF) - 32768
        acc += 0.5
        now += 10_000_000
    return count, pulses, wrap, acc


class _Ton:
    __slots__ = ("et", "in_", "pt", "q", "running", "start")

    def __init__(self) -> None:
        self.in_ = self.q = self.running = False
        self.pt = self.et = self.start = 0

    def __call__(self, now: int) -> None:
        if self.in_:
            if not self.running:
                self.running, self.start = True, now
            self.et = now - self.start
            self.q = self.et >= self.pt
            if self.q:
                self.et = self.pt
        else:
            self.running, self.et, self.q = False, 0, False


class _Trig:
    __slots__ = ("clk", "m", "q")

    def __init__(self) -> None:
        self.clk = self.m = self.q = False

    def __call__(self) -> None:
        self.q = self.clk and not self.m
        self.m = self.clk


class _Ctu:
    __slots__ = ("cu", "cv", "m", "pv", "q", "r")

    def __init__(self) -> None:
        self.cu = self.r = self.q = self.m = False
        self.pv = self.cv = 0

    def __call__(self) -> None:
        if self.r:
            self.cv = 0
        elif self.cu and not self.m and self.cv < 32767:
            self.cv += 1
        self.m = self.cu
        self.q = self.cv >= self.pv


def one_object_per_fb(scans: int) -> int:
    """The counter program with a Python object per function block (the README's 0.34 M scans/s anchor)."""
    t1, trig, ctu = _Ton(), _Trig(), _Ctu()
    count = pulses = 0
    wrap, acc, now = 32760, 0.0, 0
    for _ in range(scans):
        t1.in_, t1.pt = not t1.q, 100_000_000
        t1(now)
        trig.clk = t1.q
        trig()
        if trig.q:
            pulses = ((pulses + 1 + 2**31) & 0xFFFFFFFF) - 2**31
        ctu.cu, ctu.r, ctu.pv = t1.q, False, 1000
        ctu()
        count = ((count + 1 + 2**31) & 0xFFFFFFFF) - 2**31
        wrap = ((wrap + 1 + 32768) & 0xFFFF) - 32768
        acc += 0.5
        now += 10_000_000
    return pulses


def rate(label: str, scans: int, run: object) -> float:
    began = time.perf_counter()
    run()  # type: ignore[operator]
    seconds = time.perf_counter() - began
    print(f"{label:<44} {seconds:7.2f} s  {scans / seconds:>12,.0f} scans/s")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=1_000_000)
    parser.add_argument("--soak-hours", type=float, default=24.0)
    options = parser.parse_args()
    scans = options.scans
    began = time.perf_counter()
    sim = Simulator.load([COUNTER])
    print(f"load + check + compile counter.st: {time.perf_counter() - began:.3f} s")
    rate("plcops compiled counter.st", scans, lambda: sim.scan(scans))
    print(
        f"  after {sim.scans} scans: count={sim['counter_prg.count']} pulses={sim['counter_prg.pulses']} wrap={sim['counter_prg.wrap']}"
    )
    rate("anchor: hand-flattened Python", scans, lambda: hand_flattened(scans))
    rate("anchor: Python, one object per FB", scans, lambda: one_object_per_fb(scans))

    sources = [path for path in sorted(EXAMPLE.glob("*.st")) if path.name != "Config.st"]
    plant = Simulator.load([*sources, Path(__file__).parent / "sim" / "filling_plant.st"])
    soak = round(options.soak_hours * 3600 / 0.01)
    seconds = rate(f"soak: filling station + plant, {options.soak_hours:g} h", soak, lambda: plant.scan(soak))
    print(
        f"  bottles filled: {plant['MAIN.fbStation.nFilled']}, state {plant['MAIN.fbStation.eState']}, {seconds:.1f} s (goal <= 60 s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
