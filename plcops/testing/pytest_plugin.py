"""The pytest plugin (entry point ``pytest11``): ST suites and scenario files as test items, and a ``plc``
fixture for Python tests.

Inside a plcops project (a folder with ``plcops.toml``), plain ``pytest`` then collects:

* every TcUnit-style suite in the project's ST files: one item per ``TEST('name')``, id
  ``tests/TS_FillStation.st::TS_FillStation::StartsConveyorOnStart``;
* every ``*.scenario.toml`` file: one item per scenario case;
* Python tests, which get ``plc``: a fresh simulator of the project per test.

Options: ``--plcops-cov`` measures ST statement and branch coverage; ``--plcops-cov-report`` (``text``,
``html[:DIR]``, ``cobertura[:FILE]``, repeatable) and ``--plcops-cov-fail-under N`` report it. Works with
pytest-xdist (``-n auto``): each worker runs tests on its own copy, the controller adds the counters up.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from plcops.project.config import CONFIG_NAME, load_config
from plcops.project.sources import SOURCE_SUFFIXES
from plcops.sim.simulator import SimulationError, Simulator, parse_duration
from plcops.st.diagnostics import DiagnosticError
from plcops.st.literals import format_duration
from plcops.testing.coverage import CoverageData
from plcops.testing.scenario import SUFFIX, Scenario, SimulatorTarget, load_scenarios, run_scenario
from plcops.testing.suites import SuiteInfo, TestInfo, TestProject, TestSettings, test_settings
from plcops.testing.tcunit import INTRINSICS, TestOutcome, library

_SESSION = pytest.StashKey["PlcopsSession"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("plcops", "plcops: ST tests and scenarios on the simulator")
    group.addoption("--plcops-cov", action="store_true", help="Measure ST statement and branch coverage.")
    group.addoption(
        "--plcops-cov-report",
        action="append",
        default=[],
        metavar="TYPE",
        help="Coverage report: text, html[:DIR], cobertura[:FILE]; repeatable (default: text).",
    )
    group.addoption(
        "--plcops-cov-fail-under", type=float, default=None, metavar="N", help="Fail when ST coverage is below N %."
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SESSION] = PlcopsSession(config)
    config.addinivalue_line("markers", "plcops: an ST test or scenario run on the plcops simulator")


# ---------------------------------------------------------------------------------------------- session


class PlcopsSession:
    """Projects compiled once per pytest process, and their coverage."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.coverage = bool(config.getoption("--plcops-cov", default=False))
        self.projects: dict[Path, TestProject] = {}
        self.errors: dict[Path, SimulationError] = {}
        self.modules: list[tuple[Path, Any]] = []
        self.worker_counts: dict[str, list[int]] = {}
        self.reported: set[Path] = set()
        self.summary: list[str] = []  # coverage report text for the terminal summary
        self.settings_by_root: dict[Path, tuple[list[Path], TestSettings]] = {}

    def report_compile_error(self, root: Path) -> bool:
        """True the first time a project's compile error is asked for (it is reported once)."""
        if root in self.reported:
            return False
        self.reported.add(root)
        return True

    def root_of(self, path: Path) -> Path | None:
        for folder in [path.parent, *path.parent.parents]:
            if (folder / "plcops.toml").is_file():
                return folder
        return None

    def selected(self, root: Path, path: Path) -> bool:
        """Whether a file's tests are collected: ``[test] patterns`` (file-name globs, default all).

        An invalid plcops.toml selects every file: collecting it then reports the error, with its line.
        """
        try:
            _, settings = self.settings(root)
        except DiagnosticError:
            return True
        name = path.name.casefold()
        return any(fnmatch.fnmatchcase(name, pattern.casefold()) for pattern in settings.patterns or ["*"])

    def settings(self, root: Path) -> tuple[list[Path], TestSettings]:
        """The project's sources (``[project] sources`` and ``[test] paths``) and ``[test]`` settings.

        Raises:
            DiagnosticError: an invalid plcops.toml.
        """
        if root not in self.settings_by_root:
            config = load_config(root / CONFIG_NAME)
            settings = test_settings(config)
            sources = [root / source for source in config.sources]
            sources += [root / extra for extra in settings.paths if root / extra not in sources]
            self.settings_by_root[root] = (sources, settings)
        return self.settings_by_root[root]

    def project(self, root: Path) -> TestProject:
        """The compiled project (raises SimulationError when it does not compile)."""
        if root in self.errors:
            raise self.errors[root]
        if root not in self.projects:
            sources, settings = self.settings(root)
            try:
                project = TestProject.load([s for s in sources if s.exists()], settings, coverage=self.coverage)
            except SimulationError as exc:
                self.errors[root] = exc
                raise
            self.projects[root] = project
            self.modules.append((root, project.module))
        return self.projects[root]

    def simulator(self, root: Path, program: str | None = None, cycle: str | None = None) -> Simulator:
        """A fresh simulator of the project, running its tasks (or ``program``)."""
        project = self.project(root)
        _, settings = self.settings(root)
        from plcops.sim.simulator import _tasks

        tasks = _tasks(project.model, program or settings.program, parse_duration(cycle or settings.cycle))
        simulator = Simulator(project.simulator.checked, project.simulator.generated, tasks)
        simulator.module.__dict__["T"] = project.runtime
        self.modules.append((root, simulator.module))
        return simulator

    def coverage_data(self) -> dict[Path, CoverageData]:
        found: dict[Path, CoverageData] = {}
        for root, project in self.projects.items():
            _, settings = self.settings(root)
            test_folders = [(root / folder).resolve() for folder in settings.paths]
            tests_only = {
                pou.name
                for pou in project.model.user_pous()
                if any(Path(pou.path).resolve().is_relative_to(folder) for folder in test_folders)
            }
            exclude = {suite.name for suite in project.suites} | tests_only  # measure the code under test
            data = CoverageData(project.simulator.generated.points, project.model.sources, exclude)
            data.root = root
            for module_root, module in self.modules:
                if module_root == root:
                    data.add(module.COV)
            counts = self.worker_counts.get(str(root))
            if counts:
                data.add(counts)
            found[root] = data
        return found


