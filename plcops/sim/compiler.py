"""Compiling a checked ST project to Python source: one class per function block, program and structure,
one function per function, module-level globals.

The generated code is plain, readable Python (``plcops sim compile --show`` prints it); every statement
records the ST file and line it came from, so a runtime error points at the ST. Semantics
(docs/semantics.md):

* integer arithmetic wraps (two's complement) when the value is stored in a variable, passed to a
  parameter or converted, and 32/64-bit intermediates also wrap where they are used (see ``operand``);
  ``/`` truncates toward zero (a zero divisor is a runtime error), ``MOD`` takes the sign of the dividend
  (``MOD 0`` is 0, as the standard defines it);
* every REAL operation is rounded to IEEE single precision; LREAL is a Python float;
* TIME and dates are integers of nanoseconds; STRING values are cut to their declared length when stored;
* assignment copies structures and arrays; FB instances, VAR_IN_OUT and references share.

Names are mangled so ST's case-insensitive names cannot clash with Python's: variables ``v_<name>``,
methods ``m_``, actions ``a_``, property accessors ``g_``/``s_``, POU classes ``P_``, structures ``S_``,
functions ``f_``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from plcops.sim.library import f32
from plcops.st import ast
from plcops.st.checker import (
    ANY_INT,
    ANY_REAL,
    Binding,
    CallInfo,
    Checked,
    Needs,
    category,
    global_needs,
    initialisation_order,
    values_read,
)
from plcops.st.functions import COMPARISONS, REAL_FUNCTIONS, TIME_FUNCTIONS
from plcops.st.literals import LiteralError
from plcops.st.model import (
    ELEMENTARY,
    ArrayType,
    ElementaryType,
    EnumType,
    Field,
    Model,
    PointerType,
    PouInfo,
    PouType,
    ReferenceType,
    StringType,
    StructType,
    SubrangeType,
    Type,
    UnknownType,
    VarInfo,
    literal_value,
    resolved,
)

_NS_PER_MS = 1_000_000
_LOCAL_SECTIONS_OF_CALLS = ("VAR", "VAR_TEMP", "VAR_INPUT", "VAR_OUTPUT", "VAR_IN_OUT")


class CompileError(Exception):
    """A construct the simulator cannot run, at an ST location."""

    def __init__(self, path: str, node: Any, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.node = node
        self.message = message


def ident(name: str) -> str:
    """The Python-safe, case-folded form of an ST name."""
    return re.sub(r"\W", "_", name.casefold())


@dataclass
class Generated:
    """The generated Python module.

    Attributes:
        source: the Python text.
        lines: generated line number -> (ST path, ST offset) of the statement it came from.
        programs: program name (case-folded) -> Python class name.
        globals: (GVL name, variable) -> attribute of the ``G`` object.
    """

    source: str
    lines: dict[int, tuple[str, int]] = field(default_factory=dict)
    programs: dict[str, str] = field(default_factory=dict)
    globals: dict[int, str] = field(default_factory=dict)  # id(VarInfo) -> attribute
    points: list[CoveragePoint] = field(default_factory=list)  # what each COV counter counts


class _Out:
    """Lines of generated code with their ST origin."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: dict[int, tuple[str, int]] = {}

    def emit(self, indent: int, text: str, origin: tuple[str, int] | None = None) -> None:
        self.lines.append("    " * indent + text)
        if origin is not None:
            self.origins[len(self.lines)] = origin


def _own_needs(variables: list[VarInfo]) -> Needs:
    """What a POU variable's initialisation needs among the POU's own variables: those its initial value or
    FB_init arguments name (values or addresses). The checker refuses reads of later non-constant
    variables, so ordering by this moves only constants and the targets of REF= and ADR."""
    by_name = {variable.name.casefold(): variable for variable in variables}

    def needs(variable: VarInfo) -> Iterator[tuple[ast.Node, VarInfo]]:
        for node in values_read(variable, addresses=True):
            other = by_name.get(node.name.casefold()) if isinstance(node, ast.Name) else None
            if other is not None:
                yield node, other

    return needs


def _element_init_args(variable: VarInfo | Field | None) -> list[ast.Expr]:
    """The per-element FB_init argument lists of an array variable's declaration, if it has them."""
    spec = variable.decl.type if variable is not None and variable.decl is not None else None
    if isinstance(spec, ast.ArrayType) and isinstance(spec.element, ast.InstanceType):
        return spec.element.element_args
    return []


def compile_project(checked: Checked, *, coverage: bool = False) -> Generated:
    """The Python module for a checked project; with ``coverage``, every statement and branch counts its
    executions in the module's ``COV`` list (:attr:`Generated.points` says what each counter is).

    Raises:
        CompileError: a construct the simulator does not run (JMP, pointer arithmetic, ...).
    """
    return _ModuleCompiler(checked, coverage).run()


@dataclass(frozen=True)
class CoveragePoint:
    """What a coverage counter counts.

    kind: ``statement``; or ``branch`` with ``decision`` (the offset of the IF/CASE/loop/short circuit it
    belongs to) and ``label`` (``IF``, ``ELSIF``, ``ELSE``, ``no ELSE``, ``CASE 1``, ``loop taken``,
    ``loop not taken``, ``right side``, ``short circuit``).
    """

    path: str
    offset: int
    kind: str
    pou: str
    decision: int = -1
    label: str = ""


