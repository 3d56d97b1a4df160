"""What generated code calls at run time besides the standard library: references, copies, range checks,
runtime errors, and the virtual clock.

Generated modules do ``from plcops.sim.rt import *``; names here are short because they appear in every
generated line, and prefixed with ``_`` so they never clash with mangled ST names (which all start with a
letter and an underscore, such as ``v_``).
"""

from __future__ import annotations

import struct
import time
from typing import Any

__all__ = [
    "StRuntimeError",
    "_fb_init",
    "_UnionArray",
    "_ug",
    "_us",
    "_ArrayView",
    "_bound",
    "_watchdog",
    "Clock",
    "_Ref",
    "_ItemRef",
    "_copy",
    "_oob",
    "_null",
    "_not_simulated",
    "_Frame",
    "_mux",
    "_with",
    "_fdiv",
    "_deref",
    "_deref_object",
    "_nn",
    "_hit",
    "_imod0",
    "_range",
    "_outputs",
]


# How long one execution of a loop may run (wall clock) before the watchdog stops the scan, as a PLC's
# task watchdog stops an endless loop. Checked every 65,536 iterations, so it costs next to nothing.
WATCHDOG_SECONDS = 5.0


def _watchdog(started: float | None) -> float:
    """Called by generated loops every 65,536 iterations with when the loop's first check happened."""
    now = time.perf_counter()
    if started is None:
        return now
    if now - started > WATCHDOG_SECONDS:
        raise StRuntimeError(
            f"watchdog: a loop ran for more than {WATCHDOG_SECONDS:g} s of wall-clock time in one scan (an endless loop?)"
        )
    return started


class StRuntimeError(Exception):
    """An error in the ST program at run time (division by zero, index out of bounds, null reference).

    The simulator adds where it happened (file, line, scan, time) when it reports it.
    """


class Clock:
    """The virtual clock: ``now`` is the time of the current scan in nanoseconds (what ``TIME()`` reads)."""

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = 0


class _Ref:
    """A reference to an attribute of an object (a variable of an instance, a global, a struct field):
    what ``REF=``, ``ADR()`` and VAR_IN_OUT pass for elementary values."""

    __slots__ = ("key", "owner")

    def __init__(self, owner: Any, key: str) -> None:
        self.owner = owner
        self.key = key

    def get(self) -> Any:
        return getattr(self.owner, self.key)

    def set(self, value: Any) -> None:
        setattr(self.owner, self.key, value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ref) and other.owner is self.owner and other.key == self.key

    def __hash__(self) -> int:
        return hash((id(self.owner), self.key))


class _ItemRef:
    """A reference to an element of an array."""

    __slots__ = ("index", "items")

    def __init__(self, items: list[Any], index: int) -> None:
        self.items = items
        self.index = index

    def get(self) -> Any:
        return self.items[self.index]

    def set(self, value: Any) -> None:
        self.items[self.index] = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ItemRef) and other.items is self.items and other.index == self.index

    def __hash__(self) -> int:
        return hash((id(self.items), self.index))


class _Frame:
    """Locals of a function or method whose address is taken (they must live in an object)."""


def _copy(value: Any) -> Any:
    """A deep copy of a structured value (arrays, structures, instances): ST assignment copies."""
    if isinstance(value, list):
        return [_copy(item) for item in value]
    copy = getattr(value, "_copy", None)
    return copy() if copy is not None else value


def _oob(index: int, low: int, high: int) -> int:
    raise StRuntimeError(f"array index {index} is outside the bounds {low}..{high}")


class _ArrayView:
    """An array passed to an ``ARRAY[*]`` parameter: the caller's elements (a flat list, shared) with the
    bounds of the caller's declaration, which ``LOWER_BOUND``/``UPPER_BOUND`` read and indexing checks."""

    __slots__ = ("bounds", "items")

    def __init__(self, items: Any, bounds: list[tuple[int, int]]) -> None:
        self.items: list[Any] = items.items if isinstance(items, _ArrayView) else items
        self.bounds: list[tuple[int, int]] = items.bounds if isinstance(items, _ArrayView) else bounds

    def _offset(self, key: Any) -> int:
        indices = key if isinstance(key, tuple) else (key,)
        if len(indices) != len(self.bounds):
            raise StRuntimeError(f"the array has {len(self.bounds)} dimensions, not {len(indices)}")
        offset = 0
        for index, (low, high) in zip(indices, self.bounds, strict=True):
            if not low <= index <= high:
                _oob(index, low, high)
            offset = offset * (high - low + 1) + index - low
        return offset

    def __getitem__(self, key: Any) -> Any:
        return self.items[self._offset(key)]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.items[self._offset(key)] = value

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)


