"""Running a compiled project on virtual time: tasks, scans, variables by path, forcing, snapshots, restarts.

```python
from plcops.sim.simulator import Simulator

sim = Simulator.load(["docs/examples/filling_station"], program="MAIN")
sim["GVL_IO.bStartButton"] = True
sim.advance("T#2s")                       # scans every 10 ms until 2 s of virtual time have passed
assert sim["MAIN.fbStation.bConveyorRun"]
```

Scheduling (docs/semantics.md): the clock starts at 0 and advances by the base period (the greatest common
divisor of the task intervals, or ``cycle_time`` for a single program) after every scan. A task runs in
a scan when the scan's time is a multiple of its interval; due tasks run in priority order (0 first) and a
task's programs in the order they were declared. ``TIME()`` reads the scan's start time.
"""

from __future__ import annotations

import linecache
import math
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from plcops.sim import library
from plcops.sim.compiler import CompileError, Generated, compile_project, ident
from plcops.sim.rt import StRuntimeError
from plcops.st import ast
from plcops.st.checker import Checked, check
from plcops.st.diagnostics import Diagnostic, Severity
from plcops.st.intrinsics import Intrinsic
from plcops.st.literals import (
    LiteralError,
    duration_ns,
    format_date,
    format_date_and_time,
    format_duration,
    format_time_of_day,
)
from plcops.st.model import (
    ArrayType,
    ElementaryType,
    EnumType,
    Model,
    PointerType,
    PouInfo,
    PouType,
    ReferenceType,
    StringType,
    StructType,
    SubrangeType,
    Type,
    VarInfo,
    resolved,
)
from plcops.st.parser import ParseResult

DEFAULT_CYCLE_NS = 10_000_000
_MODULE_NAME = "<plcops-simulation>"


class SimulationError(Exception):
    """The project cannot be simulated: diagnostics say why (``file:line:col: error: ...``)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.header() for d in diagnostics))
        self.diagnostics = diagnostics


class ScanError(Exception):
    """A runtime error in the ST program, with where and when it happened."""

    def __init__(self, message: str, path: str, line: int, column: int, scan: int, time_ns: int) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.scan = scan
        self.time_ns = time_ns
        super().__init__(f"{path}:{line}:{column}: error: {message} (scan {scan}, at {format_duration(time_ns)})")


@dataclass(frozen=True)
class Variable:
    """One variable of a running simulator, resolved (see :meth:`Simulator.bind`)."""

    path: str
    owner: Any
    attribute: Any
    type: Type

    def raw(self) -> Any:
        """The internal value (TIME in nanoseconds, enumerations as integers)."""
        value = _get(self.owner, self.attribute)
        return value.get() if hasattr(value, "get") else value

    def prepare_write(self, value: Any) -> Callable[[], None]:
        """Check a value (ValueError for one the type refuses); the returned function stores it."""
        converted = from_python(value, self.type, self.path)
        owner, attribute = self.owner, self.attribute
        return lambda: _set(owner, attribute, converted)


@dataclass
class Task:
    """A cyclic task and the program instances it runs."""

    name: str
    interval_ns: int
    priority: int
    programs: list[tuple[str, str]] = field(default_factory=list)  # (instance name, program type), declared order


def parse_duration(value: str | int) -> int:
    """``T#10ms``, ``10ms``, ``1.5s`` or a number of nanoseconds."""
    if isinstance(value, int):
        return value
    text = value.strip()
    try:
        return duration_ns(text if "#" in text else f"T#{text}")
    except LiteralError as exc:
        raise ValueError(f"not a duration: {value!r} ({exc})") from None