class _ModuleCompiler:
    def __init__(self, checked: Checked, coverage: bool = False) -> None:
        self.coverage = coverage
        self.points: list[CoveragePoint] = []
        self.checked = checked
        self.model: Model = checked.model
        self.out = _Out()
        self.global_attrs: dict[int, str] = {}
        self._layout: list[tuple[str, VarInfo]] | None = None
        self.struct_classes: dict[int, str] = {}
        self.locations: list[tuple[str, int]] = []

    def point(self, point: CoveragePoint) -> int:
        """A new coverage counter."""
        self.points.append(point)
        return len(self.points) - 1

    def location(self, path: str, offset: int) -> int:
        """An index into the module's LOCATIONS table (ST origins for runtime messages)."""
        self.locations.append((path, offset))
        return len(self.locations) - 1

    # -------------------------------------------------------------------- module

    def run(self) -> Generated:
        out = self.out
        out.emit(0, "# Generated by plcops from ST: every statement notes its ST origin.")
        out.emit(0, "from plcops.sim.rt import *")
        out.emit(
            0,
            "from plcops.sim.rt import _Ref, _ItemRef, _copy, _oob, _null, _not_simulated, _Frame, _mux, _hit, _imod0, _range, _outputs, _ArrayView, _bound, _watchdog, _UnionArray, _ug, _us, _fb_init",
        )
        out.emit(0, "from plcops.sim import library as L")
        out.emit(0, "from plcops.sim.library import f32, idiv, imod")
        out.emit(0, "CLOCK = Clock()")
        out.emit(0, "T = None  # the runtime of provided functions (the test framework installs it)")
        out.emit(0, "")
        for key in list(self.model.types):
            kind = self.model.types[key]
            if isinstance(kind, StructType):
                self._struct_class(kind)
        ordered = self._pou_order()
        for pou in ordered:
            if pou.kind in ("FUNCTION_BLOCK", "PROGRAM", "CLASS"):
                self._pou_class(pou)
            elif pou.kind == "FUNCTION":
                self._function(pou)
        self._globals()
        programs = {}
        for pou in ordered:
            if pou.kind == "PROGRAM":
                programs[pou.name.casefold()] = self._class_name(pou)
                out.emit(0, f"I_{ident(pou.name)} = {self._class_name(pou)}()")
        out.emit(0, f"LOCATIONS = {self.locations!r}")
        out.emit(0, f"COV = [0] * {len(self.points)}")
        out.emit(0, "")
        return Generated("\n".join(out.lines) + "\n", out.origins, programs, self.global_attrs, self.points)

    def _pou_order(self) -> list[PouInfo]:
        """POUs with every base class before the classes that extend it."""
        ordered: list[PouInfo] = []
        seen: set[int] = set()

        def visit(pou: PouInfo) -> None:
            if id(pou) in seen:
                return
            seen.add(id(pou))
            if pou.extends is not None:
                visit(pou.extends)
            ordered.append(pou)

        for pou in self.model.pous.values():
            if pou.kind != "INTERFACE":
                visit(pou)
        return ordered

    def _class_name(self, pou: PouInfo) -> str:
        return f"P_{ident(pou.name)}"

    # -------------------------------------------------------------------- structures

    def _struct_class(self, struct: StructType) -> str:
        name = self.struct_classes.get(id(struct))
        if name is not None:
            return name
        name = (
            f"S_{ident(struct.name)}_{len(self.struct_classes)}"
            if struct.name == "STRUCT"
            else f"S_{ident(struct.name)}"
        )
        self.struct_classes[id(struct)] = name
        for member in struct.fields.values():
            inner = resolved(member.type)
            while isinstance(inner, ArrayType):
                inner = resolved(inner.element)
            if isinstance(inner, StructType) and inner is not struct:
                self._struct_class(inner)
        out = self.out
        if struct.union:
            self._union_class(struct, name)
            return name
        slots = ", ".join(repr(f"v_{key}") for key in struct.fields)
        out.emit(0, f"class {name}:")
        out.emit(1, f'"""{struct.name}"""')
        out.emit(1, f"__slots__ = ({slots}{',' if len(struct.fields) == 1 else ''})")
        out.emit(1, f"_st_fields = {[f.name for f in struct.fields.values()]!r}")
        out.emit(1, f"_st_types = {[str(f.type) for f in struct.fields.values()]!r}")
        out.emit(1, "def __init__(self):")
        body = _CodeCompiler(self, None, None, struct.path or "")
        if not struct.fields:
            out.emit(2, "pass")
        for key, member in struct.fields.items():
            out.emit(2, f"self.v_{key} = {body.initial(member.type, member.init, member)}")
        out.emit(1, "def _copy(self):")
        out.emit(2, f"c = {name}.__new__({name})")
        for key in struct.fields:
            out.emit(2, f"c.v_{key} = _copy(self.v_{key})")
        out.emit(2, "return c")
        out.emit(1, "def __eq__(self, other):")
        out.emit(
            2, f"return type(other) is {name} and all(getattr(self, s) == getattr(other, s) for s in self.__slots__)"
        )
        out.emit(1, "__hash__ = None")
        out.emit(0, "")
        return name

    def _union_class(self, union: StructType, name: str) -> None:
        """A UNION: its members are views of the same bytes (offset 0, little-endian), so writing one
        changes the others as on a PLC. Members must be numbers, bit strings, BOOL, enumerations or arrays
        of them."""
        out = self.out
        out.emit(0, f"class {name}:")
        out.emit(1, f'"""UNION {union.name}"""')
        out.emit(1, "__slots__ = ('_b',)")
        out.emit(1, f"_st_fields = {[f.name for f in union.fields.values()]!r}")
        out.emit(1, f"_st_types = {[str(f.type) for f in union.fields.values()]!r}")
        size = max((_sizeof(f.type) for f in union.fields.values()), default=0)
        for key, member in union.fields.items():
            kind = resolved(member.type)
            count = 1
            if isinstance(kind, ArrayType) and kind.dims is not None:
                count, kind = kind.size, resolved(kind.element)
            layout = _union_layout(kind)
            if layout is None:
                raise CompileError(
                    union.path or "",
                    member.decl,
                    f"a UNION member of type {member.type} is not simulated (numbers, bit strings, BOOL, "
                    "enumerations and arrays of them are)",
                )
            if isinstance(resolved(member.type), ArrayType):
                out.emit(1, f"v_{key} = property(lambda self: _UnionArray(self._b, {layout!r}, {count}))")
            else:
                out.emit(
                    1,
                    f"v_{key} = property(lambda self: _ug(self._b, {layout!r}, 0), lambda self, v: _us(self._b, {layout!r}, 0, v))",
                )
        out.emit(1, "def __init__(self):")
        out.emit(2, f"self._b = bytearray({size})")
        body = _CodeCompiler(self, None, None, union.path or "")
        for key, member in union.fields.items():
            if member.init is not None:  # the first member with an initial value sets the bytes
                out.emit(2, f"self.v_{key} = {body.initial(member.type, member.init)}")
                break
        out.emit(1, "def _copy(self):")
        out.emit(2, f"c = {name}.__new__({name})")
        out.emit(2, "c._b = bytearray(self._b)")
        out.emit(2, "return c")
        out.emit(1, "def __eq__(self, other):")
        out.emit(2, f"return type(other) is {name} and self._b == other._b")
        out.emit(1, "__hash__ = None")
        out.emit(0, "")

    # -------------------------------------------------------------------- POUs

    def _pou_class(self, pou: PouInfo) -> None:
        out = self.out
        name = self._class_name(pou)
        base = self._class_name(pou.extends) if pou.extends is not None else "object"
        # VAR_EXTERNAL has no slot of its own: the code reads and writes the global (variable_code).
        own = [v for v in pou.variables.values() if v.section not in ("VAR_TEMP", "VAR_STAT", "VAR_EXTERNAL")]
        instance_vars = [
            f"vi_{ident(m.name)}_{k}"
            for m in pou.members.values()
            for k, v in m.variables.items()
            if v.section == "VAR_INST"
        ]
        slots = [f"v_{ident(v.name)}" for v in own] + instance_vars
        out.emit(0, f"class {name}({base}):")
        out.emit(1, f'"""{pou.kind} {pou.name}"""')
        out.emit(1, f"__slots__ = ({', '.join(repr(s) for s in slots)}{',' if len(slots) == 1 else ''})")
        out.emit(1, f"_st_name = {pou.name!r}")
        out.emit(1, f"_st_vars = {[(v.name, v.section, v.hidden) for v in own]!r}")
        retained = [
            (f"v_{ident(v.name)}", "persistent" if v.persistent else "retain") for v in own if v.retain or v.persistent
        ]
        out.emit(1, f"_st_retain = {tuple(retained)!r}")
        out.emit(1, "def __init__(self):")
        out.emit(2, "self._init()")
        out.emit(1, "def _init(self):")
        if pou.extends is not None:
            out.emit(2, f"{base}._init(self)")
        code = _CodeCompiler(self, pou, pou, pou.path)
        # Each variable after the ones its initialisation needs (reads, or points at with REF=/ADR: those
        # may be declared later), else in declaration order.
        for variable in initialisation_order(own, _own_needs(own))[0]:  # a cycle keeps declaration order
            out.emit(2, f"self.v_{ident(variable.name)} = {code.initial_of(variable)}", code.origin(variable.decl))
        for member in pou.members.values():
            mcode = _CodeCompiler(self, member, pou, pou.path)
            for key, variable in member.variables.items():
                if variable.section == "VAR_INST":
                    out.emit(2, f"self.vi_{ident(member.name)}_{key} = {mcode.initial_of(variable)}")
        out.emit(2, "return None")
        out.emit(1, "def _copy(self):")
        out.emit(2, f"c = {name}.__new__({name})")
        out.emit(2, "for s in _all_slots(type(self)):")
        out.emit(3, "setattr(c, s, _copy(getattr(self, s)))")
        out.emit(2, "return c")
        node = pou.node
        assert isinstance(node, ast.Pou)
        code = _CodeCompiler(self, pou, pou, pou.path)
        code.function("body", [], node.body, node)
        for member in pou.members.values():
            self._member(pou, member)
        out.emit(0, "")

    def _member(self, pou: PouInfo, member: PouInfo) -> None:
        node = member.node
        if member.kind == "METHOD":
            assert isinstance(node, ast.Method)
            code = _CodeCompiler(self, member, pou, pou.path)
            params = [v for v in member.variables.values() if v.section in ("VAR_INPUT", "VAR_IN_OUT")]
            code.function(f"m_{ident(member.name)}", params, node.body, node)
        elif member.kind == "ACTION":
            assert isinstance(node, ast.Action)
            code = _CodeCompiler(self, member, pou, pou.path)
            code.function(f"a_{ident(member.name)}", [], node.body, node)
        elif member.kind == "PROPERTY":
            for accessor, prefix in ((member.getter, "g_"), (member.setter, "s_")):
                if accessor is None:
                    continue
                assert isinstance(accessor.node, ast.Pou)
                code = _CodeCompiler(self, accessor, pou, pou.path, prop=member)
                code.function(
                    f"{prefix}{ident(member.name)}", [], accessor.node.body, accessor.node, setter=prefix == "s_"
                )

    def _function(self, pou: PouInfo) -> None:
        node = pou.node
        assert isinstance(node, ast.Function)
        code = _CodeCompiler(self, pou, None, pou.path)
        params = [v for v in pou.variables.values() if v.section in ("VAR_INPUT", "VAR_IN_OUT")]
        code.function(f"f_{ident(pou.name)}", params, node.body, node, method=False)
        self.out.emit(0, "")

    def _globals(self) -> None:
        out = self.out
        attrs = self._global_layout()
        out.emit(0, "class Globals:")
        out.emit(1, f"__slots__ = ({', '.join(repr(a) for a, _ in attrs)}{',' if len(attrs) == 1 else ''})")
        out.emit(1, "def __init__(self):")
        # Initial values may name the globals declared before them, also those of structures and
        # instances created here, whose code reads the module's G: it is this object from the start.
        out.emit(2, "global G")
        out.emit(2, "G = self")
        # Each global after the globals its initial value reads (the checker refused cycles).
        attr_of = {id(variable): attr for attr, variable in attrs}
        variables = [variable for _, variable in attrs]
        order, cycles = initialisation_order(variables, global_needs(self.checked, variables))
        if cycles:
            variable, node, other = cycles[0]
            raise _CodeCompiler(self, None, None, variable.path).error(
                node, f"the initial values of {variable.name} and {other.name} read each other"
            )
        for variable in order:
            code = _CodeCompiler(self, None, None, variable.path)
            out.emit(2, f"self.{attr_of[id(variable)]} = {code.initial_of(variable)}", code.origin(variable.decl))
        out.emit(1, "def _copy(self):")
        out.emit(2, "c = Globals.__new__(Globals)")
        out.emit(2, "for s in Globals.__slots__:")
        out.emit(3, "setattr(c, s, _copy(getattr(self, s)))")
        out.emit(2, "return c")
        out.emit(0, "G = Globals()")
        out.emit(0, "")
        out.emit(0, "def _all_slots(cls):")
        out.emit(1, "for klass in cls.__mro__:")
        out.emit(2, "yield from getattr(klass, '__slots__', ())")
        out.emit(0, "")

    def _global_layout(self) -> list[tuple[str, VarInfo]]:
        """Every variable that lives in ``G``, with its attribute: the globals of each GVL, and the VAR_STAT
        variables of POUs and methods (one for all instances and calls)."""
        if self._layout is None:
            layout: list[tuple[str, VarInfo]] = []
            for number, gvl in enumerate(self.model.gvls.values()):
                layout.extend((f"g{number}_{key}", variable) for key, variable in gvl.variables.items())
            for number, pou in enumerate(p for top in self.model.user_pous() for p in (top, *top.members.values())):
                layout.extend(
                    (f"s{number}_{ident(pou.name)}_{key}", variable)
                    for key, variable in pou.variables.items()
                    if variable.section == "VAR_STAT"
                )
            self._layout = layout
            self.global_attrs.update((id(variable), attr) for attr, variable in layout)
        return self._layout

    def global_attr(self, variable: VarInfo) -> str:
        self._global_layout()
        return self.global_attrs[id(variable)]


# ---------------------------------------------------------------------------------------------- code


@dataclass
class _Loop:
    kind: str  # for, while, repeat
    counter: str = ""
    step: str = ""
    condition: str = ""