# ---------------------------------------------------------------------------------------------- collection


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    session: PlcopsSession = parent.config.stash[_SESSION]
    if file_path.name.endswith(SUFFIX):
        root = session.root_of(file_path)
        if root is None or not session.selected(root, file_path):
            return None
        return ScenarioFile.from_parent(parent, path=file_path)
    if file_path.suffix.lower() in SOURCE_SUFFIXES and file_path.suffix.lower() != ".xml":
        root = session.root_of(file_path)
        if root is None or not session.selected(root, file_path):
            return None
        try:
            text = file_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        if "FB_TestSuite" not in text and "fb_testsuite" not in text.casefold():
            return None
        return StFile.from_parent(parent, path=file_path)
    return None


class StFile(pytest.File):
    """An ST file with test suites."""

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        session: PlcopsSession = self.config.stash[_SESSION]
        root = session.root_of(self.path)
        assert root is not None
        try:
            project = session.project(root)
        except SimulationError as exc:
            if session.report_compile_error(root):  # one failing item per project, not one per file
                yield ProjectErrorItem.from_parent(self, name="compile", error=exc)
            return
        except DiagnosticError as exc:  # an invalid plcops.toml, reported by the first file collected
            if session.report_compile_error(root):
                raise self.CollectError(exc.diagnostic.format()) from None
            return
        here = self.path.resolve()
        for suite in project.suites:
            if Path(suite.path).resolve() == here:
                yield StSuite.from_parent(self, name=suite.name, suite=suite, root=root)


