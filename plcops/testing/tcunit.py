"""TcUnit-compatible tests in ST: the functions suites call, and what happens when they are called.

A suite is a FUNCTION_BLOCK that EXTENDS ``FB_TestSuite`` (``TcUnit.FB_TestSuite`` too). Tests are
named with ``TEST('name')`` (or ``TEST_ORDERED('name')``) and end with ``TEST_FINISHED()``; until then a
test runs scan after scan on the virtual clock, so a test can wait for a timer. Assertions are TcUnit's
(``AssertEquals``, ``AssertEquals_<TYPE>`` with ``Delta`` for REAL/LREAL, ``AssertArrayEquals_<TYPE>``,
``AssertTrue``, ``AssertFalse``) plus what TcUnit lacks: ``AssertNotEquals``, ``AssertGreater``,
``AssertGreaterOrEqual``, ``AssertLess``, ``AssertLessOrEqual``; real comparisons are NaN-safe, structures
and arrays compare member by member, messages have no length limit and there is no limit on asserts.

Isolation (docs/commands/test.md): each test runs in a fresh instance of its suite with fresh globals.
``TEST('other')`` as the first statement of a test method returns from the method when ``other`` is not
the test being run, so tests do not disturb each other; suites that use ``TEST_ORDERED`` run their tests
in one instance, in order, as TcUnit does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from plcops.st.intrinsics import Intrinsic
from plcops.st.literals import format_date, format_date_and_time, format_duration, format_time_of_day
from plcops.st.model import EnumType, Model
from plcops.st.parser import ParseResult, parse_text

TCUNIT_LIBRARY_PATH = "<tcunit>"
# TcUnit's 22 AssertEquals_<TYPE> spellings, then the elementary types TcUnit lacks (and the short names).
_ASSERT_TYPES = [
    "ANY", "BOOL", "BYTE", "DATE", "DATE_AND_TIME", "DINT", "DWORD", "INT", "LINT", "LREAL", "LTIME", "LWORD",
    "REAL", "SINT", "STRING", "TIME", "TIME_OF_DAY", "UDINT", "UINT", "ULINT", "USINT", "WORD", "WSTRING",
    "CHAR", "WCHAR", "TOD", "DT", "LDATE", "LTOD", "LTIME_OF_DAY", "LDT", "LDATE_AND_TIME",
]  # fmt: skip
_ARRAY_TYPES = [
    "BOOL",
    "BYTE",
    "DINT",
    "DWORD",
    "INT",
    "LINT",
    "LREAL",
    "LWORD",
    "REAL",
    "SINT",
    "UDINT",
    "UINT",
    "ULINT",
    "USINT",
    "WORD",
]
_VALUES = frozenset({"Expected", "Actual", "Expecteds", "Actuals", "Condition", "Limit", "Delta"})


def _intrinsics() -> list[Intrinsic]:
    found = [
        Intrinsic("TEST", ("TestName",), "BOOL", gate=True),
        Intrinsic("TEST_ORDERED", ("TestName",), "BOOL"),
        Intrinsic("TEST_FINISHED", ()),
        Intrinsic("TEST_FINISHED_NAMED", ("TestName",)),
        Intrinsic("IS_TEST_FINISHED", ("TestName",), "BOOL"),
        Intrinsic("RUN", ()),
        Intrinsic("RUN_IN_SEQUENCE", ()),
        Intrinsic("AssertTrue", ("Condition", "Message"), optional=frozenset({"Message"})),
        Intrinsic("AssertFalse", ("Condition", "Message"), optional=frozenset({"Message"})),
        Intrinsic(
            "AssertEquals", ("Expected", "Actual", "Message"), optional=frozenset({"Message"}), any_typed=_VALUES
        ),
        Intrinsic(
            "AssertNotEquals", ("Expected", "Actual", "Message"), optional=frozenset({"Message"}), any_typed=_VALUES
        ),
    ]
    for name in ("AssertGreater", "AssertGreaterOrEqual", "AssertLess", "AssertLessOrEqual"):
        found.append(
            Intrinsic(name, ("Actual", "Limit", "Message"), optional=frozenset({"Message"}), any_typed=_VALUES)
        )
    for kind in _ASSERT_TYPES[1:]:
        parameters = (
            ("Expected", "Actual", "Delta", "Message")
            if kind in ("REAL", "LREAL")
            else ("Expected", "Actual", "Message")
        )
        found.append(
            Intrinsic(f"AssertEquals_{kind}", parameters, optional=frozenset({"Message", "Delta"}), any_typed=_VALUES)
        )
    for kind in _ARRAY_TYPES:
        parameters = (
            ("Expecteds", "Actuals", "Delta", "Message")
            if kind in ("REAL", "LREAL")
            else ("Expecteds", "Actuals", "Message")
        )
        found.append(
            Intrinsic(
                f"AssertArrayEquals_{kind}", parameters, optional=frozenset({"Message", "Delta"}), any_typed=_VALUES
            )
        )
    for dims in ("2d", "3d"):
        for kind in ("REAL", "LREAL"):
            found.append(
                Intrinsic(
                    f"AssertArray{dims}Equals_{kind}",
                    ("Expecteds", "Actuals", "Delta", "Message"),
                    optional=frozenset({"Message", "Delta"}),
                    any_typed=_VALUES,
                )
            )
    return found


INTRINSICS = _intrinsics()
_SPELLING = {item.name.upper(): item.name for item in INTRINSICS}


@cache
def library() -> ParseResult:
    """The parsed ``FB_TestSuite`` library."""
    text = files(__package__).joinpath("tcunit.st").read_text(encoding="utf-8")
    result = parse_text(text, TCUNIT_LIBRARY_PATH)
    assert not result.diagnostics, result.diagnostics
    return result


# ---------------------------------------------------------------------------------------------- results


@dataclass
class Failure:
    """One failed assertion (or a test error), with where and when."""

    message: str
    expected: str = ""
    actual: str = ""
    path: str = ""
    line: int = 0
    column: int = 0
    scan: int = 0
    time_ns: int = 0
    kind: str = "assert"  # "assert", "timeout", "error"

    def describe(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}: " if self.path else ""
        detail = f"\n    expected: {self.expected}\n    actual:   {self.actual}" if self.expected or self.actual else ""
        return f"{where}{self.message}{detail}\n    (scan {self.scan}, at {format_duration(self.time_ns)})"


@dataclass
class TestOutcome:
    """What happened to one test."""

    suite: str
    name: str
    status: str = "pending"  # passed, failed, error, skipped, timeout
    failures: list[Failure] = field(default_factory=list)
    asserts: int = 0
    scans: int = 0
    time_ns: int = 0
    finished: bool = False
    started_at: tuple[str, int, int] | None = None  # the TEST() call: path, line, column

    @property
    def passed(self) -> bool:
        return self.status == "passed"


# ---------------------------------------------------------------------------------------------- runtime


class TestRuntime:
    """Receives the calls of TEST, TEST_FINISHED and the asserts from compiled ST (``module.T``).

    ``active`` are the tests this run executes; asserts of other tests are ignored. ``locate`` turns a
    location index of the generated module into (path, line, column).
    """

    def __init__(self, model: Model, locations: list[tuple[str, int]]) -> None:
        self.model = model
        self.locations = locations
        self.outcomes: dict[str, TestOutcome] = {}
        self.active: set[str] = set()
        self.current: str | None = None
        self.ordered: list[str] = []
        self.suite = ""
        self.scan = 0
        self.now = 0
        self.seen: set[str] = set()  # tests whose TEST() call ran in this run
        self.remaining = 0  # active tests not finished yet (done() is asked every scan)
        self.muted = False  # asserts and TEST_FINISHED count for nothing (a diagnostic scan)

    def start(self, suite: str, tests: list[str]) -> None:
        """Begin a run of some tests of a suite."""
        self.suite = suite
        self.active = set(tests)
        self.outcomes = {name: TestOutcome(suite, name) for name in tests}
        self.current = None
        self.ordered = []
        self.seen = set()
        self.remaining = len(self.active)

    def done(self) -> bool:
        return self.remaining <= 0

    def settle(self, name: str) -> None:
        """Count an active test as finished (whatever its verdict)."""
        if name in self.active:
            self.remaining -= 1

    def locate(self, index: int) -> tuple[str, int, int]:
        path, offset = self.locations[index]
        source = self.model.sources.get(path)
        if source is None:
            return path, 0, 0
        location = source.location(offset)
        return path, location.line, location.column

    # -------------------------------------------------------------------- dispatch

    def intrinsic(self, name: str, location: int, args: dict[str, Any], kinds: dict[str, str]) -> Any:
        if name == "TEST":  # every test method starts with it, every scan: the common spelling first
            return self._test(str(args.get("TestName", "")), location)
        upper = name.upper()
        if upper == "TEST":
            return self._test(str(args.get("TestName", "")), location)
        if upper == "TEST_ORDERED":
            return self._test_ordered(str(args.get("TestName", "")), location)
        if upper in ("TEST_FINISHED", "TEST_FINISHED_NAMED") and self.muted:
            return None
        if upper == "TEST_FINISHED":
            self._finish(self.current)
            return None
        if upper == "TEST_FINISHED_NAMED":
            self._finish(str(args.get("TestName", "")))
            return None
        if upper == "IS_TEST_FINISHED":
            outcome = self.outcomes.get(str(args.get("TestName", "")))
            return bool(outcome and outcome.finished)
        if upper in ("RUN", "RUN_IN_SEQUENCE") or self.muted:
            return None
        if self.current not in self.active:
            return None  # an assert of a test that is not running now
        outcome = self.outcomes[self.current]  # type: ignore[index]
        if outcome.finished:
            return None
        outcome.asserts += 1
        failure = self._check(upper, args, kinds)
        if failure is not None:
            failure.path, failure.line, failure.column = self.locate(location)
            failure.scan, failure.time_ns = self.scan, self.now
            outcome.failures.append(failure)
        return None

    def _test(self, name: str, location: int) -> bool:
        self.current = name
        self.seen.add(name)
        outcome = self.outcomes.get(name)
        if outcome is not None and outcome.started_at is None:
            outcome.started_at = self.locate(location)
        return name in self.active and not (outcome is not None and outcome.finished)

    def _test_ordered(self, name: str, location: int) -> bool:
        self.current = name
        self.seen.add(name)
        if name not in self.ordered:
            self.ordered.append(name)
        outcome = self.outcomes.get(name)
        if outcome is not None and outcome.started_at is None:
            outcome.started_at = self.locate(location)
        for earlier in self.ordered:
            if earlier == name:
                break
            previous = self.outcomes.get(earlier)
            if previous is not None and not previous.finished:
                return False
        return name in self.active and not (outcome is not None and outcome.finished)

    def _finish(self, name: str | None) -> None:
        if name is None or name not in self.active:
            return
        outcome = self.outcomes[name]
        if not outcome.finished:
            outcome.finished = True
            self.settle(name)
            outcome.scans = self.scan + 1
            outcome.time_ns = self.now
            outcome.status = "failed" if outcome.failures else "passed"

    # -------------------------------------------------------------------- assertions

    def _check(self, name: str, args: dict[str, Any], kinds: dict[str, str]) -> Failure | None:
        message = str(args.get("Message", ""))
        spelled = _SPELLING.get(name, name)  # AssertEquals_REAL as TcUnit spells it, for messages
        if name == "ASSERTTRUE":
            return None if args.get("Condition") is True else Failure(message or "AssertTrue failed", "TRUE", "FALSE")
        if name == "ASSERTFALSE":
            return None if args.get("Condition") is False else Failure(message or "AssertFalse failed", "FALSE", "TRUE")
        if name.startswith("ASSERTARRAY"):
            return self._arrays(args, kinds, message)
        if name in ("ASSERTGREATER", "ASSERTGREATEROREQUAL", "ASSERTLESS", "ASSERTLESSOREQUAL"):
            actual, limit = args.get("Actual"), args.get("Limit")
            relation = {
                "ASSERTGREATER": ">",
                "ASSERTGREATEROREQUAL": ">=",
                "ASSERTLESS": "<",
                "ASSERTLESSOREQUAL": "<=",
            }[name]
            holds = _compare(actual, limit, relation)
            if holds:
                return None
            shown = self.show(limit, kinds.get("Limit", ""))
            return Failure(
                message or f"{spelled} failed", f"{relation} {shown}", self.show(actual, kinds.get("Actual", ""))
            )
        expected, actual = args.get("Expected"), args.get("Actual")
        delta = args.get("Delta")
        equal = _equal(expected, actual, delta)
        if name == "ASSERTNOTEQUALS":
            if not equal:
                return None
            return Failure(
                message or "AssertNotEquals failed",
                f"not {self.show(expected, kinds.get('Expected', ''))}",
                self.show(actual, kinds.get("Actual", "")),
            )
        if equal:
            return None
        return Failure(
            message or f"{spelled} failed",
            self.show(expected, kinds.get("Expected", "")),
            self.show(actual, kinds.get("Actual", "")),
        )

    def _arrays(self, args: dict[str, Any], kinds: dict[str, str], message: str) -> Failure | None:
        expected, actual = args.get("Expecteds"), args.get("Actuals")
        delta = args.get("Delta")
        if not isinstance(expected, list) or not isinstance(actual, list):
            return Failure(message or "AssertArrayEquals needs arrays", str(expected), str(actual))
        if len(expected) != len(actual):
            return Failure(message or "arrays differ in size", f"{len(expected)} elements", f"{len(actual)} elements")
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            if not _equal(a, b, delta):
                return Failure(message or f"arrays differ at element {index} (counting from 0)", str(a), str(b))
        return None

    def show(self, value: Any, kind: str) -> str:
        """A value as ST writes it, for failure messages."""
        upper = kind.upper()
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int) and upper in ("TIME", "LTIME"):
            return format_duration(value, "LTIME#" if upper == "LTIME" else "T#")
        if isinstance(value, int) and upper in ("DATE", "LDATE"):
            return format_date(value)
        if isinstance(value, int) and upper in ("TOD", "LTOD"):
            return format_time_of_day(value)
        if isinstance(value, int) and upper in ("DT", "LDT"):
            return format_date_and_time(value)
        enum = self.model.user_type(kind) if kind and not kind.startswith(("STRING", "WSTRING", "ARRAY")) else None
        if isinstance(enum, EnumType) and isinstance(value, int):
            spelled = enum.spelling(value)
            return f"{enum.name}.{spelled} ({value})" if spelled else str(value)
        if isinstance(value, str):
            return "'" + value.replace("'", "$'") + "'"
        if hasattr(value, "_st_fields"):
            types = getattr(value, "_st_types", [""] * len(value._st_fields))
            members = [
                f"{name} := {self.show(getattr(value, 'v_' + name.casefold()), member_type)}"
                for name, member_type in zip(value._st_fields, types, strict=False)
            ]
            return "(" + ", ".join(members) + ")"
        if isinstance(value, list):
            element = kind[kind.find(" OF ") + 4 :] if " OF " in kind else ""
            return "[" + ", ".join(self.show(item, element) for item in value) + "]"
        return repr(value)


def _equal(expected: Any, actual: Any, delta: Any = None) -> bool:
    if isinstance(expected, float) or isinstance(actual, float):
        if not isinstance(expected, (int, float)) or not isinstance(actual, (int, float)):
            return False
        a, b = float(expected), float(actual)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)  # NaN-safe: NaN equals only NaN
        if a == b:
            return True
        return delta is not None and abs(a - b) <= float(delta)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(_equal(a, b, delta) for a, b in zip(expected, actual, strict=True))
    return bool(expected == actual)


def _compare(actual: Any, limit: Any, relation: str) -> bool:
    try:
        if relation == ">":
            return bool(actual > limit)
        if relation == ">=":
            return bool(actual >= limit)
        if relation == "<":
            return bool(actual < limit)
        return bool(actual <= limit)
    except TypeError:
        return False