class _CodeCompiler:
    """Compiles the code of one POU body (or the initial values of a declaration context)."""

    def __init__(
        self,
        module: _ModuleCompiler,
        pou: PouInfo | None,
        block: PouInfo | None,
        path: str,
        prop: PouInfo | None = None,
    ) -> None:
        self.module = module
        self.checked = module.checked
        self.model = module.model
        self.out = module.out
        self.pou = pou
        self.block = block
        self.prop = prop
        self.path = path
        self.loops: list[_Loop] = []
        self.temps = 0
        self.boxed: set[str] = set()
        self.locals: dict[str, VarInfo] = {}
        self.returns_tuple = False
        self.outputs: list[VarInfo] = []
        self.has_result = False
        if pou is not None and (
            pou.kind in ("FUNCTION", "METHOD", "ACCESSOR") or pou.kind == "FUNCTION_BLOCK" or pou.kind == "PROGRAM"
        ):
            for key, variable in pou.variables.items():
                if pou.kind in ("FUNCTION_BLOCK", "PROGRAM", "CLASS"):
                    if variable.section == "VAR_TEMP":
                        self.locals[key] = variable
                elif variable.section not in ("VAR_INST", "VAR_STAT"):
                    self.locals[key] = variable
        if prop is not None:
            for key, variable in prop.variables.items():
                self.locals.setdefault(key, variable)

    def origin(self, node: ast.Node) -> tuple[str, int]:
        return (self.path, node.span.start)

    def error(self, node: Any, message: str) -> CompileError:
        return CompileError(self.path, node, message)

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    # -------------------------------------------------------------------- functions

    def function(
        self,
        name: str,
        params: list[VarInfo],
        body: list[ast.Stmt],
        node: ast.Node,
        *,
        method: bool = True,
        setter: bool = False,
    ) -> None:
        """Emit a Python function for a body: FB ``body``, a method, an action, an accessor or a function."""
        out = self.out
        pou = self.pou
        assert pou is not None
        self.boxed = _boxed_locals(body, set(self.locals), self.checked)
        indent = 1 if method else 0
        args = ["self"] if method else []
        fresh = [p for p in params if p.section == "VAR_INPUT" and _is_aggregate(p.type)]
        args += [
            f"v_{ident(p.name)}={self.initial_of(p)}"
            if p.section == "VAR_INPUT" and p not in fresh
            else f"v_{ident(p.name)}=None"
            for p in params
        ]
        if setter:
            args.append("_result=None")
        out.emit(indent, f"def {name}({', '.join(args)}):")
        out.emit(indent + 1, f'"""{pou.qualified_name}"""')
        level = indent + 1
        for parameter in fresh:  # a default of a structured input is a fresh value on every call
            key = ident(parameter.name)
            out.emit(level, f"if v_{key} is None:")
            out.emit(level + 1, f"v_{key} = {self.initial_of(parameter)}")
        if self.boxed:
            out.emit(level, "_f = _Frame()")
            for key in sorted(self.boxed):
                if key in {ident(p.name) for p in params}:
                    out.emit(level, f"_f.v_{key} = v_{key}")
        param_keys = {p.name.casefold() for p in params}
        for key, variable in self.locals.items():
            if key in param_keys:
                continue
            if variable.section in ("VAR_INPUT", "VAR_IN_OUT") and pou.kind in ("METHOD", "FUNCTION"):
                continue
            out.emit(level, f"{self.local(key)} = {self.initial_of(variable)}", self.origin(variable.decl))
        result_type = (
            pou.return_type
            if pou.kind in ("FUNCTION", "METHOD")
            else (self.prop.return_type if self.prop is not None else None)
        )
        self.has_result = result_type is not None and pou.kind in ("FUNCTION", "METHOD", "ACCESSOR")
        if self.has_result and not setter:
            assert result_type is not None
            out.emit(level, f"_result = {self.initial(result_type, None)}")
        self.outputs = (
            [v for v in self.locals.values() if v.section == "VAR_OUTPUT"] if pou.kind in ("FUNCTION", "METHOD") else []
        )
        self.returns_tuple = bool(self.outputs)
        start = len(out.lines)
        self.statements(body, level)
        if len(out.lines) == start:
            out.emit(level, "pass")
        out.emit(level, self.return_statement())

    def return_statement(self) -> str:
        if self.returns_tuple:
            values = ", ".join(self.load_local(ident(v.name)) for v in self.outputs)
            return f"return ({'_result' if self.has_result else 'None'}, {values})"
        return "return _result" if self.has_result else "return None"

    def local(self, key: str) -> str:
        return f"_f.v_{key}" if key in self.boxed else f"v_{key}"

    def load_local(self, key: str) -> str:
        return self.local(key)

    # -------------------------------------------------------------------- initial values

    def initial_of(self, variable: VarInfo) -> str:
        """The initial value of a declared variable."""
        if variable.decl.ref_init and variable.init is not None:
            return self.reference_to(variable.init)
        if variable.section == "VAR_IN_OUT":
            return "None"  # bound by each call
        return self.initial(variable.type, variable.init, variable)

    def initial(self, kind: Type, init: ast.Expr | None, variable: VarInfo | Field | None = None) -> str:
        """Code for a fresh value of a type (with an optional initialiser); ``variable`` (or structure
        member) is the declaration, for its FB_init arguments."""
        kind = resolved(kind) if not isinstance(kind, SubrangeType) else kind
        if isinstance(kind, SubrangeType):
            if init is None:
                return repr(kind.low if kind.low > 0 else max(kind.low, 0))
            return self.value_as(init, kind.base)
        if isinstance(kind, ArrayType):
            return self._array_initial(kind, init, _element_init_args(variable))
        if isinstance(kind, StructType):
            cls = self.module.struct_classes.get(id(kind))
            if cls is None:
                raise self.error(
                    init or (variable.decl if variable else None),
                    "a STRUCT declared inside a variable declaration is not simulated: declare it as a type",
                )
            if isinstance(init, ast.StructLiteral):
                return self._struct_literal(cls, kind, init)
            return f"{cls}()"
        if isinstance(kind, PouType):
            if kind.pou.kind == "INTERFACE":
                return "None"
            cls = f"P_{ident(kind.pou.name)}"
            instance = f"{cls}()"
            if isinstance(init, ast.StructLiteral):
                # fbTimer : TON := (PT := T#1s): an instance with some inputs set.
                pairs = []
                for field_init in init.fields:
                    member = kind.pou.variable(field_init.name)
                    if member is None:
                        raise self.error(field_init, f"{kind.pou.name} has no input '{field_init.name}'")
                    pairs.append(f"({'v_' + ident(member.name)!r}, {self.initial(member.type, field_init.value)})")
                instance = f"_with({instance}, {', '.join(pairs)})" if pairs else instance
            fb_init = kind.pou.member("FB_init")
            if fb_init is not None and fb_init.kind == "METHOD":
                # The runtime sets the declared initial values first, then calls FB_init on them.
                spec = variable.decl.type if variable is not None and variable.decl is not None else None
                # FB_Axis(5) parses like STRING(5): a sized type whose size is the one positional argument.
                arguments: list[ast.Argument] = (
                    spec.args
                    if isinstance(spec, ast.InstanceType)
                    else [spec.size]
                    if isinstance(spec, ast.SizedType)
                    else []
                )
                return self._fb_init(instance, fb_init, arguments)
            return instance
        if isinstance(kind, (PointerType, ReferenceType)):
            if init is not None:
                # REF= x binds a reference; a pointer's initial value is an address expression (ADR(x)), or
                # a literal: 0 (NULL; other absolute addresses mean nothing in the simulator).
                if isinstance(kind, ReferenceType):
                    return self.reference_to(init)
                return "None" if isinstance(init, ast.Literal) else self.value(init)
            return "None"
        if init is not None:
            return self.value_as(init, kind)
        return _default(kind)

    def _fb_init(self, instance: str, fb_init: PouInfo, arguments: Sequence[ast.Argument]) -> str:
        """A new instance of a function block that has an ``FB_init`` method, which CODESYS and TwinCAT call
        when the instance is created: ``bInitRetains`` and ``bInCopyCode`` FALSE (a cold start), the other
        inputs from the declaration's arguments (``fbAxis : FB_Axis(nId := 3);``, by name or position; an
        array's elements from ``ARRAY[1..2] OF FB_Axis[(nId := 1), (nId := 2)]``). Instances in structures,
        and array elements without arguments, get the inputs' declared defaults."""
        inputs = [v for v in fb_init.variables.values() if v.section == "VAR_INPUT"]
        given: dict[str, ast.Expr] = {}
        positional = [i for i in inputs if i.name.casefold() not in ("binitretains", "bincopycode")]
        for index, argument in enumerate(arguments):
            if isinstance(argument, ast.NamedArg):
                if argument.value is not None:
                    given[argument.name.casefold()] = argument.value
            elif isinstance(argument, ast.Expr) and index < len(positional):
                given[positional[index].name.casefold()] = argument
        values = []
        for parameter in inputs:
            key = parameter.name.casefold()
            if key in given:
                code = self.value_as(given[key], parameter.type)
            elif key in ("binitretains", "bincopycode"):
                code = "False"
            else:
                code = self.initial_of(parameter)
            values.append(f"v_{ident(parameter.name)}={code}")
        return f"_fb_init({instance}, {', '.join(values)})"

    def _array_initial(self, kind: ArrayType, init: ast.Expr | None, element_args: list[ast.Expr]) -> str:
        if kind.dims is None:
            return "[]"
        size = kind.size
        element = resolved(kind.element)
        if element_args:
            return self._instances_with_args(kind, element_args, init)
        if isinstance(init, ast.ArrayLiteral):
            values: list[str] = []
            for item in init.items:
                if isinstance(item, ast.RepeatInit):
                    value = self.initial(element, item.value) if item.value is not None else self.initial(element, None)
                    values.extend([value] * item.count)
                else:
                    values.append(self.initial(element, item))
            if len(values) > size:
                raise self.error(init, f"{len(values)} initial values for {size} elements")
            rest = size - len(values)
            tail = f" + [{self.initial(element, None)} for _ in range({rest})]" if rest else ""
            return f"[{', '.join(values)}]{tail}"
        if init is not None:
            raise self.error(init, "an array is initialised with [...]")
        simple = isinstance(element, (ElementaryType, EnumType, StringType)) or element is None
        default = self.initial(element, None)
        return f"[{default}] * {size}" if simple else f"[{default} for _ in range({size})]"

    def _instances_with_args(self, kind: ArrayType, element_args: list[ast.Expr], init: ast.Expr | None) -> str:
        """``ARRAY[1..2] OF FB_Axis[(nAxisId := 1), (nAxisId := 2)]``: one instance per element, each given
        its own FB_init arguments, in element order (row-major for several dimensions); elements after the
        last list get the declared defaults."""
        element = resolved(kind.element)
        if not isinstance(element, PouType):
            raise self.error(element_args[0], f"{element} is not a function block: it takes no FB_init arguments")
        fb_init = element.pou.member("FB_init")
        if fb_init is None or fb_init.kind != "METHOD":
            raise self.error(element_args[0], f"{element} has no FB_init method to take arguments per element")
        if init is not None:
            raise self.error(init, "an array of instances with FB_init arguments per element takes no initial value")
        if len(element_args) > kind.size:
            raise self.error(element_args[kind.size], f"{len(element_args)} argument lists for {kind.size} elements")
        cls = f"P_{ident(element.pou.name)}()"
        values = []
        for item in element_args:
            fields = item.fields if isinstance(item, ast.StructLiteral) else []
            if not isinstance(item, ast.StructLiteral):
                raise self.error(item, "FB_init arguments per element are written (name := value, ...)")
            arguments: list[ast.Argument] = [ast.NamedArg(f.name, f.value, span=f.span) for f in fields]
            values.append(self._fb_init(cls, fb_init, arguments))
        rest = kind.size - len(values)
        tail = f" + [{self._fb_init(cls, fb_init, [])} for _ in range({rest})]" if rest else ""
        return f"[{', '.join(values)}]{tail}"

    def _struct_literal(self, cls: str, kind: StructType, init: ast.StructLiteral) -> str:
        parts = []
        for field_init in init.fields:
            member = kind.fields.get(field_init.name.casefold())
            if member is None:
                raise self.error(field_init, f"{kind.name} has no member '{field_init.name}'")
            parts.append(f"({'v_' + field_init.name.casefold()!r}, {self.initial(member.type, field_init.value)})")
        return f"_with({cls}(), {', '.join(parts)})" if parts else f"{cls}()"

    # -------------------------------------------------------------------- statements

    def statements(self, statements: list[ast.Stmt], level: int) -> None:
        for statement in statements:
            self.statement(statement, level)

    def count(
        self, level: int, node: ast.Node, kind: str = "statement", decision: ast.Node | None = None, label: str = ""
    ) -> None:
        """Emit a coverage counter (when compiling with coverage)."""
        if not self.module.coverage or self.pou is None or self.pou.library:
            return
        point = CoveragePoint(
            self.path,
            node.span.start,
            kind,
            self.pou.qualified_name,
            decision.span.start if decision is not None else -1,
            label,
        )
        self.out.emit(level, f"COV[{self.module.point(point)}] += 1")

    def counting(self) -> bool:
        return self.module.coverage and self.pou is not None and not self.pou.library

    def statement(self, statement: ast.Stmt, level: int) -> None:
        out = self.out
        origin = self.origin(statement)
        if not isinstance(statement, (ast.EmptyStatement, ast.LabelStatement)):
            self.count(level, statement)
        if isinstance(statement, ast.Assignment):
            self.assignment(statement, level)
        elif isinstance(statement, ast.CallStatement):
            self.call_statement(statement.call, level, origin)
        elif isinstance(statement, ast.IfStatement):
            for number, branch in enumerate(statement.branches):
                keyword = "if" if number == 0 else "elif"
                out.emit(level, f"{keyword} {self.condition(branch.condition)}:", self.origin(branch.condition))
                self.count(level + 1, branch, "branch", statement, "IF" if number == 0 else "ELSIF")
                self.block_body(branch.body, level + 1)
            if statement.else_branch is not None:
                out.emit(level, "else:")
                self.count(level + 1, statement.else_branch, "branch", statement, "ELSE")
                self.block_body(statement.else_branch.body, level + 1)
            elif self.counting():
                out.emit(level, "else:")
                self.count(level + 1, statement, "branch", statement, "no ELSE")
        elif isinstance(statement, ast.CaseStatement):
            self.case(statement, level)
        elif isinstance(statement, ast.ForStatement):
            self.for_loop(statement, level)
        elif isinstance(statement, ast.WhileStatement):
            flag = self.loop_flag(level)
            dog = self.watchdog(level)
            out.emit(level, f"while {self.condition(statement.condition)}:", origin)
            self.watchdog_tick(level + 1, dog)
            if flag:
                out.emit(level + 1, f"{flag} = 1")
            self.loops.append(_Loop("while"))
            self.block_body(statement.body, level + 1)
            self.loops.pop()
            self.loop_outcome(level, flag, statement)
        elif isinstance(statement, ast.RepeatStatement):
            condition = self.condition(statement.condition)
            dog = self.watchdog(level)
            out.emit(level, "while True:", origin)
            self.watchdog_tick(level + 1, dog)
            self.loops.append(_Loop("repeat", condition=condition))
            self.statements(statement.body, level + 1)
            self.loops.pop()
            out.emit(level + 1, f"if {condition}:", self.origin(statement.condition))
            out.emit(level + 2, "break")
        elif isinstance(statement, ast.Exit):
            out.emit(level, "break", origin)
        elif isinstance(statement, ast.Continue):
            loop = self.loops[-1] if self.loops else None
            if loop is not None and loop.kind == "for":
                out.emit(level, f"{loop.counter} = {loop.counter} + {loop.step}", origin)
            if loop is not None and loop.kind == "repeat":
                out.emit(level, f"if {loop.condition}:", origin)
                out.emit(level + 1, "break")
            out.emit(level, "continue", origin)
        elif isinstance(statement, ast.Return):
            if statement.value is not None:
                out.emit(level, f"if {self.condition(statement.value)}:", origin)
                out.emit(level + 1, self.return_statement())
            else:
                out.emit(level, self.return_statement(), origin)
        elif isinstance(statement, ast.EmptyStatement):
            return
        elif isinstance(statement, (ast.Jump, ast.LabelStatement)):
            raise self.error(statement, "JMP and labels are not simulated")
        elif isinstance(statement, ast.TryStatement):
            out.emit(level, "try:", origin)
            self.block_body(statement.body, level + 1)
            if statement.catch_body is not None:
                out.emit(level, "except StRuntimeError:")
                self.block_body(statement.catch_body, level + 1)
            if statement.finally_body is not None:
                out.emit(level, "finally:")
                self.block_body(statement.finally_body, level + 1)
            if statement.catch_body is None and statement.finally_body is None:
                out.emit(level, "finally:")
                out.emit(level + 1, "pass")
        else:
            raise self.error(statement, f"{type(statement).__name__} is not simulated")

    def block_body(self, statements: list[ast.Stmt], level: int) -> None:
        start = len(self.out.lines)
        self.statements(statements, level)
        if len(self.out.lines) == start:
            self.out.emit(level, "pass")

    def watchdog(self, level: int) -> tuple[str, str]:
        """Locals for a loop's watchdog (see rt._watchdog), set before the loop."""
        count, started = self.temp(), self.temp()
        self.out.emit(level, f"{count} = 0; {started} = None")
        return count, started

    def watchdog_tick(self, level: int, names: tuple[str, str]) -> None:
        count, started = names
        self.out.emit(level, f"{count} += 1")
        self.out.emit(level, f"if not {count} & 0xFFFF: {started} = _watchdog({started})")

    def loop_flag(self, level: int) -> str:
        """With coverage, a local that records whether a loop's body ran."""
        if not self.counting():
            return ""
        flag = self.temp()
        self.out.emit(level, f"{flag} = 0")
        return flag

    def loop_outcome(self, level: int, flag: str, statement: ast.Stmt) -> None:
        if not flag:
            return
        assert self.pou is not None
        taken = self.module.point(
            CoveragePoint(
                self.path, statement.span.start, "branch", self.pou.qualified_name, statement.span.start, "loop taken"
            )
        )
        self.module.point(
            CoveragePoint(
                self.path,
                statement.span.start,
                "branch",
                self.pou.qualified_name,
                statement.span.start,
                "loop not taken",
            )
        )  # type: ignore[union-attr]
        self.out.emit(level, f"COV[{taken} + 1 - {flag}] += 1")

    def out_text(self, nodes: list[Any]) -> str:
        source = self.model.sources.get(self.path)
        if source is None or not nodes:
            return ""
        return source.text[nodes[0].span.start : nodes[-1].span.end]

    def case(self, statement: ast.CaseStatement, level: int) -> None:
        out = self.out
        selector = self.temp()
        out.emit(level, f"{selector} = {self.value(statement.selector)}", self.origin(statement))
        first = True
        for branch in statement.branches:
            tests = []
            for label in branch.labels:
                if isinstance(label, ast.CaseRange):
                    tests.append(f"{self.value(label.low)} <= {selector} <= {self.value(label.high)}")
                else:
                    tests.append(f"{selector} == {self.value(label)}")
            out.emit(level, f"{'if' if first else 'elif'} {' or '.join(tests) or 'False'}:", self.origin(branch))
            first = False
            text = self.out_text(branch.labels)
            self.count(level + 1, branch, "branch", statement, f"CASE {text}")
            self.block_body(branch.body, level + 1)
        if statement.else_branch is not None:
            if first:
                out.emit(level, "if True:")
            else:
                out.emit(level, "else:")
            self.count(level + 1, statement.else_branch, "branch", statement, "ELSE")
            self.block_body(statement.else_branch.body, level + 1)
        elif self.counting():
            out.emit(level, "if True:" if first else "else:")
            self.count(level + 1, statement, "branch", statement, "no ELSE")

    def for_loop(self, statement: ast.ForStatement, level: int) -> None:
        out = self.out
        counter_type = self.type_of(statement.variable)
        counter = self.target(statement.variable)
        if counter.setter:
            raise self.error(statement.variable, "the FOR counter must be a plain variable")
        end = self.temp()
        step_value = 1
        step = "1"
        if statement.step is not None:
            folded = self.model.const_value(statement.step, self.path, self.pou)
            if isinstance(folded, int) and not isinstance(folded, bool):
                step_value, step = folded, repr(folded)
            else:
                step_value, step = 0, self.temp()
                out.emit(level, f"{step} = {self.value_as(statement.step, counter_type)}", self.origin(statement.step))
                out.emit(level, f"if {step} == 0:")
                out.emit(level + 1, "raise StRuntimeError('FOR step is 0')")
        if statement.step is not None and step == "0":
            raise self.error(statement.step, "FOR step must not be 0")
        # The end is evaluated once, before the first pass (IEC 61131-3; matiec re-reads it).
        out.emit(level, f"{counter.code} = {self.value_as(statement.start, counter_type)}", self.origin(statement))
        out.emit(level, f"{end} = {self.value_as(statement.end, counter_type)}")
        if step_value > 0:
            test = f"{counter.code} <= {end}"
        elif step_value < 0:
            test = f"{counter.code} >= {end}"
        else:
            test = f"({counter.code} <= {end} if {step} > 0 else {counter.code} >= {end})"
        flag = self.loop_flag(level)
        dog = self.watchdog(level)
        out.emit(level, f"while {test}:")
        self.watchdog_tick(level + 1, dog)
        if flag:
            out.emit(level + 1, f"{flag} = 1")
        self.loops.append(_Loop("for", counter=counter.code, step=step))
        self.statements(statement.body, level + 1)
        self.loops.pop()
        out.emit(level + 1, f"{counter.code} = {counter.code} + {step}")
        kind = resolved(counter_type)
        if isinstance(kind, ElementaryType) and (kind.is_integer or kind.is_bits):
            # Ending normally past the type's limit means the last step left the type: on a PLC the counter
            # wraps and the loop never ends (FOR i := 1 TO 32767 on an INT). Checked once, on the way out.
            name = statement.variable.name if isinstance(statement.variable, ast.Name) else "counter"
            out.emit(level, "else:")
            out.emit(
                level + 1,
                f"if not {kind.minimum} <= {counter.code} <= {kind.maximum}: raise StRuntimeError("
                f"'FOR counter {name} steps past the range of {kind.name} ({kind.minimum}..{kind.maximum}): "
                f"on a PLC it wraps and the loop never ends')",
                self.origin(statement),
            )
        self.loop_outcome(level, flag, statement)

    def assignment(self, statement: ast.Assignment, level: int) -> None:
        out = self.out
        origin = self.origin(statement)
        if statement.op == "REF=":
            target = self.target(statement.target, reference=True)
            out.emit(level, target.store(self.reference_to(statement.value)), origin)
            return
        target_type = self.type_of(statement.target)
        if statement.op in ("S=", "R="):
            target = self.target(statement.target)
            out.emit(level, f"if {self.condition(statement.value)}:", origin)
            out.emit(level + 1, target.store("True" if statement.op == "S=" else "False"))
            return
        value = statement.value
        while isinstance(value, ast.AssignExpr):  # a := b := c: c to b, then b to a
            inner = self.target(value.target)
            out.emit(level, inner.store(self.value_as(value.value, self.type_of(value.target))), origin)
            value = value.target
        target = self.target(statement.target)
        out.emit(level, target.store(self.value_as(value, target_type)), origin)

    # -------------------------------------------------------------------- targets

    def target(self, expr: ast.Expr, reference: bool = False) -> _Target:
        """Where an assignment writes."""
        if isinstance(expr, ast.Paren):
            return self.target(expr.expr, reference)
        if isinstance(expr, ast.Name):
            binding = self.binding(expr)
            if binding.kind == "result":
                return _Target("_result")
            if binding.kind == "property":
                assert binding.pou is not None
                return _Target(f"self.s_{ident(binding.pou.name)}", setter=True)
            variable = binding.variable
            if variable is None:
                raise self.error(expr, f"cannot assign to {expr.name}")
            code = self.variable_code(variable, binding)
            if self.is_ref_variable(variable) and not reference:
                return _Target(f"{code}.set", setter=True)
            return _Target(code)
        if isinstance(expr, ast.MemberAccess):
            member_binding = self.checked.bindings.get(id(expr))
            if member_binding is not None and member_binding.kind == "property":
                assert member_binding.pou is not None
                owner = self.object_code(expr.target)
                return _Target(f"{owner}.s_{ident(member_binding.pou.name)}", setter=True)
            if member_binding is not None and member_binding.kind == "global" and member_binding.variable is not None:
                code = f"G.{self.module.global_attr(member_binding.variable)}"
                if self.is_ref_variable(member_binding.variable) and not reference:
                    return _Target(f"{code}.set", setter=True)
                return _Target(code)
            owner = self.object_code(expr.target)
            member = self._member_attr(expr, member_binding)
            variable = member_binding.variable if member_binding is not None else None
            if variable is not None and self.is_ref_variable(variable) and not reference:
                return _Target(f"{owner}.{member}.set", setter=True)
            return _Target(f"{owner}.{member}")
        if isinstance(expr, ast.Index):
            container, index = self.index_parts(expr)
            return _Target(f"{container}[{index}]", item=(container, index))
        if isinstance(expr, ast.BitAccess):
            inner = self.target(expr.target)
            current = self.value(expr.target)
            mask = 1 << expr.bit
            # Setting bit 15 of an INT makes it negative: the word is stored in its type's two's complement.
            kind = resolved(self.type_of(expr.target))
            wrap = kind if isinstance(kind, ElementaryType) and kind.signed and kind.is_integer else None
            return _Target(inner.code, setter=inner.setter, bit=(current, mask), item=inner.item, wrap=wrap)
        if isinstance(expr, ast.Deref):
            pointer = self.value(expr.target)
            pointee = resolved(self.type_of(expr))
            if _is_aggregate(pointee):
                raise self.error(expr, "assigning a whole structure through a pointer is not simulated")
            return _Target(f"_deref({pointer}).set", setter=True)
        raise self.error(expr, "this cannot be assigned")

    # -------------------------------------------------------------------- values

    def type_of(self, expr: ast.Node) -> Type:
        kind = self.checked.types.get(id(expr))
        return kind if kind is not None else UnknownType("?")

    def binding(self, expr: ast.Node) -> Binding:
        binding = self.checked.bindings.get(id(expr))
        if binding is None:
            raise self.error(expr, "unresolved name (see plcops check)")
        return binding

    def condition(self, expr: ast.Expr) -> str:
        return self.value(expr)

    def value_as(self, expr: ast.Expr, target: Type) -> str:
        """An expression converted for storing in a place of type ``target``."""
        return self.convert(self.value(expr, target), self.type_of(expr), target, expr)

    def convert(self, code: str, source: Type, target: Type, expr: ast.Node | None = None) -> str:
        """Implicit conversion of a value of type ``source`` to ``target`` (wrap, round, cut, copy)."""
        if isinstance(target, SubrangeType):
            # A value outside a subrange is an error (IEC 61131-3): checked when stored.
            return f"_range({self.convert(code, source, target.base, expr)}, {target.low}, {target.high})"
        target = resolved(target)
        source = _deref_type(source)
        if isinstance(target, ReferenceType):
            return code
        into = category(target)
        origin = category(source)
        if into in ("struct", "array") or (
            into == "instance" and isinstance(target, PouType) and target.pou.kind != "INTERFACE"
        ):
            return f"_copy({code})"
        if isinstance(target, ElementaryType):
            name = target.name
            if name == "BOOL":
                return code if origin == "bool" else f"({code} != 0)"
            if target.is_integer or target.is_bits:
                if origin == "real":
                    return f"L.convert({code}, 'LREAL', {name!r})"
                if origin == "time" and False:
                    return code
                if origin == "bool":
                    return f"int({code})"
                if self._fits(expr, source, target):
                    return code
                return _wrap_code(code, target)
            if target.is_real:
                if origin in ("int", "bits", "bool", "enum"):
                    if expr is not None and isinstance(source, ElementaryType) and source.bits >= 32:
                        code = self.operand_code(code, expr, source)
                    value = f"float({code})"
                    if name == "REAL" and not self._small_int(source):
                        return f"f32({value})"
                    return value
                if name == "REAL" and _name(source) != "REAL":
                    return f"f32({code})"
                return code
            if target.is_duration or target.is_date:
                if origin in ("int", "bits") and target.is_duration:
                    return f"({code}) * {_NS_PER_MS}"  # CODESYS/TwinCAT: a number as TIME is milliseconds
                return code
            if name in ("CHAR", "WCHAR"):
                return code
        if isinstance(target, StringType):
            if isinstance(source, StringType) and source.length <= target.length:
                return code
            return f"({code})[:{target.length}]"
        if isinstance(target, EnumType):
            return code
        return code

    def _fits(self, expr: ast.Node | None, source: Type, target: ElementaryType) -> bool:
        """Whether storing needs no wraparound: a value of a narrower or equal type that cannot overflow."""
        if expr is not None and isinstance(expr, ast.Literal):
            try:
                value = literal_value(expr)
            except LiteralError:
                return False
            return isinstance(value, int) and target.minimum <= value <= target.maximum
        if expr is not None and _can_overflow(expr):
            return False
        if isinstance(source, ElementaryType) and (source.is_integer or source.is_bits):
            return target.minimum <= source.minimum and source.maximum <= target.maximum
        return isinstance(source, EnumType) and target.bits >= 16

    def _small_int(self, source: Type) -> bool:
        return isinstance(source, ElementaryType) and (source.is_integer or source.is_bits) and source.bits <= 16

    def value(self, expr: ast.Node, expected: Type | None = None) -> str:
        """Python code that computes an expression's value."""
        if isinstance(expr, ast.Literal):
            return self.literal(expr, expected)
        if isinstance(expr, ast.Paren):
            return f"({self.value(expr.expr, expected)})"
        if isinstance(expr, ast.Name):
            return self.name_value(expr)
        if isinstance(expr, ast.MemberAccess):
            return self.member_value(expr)
        if isinstance(expr, ast.Index):
            container, index = self.index_parts(expr)
            return f"{container}[{index}]"
        if isinstance(expr, ast.BitAccess):
            return f"(({self.value(expr.target)} >> {expr.bit}) & 1 == 1)"
        if isinstance(expr, ast.Deref):
            target = expr.target
            if isinstance(target, ast.Name) and target.name.casefold() in ("this", "super"):
                return "self"
            pointee = resolved(self.type_of(expr))
            pointer = self.value(target)
            if _is_aggregate(pointee):
                return f"_deref_object({pointer})"
            return f"_deref({pointer}).get()"
        if isinstance(expr, ast.UnaryOp):
            return self.unary(expr)
        if isinstance(expr, ast.BinaryOp):
            return self.binary(expr)
        if isinstance(expr, ast.Call):
            return self.call_value(expr)
        if isinstance(expr, ast.DirectAddress):
            raise self.error(expr, "direct addresses in code are not simulated: declare a variable AT the address")
        if isinstance(expr, (ast.ArrayLiteral, ast.StructLiteral)):
            if expected is None:
                raise self.error(expr, "an aggregate literal needs a known type")
            return self.initial(expected, expr)
        raise self.error(expr, f"{type(expr).__name__} is not simulated")

    def literal(self, expr: ast.Literal, expected: Type | None) -> str:
        binding = self.checked.bindings.get(id(expr))
        if binding is not None and binding.kind == "enum":
            return repr(binding.value)
        try:
            value = literal_value(expr)
        except LiteralError as exc:
            raise self.error(expr, str(exc)) from None
        kind = self.type_of(expr)
        if isinstance(value, float):
            if _name(kind) == "REAL" or (kind is ANY_REAL and expected is not None and _name(expected) == "REAL"):
                return repr(f32(value))
            return repr(value)
        if (
            expr.kind == "TYPED_LITERAL"
            and isinstance(value, int)
            and isinstance(kind, ElementaryType)
            and kind.is_real
        ):
            return repr(float(value) if kind.name == "LREAL" else f32(float(value)))
        return repr(value)

    def name_value(self, expr: ast.Name) -> str:
        binding = self.binding(expr)
        if binding.kind == "result":
            return "_result"
        if binding.kind == "enum":
            return repr(binding.value)
        if binding.kind == "property":
            assert binding.pou is not None
            return f"self.g_{ident(binding.pou.name)}()"
        if binding.kind == "pou" and binding.pou is not None and binding.pou.kind == "PROGRAM":
            return f"I_{ident(binding.pou.name)}"
        variable = binding.variable
        if variable is None:
            raise self.error(expr, f"{expr.name} is not a value")
        code = self.variable_code(variable, binding)
        if self.is_ref_variable(variable):
            return f"{code}.get()"
        return code

    def variable_code(self, variable: VarInfo, binding: Binding) -> str:
        key = ident(variable.name)
        if binding.kind == "global" or variable.section == "VAR_GLOBAL":
            return f"G.{self.module.global_attr(variable)}"
        if variable.section == "VAR_EXTERNAL":
            global_variable = self.model.globals.get(variable.name.casefold())
            if global_variable is None:
                raise self.error(variable.decl, f"no global variable {variable.name} for this VAR_EXTERNAL")
            return f"G.{self.module.global_attr(global_variable)}"
        if key in self.locals and self.locals[key] is variable:
            return self.local(key)
        if variable.section == "VAR_INST" and variable.owner is not None and variable.owner.owner is not None:
            return f"self.vi_{ident(variable.owner.name)}_{key}"
        if variable.section == "VAR_STAT":
            return f"G.{self.module.global_attr(variable)}"
        return f"self.v_{key}"

    def is_ref_variable(self, variable: VarInfo) -> bool:
        """Whether a variable holds a reference object (read with .get(), written with .set())."""
        kind = resolved(variable.type)
        if isinstance(kind, ReferenceType):
            return not _is_aggregate(resolved(kind.target))
        return variable.section == "VAR_IN_OUT" and not _is_aggregate(kind)

    def member_value(self, expr: ast.MemberAccess) -> str:
        binding = self.checked.bindings.get(id(expr))
        if binding is not None:
            if binding.kind == "enum":
                return repr(binding.value)
            if binding.kind == "global" and binding.variable is not None:
                code = f"G.{self.module.global_attr(binding.variable)}"
                return f"{code}.get()" if self.is_ref_variable(binding.variable) else code
            if binding.kind == "property":
                assert binding.pou is not None
                return f"{self.object_code(expr.target)}.g_{ident(binding.pou.name)}()"
            if binding.kind in ("var",) and binding.variable is not None:  # namespace.name
                return self.variable_code(binding.variable, binding)
        owner = self.object_code(expr.target)
        attr = self._member_attr(expr, binding)
        if binding is not None and binding.variable is not None and self.is_ref_variable(binding.variable):
            return f"{owner}.{attr}.get()"
        return f"{owner}.{attr}"

    def _member_attr(self, expr: ast.MemberAccess, binding: Binding | None) -> str:
        if binding is not None and binding.variable is not None:
            return f"v_{ident(binding.variable.name)}"
        if binding is not None and binding.field_name:
            return f"v_{ident(binding.field_name)}"
        raise self.error(expr, f"unresolved member {expr.member} (see plcops check)")

    def object_code(self, expr: ast.Expr) -> str:
        """Code for the object a member access reads from (an instance, a struct value, THIS^)."""
        if (
            isinstance(expr, ast.Deref)
            and isinstance(expr.target, ast.Name)
            and expr.target.name.casefold() in ("this", "super")
        ):
            return "self"
        code = self.value(expr)
        kind = resolved(self.type_of(expr))
        if isinstance(kind, ReferenceType) and _is_aggregate(resolved(kind.target)):
            return f"_nn({code})"
        if isinstance(kind, PouType) and kind.pou.kind == "INTERFACE":
            return f"_nn({code})"
        return code

    def index_parts(self, expr: ast.Index) -> tuple[str, str]:
        container_type = resolved(self.type_of(expr.target))
        if isinstance(container_type, ReferenceType):
            container_type = resolved(container_type.target)
        container = self.value(expr.target)
        if not isinstance(container_type, ArrayType):
            raise self.error(expr, "only arrays can be indexed in the simulator")
        if container_type.dims is None:
            # ARRAY[*]: an _ArrayView carries the caller's bounds and checks the indices against them.
            indices = [self.value_as(index, ELEMENTARY["DINT"]) for index in expr.indices]
            return container, indices[0] if len(indices) == 1 else f"({', '.join(indices)})"
        parts = []
        stride = 1
        terms: list[str] = []
        for index_expr, (low, high) in reversed(list(zip(expr.indices, container_type.dims, strict=True))):
            index = self.value(index_expr)
            folded = self.model.const_value(index_expr, self.path, self.pou)
            if isinstance(folded, int) and not isinstance(folded, bool) and low <= folded <= high:
                offset = repr(folded - low)
            else:
                temp = f"_i{self.temps}"
                self.temps += 1
                offset = f"({temp} - {low} if {low} <= ({temp} := {index}) <= {high} else _oob({temp}, {low}, {high}))"
            terms.append(offset if stride == 1 else f"{offset} * {stride}")
            stride *= high - low + 1
            parts.append(offset)
        return container, " + ".join(reversed(terms))

    def in_out_argument(self, parameter: VarInfo, value: ast.Expr) -> str:
        """What a VAR_IN_OUT parameter receives: a reference to the caller's variable (the object itself
        for aggregates); an ``ARRAY[*]`` parameter gets the array with its declared bounds."""
        if self.is_ref_variable(parameter):
            return self.reference_to(value)
        code = self.value(value)
        target, source = resolved(parameter.type), _deref_type(self.type_of(value))
        if isinstance(target, ArrayType) and target.dims is None and isinstance(source, ArrayType):
            if source.dims is not None:
                return f"_ArrayView({code}, {source.dims!r})"
        return code

    def reference_to(self, expr: ast.Expr) -> str:
        """A reference to a variable (for REF=, ADR, VAR_IN_OUT): the object itself for aggregates."""
        kind = resolved(self.type_of(expr))
        if _is_aggregate(kind):
            return self.value(expr)
        if isinstance(expr, ast.Name):
            binding = self.binding(expr)
            variable = binding.variable
            if binding.kind == "result":
                raise self.error(expr, "a reference to a function result is not simulated")
            if variable is None:
                raise self.error(expr, f"{expr.name} is not a variable")
            if self.is_ref_variable(variable):
                return self.variable_code(variable, binding)
            code = self.variable_code(variable, binding)
            owner, _, attr = code.rpartition(".")
            if not owner:
                raise self.error(expr, "internal: a local that is not boxed")
            return f"_Ref({owner}, {attr!r})"
        if isinstance(expr, ast.MemberAccess):
            member_binding = self.checked.bindings.get(id(expr))
            if member_binding is not None and member_binding.kind == "global" and member_binding.variable is not None:
                return f"_Ref(G, {self.module.global_attr(member_binding.variable)!r})"
            if (
                member_binding is not None
                and member_binding.variable is not None
                and self.is_ref_variable(member_binding.variable)
            ):
                return f"{self.object_code(expr.target)}.{self._member_attr(expr, member_binding)}"
            return f"_Ref({self.object_code(expr.target)}, {self._member_attr(expr, member_binding)!r})"
        if isinstance(expr, ast.Index):
            container, index = self.index_parts(expr)
            return f"_ItemRef({container}, {index})"
        if isinstance(expr, ast.Deref):
            return self.value(expr.target)
        raise self.error(expr, "a reference needs a variable")

    # -------------------------------------------------------------------- operators

    def unary(self, expr: ast.UnaryOp) -> str:
        operand = self.value(expr.operand)
        kind = resolved(self.type_of(expr))
        if expr.op == "NOT":
            if category(kind) == "bool":
                return f"(not {operand})"
            if isinstance(kind, ElementaryType) and kind.is_bits:
                return f"({operand} ^ {kind.maximum})"
            return f"(~{operand})"
        if expr.op == "-":
            if _name(kind) == "REAL":
                return f"(-{operand})"
            return f"(-{operand})"
        return operand

    def operand(self, expr: ast.Node, expected: Type | None = None) -> str:
        """The value of an operand whose exact value matters (a comparison, a division, a conversion).

        Integer arithmetic is exact in Python; a PLC (and matiec's C) computes 32- and 64-bit operations in
        registers of that width, so such an intermediate result wraps (``UDINT#0 - 1 < 0`` is FALSE,
        ``DINT`` max ``+ 1`` is negative). Narrower types are computed in at least 32 bits, as C's integer
        promotion does, which exact arithmetic reproduces. Stores wrap anyway, so only uses need this.
        """
        code = self.value(expr, expected)
        kind = _deref_type(self.type_of(expr))
        return self.operand_code(code, expr, kind) if isinstance(kind, ElementaryType) and kind.bits >= 32 else code

    def operand_code(self, code: str, expr: ast.Node, kind: ElementaryType) -> str:
        """``code`` (the value of ``expr``) wrapped as :meth:`operand` would."""
        if (kind.is_integer or kind.is_bits) and _can_overflow(expr) and not isinstance(_unparen(expr), ast.Call):
            return _wrap_code(code, kind)
        return code

    def binary(self, expr: ast.BinaryOp) -> str:
        op = expr.op
        left_type, right_type = _deref_type(self.type_of(expr.left)), _deref_type(self.type_of(expr.right))
        result = resolved(self.type_of(expr))
        if op in ("=", "<>", "<", ">", "<=", ">=", "/", "MOD", "**") or category(result) == "real":
            left = self.operand(expr.left, right_type)
            right = self.operand(expr.right, left_type)
        else:
            left = self.value(expr.left, right_type)
            right = self.value(expr.right, left_type)
        a, b = category(left_type), category(right_type)
        if op in ("=", "<>") and ({a, b} & {"instance", "pointer", "reference"}):
            # itf <> 0, p = 0: an interface or pointer compared with 0 (NULL) tests whether it is set.
            zero_left = isinstance(expr.left, ast.Literal) and left in ("0", "None")
            zero_right = isinstance(expr.right, ast.Literal) and right in ("0", "None")
            if zero_left or zero_right:
                other = right if zero_left else left
                return f"({other} is {'None' if op == '=' else 'not None'})"
            return f"({left} {'is' if op == '=' else 'is not'} {right})"
        if op in ("=", "<>", "<", ">", "<=", ">="):
            python = {"=": "==", "<>": "!="}.get(op, op)
            if "real" in (a, b) and _name(left_type) != _name(right_type):
                # A REAL compared with an LREAL or an integer: compare the values as they are stored.
                left, right = (
                    self._real_operand(left, left_type, right_type),
                    self._real_operand(right, right_type, left_type),
                )
            return f"({left} {python} {right})"
        if op in ("AND", "&"):
            return f"({left} & {right})"  # BOOL and bit strings alike: both operands are evaluated
        if op == "OR":
            return f"({left} | {right})"
        if op == "XOR":
            return f"({left} ^ {right})"
        if op in ("AND_THEN", "OR_ELSE") and self.counting():
            assert self.pou is not None
            evaluated = self.module.point(
                CoveragePoint(
                    self.path, expr.right.span.start, "branch", self.pou.qualified_name, expr.span.start, "right side"
                )
            )
            skipped = self.module.point(
                CoveragePoint(
                    self.path, expr.span.start, "branch", self.pou.qualified_name, expr.span.start, "short circuit"
                )
            )
            if op == "AND_THEN":
                return f"(_hit(COV, {evaluated}, {right}) if {left} else _hit(COV, {skipped}, False))"
            return f"(_hit(COV, {skipped}, True) if {left} else _hit(COV, {evaluated}, {right}))"
        if op == "AND_THEN":
            return f"({left} and {right})"
        if op == "OR_ELSE":
            return f"({left} or {right})"
        real = category(result) == "real"
        if real:
            left = self._real_operand(left, left_type, result)
            right = self._real_operand(right, right_type, result)
        if op == "**":
            code = f"L.expt({left}, {right})"
            return f"f32({code})" if _name(result) == "REAL" else code
        if op == "/":
            if real:
                code = f"_fdiv({left}, {right})"
            elif category(result) in ("time", "date") and b == "real":
                code = f"int(round({left} / {right}))"
            else:
                code = f"idiv({left}, {right})"
        elif op == "MOD":
            code = f"_imod0({left}, {right})"
        elif op == "*" and category(result) == "time" and "real" in (a, b):
            code = f"int(round({left} * {right}))"
        elif op in ("+", "-", "*"):
            code = f"({left} {op} {right})"
        else:
            raise self.error(expr, f"operator {op} is not simulated")
        if _name(result) == "REAL":
            return f"f32({code})"
        return code

    def _real_operand(self, code: str, kind: Type, other: Type) -> str:
        if category(kind) in ("int", "bits", "bool"):
            return f"float({code})"
        return code

    # -------------------------------------------------------------------- calls

    def call_statement(self, call: ast.Expr, level: int, origin: tuple[str, int]) -> None:
        assert isinstance(call, ast.Call)
        info = self.checked.calls.get(id(call))
        if info is None:
            raise self.error(call, "unresolved call (see plcops check)")
        if info.kind in ("fb", "program", "action", "super_body"):
            self.instance_call(call, info, level, origin)
            return
        if info.kind in ("function", "method", "super") and info.outputs:
            self.call_with_outputs(call, info, level, origin)
            return
        intrinsic = self.model.intrinsics.get(info.name.casefold()) if info.kind == "intrinsic" else None
        if intrinsic is not None and intrinsic.gate and self.pou is not None and self.pou.kind in ("METHOD", "ACTION"):
            self.out.emit(level, f"if {self.call_value(call)} is False:", origin)
            self.out.emit(level + 1, self.return_statement())
            return
        self.out.emit(level, self.call_value(call), origin)

    def instance_call(self, call: ast.Call, info: CallInfo, level: int, origin: tuple[str, int]) -> None:
        out = self.out
        pou = info.pou
        assert pou is not None
        if info.kind == "program":
            instance = f"I_{ident(pou.name)}"
        elif info.kind == "action":
            instance = self.object_code(call.target.target) if isinstance(call.target, ast.MemberAccess) else "self"
        elif info.kind == "super_body":
            instance = "self"
        else:
            assert info.instance is not None
            instance = (
                self.object_code(info.instance)
                if not isinstance(info.instance, ast.Name)
                else self.value(info.instance)
            )
        simple = re.fullmatch(r"[\w.]+", instance) is not None
        if not simple:
            temp = self.temp()
            out.emit(level, f"{temp} = {instance}", origin)
            instance = temp
        for parameter, _, value in info.inputs:
            assert parameter is not None
            attr = f"v_{ident(parameter.name)}"
            if parameter.section == "VAR_IN_OUT":
                out.emit(level, f"{instance}.{attr} = {self.in_out_argument(parameter, value)}", origin)
            else:
                out.emit(level, f"{instance}.{attr} = {self.value_as(value, parameter.type)}", origin)
        if info.kind == "action":
            owner = pou.owner
            assert owner is not None
            out.emit(level, f"{instance}.a_{ident(pou.name)}()", origin)
        elif info.kind == "super_body":
            out.emit(level, f"P_{ident(pou.name)}.body(self)", origin)
        else:
            out.emit(level, f"{instance}.body()", origin)
        for parameter, _, target, negated in info.outputs:
            if parameter is None:
                continue
            output = f"{instance}.v_{ident(parameter.name)}"
            if negated:
                output = f"(not {output})"
            store = self.target(target)
            out.emit(level, store.store(self.convert(output, parameter.type, self.type_of(target))), origin)

    def call_with_outputs(self, call: ast.Call, info: CallInfo, level: int, origin: tuple[str, int]) -> None:
        temp = self.temp()
        self.out.emit(level, f"{temp} = {self._call_code(call, info)}", origin)
        pou = info.pou
        assert pou is not None
        outputs = [v for v in pou.variables.values() if v.section == "VAR_OUTPUT"]
        for parameter, _, target, negated in info.outputs:
            if parameter is None:
                continue
            position = outputs.index(parameter) + 1
            value = f"{temp}[{position}]"
            if negated:
                value = f"(not {value})"
            store = self.target(target)
            self.out.emit(level, store.store(self.convert(value, parameter.type, self.type_of(target))), origin)

    def call_value(self, call: ast.Call) -> str:
        info = self.checked.calls.get(id(call))
        if info is None:
            raise self.error(call, "unresolved call (see plcops check)")
        if info.kind in ("fb", "program", "action", "super_body"):
            raise self.error(call, f"{info.name} cannot be used as a value")
        code = self._call_code(call, info)
        pou = info.pou
        if pou is not None and any(v.section == "VAR_OUTPUT" for v in pou.variables.values()):
            if not info.outputs:
                return f"{code}[0]"
            outputs = [v for v in pou.variables.values() if v.section == "VAR_OUTPUT"]
            stores = []
            for parameter, _, target, negated in info.outputs:
                if parameter is None:
                    continue
                value = "(not _v)" if negated else "_v"
                store = self.target(target)
                try:
                    expression = store.store_expression(self.convert(value, parameter.type, self.type_of(target)))
                except ValueError:
                    raise self.error(target, "internal: an output target that is not boxed") from None
                stores.append(f"(lambda _v: {expression}, {outputs.index(parameter) + 1})")
            return f"_outputs({code}, {', '.join(stores)})"
        return code

    def _call_code(self, call: ast.Call, info: CallInfo) -> str:
        if info.kind == "standard":
            return self.standard(call, info)
        if info.kind == "conversion":
            return self.conversion_code(call, info)
        if info.kind == "intrinsic":
            return self.intrinsic(call, info)
        pou = info.pou
        assert pou is not None
        args = []
        for parameter, _, value in info.inputs:
            assert parameter is not None
            if parameter.section == "VAR_IN_OUT":
                args.append(f"v_{ident(parameter.name)}={self.in_out_argument(parameter, value)}")
            else:
                args.append(f"v_{ident(parameter.name)}={self.value_as(value, parameter.type)}")
        arguments = ", ".join(args)
        if info.kind == "function":
            return f"f_{ident(pou.name)}({arguments})"
        if info.kind == "method":
            target = call.target
            owner = self.object_code(target.target) if isinstance(target, ast.MemberAccess) else "self"
            return f"{owner}.m_{ident(pou.name)}({arguments})"
        if info.kind == "super":
            owner_pou = pou.owner
            assert owner_pou is not None
            return f"P_{ident(owner_pou.name)}.m_{ident(pou.name)}(self{', ' + arguments if arguments else ''})"
        raise self.error(call, f"call of {info.name} is not simulated")

    def intrinsic(self, call: ast.Call, info: CallInfo) -> str:
        """A provided function: ``T.intrinsic(name, location, {formal: value}, {formal: type})``, where ``T``
        is the runtime object the layer that registered the function installs in the module."""
        location = self.module.location(self.path, call.span.start)
        values = ", ".join(f"{formal!r}: {self.value(value)}" for _, formal, value in info.inputs)
        kinds = ", ".join(
            f"{formal!r}: {str(kind)!r}" for (_, formal, _), kind in zip(info.inputs, info.argument_types, strict=True)
        )
        return f"T.intrinsic({info.name!r}, {location}, {{{values}}}, {{{kinds}}})"

    def conversion_code(self, call: ast.Call, info: CallInfo) -> str:
        assert info.conversion is not None
        if len(info.inputs) != 1:
            raise self.error(call, f"{info.name} takes one argument")
        value_expr = info.inputs[0][2]
        source_type = resolved(self.type_of(value_expr))
        source = info.conversion.source or _elementary_name(source_type)
        target = info.conversion.target
        # A literal takes the conversion's source type: REAL_TO_DINT(16777217.0) converts the REAL 16777216.0.
        value = self.value(value_expr, ELEMENTARY.get(source) if source is not None else None)
        if source is None:
            raise self.error(call, f"{info.name} of a {source_type} is not simulated")
        if info.conversion.bcd == "from":
            return f"L.convert(L.bcd_to_int({value}), 'ULINT', {target!r})"
        if info.conversion.bcd == "to":
            return f"L.int_to_bcd({value})"
        if info.name.startswith("TRUNC"):
            return f"L.trunc({value}, {target!r})"
        return self._convert_call(value, source, target, source_type)

    def _convert_call(self, value: str, source: str, target: str, source_type: Type) -> str:
        """Inline the conversions that are only a type change; the rest go to the library."""
        integers = {"SINT", "INT", "DINT", "LINT", "USINT", "UINT", "UDINT", "ULINT", "BYTE", "WORD", "DWORD", "LWORD"}
        if source == target:
            return value
        if source in integers and target in integers:
            kind = ELEMENTARY[target]
            source_kind = ELEMENTARY[source]
            if kind.minimum <= source_kind.minimum and source_kind.maximum <= kind.maximum:
                return value
            return _wrap_code(value, kind)
        if source in integers and target == "LREAL":
            return f"float({value})"
        if source in integers and target == "REAL":
            return f"float({value})" if ELEMENTARY[source].bits <= 16 else f"f32(float({value}))"
        if source == "REAL" and target == "LREAL":
            return value
        if source == "LREAL" and target == "REAL":
            return f"f32({value})"
        if source == "BOOL" and target in integers:
            return f"int({value})"
        if target == "BOOL" and source in integers:
            return f"({value} != 0)"
        return f"L.convert({value}, {source!r}, {target!r})"

    def standard(self, call: ast.Call, info: CallInfo) -> str:
        name = info.name
        values = [value for _, _, value in info.inputs]
        types = info.argument_types
        result = resolved(info.result) if info.result is not None else None
        if name == "TIME":
            return "CLOCK.now"
        if name in ("ADR", "REF"):
            return self.reference_to(values[0])
        if name == "SIZEOF":
            return repr(_sizeof(resolved(types[0])))
        if name in ("LOWER_BOUND", "UPPER_BOUND"):
            array = _deref_type(types[0])
            dimension = self.model.const_value(values[1], self.path, self.pou)
            upper = name == "UPPER_BOUND"
            if isinstance(array, ArrayType) and array.dims is not None and isinstance(dimension, int):
                if not 1 <= dimension <= len(array.dims):
                    raise self.error(values[1], f"the array has no dimension {dimension}")
                return repr(array.dims[dimension - 1][1 if upper else 0])  # known when compiling
            return f"_bound({self.value(values[0])}, {self.value_as(values[1], ELEMENTARY['DINT'])}, {upper})"
        if result is None:
            raise self.error(call, f"{name} is not simulated")
        args = [
            self.value_as(v, result)
            if category(result) in ("int", "real", "bits") and name not in ("SHL", "SHR", "ROL", "ROR", "MUX", "SEL")
            else self.value(v)
            for v in values
        ]
        if name in COMPARISONS:
            python = {"GT": ">", "GE": ">=", "EQ": "==", "LE": "<=", "LT": "<", "NE": "!="}[name]
            raw = [self.value(v) for v in values]
            if name == "NE":
                return f"({raw[0]} != {raw[1]})"
            return "(" + " and ".join(f"{raw[i]} {python} {raw[i + 1]}" for i in range(len(raw) - 1)) + ")"
        if name in ("ADD", "MUL", "SUB", "DIV", "MOD"):
            operator = {"ADD": "+", "MUL": "*", "SUB": "-", "DIV": "/", "MOD": "MOD"}[name]
            code = args[0]
            for arg in args[1:]:
                if operator == "/":
                    code = f"_fdiv({code}, {arg})" if category(result) == "real" else f"idiv({code}, {arg})"
                elif operator == "MOD":
                    code = f"_imod0({code}, {arg})"
                else:
                    code = f"({code} {operator} {arg})"
            return f"f32({code})" if _name(result) == "REAL" else code
        if name in ("AND", "OR", "XOR"):
            operator = {"AND": "&", "OR": "|", "XOR": "^"}[name]
            return "(" + f" {operator} ".join(self.value(v) for v in values) + ")"
        if name == "NOT":
            if category(result) == "bool" or not isinstance(result, ElementaryType):
                return f"(not {self.value(values[0])})"
            return f"({self.value(values[0])} ^ {result.maximum})"
        if name in ("MAX", "MIN"):
            return f"{name.lower()}({', '.join(args)})"
        if name == "LIMIT":
            return f"min(max({args[1]}, {args[0]}), {args[2]})"
        if name == "SEL":
            selector = self.value(values[0])
            options = [self.value_as(v, result) for v in values[1:]]
            return f"({options[1]} if {selector} else {options[0]})"
        if name == "MUX":
            selector = self.value(values[0])
            options = [self.value_as(v, result) for v in values[1:]]
            return f"_mux({selector}, {', '.join(options)})"
        if name == "MOVE":
            return args[0]
        if name == "ABS":
            return f"abs({args[0]})"
        if name == "NEG":
            return f"(-{args[0]})"
        if name in ("SHL", "SHR", "ROL", "ROR"):
            width = resolved(types[0]).bits if isinstance(resolved(types[0]), ElementaryType) else 32  # type: ignore[attr-defined]
            return f"L.{name.lower()}({self.value(values[0])}, {self.value(values[1])}, {width})"
        if name in REAL_FUNCTIONS:
            real = "REAL" if _name(result) == "REAL" else "LREAL"
            converted = [self._real_operand(self.value(v), t, result) for v, t in zip(values, types, strict=True)]
            return f"L.{name.lower()}({', '.join(converted)}, {real!r})"
        if name == "EXPT":
            code = f"L.expt({self.value(values[0])}, {self.value(values[1])})"
            return f"f32({code})" if _name(result) == "REAL" else code
        if name in ("LEN", "LEFT", "RIGHT", "MID", "CONCAT", "INSERT", "DELETE", "REPLACE", "FIND"):
            return f"L.{name}({', '.join(self.value(v) for v in values)})"
        if name in TIME_FUNCTIONS:
            operator = TIME_FUNCTIONS[name][0]
            left, right = self.value(values[0]), self.value(values[1])
            if operator == "/":
                return f"idiv({left}, {right})"
            if operator == "*":
                return f"int(round({left} * {right}))"
            return f"({left} {operator} {right})"
        if name == "CONCAT_DATE_TOD":
            return f"({self.value(values[0])} + {self.value(values[1])})"
        if name == "DT_TO_DATE":
            return f"L.convert({self.value(values[0])}, 'DT', 'DATE')"
        if name == "DT_TO_TOD":
            return f"L.convert({self.value(values[0])}, 'DT', 'TOD')"
        if name == "TRUNC":
            return f"L.trunc({self.value(values[0])}, 'DINT')"
        raise self.error(call, f"{name} is not simulated")