class Simulator:
    """A loaded project, ready to scan (see the module docstring)."""

    def __init__(self, checked: Checked, generated: Generated, tasks: list[Task]) -> None:
        self.checked = checked
        self.model: Model = checked.model
        self.generated = generated
        self.tasks = sorted(tasks, key=lambda task: task.priority)
        self.base_ns = _gcd([task.interval_ns for task in self.tasks]) or DEFAULT_CYCLE_NS
        self.scans = 0
        self.generation = 0  # restarts so far (bound Variables are stale after one)
        self.forces: dict[str, Any] = {}
        self.module = self._load_module()
        self.instances = self._make_instances()
        self._schedule = self._build_schedule()

    # -------------------------------------------------------------------- loading

    @classmethod
    def load(
        cls,
        paths: Sequence[Path | str],
        *,
        program: str | None = None,
        cycle_time: str | int = DEFAULT_CYCLE_NS,
        extra_sources: Sequence[ParseResult] = (),
        libraries: Sequence[ParseResult] = (),
        intrinsics: Sequence[Intrinsic] = (),
    ) -> Simulator:
        """Load, check and compile a project (files, folders, or a plcops project folder).

        With ``program``, that program runs every ``cycle_time``; without, the CONFIGURATION's tasks run
        (and when there is none, the only PROGRAM does).

        Raises:
            SimulationError: syntax or semantic errors, or constructs the simulator does not run.
        """
        from plcops.project.checking import parse_project

        loaded = parse_project(paths)
        if loaded.syntax_errors:
            raise SimulationError(loaded.syntax_errors)
        results = [*loaded.results, *extra_sources]
        return cls.from_results(
            results, program=program, cycle_time=cycle_time, libraries=libraries, intrinsics=intrinsics
        )

    @classmethod
    def from_text(cls, text: str, path: str = "<st>", **options: Any) -> Simulator:
        """Load a project from ST text (for tests and experiments)."""
        from plcops.st.parser import parse_text

        result = parse_text(text, path)
        if result.diagnostics:
            raise SimulationError(result.diagnostics)
        return cls.from_results([result], **options)

    @classmethod
    def from_results(
        cls,
        results: Sequence[ParseResult],
        *,
        program: str | None = None,
        cycle_time: str | int = DEFAULT_CYCLE_NS,
        libraries: Sequence[ParseResult] = (),
        intrinsics: Sequence[Intrinsic] = (),
        schedule: bool = True,
        coverage: bool = False,
    ) -> Simulator:
        """Check and compile parsed files.

        ``libraries`` and ``intrinsics`` extend the language for a caller such as the test framework (which
        then installs its runtime as ``sim.module.T``); with ``schedule`` False no task runs (the caller
        drives instances itself).
        """
        model = Model.build(list(results), libraries=list(libraries), intrinsics=list(intrinsics))
        checked = check(model)
        errors = [d for d in checked.diagnostics if d.severity is Severity.ERROR]
        if errors:
            raise SimulationError(errors)
        try:
            generated = compile_project(checked, coverage=coverage)
        except CompileError as exc:
            source = model.sources.get(exc.path)
            span = getattr(exc.node, "span", None)
            if source is not None and span is not None:
                raise SimulationError([Diagnostic.at(source, span[0], exc.message, end=span[1], code="sim")]) from None
            raise SimulationError([Diagnostic(exc.path, 1, 1, exc.message, code="sim")]) from None
        period = parse_duration(cycle_time)
        if period <= 0:  # "0.4ns" rounds to 0: time would stand still (and divide by zero)
            raise ValueError(f"the cycle time must be at least 1 ns, not {cycle_time!r}")
        tasks = _tasks(model, program, period) if schedule else []
        simulator = cls(checked, generated, tasks)
        if not schedule:
            simulator.base_ns = period
        return simulator

    def _load_module(self) -> types.ModuleType:
        module = types.ModuleType(_MODULE_NAME)
        source = self.generated.source
        code = compile(source, _MODULE_NAME, "exec")
        linecache.cache[_MODULE_NAME] = (len(source), None, source.splitlines(keepends=True), _MODULE_NAME)
        try:
            exec(code, module.__dict__)  # our own generated code; it creates the globals and instances
        except Exception as exc:  # an initial value the checker let through: say where, not a traceback
            path, line, column = self._where(exc)
            message = f"cannot initialise the variables: {_describe_exception(exc)}"
            raise SimulationError([Diagnostic(path, max(line, 1), max(column, 1), message)]) from None
        return module

    def _build_schedule(self) -> list[tuple[int, list[Callable[[], None]]]]:
        schedule = []
        for task in self.tasks:
            bodies = [self.instance(name).body for name, _ in task.programs]
            schedule.append((task.interval_ns // self.base_ns, bodies))
        return schedule

    def _make_instances(self) -> dict[str, tuple[PouInfo, Any]]:
        """Program instances by case-folded name: a program's first instance is the module's own (the
        one other POUs call); further instances of the same program are objects of their own."""
        instances: dict[str, tuple[PouInfo, Any]] = {}
        used: set[str] = set()
        for task in self.tasks:
            for name, type_name in task.programs:
                pou = self.model.pous[type_name]
                if type_name in used:
                    instance = getattr(self.module, f"P_{ident(pou.name)}")()
                else:
                    instance = getattr(self.module, f"I_{ident(pou.name)}")
                    used.add(type_name)
                instances[name.casefold()] = (pou, instance)
        for key, class_name in self.generated.programs.items():
            instances.setdefault(key, (self.model.pous[key], getattr(self.module, f"I_{class_name[2:]}")))
        return instances

    def instance(self, name: str) -> Any:
        """A program instance by instance or program name."""
        entry = self.instances.get(name.casefold())
        if entry is None:
            raise KeyError(f"no program instance '{name}'")
        return entry[1]

    # -------------------------------------------------------------------- running

    @property
    def now_ns(self) -> int:
        """The virtual time of the next scan."""
        return int(self.module.CLOCK.now)

    def scan(self, count: int = 1) -> None:
        """Run ``count`` scans (base periods).

        Raises:
            ScanError: a runtime error in the ST program (the scan stops there).
        """
        clock = self.module.CLOCK
        base = self.base_ns
        schedule = self._schedule
        forces = self.forces
        for _ in range(count):
            tick = self.scans
            if forces:
                self._apply_forces()
            try:
                for every, bodies in schedule:
                    if tick % every == 0:
                        for body in bodies:
                            body()
            except (StRuntimeError, ZeroDivisionError, RecursionError, AttributeError, TypeError, IndexError) as exc:
                raise self._scan_error(exc) from None
            if forces:
                self._apply_forces()
            self.scans = tick + 1
            clock.now += base

    def advance(self, duration: str | int) -> int:
        """Scan until ``duration`` of virtual time has passed; returns the number of scans run."""
        count = math.ceil(parse_duration(duration) / self.base_ns)
        self.scan(count)
        return count

    def scan_until(self, condition: Callable[[Simulator], bool], timeout: str | int) -> bool:
        """Scan until ``condition(sim)`` holds (checked after each scan) or ``timeout`` passes."""
        limit = self.now_ns + parse_duration(timeout)
        while self.now_ns < limit:
            self.scan()
            if condition(self):
                return True
        return False

    def statements_run(self, call: Callable[[], object]) -> list[tuple[str, int]]:
        """Call ``call`` (typically one scan of compiled code) and return the ST statements it ran, in
        order, as (path, offset of the statement). Exceptions propagate; the statements up to them are
        lost with them, so callers that want them catch inside ``call``.

        It traces Python line events, so it is slow: for diagnosis (where a timed-out test was waiting),
        never for normal scans.
        """
        lines = self.generated.lines
        ran: list[tuple[str, int]] = []

        def on_line(frame: types.FrameType, event: str, _arg: Any) -> Any:
            if event == "line":
                origin = lines.get(frame.f_lineno)
                if origin is not None and (not ran or ran[-1] != origin):
                    ran.append(origin)
            return on_line

        def on_call(frame: types.FrameType, _event: str, _arg: Any) -> Any:
            # Only the generated module is traced: library and runtime helpers are not ST statements.
            return on_line if frame.f_code.co_filename == _MODULE_NAME else None

        previous = sys.gettrace()
        sys.settrace(on_call)
        try:
            call()
        finally:
            sys.settrace(previous)
        return ran

    def _scan_error(self, exc: BaseException) -> ScanError:
        message = str(exc) if isinstance(exc, StRuntimeError) else _describe_exception(exc)
        path, line, column = self._where(exc)
        return ScanError(message, path, line, column, self.scans, self.now_ns)

    def _where(self, exc: BaseException) -> tuple[str, int, int]:
        """The ST statement (path, line, column) whose generated code raised ``exc`` (innermost)."""
        traceback = exc.__traceback__
        origin = None
        while traceback is not None:
            if traceback.tb_frame.f_code.co_filename == _MODULE_NAME:
                origin = self._origin(traceback.tb_lineno) or origin
            traceback = traceback.tb_next
        if origin is not None:
            source = self.model.sources.get(origin[0])
            if source is not None:
                location = source.location(origin[1])
                return origin[0], location.line, location.column
        return "<unknown>", 0, 0

    def _origin(self, line: int) -> tuple[str, int] | None:
        lines = self.generated.lines
        while line > 0:
            if line in lines:
                return lines[line]
            line -= 1
        return None

    # -------------------------------------------------------------------- variables

    def __getitem__(self, path: str) -> Any:
        owner, attribute, kind = self._resolve(path)
        return to_python(_get(owner, attribute), kind, self.model)

    def raw(self, path: str) -> Any:
        """A variable's internal value (TIME in nanoseconds, enumerations as integers): for traces."""
        return self.bind(path).raw()

    def __setitem__(self, path: str, value: Any) -> None:
        self.bind(path).prepare_write(value)()

    def prepare_write(self, path: str, value: Any) -> Callable[[], None]:
        """Check a write without doing it; the returned function does it. Lets a caller that writes several
        variables at once (a Modbus multi-write) refuse them all when one is refused.

        Raises:
            KeyError: no such variable; ValueError: a value the variable's type refuses.
        """
        return self.bind(path).prepare_write(value)

    def type_of(self, path: str) -> Type:
        """The declared type of a variable path (KeyError for an unknown one)."""
        return self._resolve(path)[2]

    def bind(self, path: str) -> Variable:
        """A variable resolved once, for code that reads or writes it again and again (the virtual PLC's
        Modbus server): no path is parsed per access. It stays valid until :meth:`restart`, which
        creates new instances; :attr:`generation` counts restarts, so a holder knows when to bind again.

        Raises:
            KeyError: no such variable.
        """
        owner, attribute, kind = self._resolve(path)
        return Variable(path, owner, attribute, kind)

    def force(self, path: str, value: Any) -> None:
        """Hold a variable at a value: written before and after every scan until :meth:`unforce`."""
        owner, attribute, kind = self._resolve(path)
        self.forces[path] = (owner, attribute, from_python(value, kind, path))
        _set(owner, attribute, self.forces[path][2])

    def unforce(self, path: str | None = None) -> None:
        """Release one forced variable, or all."""
        if path is None:
            self.forces.clear()
        else:
            self.forces.pop(path, None)

    def _apply_forces(self) -> None:
        for owner, attribute, value in self.forces.values():
            _set(owner, attribute, value)

    def _resolve(self, path: str) -> tuple[Any, Any, Type]:
        """(object, attribute or index, type) of a dotted path such as ``MAIN.fbPump.Q`` or ``GVL.a[2]``."""
        parts = _split_path(path)
        if not parts:
            raise KeyError(path)
        head = parts[0][0].casefold()
        module = self.module
        gvl = self.model.gvls.get(head)
        rest = parts[1:]
        owner: Any
        kind: Type
        if head in self.instances:
            program, owner = self.instances[head]
            kind = PouType(program)
            if parts[0][1]:
                raise KeyError(f"{path}: a program cannot be indexed")
        elif gvl is not None and rest:
            name, indexes = rest[0]
            variable = gvl.variables.get(name.casefold())
            if variable is None:
                raise KeyError(f"{path}: {gvl.name} has no variable {name}")
            owner, kind = module.G, variable.type
            attribute: Any = self.generated.globals[id(variable)]
            rest = rest[1:]
            owner, attribute, kind = _indexes(owner, attribute, kind, indexes, path)
            return self._walk(owner, attribute, kind, rest, path)
        elif head in self.model.globals:
            variable = self.model.globals[head]
            attribute = self.generated.globals[id(variable)]
            owner, attribute, kind = _indexes(module.G, attribute, variable.type, parts[0][1], path)
            return self._walk(owner, attribute, kind, rest, path)
        else:
            raise KeyError(f"{path}: no program, GVL or global variable '{parts[0][0]}'")
        if not rest:
            raise KeyError(f"{path}: name a variable of the program")
        name, indexes = rest[0]
        owner, attribute, kind = self._step(owner, kind, name, indexes, path)
        return self._walk(owner, attribute, kind, rest[1:], path)

    def _step(self, owner: Any, kind: Type, name: str, indexes: list[int], path: str) -> tuple[Any, Any, Type]:
        """One member down from ``owner`` (of type ``kind``); a VAR_EXTERNAL leads to its global."""
        target = resolved(kind)
        if isinstance(target, PouType):
            variable = target.pou.variable(name)
            if variable is not None and variable.section == "VAR_EXTERNAL":
                external = self.model.globals.get(variable.name.casefold())
                if external is None:
                    raise KeyError(f"{path}: no global variable {variable.name} for this VAR_EXTERNAL")
                attribute = self.generated.globals[id(external)]
                return _indexes(self.module.G, attribute, external.type, indexes, path)
        attribute, kind = _member(target, name, path)
        return _indexes(owner, attribute, kind, indexes, path)

    def _walk(
        self, owner: Any, attribute: Any, kind: Type, rest: list[tuple[str, list[int]]], path: str
    ) -> tuple[Any, Any, Type]:
        for name, indexes in rest:
            owner = _get(owner, attribute)
            target = resolved(kind)
            if isinstance(target, ReferenceType):
                target = resolved(target.target)
                if hasattr(owner, "get"):
                    owner = owner.get()
            owner, attribute, kind = self._step(owner, target, name, indexes, path)
        return owner, attribute, kind

    def program_names(self) -> list[str]:
        """The program instances the tasks run, in scheduling order."""
        return [name for task in self.tasks for name, _ in task.programs]

    def variables(self, program: str) -> dict[str, Any]:
        """Every variable of a program instance by declared name (the ``--json`` ``variables`` object)."""
        entry = self.instances.get(program.casefold())
        if entry is None:
            raise KeyError(f"no program '{program}'")
        pou, instance = entry
        values = instance_json(instance, pou, self.model)
        for variable in pou.all_variables():  # a VAR_EXTERNAL shows its global
            if (
                variable.section == "VAR_EXTERNAL"
                and not variable.hidden
                and variable.name.casefold() in self.model.globals
            ):
                values[variable.name] = self[variable.name]
        return values

    # -------------------------------------------------------------------- state

    def snapshot(self) -> dict[str, Any]:
        """The whole state (programs, globals, clock, scan count), to :meth:`restore` later."""
        module = self.module
        programs = {name: instance._copy() for name, (_, instance) in self.instances.items()}
        return {"programs": programs, "globals": module.G._copy(), "now": module.CLOCK.now, "scans": self.scans}

    def restore(self, state: dict[str, Any]) -> None:
        """Return to a :meth:`snapshot` (copies it again, so a snapshot can be restored many times)."""
        module = self.module
        for name, instance in state["programs"].items():
            _assign_slots(self.instances[name][1], instance._copy())
        _assign_slots(module.G, state["globals"]._copy())
        module.CLOCK.now = state["now"]
        self.scans = state["scans"]

    def restart(self, mode: str = "cold") -> None:
        """Restart the PLC: ``warm`` keeps RETAIN and PERSISTENT variables, ``cold`` keeps PERSISTENT ones,
        ``origin`` keeps nothing. The clock and scan count start again from 0."""
        if mode not in ("warm", "cold", "origin"):
            raise ValueError("restart mode must be warm, cold or origin")
        module = self.module
        keep = {"warm": ("retain", "persistent"), "cold": ("persistent",), "origin": ()}[mode]
        # The objects are initialised again in place, as at load (globals first): references and pointers
        # set up by initial values (REF= x, ADR(x)) then point into the live objects, not into copies.
        globals_before = _kept_globals(module.G, self.model, self.generated, keep)
        type(module.G).__init__(module.G)
        for attribute, value in globals_before.items():
            setattr(module.G, attribute, value)
        for instance in {id(i): i for _, i in self.instances.values()}.values():
            kept = _kept_values(instance, keep)
            initialise = getattr(type(instance), "_init", None)
            if initialise is not None:
                initialise(instance)
            else:
                _assign_slots(instance, type(instance)())
            _restore_kept(instance, kept)
        module.CLOCK.now = 0
        self.scans = 0
        self.generation += 1


# ---------------------------------------------------------------------------------------------- tasks


def _tasks(model: Model, program: str | None, cycle_ns: int) -> list[Task]:
    programs = {pou.name.casefold(): pou for pou in model.user_pous() if pou.kind == "PROGRAM"}
    if program is not None:
        key = program.casefold()
        instance_type = None
        for configuration in model.configurations:
            for resource in [configuration.node, *configuration.node.resources]:
                for entry in resource.programs:  # type: ignore[attr-defined]
                    if entry.name.text.casefold() == key:
                        instance_type = entry.type_name.casefold()
        key = instance_type or key
        if key not in programs:
            known = ", ".join(sorted(p.name for p in programs.values())) or "none"
            raise SimulationError([Diagnostic("<command line>", 1, 1, f"no PROGRAM '{program}' (programs: {known})")])
        return [Task("main", cycle_ns, 0, [(program if instance_type else programs[key].name, key)])]
    tasks: list[Task] = []
    for configuration in model.configurations:
        node = configuration.node
        declared: dict[str, Task] = {}
        for resource in [node, *node.resources]:
            for task_node in [*getattr(resource, "tasks", [])]:
                declared[task_node.name.text.casefold()] = _task(task_node, configuration.path, model)
            for entry in resource.programs:  # type: ignore[attr-defined]
                task = declared.get((entry.task or "").casefold())
                if task is None:
                    task = declared.setdefault("__background__", Task("background", cycle_ns, 99))
                task.programs.append((entry.name.text, entry.type_name.casefold()))
        tasks.extend(task for task in declared.values() if task.programs)
    if tasks:
        return tasks
    if len(programs) == 1:
        return [Task("main", cycle_ns, 0, [(pou.name, key) for key, pou in programs.items()])]
    names = ", ".join(sorted(p.name for p in programs.values())) or "none"
    raise SimulationError(
        [
            Diagnostic(
                "<command line>",
                1,
                1,
                f"choose a program with --program (programs: {names}), or declare a CONFIGURATION",
            )
        ]
    )


def _task(node: ast.TaskConfig, path: str, model: Model) -> Task:
    interval = DEFAULT_CYCLE_NS
    priority = 0
    for argument in node.args:
        if not isinstance(argument, ast.NamedArg) or argument.value is None:
            continue
        value = model.const_value(argument.value, path)
        name = argument.name.upper()
        if name == "INTERVAL" and isinstance(value, int) and value > 0:
            interval = value
        elif name == "PRIORITY" and isinstance(value, int):
            priority = value
        elif name == "SINGLE":
            raise SimulationError(
                [
                    Diagnostic.at(
                        model.sources[path],
                        node.span.start,
                        f"event task {node.name.text} (SINGLE) is not simulated",
                        code="sim",
                    )
                ]
            )
    return Task(node.name.text, interval, priority)


def _gcd(values: list[int]) -> int:
    result = 0
    for value in values:
        result = math.gcd(result, value)
    return result


# ---------------------------------------------------------------------------------------------- values


def _split_path(path: str) -> list[tuple[str, list[int]]]:
    """``MAIN.aValues[2, 3].x`` -> [("MAIN", []), ("aValues", [2, 3]), ("x", [])]."""
    parts = []
    for piece in _dots(path):
        name, _, rest = piece.partition("[")
        indexes = [int(i) for i in rest.rstrip("]").replace("][", ",").split(",") if i.strip()] if rest else []
        parts.append((name.strip(), indexes))
    return parts


def _dots(path: str) -> Iterator[str]:
    depth = 0
    current = ""
    for char in path:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == "." and depth == 0:
            yield current
            current = ""
        else:
            current += char
    if current:
        yield current


def _member(kind: Type, name: str, path: str) -> tuple[str, Type]:
    kind = resolved(kind)
    if isinstance(kind, PouType):
        variable = kind.pou.variable(name)
        if variable is None:
            raise KeyError(f"{path}: {kind.pou.name} has no variable {name}")
        return f"v_{ident(variable.name)}", variable.type
    if isinstance(kind, StructType):
        member = kind.fields.get(name.casefold())
        if member is None:
            raise KeyError(f"{path}: {kind.name} has no member {name}")
        return f"v_{ident(member.name)}", member.type
    raise KeyError(f"{path}: a {kind} has no member {name}")


def _indexes(owner: Any, attribute: Any, kind: Type, indexes: list[int], path: str) -> tuple[Any, Any, Type]:
    if not indexes:
        return owner, attribute, kind
    array = resolved(kind)
    if not isinstance(array, ArrayType) or array.dims is None or len(array.dims) != len(indexes):
        raise KeyError(f"{path}: wrong index count")
    offset = 0
    for index, (low, high) in zip(indexes, array.dims, strict=True):
        if not low <= index <= high:
            raise KeyError(f"{path}: index {index} outside {low}..{high}")
        offset = offset * (high - low + 1) + (index - low)
    return _get(owner, attribute), offset, array.element


def _get(owner: Any, attribute: Any) -> Any:
    return owner[attribute] if isinstance(attribute, int) else getattr(owner, attribute)


def _set(owner: Any, attribute: Any, value: Any) -> None:
    if isinstance(attribute, int):
        owner[attribute] = value
    else:
        current = getattr(owner, attribute, None)
        if current is not None and hasattr(current, "set") and not hasattr(value, "set"):
            current.set(value)  # a VAR_IN_OUT or reference: write through it
        else:
            setattr(owner, attribute, value)


def to_python(value: Any, kind: Type, model: Model) -> Any:
    """A simulator value as a JSON-friendly Python value (see :func:`instance_json`)."""
    kind = resolved(kind)
    if hasattr(value, "get") and not isinstance(value, dict):
        try:
            value = value.get()
        except Exception:  # a dangling reference is shown as null
            return None
        if isinstance(kind, ReferenceType):
            kind = resolved(kind.target)
    if isinstance(kind, ElementaryType):
        if kind.is_duration:
            return format_duration(value, "LTIME#" if kind.name == "LTIME" else "T#")
        # The long types keep their own literal prefixes (LDATE#, LTOD#, LDT#), as LTIME keeps LTIME#.
        long = "L" if kind.name.startswith("L") else ""
        if kind.name in ("DATE", "LDATE"):
            return long + format_date(value)
        if kind.name in ("TOD", "LTOD"):
            return long + format_time_of_day(value)
        if kind.name in ("DT", "LDT"):
            return long + format_date_and_time(value)
        return value
    if isinstance(kind, ArrayType):
        items = [to_python(item, kind.element, model) for item in value]
        # ARRAY[1..2, 1..3] is stored flat, row by row; shown nested, a list per row.
        for low, high in reversed((kind.dims or [])[1:]):
            width = high - low + 1
            items = [items[start : start + width] for start in range(0, len(items), width)]
        return items
    if isinstance(kind, StructType):
        return {
            member.name: to_python(getattr(value, f"v_{ident(member.name)}"), member.type, model)
            for member in kind.fields.values()
        }
    if isinstance(kind, PouType):
        if value is None:
            return None
        if kind.pou.kind == "INTERFACE":
            return getattr(value, "_st_name", None)
        return instance_json(value, kind.pou, model)
    if isinstance(kind, (PointerType, ReferenceType)):
        return None if value is None else f"<reference to {kind.target}>"
    return value


def instance_json(instance: Any, pou: PouInfo, model: Model) -> dict[str, Any]:
    """Every (non-hidden) variable of an instance by declared name: BOOL as true/false, numbers as numbers,
    TIME as ``T#..`` literals, arrays as lists, structures and instances as objects."""
    values: dict[str, Any] = {}
    for variable in pou.all_variables():
        if variable.hidden or variable.section in ("VAR_TEMP", "VAR_STAT", "VAR_EXTERNAL"):
            continue  # an external is the global's value: Simulator.variables adds it
        values[variable.name] = to_python(getattr(instance, f"v_{ident(variable.name)}"), variable.type, model)
    return values


def from_python(value: Any, kind: Type, path: str) -> Any:
    """A Python value checked and converted for a variable of ``kind`` (refuses what a PLC would refuse)."""
    if isinstance(kind, SubrangeType):
        number = from_python(value, kind.base, path)
        if not kind.low <= number <= kind.high:
            raise ValueError(f"{path} is {kind}: {number} is outside {kind.low}..{kind.high}")
        return number
    target = resolved(kind)
    if isinstance(target, ElementaryType):
        name = target.name
        if name == "BOOL":
            if isinstance(value, bool) or value in (0, 1):
                return bool(value)
            raise ValueError(f"{path} is BOOL: {value!r} is not TRUE/FALSE")
        if target.is_integer or target.is_bits:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{path} is {name}: {value!r} is not an integer")
            if not target.minimum <= value <= target.maximum:
                raise ValueError(f"{path} is {name}: {value} is outside {target.minimum}..{target.maximum}")
            return value
        if target.is_real:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{path} is {name}: {value!r} is not a number")
            return library.f32(float(value)) if name == "REAL" else float(value)
        if target.is_duration:
            return parse_duration(value) if isinstance(value, str) else int(value)
        if name in ("CHAR", "WCHAR"):
            return str(value)[:1]
        return int(value)
    if isinstance(target, StringType):
        if not isinstance(value, str):
            raise ValueError(f"{path} is {target}: {value!r} is not a string")
        return value[: target.length]
    if isinstance(target, EnumType):
        if isinstance(value, str):
            entry = target.values.get(value.split(".")[-1].split("#")[-1].casefold())
            if entry is None:
                raise ValueError(f"{path} is {target.name}: no value {value!r}")
            return entry[1]
        return int(value)
    raise ValueError(f"{path}: only elementary values, strings and enumerations can be written")


def _describe_exception(exc: BaseException) -> str:
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, RecursionError):
        return "recursion too deep (a POU calls itself without end)"
    if isinstance(exc, AttributeError) and "NoneType" in str(exc):
        return "use of a null reference or interface"
    return f"{type(exc).__name__}: {exc}"


def _assign_slots(target: Any, source: Any) -> None:
    for klass in type(target).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if hasattr(source, slot):
                setattr(target, slot, getattr(source, slot))


def _kept_values(instance: Any, keep: tuple[str, ...], depth: int = 0) -> dict[tuple[Any, ...], Any]:
    """RETAIN/PERSISTENT values of an instance and of the function block instances inside it, by path."""
    kept: dict[tuple[Any, ...], Any] = {}
    if depth > 16:
        return kept
    retained = {
        slot for klass in type(instance).__mro__ for slot, kind in getattr(klass, "_st_retain", ()) if kind in keep
    }
    for klass in type(instance).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            value = getattr(instance, slot, None)
            if slot in retained:
                kept[(slot,)] = value
            elif hasattr(value, "_st_retain"):
                kept.update({(slot, *path): v for path, v in _kept_values(value, keep, depth + 1).items()})
            elif isinstance(value, list) and value and hasattr(value[0], "_st_retain"):
                for index, item in enumerate(value):
                    kept.update({(slot, index, *path): v for path, v in _kept_values(item, keep, depth + 1).items()})
    return kept


def _restore_kept(instance: Any, kept: dict[tuple[Any, ...], Any]) -> None:
    for path, value in kept.items():
        owner = instance
        for step in path[:-1]:
            owner = owner[step] if isinstance(step, int) else getattr(owner, step)
        if isinstance(path[-1], int):
            owner[path[-1]] = value
        else:
            setattr(owner, path[-1], value)


def _kept_globals(store: Any, model: Model, generated: Generated, keep: tuple[str, ...]) -> dict[str, Any]:
    kept = {}
    for gvl in model.gvls.values():
        for variable in gvl.variables.values():
            if (variable.retain and "retain" in keep) or (variable.persistent and "persistent" in keep):
                attribute = generated.globals[id(variable)]
                kept[attribute] = getattr(store, attribute)
    return kept


__all__ = ["ScanError", "SimulationError", "Simulator", "Task", "VarInfo", "parse_duration"]