def _ug(data: bytearray, layout: str, offset: int) -> Any:
    """A UNION member's value, read from the union's bytes (little-endian, as x86 and ARM PLCs store it)."""
    return struct.unpack_from(layout, data, offset)[0]


def _us(data: bytearray, layout: str, offset: int, value: Any) -> None:
    """Store a UNION member's value into the union's bytes (the other members see the same bytes)."""
    struct.pack_into(layout, data, offset, value)


class _UnionArray:
    """An array member of a UNION: its elements live in the union's bytes."""

    __slots__ = ("count", "data", "layout", "size")

    def __init__(self, data: bytearray, layout: str, count: int) -> None:
        self.data, self.layout, self.count = data, layout, count
        self.size = struct.calcsize(layout)

    def __getitem__(self, index: int) -> Any:
        return struct.unpack_from(self.layout, self.data, index * self.size)[0]

    def __setitem__(self, index: int, value: Any) -> None:
        struct.pack_into(self.layout, self.data, index * self.size, value)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Any:
        return (self[index] for index in range(self.count))

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, _UnionArray)) else NotImplemented


def _fb_init(instance: Any, **inputs: Any) -> Any:
    """Call a new instance's FB_init method (as the runtime does when it creates the instance)."""
    instance.m_fb_init(**inputs)
    return instance


def _bound(array: Any, dimension: int, upper: bool) -> int:
    """LOWER_BOUND / UPPER_BOUND of an ARRAY[*] parameter (dimensions count from 1)."""
    bounds = array.bounds if isinstance(array, _ArrayView) else [(0, len(array) - 1)]
    if not 1 <= dimension <= len(bounds):
        raise StRuntimeError(f"the array has no dimension {dimension} (it has {len(bounds)})")
    return bounds[dimension - 1][1 if upper else 0]


def _null(what: str) -> Any:
    raise StRuntimeError(f"{what} is not set (null reference)")


def _not_simulated(what: str) -> Any:
    raise StRuntimeError(f"{what} is not simulated")


def _mux(k: int, *values: Any) -> Any:
    if not 0 <= k < len(values):
        raise StRuntimeError(f"MUX selector {k} is outside 0..{len(values) - 1}")
    return values[k]


def _with(instance: Any, *pairs: tuple[str, Any]) -> Any:
    """An instance with some attributes set (``fb : TON := (PT := T#1s)``, structure literals)."""
    for name, value in pairs:
        setattr(instance, name, value)
    return instance


def _fdiv(a: float, b: float) -> float:
    """REAL/LREAL division as IEEE 754 defines it: x / 0 is +-inf, 0 / 0 is NaN (no runtime error)."""
    if b == 0:
        if a == 0 or a != a:
            return float("nan")
        negative = (a < 0) != (str(b).startswith("-"))
        return float("-inf") if negative else float("inf")
    return a / b


def _deref(pointer: Any) -> Any:
    if pointer is None:
        raise StRuntimeError("dereference of a null pointer or reference")
    return pointer


def _deref_object(pointer: Any) -> Any:
    if pointer is None:
        raise StRuntimeError("dereference of a null pointer or reference")
    return pointer


def _nn(instance: Any) -> Any:
    if instance is None:
        raise StRuntimeError("call through a null interface or reference")
    return instance


def _hit(counters: list[int], index: int, value: Any) -> Any:
    """Count a coverage point and pass a value through (for short-circuit branches)."""
    counters[index] += 1
    return value


def _imod0(a: int, b: int) -> int:
    """IEC MOD: ``IN1 - (IN1 / IN2) * IN2``, and 0 when IN2 is 0 (IEC 61131-3, table of arithmetic functions)."""
    if b == 0:
        return 0
    remainder = abs(a) % abs(b)
    return remainder if a >= 0 else -remainder


def _range(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise StRuntimeError(f"value {value} is outside the subrange {low}..{high}")
    return value


def _outputs(result: Any, *stores: Any) -> Any:
    """Store a function's outputs (``=>``) when it is called inside an expression; returns its result.

    ``result`` is the call's tuple ``(value, output1, ...)``; each store is ``(setter, position)``.
    """
    for setter, position in stores:
        setter(result[position])
    return result[0]