@dataclass
class _Target:
    """Where a value is stored: ``code = value``, or ``code(value)`` for setters, or a bit of it."""

    code: str
    setter: bool = False
    bit: tuple[str, int] | None = None
    item: tuple[str, str] | None = None  # (container, index) for an array element
    wrap: ElementaryType | None = None  # a signed integer whose bit is written

    def _value(self, value: str) -> str:
        if self.bit is not None:
            current, mask = self.bit
            word = f"(({current}) | {mask} if {value} else ({current}) & ~{mask})"
            return _wrap_code(word, self.wrap) if self.wrap is not None else word
        return value

    def store(self, value: str) -> str:
        """A statement that stores ``value``."""
        value = self._value(value)
        return f"{self.code}({value})" if self.setter else f"{self.code} = {value}"

    def store_expression(self, value: str) -> str:
        """An expression that stores ``value`` (for outputs of calls inside expressions)."""
        value = self._value(value)
        if self.setter:
            return f"{self.code}({value})"
        if self.item is not None:
            return f"{self.item[0]}.__setitem__({self.item[1]}, {value})"
        owner, dot, attribute = self.code.rpartition(".")
        if not dot:
            raise ValueError(f"{self.code} is a plain local")
        return f"setattr({owner}, {attribute!r}, {value})"


