"""Finding ST test suites and running their tests on the simulator.

:class:`TestProject` compiles a project once (production code, test code, the FB_TestSuite library and
the test functions, optionally with coverage counters) and runs any test of any suite on a fresh state:
new globals, new program instances, a new suite instance, the clock at 0. A test runs scan after scan
until it calls ``TEST_FINISHED`` or its timeout (virtual time) passes.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from plcops.project.config import ProjectConfig
from plcops.project.tomlfile import Scope
from plcops.sim.compiler import ident
from plcops.sim.simulator import SimulationError, Simulator, parse_duration
from plcops.st import ast
from plcops.st.diagnostics import Diagnostic
from plcops.st.model import PouInfo
from plcops.testing.tcunit import INTRINSICS, Failure, TestOutcome, TestRuntime, library

DEFAULT_TIMEOUT = "T#2h"
DEFAULT_CYCLE = "10ms"


@dataclass(frozen=True)
class TestTimeout:
    """How long a test may run before it fails as timed out: virtual time, or a number of scans."""

    ns: int | None = None
    scans: int | None = None

    def describe(self) -> str:
        if self.scans is not None:
            return f"{self.scans} scans"
        return f"{_format(self.ns or 0)} of virtual time"


def parse_timeout(value: str) -> TestTimeout:
    """``"T#5s"``, ``"5s"``, ``"250ms"`` (virtual time) or ``"500 scans"``.

    Raises:
        ValueError: anything else.
    """
    text = str(value).strip()
    match = re.fullmatch(r"(\d+)\s*scans?", text, re.IGNORECASE)
    if match is not None:
        return TestTimeout(scans=int(match.group(1)))
    return TestTimeout(ns=parse_duration(text))


@dataclass
class TestInfo:
    """A test found in a suite's code: ``TEST('name')`` with a literal name."""

    name: str
    line: int
    ordered: bool = False
    disabled: bool = False
    timeout: TestTimeout | None = None
    # The test's code in its suite's file, as offsets: from its TEST() call to the next test's (or the end
    # of the body or method). Where a timed-out test was waiting is looked for there.
    region: tuple[int, int] = (0, 0)


@dataclass
class SuiteInfo:
    """A FUNCTION_BLOCK that extends FB_TestSuite, and its tests in the order they appear."""

    name: str
    path: str
    line: int
    tests: list[TestInfo] = field(default_factory=list)
    # When the suite's body only calls its test methods, and each begins with TEST('name'): test -> method.
    # Running one test then calls only its method each scan; the others would return at their TEST() call.
    methods: dict[str, str] | None = None

    @property
    def ordered(self) -> bool:
        return any(test.ordered for test in self.tests)


@dataclass
class TestSettings:
    """``[test]`` in plcops.toml (see docs/commands/test.md).

    Attributes:
        paths: test source folders, part of the project for ``plcops test`` only.
        patterns: file-name globs whose tests run (empty: every file).
        cycle: scan period of tests and scenarios.
        timeout: per test, virtual time (``"T#2h"``) or scans (``"500 scans"``).
        timeouts: per ``Suite.Test`` pattern, overriding ``timeout``.
        program: what the plc fixture and scenarios run (None: the CONFIGURATION's tasks).
    """

    cycle: str = DEFAULT_CYCLE
    timeout: str = DEFAULT_TIMEOUT
    timeouts: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    program: str | None = None

    def timeout_for(self, suite: str, test: TestInfo) -> TestTimeout:
        """The test's own ``{attribute 'timeout'}``, else the first matching ``[test.timeouts]`` pattern,
        else ``[test] timeout``."""
        if test.timeout is not None:
            return test.timeout
        for pattern, value in self.timeouts.items():
            if fnmatch.fnmatchcase(f"{suite}.{test.name}".casefold(), pattern.casefold()):
                return parse_timeout(value)
        return parse_timeout(self.timeout)


_TEST_KEYS = ("cycle", "paths", "patterns", "program", "timeout", "timeouts")