class StSuite(pytest.Collector):
    """A FUNCTION_BLOCK that extends FB_TestSuite."""

    def __init__(self, *, suite: SuiteInfo, root: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.root = root

    def collect(self) -> Iterator[pytest.Item]:
        for test in self.suite.tests:
            item = StTestItem.from_parent(self, name=test.name, suite=self.suite, test=test, root=self.root)
            if test.disabled:
                item.add_marker(pytest.mark.skip(reason="DISABLED_ test"))
            yield item


class StTestFailed(Exception):
    """An ST test did not pass."""

    def __init__(self, outcome: TestOutcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


class StTestItem(pytest.Item):
    """One ``TEST('name')`` of a suite."""

    def __init__(self, *, suite: SuiteInfo, test: TestInfo, root: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.test = test
        self.root = root
        self.add_marker(pytest.mark.plcops)

    def setup(self) -> None:
        # The test runs here, so that a runtime error in the ST (division by zero, an index out of bounds)
        # is reported as an error -- pytest's ERROR, JUnit's <error> -- and a failed assert as a failure.
        session: PlcopsSession = self.config.stash[_SESSION]
        self.outcome = session.project(self.root).outcome(self.suite.name, self.test.name)
        self.user_properties.append(("scans", self.outcome.scans))
        self.user_properties.append(("virtual_time_ns", self.outcome.time_ns))
        if self.outcome.status == "error":
            raise pytest.fail.Exception(_describe(self.outcome), pytrace=False)

    def runtest(self) -> None:
        if not self.outcome.passed:
            raise StTestFailed(self.outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, StTestFailed):
            return _describe(excinfo.value.outcome)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.test.line - 1, 0), f"{self.suite.name}::{self.test.name}"


def _describe(outcome: TestOutcome) -> str:
    lines = [f"{outcome.suite}.{outcome.name}: {outcome.status} ({outcome.asserts} asserts, {outcome.scans} scans)"]
    lines.extend(failure.describe() for failure in outcome.failures)
    return "\n".join(lines)


class ProjectErrorItem(pytest.Item):
    """Reports a project that does not compile as one failing item (with its diagnostics)."""

    def __init__(self, *, error: SimulationError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return "the project does not compile:\n" + "\n".join(d.format() for d in self.error.diagnostics)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, "compile"


class ScenarioFile(pytest.File):
    """A scenario file: one item per case."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenarios = load_scenarios(self.path)
        except DiagnosticError as exc:
            raise self.CollectError(exc.diagnostic.format()) from None
        session: PlcopsSession = self.config.stash[_SESSION]
        root = session.root_of(self.path)
        assert root is not None
        try:
            session.project(root)
        except SimulationError as exc:
            if session.report_compile_error(root):
                yield ProjectErrorItem.from_parent(self, name="compile", error=exc)
            return
        except DiagnosticError as exc:
            if session.report_compile_error(root):
                raise self.CollectError(exc.diagnostic.format()) from None
            return
        for scenario in scenarios:
            yield ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario)


class ScenarioFailed(Exception):
    """Expectations of a scenario were not met."""


def _signal_error(path: Path, signal: str, variable: str, exc: KeyError) -> str:
    """``file:line:col: error: ...`` for a [signals] entry that names no variable."""
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(signal) and variable in line:
            column = line.index(variable) + 1
            return f"{path}:{number}:{column}: error: signal '{signal}': {exc.args[0] if exc.args else variable}"
    return f"{path}:1:1: error: signal '{signal}': {exc.args[0] if exc.args else variable}"


class ScenarioItem(pytest.Item):
    """One case of a scenario file, run on the simulator."""

    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.add_marker(pytest.mark.plcops)

    def runtest(self) -> None:
        session: PlcopsSession = self.config.stash[_SESSION]
        root = session.root_of(self.path)
        assert root is not None
        simulator = session.simulator(root, self.scenario.program, self.scenario.cycle)
        for signal, path in self.scenario.signals.items():
            try:
                simulator.raw(path)
            except KeyError as exc:
                raise ScenarioFailed(_signal_error(self.path, signal, path, exc)) from None
        result = run_scenario(self.scenario, SimulatorTarget(simulator, self.scenario.signals))
        self.user_properties.append(("scans", result.scans))
        if not result.passed:
            raise ScenarioFailed("\n".join(result.failures))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            return f"scenario {self.scenario.id} ({self.path}):\n" + "\n".join(
                f"  {line}" for line in str(excinfo.value).splitlines()
            )
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario {self.scenario.id}"


# ---------------------------------------------------------------------------------------------- fixture


class Plc:
    """The ``plc`` fixture: a fresh simulator of the project, with signal history.

    ``plc["MAIN.x"]``, ``plc["GVL.y"] = 5``, ``plc.scan(n)``, ``plc.advance("T#2s")``,
    ``plc.scan_until(lambda p: p["MAIN.done"], timeout="T#10s")``; ``plc.watch("MAIN.x")`` records a
    variable after every scan, ``plc.history("MAIN.x")`` returns [(time_ns, value)], ``plc.changes(...)``
    only the scans where it changed, ``plc.rose(...)``/``plc.fell(...)`` the times of its edges.
    """

    def __init__(self, simulator: Simulator) -> None:
        self.sim = simulator
        self._watched: dict[str, list[tuple[int, Any]]] = {}
        self._before: dict[str, Any] = {}  # each watched variable's value when watching began

    def where(self) -> str:
        """``scan N, at T#...``: where the PLC is now, for failure messages."""
        return f"scan {self.sim.scans}, at {format_duration(self.sim.now_ns)}"

    def __getitem__(self, path: str) -> Any:
        return self.sim[path]

    def __setitem__(self, path: str, value: Any) -> None:
        self.sim[path] = value

    @property
    def now_ns(self) -> int:
        return self.sim.now_ns

    def watch(self, *paths: str) -> None:
        for path in paths:
            self._before.setdefault(path, self.sim[path])  # also fails early on a wrong path
            self._watched.setdefault(path, [])

    def scan(self, count: int = 1) -> None:
        if not self._watched:
            self.sim.scan(count)
            return
        for _ in range(count):
            time_ns = self.sim.now_ns
            self.sim.scan()
            for path, history in self._watched.items():
                history.append((time_ns, self.sim[path]))

    def advance(self, duration: str | int) -> None:
        self.scan(-(-parse_duration(duration) // self.sim.base_ns))

    def scan_until(self, condition: Callable[[Plc], bool], timeout: str | int) -> bool:
        """Scan until ``condition(plc)`` holds; False when ``timeout`` of virtual time passed first."""
        limit = self.sim.now_ns + parse_duration(timeout)
        while self.sim.now_ns < limit:
            self.scan()
            if condition(self):
                return True
        return False

    def history(self, path: str) -> list[tuple[int, Any]]:
        return list(self._watched[path])

    def changes(self, path: str) -> list[tuple[int, Any]]:
        found: list[tuple[int, Any]] = []
        for time_ns, value in self._watched[path]:
            if not found or found[-1][1] != value:
                found.append((time_ns, value))
        return found

    def _pairs(self, path: str) -> list[tuple[int, Any, Any]]:
        """(time, value, value before) for every scan since watching began; the first scan compares with
        the value the variable had when :meth:`watch` was called."""
        history = self._watched[path]
        befores = [self._before[path], *(value for _, value in history[:-1])]
        return [(t, value, before) for (t, value), before in zip(history, befores, strict=True)]

    def rose(self, path: str) -> list[int]:
        """Times of the scans that turned ``path`` from FALSE to TRUE."""
        return [t for t, value, before in self._pairs(path) if value and not before]

    def fell(self, path: str) -> list[int]:
        """Times of the scans that turned ``path`` from TRUE to FALSE."""
        return [t for t, value, before in self._pairs(path) if before and not value]

    def expect_within(self, condition: Callable[[Plc], bool], timeout: str | int, message: str = "") -> None:
        """Scan until ``condition(plc)`` holds; fail (with the scan and the virtual time) if ``timeout`` of
        virtual time passes first."""
        started = self.where()
        if not self.scan_until(condition, timeout):
            raise AssertionError(
                f"{message or 'condition'} did not hold within {timeout} (from {started} to {self.where()})"
            )

    def expect_stays(self, condition: Callable[[Plc], bool], duration: str | int, message: str = "") -> None:
        """Scan for ``duration`` of virtual time; fail at the first scan where ``condition(plc)`` is false."""
        limit = self.sim.now_ns + parse_duration(duration)
        while self.sim.now_ns < limit:
            self.scan()
            if not condition(self):
                raise AssertionError(
                    f"{message or 'condition'} stopped holding at {self.where()} (required for {duration})"
                )

    def force(self, path: str, value: Any) -> None:
        self.sim.force(path, value)


@pytest.fixture
def plc(request: pytest.FixtureRequest) -> Plc:
    """A fresh simulator of the plcops project the test file belongs to (see :class:`Plc`)."""
    session: PlcopsSession = request.config.stash[_SESSION]
    root = session.root_of(Path(str(request.path)))
    if root is None:
        pytest.fail("the plc fixture needs a plcops project (no plcops.toml above the test file)")
    try:
        return Plc(session.simulator(root))
    except DiagnosticError as exc:
        pytest.fail(exc.diagnostic.format(), pytrace=False)
    except SimulationError as exc:
        pytest.fail("the project does not compile:\n" + "\n".join(d.format() for d in exc.diagnostics), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed test that used the ``plc`` fixture reports where the PLC was: scan and virtual time."""
    report = yield
    plc_fixture = getattr(item, "funcargs", {}).get("plc")
    if report.failed and call.when == "call" and isinstance(plc_fixture, Plc):
        report.sections.append(("plcops", f"the PLC was at {plc_fixture.where()}"))
    return report


# ---------------------------------------------------------------------------------------------- coverage


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    plcops_session: PlcopsSession = config.stash[_SESSION]
    if not plcops_session.coverage:
        return
    if hasattr(config, "workerinput"):  # an xdist worker: hand the counters to the controller
        data = plcops_session.coverage_data()
        config.workeroutput["plcops_cov"] = {str(root): d.counts for root, d in data.items()}  # type: ignore[attr-defined]
        return
    _report(config, plcops_session, session)


def pytest_testnodedown(node: Any, error: Any) -> None:
    config = node.config
    plcops_session: PlcopsSession = config.stash[_SESSION]
    for root, counts in getattr(node, "workeroutput", {}).get("plcops_cov", {}).items():
        existing = plcops_session.worker_counts.setdefault(root, [0] * len(counts))
        for index, value in enumerate(counts):
            existing[index] += value


def _report(config: pytest.Config, plcops_session: PlcopsSession, session: pytest.Session) -> None:
    """Write the coverage files and judge --plcops-cov-fail-under; the text goes to the terminal summary."""
    for root in {Path(r) for r in plcops_session.worker_counts}:
        if root not in plcops_session.projects:
            try:
                plcops_session.project(root)
            except (SimulationError, DiagnosticError):
                continue
    reports = config.getoption("--plcops-cov-report") or ["text"]
    lines = plcops_session.summary
    for root, data in plcops_session.coverage_data().items():
        for report in reports:
            kind, _, target = report.partition(":")
            if kind == "text":
                lines.append("ST coverage (statements and branches)\n" + data.text())
            elif kind == "html":
                index = data.html(Path(target or "plcops-htmlcov"), root)
                lines.append(f"ST coverage HTML written to {index}\n")
            elif kind == "cobertura":
                path = Path(target or "plcops-coverage.xml")
                path.write_text(data.cobertura(root), encoding="utf-8")
                lines.append(f"ST coverage Cobertura XML written to {path}\n")
        threshold = config.getoption("--plcops-cov-fail-under")
        if threshold is not None and data.percent() < threshold:
            lines.append(f"FAIL: ST coverage {data.percent():.1f}% is below {threshold:g}%\n")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    plcops_session: PlcopsSession = config.stash[_SESSION]
    if plcops_session.summary:
        terminalreporter.write_sep("-", "plcops ST coverage")
        for text in plcops_session.summary:
            terminalreporter.write(text)


__all__ = ["INTRINSICS", "Plc", "PlcopsSession", "library", "plc"]


# ---------------------------------------------------------------------------------------------- JUnit


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Regroup pytest's JUnit file (written at session end): a <testsuite> per ST function block (and per
    module or scenario file for other items), as CI test tabs show suites."""
    path = getattr(config.option, "xmlpath", None)
    if not path or hasattr(config, "workerinput"):
        return
    from plcops.testing.junit import regroup

    regroup(Path(path))