def _default(kind: Type) -> str:
    kind = resolved(kind)
    if isinstance(kind, ElementaryType):
        if kind.name == "BOOL":
            return "False"
        if kind.is_real:
            return "0.0"
        if kind.name in ("CHAR", "WCHAR"):
            return "''"
        return "0"
    if isinstance(kind, StringType):
        return "''"
    if isinstance(kind, EnumType):
        return repr(kind.default)
    return "None"


def _wrap_code(code: str, kind: ElementaryType) -> str:
    """Two's-complement wraparound into an integer type, inline (the hot path of integer stores)."""
    bits = kind.bits
    mask = (1 << bits) - 1
    if kind.signed:
        half = 1 << (bits - 1)
        return f"((({code}) + {half}) & {mask}) - {half}"
    return f"(({code}) & {mask})"


def _can_overflow(expr: ast.Node) -> bool:
    """Whether an expression computes a new integer (which may need wrapping when stored)."""
    if isinstance(expr, ast.Paren):
        return _can_overflow(expr.expr)
    if isinstance(expr, ast.BinaryOp):
        return expr.op in ("+", "-", "*", "/", "MOD", "**")
    if isinstance(expr, ast.UnaryOp):
        return expr.op == "-" or expr.op == "NOT"
    return isinstance(expr, ast.Call)


