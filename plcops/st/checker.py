"""Name resolution and type checking of POU bodies: what every name means and what type every expression has.

:func:`check` walks every POU, method, property accessor and action of a :class:`~plcops.st.model.Model`
and records, by node identity:

* :attr:`Checked.types` - the type of each expression;
* :attr:`Checked.bindings` - what each name (and ``x.y`` member access) refers to;
* :attr:`Checked.calls` - the callee of each call and how its arguments bind to parameters;

and reports what a compiler would reject: undeclared names, type mismatches, wrong call parameters,
writes to constants and to other instances' outputs, non-BOOL conditions. The simulator compiles from the
result; ``plcops check`` prints the diagnostics.

Typing follows IEC 61131-3 with the CODESYS/TwinCAT extensions real projects rely on (implicit widening
between integer types, integer literals that fit take the type they meet, bit strings used as unsigned
integers). Where a type cannot be known (an unknown library type) checks stay quiet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, cast

from plcops.st import ast
from plcops.st.diagnostics import Diagnostic, Severity
from plcops.st.functions import (
    ARITHMETIC,
    COMPARISONS,
    REAL_FUNCTIONS,
    STRING_FUNCTIONS,
    TIME_FUNCTIONS,
    Conversion,
    conversion,
    formal_names,
    is_standard_function,
)
from plcops.st.literals import TIME_LITERAL_SHAPES, LiteralError, malformed_time_literal
from plcops.st.model import (
    BOOL,
    ELEMENTARY,
    LREAL,
    TIME,
    ArrayType,
    ElementaryType,
    EnumType,
    GvlInfo,
    Model,
    PointerType,
    PouInfo,
    PouType,
    ReferenceType,
    StringType,
    StructType,
    Type,
    UnknownType,
    VarInfo,
    elementary,
    literal_value,
    resolved,
)


class _LiteralType(ElementaryType):
    """The type of an untyped literal: it takes the type of the operand or place it meets."""

    def __str__(self) -> str:
        return "integer literal" if self.name == "ANY_INT" else "real literal"


ANY_INT = _LiteralType("ANY_INT")
ANY_REAL = _LiteralType("ANY_REAL")
_ELEMENTARY_NAMES = set(ELEMENTARY) | {"TIME_OF_DAY", "DATE_AND_TIME"}
_INPUT_SECTIONS = ("VAR_INPUT", "VAR_IN_OUT")
_CALLABLE_KINDS = ("FUNCTION", "FUNCTION_BLOCK", "PROGRAM", "METHOD", "ACTION")


# ---------------------------------------------------------------------------------------------- results


@dataclass(eq=False)
class Binding:
    """What a name or member access refers to.

    kind: ``var`` (a variable of the code's own POU or block), ``global``, ``member`` (a variable of another
    instance or a struct field, reached with ``.``), ``result`` (a function's or method's return value,
    or a property's value inside its accessor), ``enum``, ``pou``, ``gvl``, ``type``, ``namespace``,
    ``property`` (read/write through GET/SET), ``this``.
    """

    kind: str
    variable: VarInfo | None = None
    pou: PouInfo | None = None
    enum: EnumType | None = None
    value: int | None = None
    field_name: str = ""


@dataclass(eq=False)
class CallInfo:
    """A resolved call.

    kind: ``function`` (user), ``standard`` (standard function, ``name``), ``conversion``, ``fb`` (an
    instance call), ``method``, ``action``, ``program``, ``super`` (SUPER^.Method()).
    """

    kind: str
    name: str
    pou: PouInfo | None = None
    instance: ast.Expr | None = None  # the instance (FB call) or object (method call); None: the code's own
    inputs: list[tuple[VarInfo | None, str, ast.Expr]] = field(default_factory=list)  # (parameter, formal, value)
    outputs: list[tuple[VarInfo | None, str, ast.Expr, bool]] = field(
        default_factory=list
    )  # (param, name, target, negated)
    argument_types: list[Type] = field(default_factory=list)
    conversion: Conversion | None = None
    result: Type | None = None


@dataclass(eq=False)
class Checked:
    """The checker's findings about a model (see the module docstring)."""

    model: Model
    types: dict[int, Type] = field(default_factory=dict)
    bindings: dict[int, Binding] = field(default_factory=dict)
    calls: dict[int, CallInfo] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def type_of(self, expr: ast.Node) -> Type | None:
        return self.types.get(id(expr))


def check(model: Model) -> Checked:
    """Check every POU of a model (see the module docstring)."""
    checked = Checked(model)
    for pou in list(model.pous.values()):
        _PouChecker(checked, pou).run()
    for gvl in model.gvls.values():
        _check_global_initialisers(checked, gvl)
    _check_global_order(checked)
    for kind in {id(kind): kind for kind in model.types.values()}.values():  # a type may have several keys
        if isinstance(kind, StructType) and kind.node is not None:
            _check_member_initialisers(checked, kind)
    for configuration in model.configurations:
        _check_configuration(checked, configuration.node, configuration.path)
    checked.diagnostics = sorted(model.diagnostics + checked.diagnostics, key=lambda d: (d.path, d.line, d.column))
    return checked


def _check_global_initialisers(checked: Checked, gvl: GvlInfo) -> None:
    """Initial values in a GVL may name globals and constants declared before them (``cMax : INT :=
    cSize - 1``): they are checked, and their names bound, in a scope of their own."""
    scope = PouInfo("GVL", gvl.name, cast(ast.Pou, None), gvl.path)  # a GVL has no code, only initialisers
    _PouChecker(checked, scope).initialisers(list(gvl.variables.values()))


# Their arguments' values are not read: an address, a size or a reference can be taken before initialisation.
_NOT_READING = frozenset({"ADR", "SIZEOF", "XSIZEOF", "REF", "ADRINST", "BITADR"})


def values_read(variable: Any, *, addresses: bool = False) -> Iterator[ast.Node]:
    """The nodes of a declaration's initial value and FB_init arguments whose values initialisation reads
    (``REF=`` and the arguments of ADR, SIZEOF and REF excluded). With ``addresses`` those too: what must
    exist before the variable is initialised."""
    spec = variable.decl.type if variable.decl is not None else None
    ref_init = variable.decl is not None and variable.decl.ref_init
    roots: list[ast.Node | None] = [None if ref_init and not addresses else variable.init]
    if isinstance(spec, ast.InstanceType):
        roots.extend(spec.args)
    elif isinstance(spec, ast.SizedType):
        roots.append(spec.size)
    elif isinstance(spec, ast.ArrayType) and isinstance(spec.element, ast.InstanceType):
        roots.extend(spec.element.element_args)
    stack = [root for root in roots if root is not None]
    while stack:
        node = stack.pop()
        if (
            not addresses
            and isinstance(node, ast.Call)
            and isinstance(node.target, ast.Name)
            and node.target.name.upper() in _NOT_READING
        ):
            continue
        yield node
        if isinstance(node, ast.MemberAccess):
            stack.append(node.target)  # GVL.x, fb.out: only the root can be a variable of the POU
        elif not isinstance(node, ast.Pou):
            stack.extend(node.children())


Needs = Callable[[VarInfo], Iterable[tuple[ast.Node, VarInfo]]]


def initialisation_order(
    variables: list[VarInfo], needs: Needs
) -> tuple[list[VarInfo], list[tuple[VarInfo, ast.Node, VarInfo]]]:
    """The order to initialise variables in: each after the ones ``needs`` names for it (where its
    initialisation names them, and which), else in the given (declaration) order. Also the needs that
    close a cycle: (variable, where it names, what)."""
    state: dict[int, int] = {}  # 1: being visited, 2: placed
    order: list[VarInfo] = []
    cycles: list[tuple[VarInfo, ast.Node, VarInfo]] = []

    def visit(variable: VarInfo) -> None:
        state[id(variable)] = 1
        for node, other in needs(variable):
            if state.get(id(other)) == 1:
                cycles.append((variable, node, other))
            elif id(other) not in state:
                visit(other)
        state[id(variable)] = 2
        order.append(variable)

    for variable in variables:
        if id(variable) not in state:
            visit(variable)
    return order, cycles


def global_needs(checked: Checked, variables: list[VarInfo]) -> Needs:
    """What a global's initialisation needs among ``variables``: the globals its initial value or FB_init
    arguments read or point at (ADR(x), REF= x: x must exist first too). Ordered by it, globals follow the
    ones they read whichever GVL declares them, as CODESYS and TwinCAT resolve ``cMax := cSize - 1``."""
    known = {id(variable) for variable in variables}

    def needs(variable: VarInfo) -> Iterator[tuple[ast.Node, VarInfo]]:
        for node in values_read(variable, addresses=True):
            binding = checked.bindings.get(id(node))
            if binding is not None and binding.kind == "global" and binding.variable is not None:
                if id(binding.variable) in known:
                    yield node, binding.variable

    return needs


def _check_global_order(checked: Checked) -> None:
    """Globals whose initial values read each other (directly or through others): no order initialises
    them (otherwise globals are initialised after the ones they read, see :func:`initialisation_order`)."""
    variables = [v for gvl in checked.model.gvls.values() for v in gvl.variables.values()]
    paths = {id(v): gvl.path for gvl in checked.model.gvls.values() for v in gvl.variables.values()}
    for variable, node, other in initialisation_order(variables, global_needs(checked, variables))[1]:
        what = "itself" if other is variable else f"{other.name}, whose initial value depends on {variable.name}"
        checked.model.error(
            paths[id(variable)], node, f"the initial value of {variable.name} reads {what}: no order initialises them"
        )


def _check_member_initialisers(checked: Checked, struct: StructType) -> None:
    """Initial values and FB_init arguments of a structure's own members (inherited ones are checked with
    the structure that declares them)."""
    spec = struct.node.type if struct.node is not None else None
    own = {id(decl) for decl in getattr(spec, "members", [])}
    members = [f for f in struct.fields.values() if f.decl is not None and id(f.decl) in own]
    if members:
        scope = PouInfo("STRUCT", struct.name, cast(ast.Pou, None), struct.path)  # no code, only initialisers
        _PouChecker(checked, scope).initialisers(members)  # type: ignore[arg-type]


# IEC 61131-3 3rd ed. 6.8.2: a task has INTERVAL, SINGLE and PRIORITY.
_TASK_PARAMETERS = ("INTERVAL", "SINGLE", "PRIORITY")


def _check_configuration(checked: Checked, node: ast.Configuration, path: str) -> None:
    model = checked.model
    for resource in [node, *node.resources]:
        for task in resource.tasks:  # type: ignore[attr-defined]
            for argument in task.args:
                known = isinstance(argument, ast.NamedArg) and argument.name.upper() in _TASK_PARAMETERS
                if not known:
                    model.error(path, argument, f"TASK {task.name.text}: parameters are {', '.join(_TASK_PARAMETERS)}")
                elif argument.value is None:  # SINGLE := , would silently make an event task cyclic
                    model.error(path, argument, f"TASK {task.name.text}: {argument.name} needs a value")
        tasks = {t.name.text.casefold() for t in [*node.tasks, *getattr(resource, "tasks", [])]}
        for program in resource.programs:  # type: ignore[attr-defined]
            pou = model.pous.get(program.type_name.casefold())
            if pou is None or pou.kind != "PROGRAM":
                model.error(path, program.name, f"'{program.type_name}' is not a PROGRAM")
            if program.task and program.task.casefold() not in tasks:
                model.error(path, program.name, f"unknown task '{program.task}'")


# ---------------------------------------------------------------------------------------------- categories


def category(kind: Type | None) -> str:
    """A coarse class of a type, for compatibility: int, real, bool, bits, time, date, string, char, enum,
    struct, array, pointer, reference, instance, unknown."""
    if kind is None or isinstance(kind, UnknownType):
        return "unknown"
    kind = resolved(kind)
    if kind is ANY_INT:
        return "int"
    if kind is ANY_REAL:
        return "real"
    if isinstance(kind, ElementaryType):
        if kind.name == "BOOL":
            return "bool"
        if kind.is_integer:
            return "int"
        if kind.is_bits:
            return "bits"
        if kind.is_real:
            return "real"
        if kind.is_duration:
            return "time"
        if kind.name in ("CHAR", "WCHAR"):
            return "char"
        return "date"
    if isinstance(kind, StringType):
        return "string"
    if isinstance(kind, EnumType):
        return "enum"
    if isinstance(kind, StructType):
        return "struct"
    if isinstance(kind, ArrayType):
        return "array"
    if isinstance(kind, PointerType):
        return "pointer"
    if isinstance(kind, ReferenceType):
        return "reference"
    if isinstance(kind, PouType):
        return "instance"
    return "unknown"


def wider(a: Type, b: Type) -> Type:
    """The common type of two numeric operands (literals adapt to the other operand)."""
    a, b = resolved(a), resolved(b)
    if a is ANY_INT:
        return b
    if b is ANY_INT:
        return a
    if a is ANY_REAL:
        return b if category(b) == "real" else LREAL
    if b is ANY_REAL:
        return a if category(a) == "real" else LREAL
    if not isinstance(a, ElementaryType) or not isinstance(b, ElementaryType):
        return a
    if a.is_real or b.is_real:
        return LREAL if "LREAL" in (a.name, b.name) else ELEMENTARY["REAL"]
    if a is b:
        return a
    bits = max(a.bits, b.bits)
    signed = a.signed or b.signed
    if a.signed != b.signed:
        unsigned = b if a.signed else a
        signed_one = a if a.signed else b
        bits = max(bits, unsigned.bits * 2 if unsigned.bits >= signed_one.bits else signed_one.bits)
    names = (
        {8: "SINT", 16: "INT", 32: "DINT", 64: "LINT"} if signed else {8: "USINT", 16: "UINT", 32: "UDINT", 64: "ULINT"}
    )
    if not signed and a.is_bits and b.is_bits:
        names = {8: "BYTE", 16: "WORD", 32: "DWORD", 64: "LWORD"}
    return ELEMENTARY[names.get(min(bits, 64), "LINT")]


def assignable(target: Type | None, value: Type | None) -> bool:
    """Whether a value of type ``value`` may be stored in a place of type ``target`` (lenient where
    CODESYS/TwinCAT convert implicitly; strict where they refuse)."""
    into, source = category(target), category(value)
    if "unknown" in (into, source):
        return True
    numeric = {"int", "bits", "enum"}
    if into == source:
        if into in ("struct", "enum", "instance"):
            return _same_named(target, value)
        return True
    if into in numeric and source in numeric:
        return True
    if into == "real" and source in ("int", "bits"):
        return True
    if into == "int" and source == "real":
        return True  # CODESYS converts implicitly (reported by the linter as narrowing)
    if (into in ("bits", "int") and source == "bool") or (into == "bool" and value is ANY_INT):
        return True  # BOOL := 1 (and x.0 := 1) is accepted by CODESYS and TwinCAT
    if {into, source} <= {"int", "bits", "time", "date"}:
        return True  # CODESYS and TwinCAT store TIME/DATE as 32/64-bit numbers and convert implicitly
    if (into == "string" and source == "char") or (into == "char" and source == "string"):
        return True
    if into == "reference" and isinstance(target, ReferenceType):
        return assignable(target.target, value)
    if source == "reference" and isinstance(value, ReferenceType):
        return assignable(target, value.target)
    if into == "pointer" and source in ("pointer", "int", "bits"):
        return True
    if (into == "instance" and source == "instance") or (into == "instance" and source == "int"):
        return True  # interface := instance / 0
    return False


def _same_named(a: Type | None, b: Type | None) -> bool:
    a, b = resolved(a) if a else a, resolved(b) if b else b
    if isinstance(a, PouType) and isinstance(b, PouType):
        # An interface accepts any instance that implements it (checked loosely: by name down the chain).
        return a.pou is b.pou or b.pou.derives_from(a.pou) or a.pou.kind == "INTERFACE"
    return a is b or (
        isinstance(a, StructType) and isinstance(b, StructType) and a.name.casefold() == b.name.casefold()
    )


# ---------------------------------------------------------------------------------------------- the walk


class _PouChecker:
    """Checks the code of one POU and of its members."""

    def __init__(self, checked: Checked, pou: PouInfo) -> None:
        self.checked = checked
        self.model = checked.model
        self.top = pou
        self.report = not pou.library

    # -------------------------------------------------------------------- entry

    def run(self) -> None:
        self._code(self.top, self.top if self.top.kind in ("FUNCTION_BLOCK", "PROGRAM", "CLASS") else None)
        for member in self.top.members.values():
            if member.kind == "PROPERTY":
                for accessor in (member.getter, member.setter):
                    if accessor is not None:
                        self._code(accessor, self.top, prop=member)
            else:
                self._code(member, self.top)

    def _code(self, pou: PouInfo, block: PouInfo | None, prop: PouInfo | None = None) -> None:
        self.pou = pou
        self.block = block
        self.prop = prop
        self.loops = 0
        node = pou.node
        declared: set[str] = set()
        for key, variable in pou.variables.items():
            self._reads_declared_later(variable, pou.variables, declared)
            if variable.init is not None:
                self._initial_value(variable)
            self._fb_init_arguments(variable)
            declared.add(key)
        if isinstance(node, ast.Pou):
            labels = {s.name.casefold() for s in _all_statements(node.body) if isinstance(s, ast.LabelStatement)}
            self.labels = labels
            self._statements(node.body)

    def initialisers(self, variables: list[VarInfo]) -> None:
        """Check the initial values of variables outside any POU's code (a GVL's)."""
        self.pou, self.block, self.prop, self.loops = self.top, None, None, 0
        for variable in variables:
            if variable.init is not None:
                self._initial_value(variable)
            self._fb_init_arguments(variable)

    def _reads_declared_later(self, variable: VarInfo, variables: dict[str, VarInfo], declared: set[str]) -> None:
        """An initial value (or FB_init argument) that reads a variable of the same POU declared after it,
        or itself: variables are initialised in declaration order, so it would read one not set yet."""
        for node in values_read(variable):
            if isinstance(node, ast.Name):
                key = node.name.casefold()
                if key in variables and key not in declared and not variables[key].constant:
                    self.error(
                        node,
                        f"the initial value of {variable.name} reads {node.name}, which is initialised after"
                        f" it: declare {node.name} first",
                    )

    def _initial_value(self, variable: VarInfo) -> None:
        init = variable.init
        assert init is not None
        if isinstance(init, (ast.ArrayLiteral, ast.StructLiteral)):
            self._literal_aggregate(init, variable.type)
            return
        kind = self.expression(init, expected=variable.type)
        if self.report and not variable.decl.ref_init and not assignable(variable.type, kind):
            self.error(init, f"cannot initialise {variable.name} ({variable.type}) with {kind}")

    def _fb_init_arguments(self, variable: VarInfo) -> None:
        """Arguments a declaration gives an instance's ``FB_init`` method: ``fbAxis : FB_Axis(nId := 3)``
        (by name or position), or one list per element, ``ARRAY[1..2] OF FB_Axis[(nId := 1), (nId := 2)]``.
        Each must name an input of FB_init and fit its type, as a call's arguments must."""
        spec = variable.decl.type
        kind = resolved(variable.type)
        lists: list[list[ast.Argument]] = []
        if isinstance(spec, ast.InstanceType) and spec.args:
            lists.append(list(spec.args))
        elif isinstance(spec, ast.SizedType) and isinstance(kind, PouType):
            lists.append([spec.size])  # FB_Axis(5): one positional argument, parsed like STRING(5)
        elif isinstance(spec, ast.ArrayType):
            inner = spec
            while isinstance(inner.element, ast.ArrayType):
                inner = inner.element
            element_args = inner.element.element_args if isinstance(inner.element, ast.InstanceType) else []
            if not element_args:
                return
            if inner is not spec:
                self.error(
                    element_args[0], "FB_init arguments per element need one array: write ARRAY[1..2, 1..3] OF ..."
                )
                return
            if variable.init is not None:
                self.error(
                    variable.init, "an array of instances with FB_init arguments per element takes no initial value"
                )
            if isinstance(kind, ArrayType):
                if kind.dims is not None and len(element_args) > kind.size:
                    self.error(element_args[kind.size], f"{len(element_args)} argument lists for {kind.size} elements")
                kind = resolved(kind.element)
            if not isinstance(kind, PouType):
                self.error(element_args[0], f"{kind} is not a function block: it takes no FB_init arguments")
                return
            for item in element_args:
                if isinstance(item, ast.StructLiteral):
                    lists.append([ast.NamedArg(f.name, f.value, span=f.span) for f in item.fields])
                else:
                    self.error(item, "FB_init arguments per element are written (name := value, ...)")
        if not lists or not isinstance(kind, PouType):
            return
        fb_init = kind.pou.member("FB_init")
        if fb_init is None or fb_init.kind != "METHOD":
            self.error(spec, f"{kind.pou.name} has no FB_init method to take these arguments")
            return
        inputs = [v for v in fb_init.variables.values() if v.section == "VAR_INPUT"]
        by_name = {v.name.casefold(): v for v in inputs}
        positional = [v for v in inputs if v.name.casefold() not in ("binitretains", "bincopycode")]
        for arguments in lists:
            for index, argument in enumerate(arguments):
                if isinstance(argument, ast.NamedArg):
                    parameter = by_name.get(argument.name.casefold())
                    if parameter is None:
                        self.error(argument, f"FB_init of {kind.pou.name} has no input '{argument.name}'")
                        continue
                    value = argument.value
                elif isinstance(argument, ast.Expr):
                    if index >= len(positional):
                        self.error(argument, f"FB_init of {kind.pou.name} takes {len(positional)} argument(s)")
                        continue
                    parameter, value = positional[index], argument
                else:
                    continue
                if value is None:
                    continue
                value_kind = self.expression(value, expected=parameter.type)
                if not assignable(parameter.type, value_kind):
                    self.error(value, f"{parameter.name} is {parameter.type}, not {value_kind}")

    def _literal_aggregate(self, init: ast.Expr, kind: Type) -> None:
        kind = resolved(kind)
        if isinstance(init, ast.ArrayLiteral):
            element = kind.element if isinstance(kind, ArrayType) else None
            for item in init.items:
                value = item.value if isinstance(item, ast.RepeatInit) else item
                if value is None:
                    continue
                if isinstance(value, (ast.ArrayLiteral, ast.StructLiteral)) and element is not None:
                    self._literal_aggregate(value, element)
                else:
                    self.expression(value, expected=element)
        elif isinstance(init, ast.StructLiteral):
            for field_init in init.fields:
                member = kind.fields.get(field_init.name.casefold()) if isinstance(kind, StructType) else None
                if isinstance(kind, StructType) and member is None:
                    self.error(field_init, f"{kind.name} has no member '{field_init.name}'")
                member_type = member.type if member is not None else None
                if isinstance(field_init.value, (ast.ArrayLiteral, ast.StructLiteral)) and member_type is not None:
                    self._literal_aggregate(field_init.value, member_type)
                else:
                    self.expression(field_init.value, expected=member_type)

    def error(self, node: Any, message: str, severity: Severity = Severity.ERROR) -> None:
        if self.report:
            self.model.error(self.pou.path, node, message, severity)

    # -------------------------------------------------------------------- statements

    def _statements(self, statements: list[ast.Stmt]) -> None:
        for statement in statements:
            self._statement(statement)

    def _statement(self, statement: ast.Stmt) -> None:
        if isinstance(statement, ast.Assignment):
            self._assignment(statement)
        elif isinstance(statement, ast.CallStatement):
            self.expression(statement.call, statement=True)
        elif isinstance(statement, ast.IfStatement):
            for branch in statement.branches:
                self._condition(branch.condition, "IF")
                self._statements(branch.body)
            if statement.else_branch:
                self._statements(statement.else_branch.body)
        elif isinstance(statement, ast.CaseStatement):
            self._case(statement)
        elif isinstance(statement, ast.ForStatement):
            self._for(statement)
        elif isinstance(statement, ast.WhileStatement):
            self._condition(statement.condition, "WHILE")
            self._loop_body(statement.body)
        elif isinstance(statement, ast.RepeatStatement):
            self._loop_body(statement.body)
            self._condition(statement.condition, "UNTIL")
        elif isinstance(statement, (ast.Exit, ast.Continue)):
            if self.loops == 0:
                self.error(statement, f"{'EXIT' if isinstance(statement, ast.Exit) else 'CONTINUE'} outside a loop")
        elif isinstance(statement, ast.Return):
            if statement.value is not None:
                self._condition(statement.value, "RETURN")
        elif isinstance(statement, ast.Jump):
            if statement.label.casefold() not in self.labels:
                self.error(statement, f"no label '{statement.label}' to jump to")
        elif isinstance(statement, ast.TryStatement):
            self._statements(statement.body)
            self._statements(statement.catch_body or [])
            self._statements(statement.finally_body or [])

    def _loop_body(self, body: list[ast.Stmt]) -> None:
        self.loops += 1
        self._statements(body)
        self.loops -= 1

    def _condition(self, expr: ast.Expr, where: str) -> None:
        kind = self.expression(expr, expected=BOOL)
        if category(kind) not in ("bool", "unknown"):
            self.error(expr, f"{where} condition must be BOOL, not {kind}")

    def _case(self, statement: ast.CaseStatement) -> None:
        selector = self.expression(statement.selector)
        if category(selector) not in ("int", "bits", "enum", "unknown"):
            self.error(statement.selector, f"CASE selector must be an integer or enumeration, not {selector}")
        for branch in statement.branches:
            for label in branch.labels:
                parts = [label.low, label.high] if isinstance(label, ast.CaseRange) else [label]
                for part in parts:
                    self.expression(part, expected=selector)
            self._statements(branch.body)
        if statement.else_branch:
            self._statements(statement.else_branch.body)

    def _for(self, statement: ast.ForStatement) -> None:
        counter = self.expression(statement.variable)
        if category(counter) not in ("int", "bits", "unknown"):
            self.error(statement.variable, f"FOR counter must be an integer variable, not {counter}")
        self._writable(statement.variable)
        for part in (statement.start, statement.end, statement.step):
            if part is not None:
                kind = self.expression(part, expected=counter)
                if category(kind) not in ("int", "bits", "enum", "unknown"):
                    self.error(part, f"FOR bounds must be integers, not {kind}")
        self._loop_body(statement.body)

    def _assignment(self, statement: ast.Assignment) -> None:
        target = self.expression(statement.target, store=True)
        if statement.op == "REF=":
            value = self.expression(statement.value)
            if category(target) != "reference" and category(target) != "unknown":
                self.error(statement.target, "REF= needs a REFERENCE TO variable on the left")
            self._writable(statement.target, reference=True)
            return
        value = self.expression(statement.value, expected=target)
        self._writable(statement.target)
        if statement.op in ("S=", "R="):
            if category(target) not in ("bool", "unknown"):
                self.error(statement.target, f"{statement.op} needs a BOOL variable")
            return
        if not assignable(target, value):
            self.error(statement.value, f"cannot assign {value} to {_describe(statement.target)} ({target})")

    def _writable(self, target: ast.Expr, reference: bool = False) -> None:
        """Report writes a PLC compiler refuses: constants, another instance's outputs or locals, inputs
        of a function block from inside another POU's output list."""
        node = target
        while isinstance(node, (ast.Index, ast.BitAccess)) or (
            isinstance(node, ast.MemberAccess) and self._is_field(node)
        ):
            node = node.target
        binding = self.checked.bindings.get(id(node))
        if binding is None:
            if not isinstance(node, (ast.Deref, ast.Name, ast.MemberAccess)):
                self.error(target, f"{_describe(target)} cannot be assigned")
            return
        variable = binding.variable
        if binding.kind in ("var", "global", "member") and variable is not None and variable.constant:
            self.error(target, f"{variable.name} is a constant")
        own = isinstance(node, ast.MemberAccess) and _is_self(node.target)
        if binding.kind == "member" and variable is not None and variable.owner is not None and not own:
            if variable.section not in _INPUT_SECTIONS and variable.section != "VAR_GLOBAL":
                self.error(
                    target,
                    f"{variable.name} is not an input of {variable.owner.name}: it cannot be written from outside",
                )
        if binding.kind in ("enum", "pou", "type", "gvl", "namespace"):
            self.error(target, f"{_describe(target)} cannot be assigned")
        if binding.kind == "property" and binding.pou is not None and binding.pou.setter is None:
            self.error(target, f"property {binding.pou.name} has no SET")

    def _is_field(self, node: ast.MemberAccess) -> bool:
        """Whether ``x.y`` is a field of a structure (written as part of ``x``)."""
        binding = self.checked.bindings.get(id(node))
        return binding is None or (binding.kind == "member" and binding.variable is None)

    # -------------------------------------------------------------------- expressions

    def expression(
        self, expr: ast.Node, expected: Type | None = None, store: bool = False, statement: bool = False
    ) -> Type:
        kind = self._expression(expr, expected, store, statement)
        self.checked.types[id(expr)] = kind
        return kind

    def _expression(self, expr: ast.Node, expected: Type | None, store: bool, statement: bool) -> Type:
        if isinstance(expr, ast.Literal):
            return self._literal(expr, expected)
        if isinstance(expr, ast.Paren):
            return self.expression(expr.expr, expected)
        if isinstance(expr, ast.Name):
            return self._name(expr, store)
        if isinstance(expr, ast.MemberAccess):
            return self._member(expr)
        if isinstance(expr, ast.BitAccess):
            base = self.expression(expr.target)
            if category(base) not in ("bits", "int", "unknown"):
                self.error(expr, f"bit access on {base}")
            elif isinstance(resolved(base), ElementaryType) and not 0 <= expr.bit < resolved(base).bits:  # type: ignore[attr-defined]
                self.error(expr, f"bit {expr.bit} is outside {base}")
            return BOOL
        if isinstance(expr, ast.Index):
            return self._index(expr)
        if isinstance(expr, ast.Deref):
            return self._deref(expr)
        if isinstance(expr, ast.UnaryOp):
            operand = self.expression(expr.operand, expected)
            if expr.op == "NOT" and category(operand) not in ("bool", "bits", "int", "unknown"):
                self.error(expr, f"NOT of {operand}")
            if expr.op == "-" and category(operand) not in ("int", "real", "time", "bits", "unknown"):
                self.error(expr, f"cannot negate {operand}")
            return operand
        if isinstance(expr, ast.BinaryOp):
            return self._binary(expr, expected)
        if isinstance(expr, ast.Call):
            return self._call(expr, statement)
        if isinstance(expr, ast.AssignExpr):
            target = self.expression(expr.target, store=True)
            value = self.expression(expr.value, expected=target)
            self._writable(expr.target)
            if not assignable(target, value):
                self.error(expr.value, f"cannot assign {value} to {_describe(expr.target)} ({target})")
            return target
        if isinstance(expr, ast.DirectAddress):
            return _address_type(expr.address)
        if isinstance(expr, (ast.ArrayLiteral, ast.StructLiteral)):
            if expected is not None:
                self._literal_aggregate(expr, expected)
                return expected
            return UnknownType("aggregate")
        return UnknownType(type(expr).__name__)

    def _literal(self, expr: ast.Literal, expected: Type | None) -> Type:
        if expr.kind in ("TRUE", "FALSE"):
            return BOOL
        if expr.kind in ("INTEGER", "BASED_INT"):
            return ANY_INT
        if expr.kind == "REAL":
            return ANY_REAL
        if expr.kind in ("TIME_LITERAL", "DATE_LITERAL", "TOD_LITERAL", "DT_LITERAL"):
            try:  # well-formed tokens may still name no moment: DATE#2024-13-45, TOD#25:00:00
                literal_value(expr)
            except LiteralError as exc:
                self.error(expr, str(exc))
        if expr.kind == "TIME_LITERAL":
            return ELEMENTARY["LTIME"] if expr.text.upper().startswith("LT") else TIME
        if expr.kind == "DATE_LITERAL":
            return ELEMENTARY["LDATE"] if expr.text.upper().startswith("LD") else ELEMENTARY["DATE"]
        if expr.kind == "TOD_LITERAL":
            return ELEMENTARY["LTOD"] if expr.text.upper().startswith("LT") else ELEMENTARY["TOD"]
        if expr.kind == "DT_LITERAL":
            return ELEMENTARY["LDT"] if expr.text.upper().startswith("LD") else ELEMENTARY["DT"]
        if expr.kind in ("STRING", "WSTRING"):
            try:
                text = literal_value(expr)
            except LiteralError as exc:
                self.error(expr, str(exc))
                text = ""
            return StringType(expr.kind == "WSTRING", max(len(text), 1))
        if expr.kind == "TYPED_LITERAL":
            prefix, body = expr.text.split("#", 1)
            kind = elementary(prefix)
            if kind is not None:
                try:
                    literal_value(expr)
                except LiteralError as exc:
                    self.error(expr, str(exc))
                return kind
            enum = self.model.user_type(prefix)
            if isinstance(enum, EnumType):
                entry = enum.values.get(body.casefold())
                if entry is None:
                    self.error(expr, f"{enum.name} has no value '{body}'")
                else:
                    self.checked.bindings[id(expr)] = Binding("enum", enum=enum, value=entry[1])
                return enum
            shape = TIME_LITERAL_SHAPES.get(prefix.upper())
            if shape is not None:  # "T#5": the lexer found no valid duration, date or time after the prefix
                self.error(expr, str(malformed_time_literal(expr.text)))
                return ELEMENTARY[shape[0]]
            self.error(expr, f"unknown type '{prefix}' in literal {expr.text}")
            return UnknownType(prefix)
        return UnknownType(expr.kind)

    # -------------------------------------------------------------------- names

    def _lookup(self, name: str) -> Binding | None:
        """What a plain name means at this point of the code."""
        key = name.casefold()
        pou = self.pou
        if key in pou.variables:
            return Binding("var", pou.variables[key])
        if self.prop is not None:
            if key in self.prop.variables:
                return Binding("var", self.prop.variables[key])
            if key == self.prop.name.casefold():
                return Binding("result", pou=self.prop)
        if pou.kind in ("FUNCTION", "METHOD") and key == pou.name.casefold() and pou.return_type is not None:
            return Binding("result", pou=pou)
        if self.block is not None:
            variable = self.block.variable(name)
            if variable is not None:
                return Binding("var", variable)
            if pou.owner is not None and pou.kind == "ACTION" and key == pou.name.casefold():
                return Binding("pou", pou=pou)
            member = self.block.member(name)
            if member is not None and member.kind == "PROPERTY":
                return Binding("property", pou=member)
            if member is not None:
                return Binding("pou", pou=member)
        variable = self.model.globals.get(key)
        if variable is not None:
            gvl = self.model.gvls.get(variable.gvl.casefold())
            if gvl is None or not gvl.qualified_only:
                return Binding("global", variable)
        candidates = self.model.enum_candidates(name)
        if candidates:
            enum, value = candidates[0]
            return Binding("enum", enum=enum, value=value)
        target = self.model.pous.get(key)
        if target is not None:
            return Binding("pou", pou=target)
        if key in self.model.gvls:
            return Binding("gvl")
        user = self.model.user_type(name)
        if user is not None:
            return Binding("type")
        if key in ("this", "super"):
            return Binding("this")
        return None

    def _name(self, expr: ast.Name, store: bool) -> Type:
        binding = self._lookup(expr.name)
        if binding is None:
            if _is_namespace(expr.name):
                self.checked.bindings[id(expr)] = Binding("namespace")
                return UnknownType(expr.name)
            if self.block is None or not self.block.incomplete:
                self.error(expr, f"'{expr.name}' is not declared")
            return UnknownType(expr.name)
        self.checked.bindings[id(expr)] = binding
        if binding.kind in ("var", "global") and binding.variable is not None:
            return binding.variable.type
        if binding.kind == "result":
            assert binding.pou is not None
            return binding.pou.return_type or UnknownType(expr.name)
        if binding.kind == "enum":
            assert binding.enum is not None
            return binding.enum
        if binding.kind == "property":
            assert binding.pou is not None
            return binding.pou.return_type or UnknownType(expr.name)
        if binding.kind == "pou" and binding.pou is not None and binding.pou.kind == "PROGRAM":
            return PouType(binding.pou)
        return UnknownType(expr.name)

    def _member(self, expr: ast.MemberAccess) -> Type:
        target = expr.target
        if isinstance(target, ast.Name):
            binding = self._lookup(target.name)
            if binding is not None and binding.kind == "gvl":
                self.checked.bindings[id(target)] = binding
                gvl = self.model.gvls[target.name.casefold()]
                variable = gvl.variables.get(expr.member.casefold())
                if variable is None:
                    self.error(expr, f"{gvl.name} has no variable '{expr.member}'")
                    return UnknownType(expr.member)
                self.checked.bindings[id(expr)] = Binding("global", variable)
                return variable.type
            if binding is not None and binding.kind == "type":
                self.checked.bindings[id(target)] = binding
                enum = self.model.user_type(target.name)
                if isinstance(enum, EnumType):
                    entry = enum.values.get(expr.member.casefold())
                    if entry is None:
                        self.error(expr, f"{enum.name} has no value '{expr.member}'")
                        return enum
                    self.checked.bindings[id(expr)] = Binding("enum", enum=enum, value=entry[1])
                    return enum
            if binding is None and _is_namespace(target.name):
                # TcUnit.FB_TestSuite, Tc2_Standard.TON: a library namespace in front of a name.
                self.checked.bindings[id(target)] = Binding("namespace")
                inner = self._lookup(expr.member)
                if inner is not None:
                    self.checked.bindings[id(expr)] = inner
                    if inner.variable is not None:
                        return inner.variable.type
                    if inner.kind == "enum" and inner.enum is not None:
                        return inner.enum
                return UnknownType(expr.member)
        container = self.expression(target)
        return self._member_of(expr, container)

    def _member_of(self, expr: ast.MemberAccess, container: Type) -> Type:
        kind = resolved(container)
        if isinstance(kind, ReferenceType):
            kind = resolved(kind.target)
        if isinstance(kind, StructType):
            member = kind.fields.get(expr.member.casefold())
            if member is None:
                self.error(expr, f"{kind.name} has no member '{expr.member}'")
                return UnknownType(expr.member)
            self.checked.bindings[id(expr)] = Binding("member", field_name=member.name)
            return member.type
        if isinstance(kind, PouType):
            pou = kind.pou
            variable = pou.variable(expr.member)
            if variable is not None and pou.kind != "INTERFACE":
                self.checked.bindings[id(expr)] = Binding("member", variable)
                return variable.type
            callable_member = pou.member(expr.member) or _interface_member(pou, expr.member, self.model)
            if callable_member is not None and callable_member.kind == "PROPERTY":
                self.checked.bindings[id(expr)] = Binding("property", pou=callable_member)
                return callable_member.return_type or UnknownType(expr.member)
            if callable_member is not None:
                self.checked.bindings[id(expr)] = Binding("pou", pou=callable_member)
                return UnknownType(expr.member)
            if not pou.incomplete:
                self.error(expr, f"{pou.name} has no member '{expr.member}'")
            return UnknownType(expr.member)
        if category(kind) != "unknown":
            self.error(expr, f"{kind} has no member '{expr.member}'")
        return UnknownType(expr.member)

    def _index(self, expr: ast.Index) -> Type:
        container = resolved(self.expression(expr.target))
        if isinstance(container, ReferenceType):
            container = resolved(container.target)
        for index in expr.indices:
            kind = self.expression(index)
            if category(kind) not in ("int", "bits", "enum", "unknown"):
                self.error(index, f"array index must be an integer, not {kind}")
        if isinstance(container, ArrayType):
            if container.dims is not None and len(expr.indices) != len(container.dims):
                self.error(expr, f"{len(container.dims)} indexes expected, {len(expr.indices)} given")
            elif container.dims is not None:
                for index, (low, high) in zip(expr.indices, container.dims, strict=True):
                    value = self.model.const_value(index, self.pou.path, self.pou)
                    if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
                        self.error(index, f"index {value} is outside the bounds {low}..{high}")
            return container.element
        if isinstance(container, StringType):
            return container  # TwinCAT s[i]: a byte of the string; rare, treated loosely
        if isinstance(container, PointerType):
            return container.target
        if category(container) != "unknown":
            self.error(expr, f"{container} cannot be indexed")
        return UnknownType("element")

    def _deref(self, expr: ast.Deref) -> Type:
        target = expr.target
        if (
            isinstance(target, ast.Name)
            and target.name.casefold() in ("this", "super")
            and self._lookup(target.name) is not None
        ):
            binding = self._lookup(target.name)
            assert binding is not None
            if binding.kind == "this":
                self.checked.bindings[id(target)] = binding
                block = self.block
                if block is None:
                    self.error(expr, f"{target.name}^ outside a function block")
                    return UnknownType(target.name)
                if target.name.casefold() == "super":
                    if block.extends is None:
                        if not block.opaque_base:
                            self.error(expr, f"SUPER^ in {block.name}, which extends nothing")
                        return UnknownType("SUPER")
                    return PouType(block.extends)
                return PouType(block)
        pointer = resolved(self.expression(target))
        if isinstance(pointer, (PointerType, ReferenceType)):
            return pointer.target
        if category(pointer) != "unknown":
            self.error(expr, f"^ needs a pointer, not {pointer}")
        return UnknownType("^")

    # -------------------------------------------------------------------- operators

    def _binary(self, expr: ast.BinaryOp, expected: Type | None) -> Type:
        op = expr.op
        # A REFERENCE TO in an expression stands for what it refers to (CODESYS dereferences implicitly).
        left = _referenced(self.expression(expr.left))
        right = _referenced(self.expression(expr.right, expected=left))
        a, b = category(left), category(right)
        if "unknown" in (a, b):
            return BOOL if op in ("=", "<>", "<", ">", "<=", ">=") else (left if b == "unknown" else right)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            if not (assignable(left, right) or assignable(right, left)):
                self.error(expr, f"cannot compare {left} with {right}")
            return BOOL
        if op in ("AND", "&", "OR", "XOR", "AND_THEN", "OR_ELSE"):
            if a == "bool" and b == "bool":
                return BOOL
            if {a, b} <= {"bits", "int"} and op not in ("AND_THEN", "OR_ELSE"):
                return wider(left, right)
            self.error(expr, f"{op} of {left} and {right}")
            return BOOL
        return self._arithmetic(expr, left, right, a, b)

    def _arithmetic(self, expr: ast.BinaryOp, left: Type, right: Type, a: str, b: str) -> Type:
        op = expr.op
        numeric = {"int", "bits", "real"}
        if a in numeric and b in numeric:
            if op == "**":
                return (
                    ELEMENTARY["REAL"]
                    if {_name(left), _name(right)} <= {"REAL", "ANY_REAL", "ANY_INT"}
                    and "REAL" in {_name(left), _name(right)}
                    else LREAL
                )
            if op == "MOD" and "real" in (a, b):
                self.error(expr, "MOD needs integers")
            result = wider(left, right)
            return ELEMENTARY["DINT"] if result is ANY_INT else LREAL if result is ANY_REAL else result
        if a == "time" and b == "time" and op in ("+", "-"):
            return left if _name(left) == "LTIME" or _name(right) != "LTIME" else right
        if a == "time" and b in ("int", "real") and op in ("*", "/"):
            return left
        if b == "time" and a in ("int", "real") and op == "*":
            return right
        if a == "date" and b == "time" and op in ("+", "-"):
            return left
        if a == "date" and b == "date" and op == "-":
            return ELEMENTARY["LTIME"] if _name(left).startswith("L") else TIME
        if (a == "enum" and b in ("int", "enum")) or (b == "enum" and a == "int"):
            return ELEMENTARY["INT"]
        if a == "pointer" and b in ("int", "bits") and op in ("+", "-"):
            return left  # pointer arithmetic (CODESYS, TwinCAT): an address moved by a byte count
        if a == "pointer" and b == "pointer" and op == "-":
            return ELEMENTARY["LINT"]
        if {a, b} <= {"int", "bits", "time", "date"} and ("int" in (a, b) or "bits" in (a, b)):
            return wider(left, right) if {a, b} <= {"int", "bits"} else (left if a in ("time", "date") else right)
        self.error(expr, f"'{op}' is not defined for {left} and {right}")
        return UnknownType(op)

    # -------------------------------------------------------------------- calls

    def _call(self, expr: ast.Call, statement: bool) -> Type:
        target = expr.target
        info = self._resolve_call(target)
        if info is None:
            self._arguments_unchecked(expr)
            return UnknownType("call")
        self.checked.calls[id(expr)] = info
        if info.kind in ("standard", "conversion"):
            return self._standard_call(expr, info)
        if info.kind == "intrinsic":
            return self._intrinsic_call(expr, info)
        pou = info.pou
        assert pou is not None
        self._bind_arguments(expr, info, pou)
        if pou.kind in ("FUNCTION", "METHOD"):
            result = pou.return_type
            if result is None and not statement:
                self.error(expr, f"{pou.name} returns nothing")
            info.result = result
            return result or UnknownType(pou.name)
        if not statement and pou.kind in ("FUNCTION_BLOCK", "PROGRAM", "ACTION"):
            self.error(
                expr, f"{pou.name} is called as a value, but a {pou.kind.lower().replace('_', ' ')} call is a statement"
            )
        return UnknownType(pou.name)

    def _resolve_call(self, target: ast.Expr) -> CallInfo | None:
        if isinstance(target, ast.Name):
            binding = self._lookup(target.name)
            if binding is not None:
                self.checked.bindings[id(target)] = binding
            if binding is not None and binding.kind in ("var", "global") and binding.variable is not None:
                kind = resolved(binding.variable.type)
                if isinstance(kind, ReferenceType):
                    kind = resolved(kind.target)
                self.checked.types[id(target)] = binding.variable.type
                if isinstance(kind, PouType) and kind.pou.kind in ("FUNCTION_BLOCK", "CLASS"):
                    return CallInfo("fb", kind.pou.name, kind.pou, instance=target)
                if category(kind) != "unknown":
                    self.error(target, f"{target.name} is {kind}, not something to call")
                return None
            if binding is not None and binding.kind == "pou" and binding.pou is not None:
                pou = binding.pou
                if pou.kind == "FUNCTION":
                    return CallInfo("function", pou.name, pou)
                if pou.kind == "PROGRAM":
                    return CallInfo("program", pou.name, pou)
                if pou.kind == "METHOD":
                    return CallInfo("method", pou.name, pou)
                if pou.kind == "ACTION":
                    return CallInfo("action", pou.name, pou)
                self.error(
                    target,
                    f"{pou.name} is a {pou.kind.lower().replace('_', ' ')} type: declare an instance and call that",
                )
                return None
            if binding is not None and binding.kind == "type":
                self.error(target, f"{target.name} is a type, not a function")
                return None
            name = target.name.upper()
            if binding is None and target.name.casefold() in self.model.intrinsics:
                return CallInfo("intrinsic", self.model.intrinsics[target.name.casefold()].name)
            found = conversion(name, set(ELEMENTARY))
            if found is not None:
                return CallInfo("conversion", name, conversion=found)
            if is_standard_function(name, set(ELEMENTARY)):
                return CallInfo("standard", name)
            if binding is None:
                self.model.unknown(self.pou.path, target, target.name, "function")
                return None
            return None
        if isinstance(target, ast.MemberAccess):
            owner = target.target
            if isinstance(owner, ast.Name) and self._lookup(owner.name) is None and _is_namespace(owner.name):
                self.checked.bindings[id(owner)] = Binding("namespace")
                return self._resolve_call(ast.Name(target.member, span=target.span))
            container = self.expression(owner)
            kind = resolved(container)
            if isinstance(kind, ReferenceType):
                kind = resolved(kind.target)
            if isinstance(kind, PouType) and kind.pou.variable(target.member) is not None:
                return self._instance_call(target)  # fbStation.fbValve(...): an instance inside an instance
            if isinstance(kind, StructType) or (
                isinstance(owner, ast.Name) and self.checked.bindings.get(id(owner), Binding("")).kind == "gvl"
            ):
                return self._instance_call(target)  # stMachine.fbAxis(...), GVL.fbTimer(...)
            if isinstance(kind, PouType):
                member = kind.pou.member(target.member) or _interface_member(kind.pou, target.member, self.model)
                if member is None:
                    if not kind.pou.incomplete:
                        self.error(target, f"{kind.pou.name} has no method or action '{target.member}'")
                    return None
                self.checked.bindings[id(target)] = Binding("pou", pou=member)
                is_super = (
                    isinstance(owner, ast.Deref)
                    and isinstance(owner.target, ast.Name)
                    and owner.target.name.casefold() == "super"
                )
                call_kind = "super" if is_super else "method" if member.kind == "METHOD" else "action"
                if member.kind not in ("METHOD", "ACTION"):
                    self.error(target, f"{member.name} is a {member.kind.lower()}, not a method")
                    return None
                return CallInfo(call_kind, member.name, member, instance=owner)
            if isinstance(kind, PouType) is False and category(kind) != "unknown":
                self.error(target, f"{kind} has no methods")
            return None
        if isinstance(target, ast.Deref) and _is_self(target) and isinstance(target.target, ast.Name):
            if target.target.name.casefold() == "super" and self.block is not None and self.block.extends is not None:
                self.checked.bindings[id(target.target)] = Binding("this")
                return CallInfo("super_body", self.block.extends.name, self.block.extends, instance=target)
        return self._instance_call(target)

    def _instance_call(self, target: ast.Expr) -> CallInfo | None:
        """A call of a function block instance reached by an expression (``aTimers[i](...)``)."""
        kind = resolved(self.expression(target))
        if isinstance(kind, ReferenceType):
            kind = resolved(kind.target)
        if isinstance(kind, PouType) and kind.pou.kind in ("FUNCTION_BLOCK", "CLASS"):
            return CallInfo("fb", kind.pou.name, kind.pou, instance=target)
        if category(kind) != "unknown":
            self.error(target, f"{kind} cannot be called")
        return None

    def _arguments_unchecked(self, expr: ast.Call) -> None:
        for argument in expr.args:
            if isinstance(argument, ast.NamedArg) and argument.value is not None:
                self.expression(argument.value)
            elif isinstance(argument, ast.OutputArg) and argument.target is not None:
                self.expression(argument.target, store=True)
            elif isinstance(argument, ast.Expr):
                self.expression(argument)

    def _bind_arguments(self, expr: ast.Call, info: CallInfo, pou: PouInfo) -> None:
        parameters = [v for v in pou.variables.values() if v.section in ("VAR_INPUT", "VAR_IN_OUT")]
        outputs = {k: v for k, v in pou.variables.items() if v.section == "VAR_OUTPUT"}
        block = pou.owner if pou.kind == "ACTION" and pou.owner is not None else pou
        if block.kind in ("FUNCTION_BLOCK", "PROGRAM", "CLASS"):
            # An action called with arguments (fb.Clear(bLog := TRUE)) sets its function block's inputs.
            parameters = [v for v in block.all_variables() if v.section in ("VAR_INPUT", "VAR_IN_OUT")]
            outputs = {v.name.casefold(): v for v in block.all_variables() if v.section == "VAR_OUTPUT"}
        by_name = {v.name.casefold(): v for v in parameters}
        position = 0
        seen: set[str] = set()
        for argument in expr.args:
            if isinstance(argument, ast.NamedArg):
                parameter = by_name.get(argument.name.casefold())
                if parameter is None:
                    extra = " (an output: connect it with =>)" if argument.name.casefold() in outputs else ""
                    self.error(argument, f"{pou.name} has no input '{argument.name}'{extra}")
                    if argument.value is not None:
                        self.expression(argument.value)
                    continue
                seen.add(parameter.name.casefold())
                if argument.value is not None:
                    self._argument(parameter, argument.value, info)
            elif isinstance(argument, ast.OutputArg):
                output = outputs.get(argument.name.casefold())
                if output is None:
                    self.error(argument, f"{pou.name} has no output '{argument.name}'")
                if argument.target is not None:
                    kind = self.expression(argument.target, store=True)
                    self._writable(argument.target)
                    if output is not None and not assignable(kind, output.type):
                        self.error(argument.target, f"cannot store output {output.name} ({output.type}) in {kind}")
                    info.outputs.append((output, argument.name, argument.target, argument.negated))
            else:
                if position >= len(parameters):
                    self.error(argument, f"too many arguments for {pou.name}")
                    self.expression(argument)
                    continue
                parameter = parameters[position]
                position += 1
                seen.add(parameter.name.casefold())
                self._argument(parameter, argument, info)
        if pou.kind in ("FUNCTION", "METHOD"):
            for parameter in parameters:
                if parameter.section == "VAR_IN_OUT" and parameter.name.casefold() not in seen:
                    self.error(expr, f"{pou.name} needs its VAR_IN_OUT '{parameter.name}'")
        elif pou.kind in ("FUNCTION_BLOCK", "CLASS") and info.kind == "fb":
            for parameter in parameters:
                if parameter.section == "VAR_IN_OUT" and parameter.name.casefold() not in seen:
                    self.error(expr, f"{pou.name} needs its VAR_IN_OUT '{parameter.name}' on every call")

    def _argument(self, parameter: VarInfo, value: ast.Expr, info: CallInfo) -> None:
        kind = self.expression(value, expected=parameter.type)
        info.inputs.append((parameter, parameter.name, value))
        info.argument_types.append(kind)
        if parameter.section == "VAR_IN_OUT":
            if not isinstance(value, (ast.Name, ast.MemberAccess, ast.Index, ast.Deref, ast.BitAccess)):
                self.error(value, f"VAR_IN_OUT '{parameter.name}' needs a variable, not an expression")
            else:
                self._writable(value)
        if not assignable(parameter.type, kind):
            self.error(value, f"{parameter.name} is {parameter.type}, not {kind}")

    def _standard_call(self, expr: ast.Call, info: CallInfo) -> Type:
        arguments: list[tuple[str, ast.Expr]] = []
        for argument in expr.args:
            if isinstance(argument, ast.NamedArg):
                if argument.value is not None:
                    arguments.append((argument.name.upper(), argument.value))
            elif isinstance(argument, ast.OutputArg):
                self.error(argument, f"{info.name} has no outputs")
            else:
                arguments.append(("", argument))
        formals = formal_names(info.name, len(arguments))
        ordered: list[tuple[str, ast.Expr]] = []
        for index, (name, value) in enumerate(arguments):
            formal = name or (formals[index] if index < len(formals) else f"IN{index + 1}")
            ordered.append((formal, value))
        if arguments and all(name for name, _ in arguments):
            ranks = {formal: position for position, formal in enumerate(formals)}
            unknown = [name for name, _ in arguments if name not in ranks]
            if unknown:
                self.error(expr, f"{info.name} has no input '{unknown[0]}'")
            ordered.sort(key=lambda pair: ranks.get(pair[0], 99))
        types = []
        for _, value in ordered:
            types.append(self.expression(value))
        info.inputs = [(None, formal, value) for formal, value in ordered]
        info.argument_types = types
        result = self._standard_result(expr, info, types)
        info.result = result
        return result

    def _intrinsic_call(self, expr: ast.Call, info: CallInfo) -> Type:
        intrinsic = self.model.intrinsics[info.name.casefold()]
        formals = {name.casefold(): name for name in intrinsic.parameters}
        bound: dict[str, ast.Expr] = {}
        position = 0
        for argument in expr.args:
            if isinstance(argument, ast.NamedArg):
                formal = formals.get(argument.name.casefold())
                if formal is None:
                    self.error(argument, f"{intrinsic.name} has no input '{argument.name}'")
                    continue
                if argument.value is not None:
                    bound[formal] = argument.value
            elif isinstance(argument, ast.OutputArg):
                self.error(argument, f"{intrinsic.name} has no outputs")
            else:
                if position >= len(intrinsic.parameters):
                    self.error(argument, f"too many arguments for {intrinsic.name}")
                    continue
                bound[intrinsic.parameters[position]] = argument
                position += 1
        missing = [name for name in intrinsic.parameters if name not in bound and name not in intrinsic.optional]
        if missing:
            self.error(expr, f"{intrinsic.name} needs {', '.join(missing)}")
        for formal in intrinsic.parameters:
            if formal in bound:
                kind = self.expression(bound[formal])
                info.inputs.append((None, formal, bound[formal]))
                info.argument_types.append(kind)
        info.result = ELEMENTARY[intrinsic.result] if intrinsic.result else None
        return info.result or UnknownType(intrinsic.name)

    def _standard_result(self, expr: ast.Call, info: CallInfo, types: list[Type]) -> Type:
        name = info.name
        count = len(types)
        if info.conversion is not None:
            if count != 1:
                self.error(expr, f"{name} takes one argument")
            target = info.conversion.target
            if target in ("STRING", "WSTRING"):
                return StringType(target == "WSTRING", 255)
            return ELEMENTARY[target]
        expected_counts = {"SEL": 3, "LIMIT": 3, "MID": 3, "INSERT": 3, "DELETE": 3, "REPLACE": 4, "TIME": 0}
        if name in expected_counts and count != expected_counts[name]:
            self.error(expr, f"{name} takes {expected_counts[name]} arguments, not {count}")
            return UnknownType(name)
        if name == "TIME":
            return TIME
        if name in ("ADR",):
            return PointerType(types[0] if types else UnknownType("ADR"))
        if name == "REF":
            return ReferenceType(types[0] if types else UnknownType("REF"))
        if name == "SIZEOF":
            return ELEMENTARY["UDINT"]
        if name in ("LOWER_BOUND", "UPPER_BOUND"):
            if count != 2 or not isinstance(resolved(types[0]), ArrayType):
                self.error(expr, f"{name} takes an array and a dimension (from 1)")
            return ELEMENTARY["DINT"]
        if name in COMPARISONS or (name == "NOT" and False):
            return BOOL
        if name in ("AND", "OR", "XOR", "NOT"):
            return BOOL if all(category(t) == "bool" for t in types) else _widest(types)
        if name in STRING_FUNCTIONS:
            if name in ("LEN", "FIND"):
                return ELEMENTARY["INT"]
            strings = [t for t in types if isinstance(resolved(t), StringType)]
            wide = any(resolved(t).wide for t in strings)  # type: ignore[attr-defined]
            return StringType(wide, 255)
        if name in TIME_FUNCTIONS:
            return ELEMENTARY[TIME_FUNCTIONS[name][1]]
        if name == "CONCAT_DATE_TOD":
            return ELEMENTARY["DT"]
        if name == "DT_TO_DATE":
            return ELEMENTARY["DATE"]
        if name == "DT_TO_TOD":
            return ELEMENTARY["TOD"]
        if name == "TRUNC":
            return ELEMENTARY["DINT"]
        if name in REAL_FUNCTIONS:
            first = resolved(types[0]) if types else LREAL
            return first if _name(first) == "REAL" else LREAL
        if name == "EXPT":
            return ELEMENTARY["REAL"] if types and _name(types[0]) == "REAL" else LREAL
        if name == "SEL":
            return _widest(types[1:])
        if name == "MUX":
            return _widest(types[1:])
        if name == "LIMIT":
            return _widest(types)
        if name in ("SHL", "SHR", "ROL", "ROR", "ABS", "NEG", "MOVE"):
            return _concrete(types[0]) if types else UnknownType(name)
        if name in ("MAX", "MIN") or name in ARITHMETIC or name in ("ADD", "MUL"):
            return _widest(types)
        return UnknownType(name)


def _referenced(kind: Type) -> Type:
    target = resolved(kind)
    return target.target if isinstance(target, ReferenceType) else kind


def _widest(types: list[Type]) -> Type:
    if not types:
        return UnknownType("?")
    result = types[0]
    for kind in types[1:]:
        if category(result) in ("int", "bits", "real") and category(kind) in ("int", "bits", "real"):
            result = wider(result, kind)
        elif category(result) == "unknown":
            result = kind
    return _concrete(result)


def _concrete(kind: Type) -> Type:
    if kind is ANY_INT:
        return ELEMENTARY["DINT"]
    if kind is ANY_REAL:
        return LREAL
    return kind


def _name(kind: Type) -> str:
    kind = resolved(kind)
    return kind.name if isinstance(kind, ElementaryType) else ""


def _interface_member(pou: PouInfo, name: str, model: Model) -> PouInfo | None:
    """A method or property of the interfaces a POU implements (or an interface extends)."""
    seen: set[str] = set()
    pending = list(pou.implements)
    chain: PouInfo | None = pou
    while chain is not None and len(seen) < 64:
        pending.extend(chain.implements)
        chain = chain.extends
    while pending:
        interface_name = pending.pop()
        key = interface_name.casefold()
        if key in seen:
            continue
        seen.add(key)
        interface = model.pous.get(key) or model.pous.get(key.split(".")[-1])
        if interface is None:
            continue
        member = interface.members.get(name.casefold())
        if member is not None:
            return member
        pending.extend(interface.implements)
    return None


def _is_self(node: ast.Node) -> bool:
    """``THIS^`` or ``SUPER^``."""
    return (
        isinstance(node, ast.Deref)
        and isinstance(node.target, ast.Name)
        and node.target.name.casefold() in ("this", "super")
    )


def _is_namespace(name: str) -> bool:
    """Library namespaces that appear in front of names (TcUnit.FB_TestSuite, Tc2_Standard.TON)."""
    upper = name.upper()
    return upper in ("TCUNIT", "STANDARD", "IEC", "SYS", "UTIL") or upper.startswith(("TC2_", "TC3_"))


def _address_type(address: str) -> Type:
    size = address[2:3].upper() if len(address) > 2 else ""
    return {
        "X": BOOL,
        "B": ELEMENTARY["BYTE"],
        "W": ELEMENTARY["WORD"],
        "D": ELEMENTARY["DWORD"],
        "L": ELEMENTARY["LWORD"],
    }.get(size, BOOL)


def _describe(expr: ast.Node) -> str:
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.MemberAccess):
        return f"{_describe(expr.target)}.{expr.member}"
    if isinstance(expr, ast.Index):
        return f"{_describe(expr.target)}[...]"
    if isinstance(expr, ast.Deref):
        return f"{_describe(expr.target)}^"
    if isinstance(expr, ast.BitAccess):
        return f"{_describe(expr.target)}.{expr.bit}"
    return "this expression"


def _all_statements(statements: list[ast.Stmt]) -> list[ast.Stmt]:
    found: list[ast.Stmt] = []
    stack = list(statements)
    while stack:
        statement = stack.pop()
        found.append(statement)
        for name in ("body",):
            stack.extend(getattr(statement, name, []) or [])
        for branch in getattr(statement, "branches", []) or []:
            stack.extend(branch.body)
        else_branch = getattr(statement, "else_branch", None)
        if else_branch is not None:
            stack.extend(else_branch.body)
        stack.extend(getattr(statement, "catch_body", None) or [])
        stack.extend(getattr(statement, "finally_body", None) or [])
    return found