def test_settings(config: ProjectConfig) -> TestSettings:
    """The ``[test]`` table of a project file, checked (the cycle defaults to ``[target] cycle``).

    Raises:
        DiagnosticError: ``plcops.toml:line:col: message`` for an unknown key or a value of the wrong kind.
    """
    file, scope = config.settings_file, ("test",)
    table = file.table(file.data, "test")
    file.check_keys(table, _TEST_KEYS, scope, "[test]")
    settings = TestSettings(cycle=config.target.cycle)
    for key in ("paths", "patterns"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise file.error(key, f"[test] {key} must be a list of strings", scope)
        setattr(settings, key, value)
    settings.program = file.string(table, "program", None, scope, "[test] program")
    cycle = table.get("cycle", settings.cycle)
    if not isinstance(cycle, str):
        raise file.error("cycle", f'[test] cycle must be a positive time such as "10ms", not {cycle!r}', scope)
    file.duration(cycle, "cycle", scope, "[test] cycle", positive=True)
    settings.cycle = cycle
    settings.timeout = str(table.get("timeout", settings.timeout))
    timeouts = file.table(table, "timeouts", scope)
    settings.timeouts = {str(pattern): str(value) for pattern, value in timeouts.items()}
    checks: list[tuple[str, str, str, Scope]] = [("[test] timeout", "timeout", settings.timeout, scope)]
    checks += [
        (f"[test.timeouts] {pattern!r}", pattern, value, ("test", "timeouts"))
        for pattern, value in settings.timeouts.items()
    ]
    for label, key, value, where in checks:
        try:
            timeout = parse_timeout(value)
        except ValueError:
            timeout = TestTimeout()
        if not (timeout.ns or 0) > 0 and not (timeout.scans or 0) > 0:
            raise file.error(
                key,
                f'{label}: expected a positive time ("T#5s") or number of scans ("500 scans"), not {value!r}',
                where,
            )
    return settings


class TestProject:
    """A compiled project with its suites (see the module docstring)."""

    def __init__(self, results: Sequence[Any], settings: TestSettings | None = None, *, coverage: bool = False) -> None:
        self.settings = settings or TestSettings()
        self.simulator = Simulator.from_results(
            list(results),
            libraries=[library()],
            intrinsics=INTRINSICS,
            schedule=False,
            cycle_time=self.settings.cycle,
            coverage=coverage,
        )
        self.model = self.simulator.model
        self.module = self.simulator.module
        self.runtime = TestRuntime(self.model, self.module.LOCATIONS)
        self.module.__dict__["T"] = self.runtime  # the generated code calls T.intrinsic(...)
        self.suites = discover_suites(self.model)
        self._results: dict[tuple[str, str], TestOutcome] = {}

    @classmethod
    def load(
        cls, paths: Sequence[Path | str], settings: TestSettings | None = None, *, coverage: bool = False
    ) -> TestProject:
        """Parse and compile a project.

        Raises:
            SimulationError: syntax or semantic errors.
        """
        from plcops.project.checking import parse_project
        from plcops.sim.simulator import SimulationError

        loaded = parse_project(paths)
        if loaded.syntax_errors:
            raise SimulationError(loaded.syntax_errors)
        return cls(loaded.results, settings, coverage=coverage)

    def suite(self, name: str) -> SuiteInfo:
        for suite in self.suites:
            if suite.name.casefold() == name.casefold():
                return suite
        raise KeyError(f"no test suite {name}")

    # -------------------------------------------------------------------- running

    def outcome(self, suite_name: str, test_name: str) -> TestOutcome:
        """The outcome of one test (running it, or its suite when the suite's tests are ordered)."""
        key = (suite_name.casefold(), test_name)
        if key not in self._results:
            suite = self.suite(suite_name)
            tests = [t for t in suite.tests if not t.disabled]
            if suite.ordered:
                for outcome in self.run(suite, tests):
                    self._results[(suite_name.casefold(), outcome.name)] = outcome
            else:
                test = next((t for t in suite.tests if t.name == test_name), None)
                if test is None:
                    raise KeyError(f"{suite.name} has no test {test_name}")
                for outcome in self.run(suite, [test]):
                    self._results[(suite_name.casefold(), outcome.name)] = outcome
        return self._results[key]

    def run(self, suite: SuiteInfo, tests: list[TestInfo]) -> list[TestOutcome]:
        """Run tests of a suite together in one fresh instance (one test, or all ordered tests)."""
        module = self.module
        runtime = self.runtime
        self._fresh_state()
        suite_class = getattr(module, f"P_{ident(suite.name)}")
        instance = suite_class()
        runtime.start(suite.name, [t.name for t in tests])
        cycle = self.simulator.base_ns
        timeouts = [self.settings.timeout_for(suite.name, t) for t in tests]
        # All of the tests' limits must be passed: the latest of each kind decides.
        limit_ns = max((t.ns for t in timeouts if t.ns is not None), default=None)
        limit_scans = max((t.scans for t in timeouts if t.scans is not None), default=None)
        clock = module.CLOCK
        body = instance.body
        if suite.methods is not None and not suite.ordered:
            # The suite's body is only calls of test methods that begin with TEST(): call only the ones
            # running (a T#1h test then costs its own method's scans, not every test's).
            calls = [getattr(instance, f"m_{ident(suite.methods[t.name])}") for t in tests]
            if len(calls) == 1:
                body = calls[0]
            else:

                def body() -> None:
                    for call in calls:
                        call()

        scan = 0
        now = 0
        while not runtime.done():
            if (limit_ns is None or now > limit_ns) and (limit_scans is None or scan >= limit_scans):
                self._timed_out(suite, tests, scan, now, self._probe(body, scan, now))
                break
            runtime.scan, runtime.now = scan, now
            clock.now = now
            try:
                body()
            except Exception as exc:  # a runtime error ends the test as an error
                self._errored(exc, scan, now)
                break
            if scan == 0:
                for test in tests:
                    if test.name not in runtime.seen:
                        self._never_called(test, scan, now)
                if runtime.done():
                    break
            scan += 1
            now += cycle
        return [runtime.outcomes[t.name] for t in tests]

    def _fresh_state(self) -> None:
        module = self.module
        module.__dict__["G"] = module.Globals()
        for name in self.simulator.generated.programs.values():
            setattr(module, f"I_{name[2:]}", getattr(module, name)())
        module.CLOCK.now = 0

    def _probe(self, body: Any, scan: int, now: int) -> list[tuple[str, int]]:
        """The statements one more scan runs, with the test runtime muted (its asserts and TEST_FINISHED
        count for nothing): where tests that timed out are waiting. The suite is deterministic, so this
        scan does what the next would have done."""
        runtime = self.runtime
        runtime.scan, runtime.now = scan, now
        self.module.CLOCK.now = now

        def one_scan() -> None:
            try:
                body()
            except Exception:  # a runtime error in the probe only ends what it shows
                pass

        counters = getattr(self.module, "COV", None)  # coverage counts what the tests ran, not the probe
        counted = list(counters) if counters is not None else None
        runtime.muted = True
        try:
            return self.simulator.statements_run(one_scan)
        finally:
            runtime.muted = False
            if counters is not None and counted is not None:
                counters[:] = counted

    def _stuck_at(self, suite: SuiteInfo, test: TestInfo, ran: list[tuple[str, int]]) -> tuple[str, int, int, str]:
        """The last statement of the test's own code that the probe scan ran (the test's TEST() call
        itself excluded): path, line, column and the line's text; empty when there is none."""
        start, end = test.region
        source = self.model.sources.get(suite.path)
        for path, offset in reversed(ran):
            if path == suite.path and start < offset < end and source is not None:
                location = source.location(offset)
                return path, location.line, location.column, source.origin_line(location.line).strip()
        return "", 0, 0, ""

    def _timed_out(
        self, suite: SuiteInfo, tests: list[TestInfo], scan: int, now: int, ran: list[tuple[str, int]]
    ) -> None:
        runtime = self.runtime
        for test in tests:
            outcome = runtime.outcomes[test.name]
            if outcome.finished:
                continue
            path, line, column, text = self._stuck_at(suite, test, ran)
            waiting_for = self._ordered_before(test)
            if waiting_for is not None:
                path, line, column = outcome.started_at or ("", 0, 0)
                where = f"; it never ran: TEST_ORDERED runs it after '{waiting_for}', which did not finish"
            elif path:
                if len(text) > 80:
                    text = text[:77] + "..."
                where = f"; its last statement in scan {scan} was line {line}: {text}"
            else:
                path, line, column = outcome.started_at or ("", 0, 0)
                where = f"; in scan {scan} it ran no statement after its TEST() call"
            outcome.failures.append(
                Failure(
                    f"timed out: TEST_FINISHED() was not called within {self.settings.timeout_for(runtime.suite, test).describe()}"
                    f" ({len(outcome.failures)} assert failures before){where}",
                    path=path,
                    line=line,
                    column=column,
                    scan=scan,
                    time_ns=now,
                    kind="timeout",
                )
            )
            outcome.status, outcome.finished, outcome.scans, outcome.time_ns = "timeout", True, scan, now

    def _ordered_before(self, test: TestInfo) -> str | None:
        """For an ordered test that never got its turn, the unfinished ordered test before it."""
        runtime = self.runtime
        if not test.ordered or test.name not in runtime.ordered:
            return None
        for earlier in runtime.ordered[: runtime.ordered.index(test.name)]:
            previous = runtime.outcomes.get(earlier)
            if previous is not None and (not previous.finished or previous.status == "timeout"):
                return earlier
        return None

    def _errored(self, exc: BaseException, scan: int, now: int) -> None:
        runtime = self.runtime
        error = self.simulator._scan_error(exc)
        for outcome in runtime.outcomes.values():
            if outcome.finished:
                continue
            outcome.failures.append(
                Failure(
                    f"runtime error: {error.message}",
                    path=error.path,
                    line=error.line,
                    column=error.column,
                    scan=scan,
                    time_ns=now,
                    kind="error",
                )
            )
            outcome.status, outcome.finished, outcome.scans, outcome.time_ns = "error", True, scan, now

    def _never_called(self, test: TestInfo, scan: int, now: int) -> None:
        outcome = self.runtime.outcomes[test.name]
        outcome.failures.append(
            Failure(
                f"TEST('{test.name}') was not called in the first scan of its suite",
                scan=scan,
                time_ns=now,
                kind="error",
            )
        )
        outcome.status, outcome.finished = "error", True
        self.runtime.settle(test.name)


def _format(ns: int) -> str:
    from plcops.st.literals import format_duration

    return format_duration(ns)


# ---------------------------------------------------------------------------------------------- discovery


def discover_suites(model: Any) -> list[SuiteInfo]:
    """Every suite of the project with its tests (``TEST('name')`` calls with literal names)."""
    suites: list[SuiteInfo] = []
    base = model.pous.get("fb_testsuite")
    for pou in model.user_pous():
        if pou.kind != "FUNCTION_BLOCK" or base is None or pou is base or not pou.derives_from(base):
            continue
        source = model.sources.get(pou.path)
        line = source.location(pou.node.name.span.start).line if source else 0
        suite = SuiteInfo(pou.name, pou.path, line)
        for node, timeout in _code_of(pou, model):
            test_calls = [
                call
                for call in _calls(node)
                if isinstance(call.target, ast.Name) and call.target.name.upper() in ("TEST", "TEST_ORDERED")
            ]
            lists = _statement_lists(node)
            for call in test_calls:
                name = _literal_name(call)
                if name is None or any(t.name == name for t in suite.tests):
                    continue
                test_line = source.location(call.span.start).line if source else 0
                suite.tests.append(
                    TestInfo(
                        name,
                        test_line,
                        call.target.name.upper() == "TEST_ORDERED",  # type: ignore[attr-defined]
                        name.upper().startswith("DISABLED_"),
                        timeout,
                        _test_region(call, lists, test_calls),
                    )
                )
        suite.methods = _test_methods(pou, {t.name for t in suite.tests})
        suites.append(suite)
    return suites


def _statement_lists(node: ast.Node) -> list[list[ast.Stmt]]:
    """Every statement list in a body or member (IF arms, loop bodies, ...), members of a POU excluded."""
    found: list[list[ast.Stmt]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        for attribute in ("body", "catch_body", "finally_body"):
            statements = getattr(current, attribute, None)
            if isinstance(statements, list) and statements:
                found.append(statements)
        if isinstance(current, ast.Pou) and current is not node and not isinstance(current, ast.PropertyAccessor):
            continue  # members are visited on their own
        stack.extend(current.children())
    return found


def _test_region(call: ast.Call, lists: list[list[ast.Stmt]], test_calls: list[ast.Call]) -> tuple[int, int]:
    """The test's own code, as offsets, where a timed-out test is said to be waiting.

    In the innermost statement holding its ``TEST()`` call: when that statement has a body (``IF
    TEST('x') THEN ... END_IF``), the rest of it after the call; when it is the call itself (``TEST('x');``
    opening a method), the statements after it in its list, up to the next one that starts a test.
    """
    best: tuple[list[ast.Stmt], int] | None = None
    for statements in lists:
        for index, statement in enumerate(statements):
            if statement.span.start <= call.span.start < statement.span.end and (
                best is None or statement.span.end - statement.span.start < _width(best[0][best[1]])
            ):
                best = (statements, index)
    if best is None:
        return call.span.start, call.span.end
    statements, index = best
    holder = statements[index]
    if isinstance(holder, ast.Compound) and not _guard(holder):
        return call.span.end, holder.span.end
    # TEST('x'); or a guard, IF NOT TEST('x') THEN RETURN; END_IF: the test is what follows.
    end = statements[-1].span.end
    for later in statements[index + 1 :]:
        if any(later.span.start <= other.span.start < later.span.end for other in test_calls):
            end = later.span.start
            break
    return call.span.start, end


def _guard(statement: ast.Stmt) -> bool:
    """``IF NOT TEST('x') THEN RETURN; END_IF``: an IF whose first arm only returns."""
    if not isinstance(statement, ast.IfStatement) or statement.else_branch is not None:
        return False
    body = [s for s in statement.branches[0].body if not isinstance(s, ast.EmptyStatement)]
    return len(statement.branches) == 1 and len(body) == 1 and isinstance(body[0], ast.Return)


def _width(node: ast.Node) -> int:
    return node.span.end - node.span.start


def _test_methods(pou: PouInfo, tests: set[str]) -> dict[str, str] | None:
    """Test name -> method name when the body of a suite only calls its own methods without arguments,
    each of which starts with ``TEST('literal')`` as its first statement (the usual TcUnit layout); else
    None (the body runs as written)."""
    node = pou.node
    if not isinstance(node, ast.Pou):
        return None
    methods: dict[str, str] = {}
    for statement in node.body:
        if isinstance(statement, ast.EmptyStatement):
            continue
        if not isinstance(statement, ast.CallStatement) or not isinstance(statement.call, ast.Call):
            return None
        call = statement.call
        target = call.target
        if isinstance(target, ast.Name):
            called = target.name
        elif isinstance(target, ast.MemberAccess) and isinstance(target.target, ast.Deref):
            called = target.member  # THIS^.Method()
        else:
            return None
        if call.args:
            return None
        member = pou.members.get(called.casefold())
        if member is None or member.kind != "METHOD" or not isinstance(member.node, ast.Method):
            return None
        body = [s for s in member.node.body if not isinstance(s, ast.EmptyStatement)]
        first = body[0] if body else None
        if not isinstance(first, ast.CallStatement) or not isinstance(first.call, ast.Call):
            return None
        test_call = first.call
        if not isinstance(test_call.target, ast.Name) or test_call.target.name.upper() != "TEST":
            return None
        name = _literal_name(test_call)
        if name is None or name in methods:
            return None
        methods[name] = member.name
    return methods if set(methods) >= tests else None


def _code_of(pou: PouInfo, model: Any) -> list[tuple[ast.Node, TestTimeout | None]]:
    """The body and the members of a suite, each with a timeout from ``{attribute 'timeout' := 'T#5s'}``
    (or ``'500 scans'``)."""
    found: list[tuple[ast.Node, TestTimeout | None]] = [(pou.node, None)]
    for member in pou.members.values():
        timeout = None
        for pragma in getattr(member.node, "pragmas", []):
            attribute = pragma.attribute
            if attribute is not None and attribute[0].casefold() == "timeout" and attribute[1]:
                try:
                    timeout = parse_timeout(attribute[1])
                except ValueError:
                    source = model.sources.get(pou.path)
                    message = f"timeout '{attribute[1]}' is neither a time (T#5s) nor a number of scans (500 scans)"
                    where = (
                        Diagnostic.at(source, pragma.span[0], message)
                        if source
                        else Diagnostic(pou.path, 1, 1, message)
                    )
                    raise SimulationError([where]) from None
        found.append((member.node, timeout))
    return found


def _calls(node: ast.Node) -> list[ast.Call]:
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call):
            found.append(current)
        if isinstance(current, ast.Pou) and current is not node and not isinstance(current, ast.PropertyAccessor):
            continue  # members are visited on their own
        stack.extend(reversed(list(current.children())))
    found.sort(key=lambda call: call.span.start)
    return found


def _literal_name(call: ast.Call) -> str | None:
    for argument in call.args:
        value = (
            argument.value
            if isinstance(argument, ast.NamedArg)
            else argument
            if isinstance(argument, ast.Expr)
            else None
        )
        if isinstance(value, ast.Literal) and value.kind in ("STRING", "WSTRING"):
            from plcops.st.literals import string_value

            return string_value(value.text)
    return None