def _unparen(expr: ast.Node) -> ast.Node:
    while isinstance(expr, ast.Paren):
        expr = expr.expr
    return expr


def _deref_type(kind: Type) -> Type:
    """The type a REFERENCE TO stands for in an expression (CODESYS dereferences implicitly)."""
    kind = resolved(kind)
    return resolved(kind.target) if isinstance(kind, ReferenceType) else kind


def _is_aggregate(kind: Type) -> bool:
    kind = resolved(kind)
    return isinstance(kind, (StructType, ArrayType)) or (isinstance(kind, PouType) and kind.pou.kind != "INTERFACE")


def _name(kind: Type | None) -> str:
    if kind is None:
        return ""
    kind = resolved(kind)
    return kind.name if isinstance(kind, ElementaryType) else ""


def _elementary_name(kind: Type) -> str | None:
    kind = resolved(kind)
    if kind is ANY_INT:
        return "LINT"
    if kind is ANY_REAL:
        return "LREAL"
    if isinstance(kind, ElementaryType):
        return kind.name
    if isinstance(kind, StringType):
        return "WSTRING" if kind.wide else "STRING"
    if isinstance(kind, EnumType):
        return kind.base.name
    if kind is ANY_INT:
        return "DINT"
    if kind is ANY_REAL:
        return "LREAL"
    return None


_UNION_LAYOUTS = {
    "BOOL": "?", "SINT": "b", "USINT": "B", "BYTE": "B", "INT": "<h", "UINT": "<H", "WORD": "<H",
    "DINT": "<i", "UDINT": "<I", "DWORD": "<I", "LINT": "<q", "ULINT": "<Q", "LWORD": "<Q",
    "REAL": "<f", "LREAL": "<d",
}  # fmt: skip


def _union_layout(kind: Type) -> str | None:
    """How a UNION member's value is stored in its bytes (``struct`` format), or None if not simulated."""
    if isinstance(kind, EnumType):
        kind = kind.base
    return _UNION_LAYOUTS.get(kind.name) if isinstance(kind, ElementaryType) else None


def _sizeof(kind: Type) -> int:
    """Bytes a value takes on a 64-bit CODESYS/TwinCAT target (without padding rules for structures)."""
    kind = resolved(kind)
    if isinstance(kind, ElementaryType):
        return (
            1
            if kind.name == "BOOL"
            else max(kind.bits // 8, 1)
            if kind.name not in ("TIME", "TOD", "DATE", "DT")
            else 4
        )
    if isinstance(kind, StringType):
        return (kind.length + 1) * (2 if kind.wide else 1)
    if isinstance(kind, ArrayType):
        return kind.size * _sizeof(kind.element)
    if isinstance(kind, StructType):
        sizes = [_sizeof(f.type) for f in kind.fields.values()]
        return max(sizes, default=0) if kind.union else sum(sizes)
    if isinstance(kind, EnumType):
        return max(kind.base.bits // 8, 1)
    return 8


def _boxed_locals(body: list[ast.Stmt], local_keys: set[str], checked: Checked) -> set[str]:
    """Locals whose address is taken (ADR, REF, REF=, VAR_IN_OUT arguments): they live in a frame object."""
    boxed: set[str] = set()
    stack: list[ast.Node] = list(body)
    while stack:
        node = stack.pop()
        stack.extend(node.children())
        if (
            isinstance(node, ast.Call)
            and isinstance(node.target, ast.Name)
            and node.target.name.upper() in ("ADR", "REF")
        ):
            for argument in node.args:
                root = _root(argument if isinstance(argument, ast.Expr) else getattr(argument, "value", None))
                if root is not None and root.casefold() in local_keys:
                    boxed.add(root.casefold())
        if isinstance(node, ast.Assignment) and node.op == "REF=":
            root = _root(node.value)
            if root is not None and root.casefold() in local_keys:
                boxed.add(root.casefold())
        info = checked.calls.get(id(node)) if isinstance(node, ast.Call) else None
        if info is not None and info.kind in ("function", "method", "super"):
            # Outputs of a call inside an expression are stored by a lambda: their locals live in the frame.
            for _, _, target, _ in info.outputs:
                root = _root(target)
                if root is not None and root.casefold() in local_keys:
                    boxed.add(root.casefold())
        if info is not None:
            for parameter, _, value in info.inputs:
                if parameter is not None and parameter.section == "VAR_IN_OUT":
                    root = _root(value)
                    if root is not None and root.casefold() in local_keys:
                        boxed.add(root.casefold())
    return {ident(key) for key in boxed}


def _root(expr: ast.Node | None) -> str | None:
    while isinstance(expr, (ast.MemberAccess, ast.Index, ast.BitAccess)):
        expr = expr.target
    return expr.name if isinstance(expr, ast.Name) else None
