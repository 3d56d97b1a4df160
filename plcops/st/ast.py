"""The typed abstract syntax tree of Structured Text.

Every node is a small dataclass with a ``span`` (character offsets in the parsed text, see
:mod:`plcops.st.source`). Names keep the spelling the programmer used; ST is case-insensitive, so compare
them with :func:`same_name`. Keywords are not stored: their case is a formatting matter.

Comments and pragmas are attached to the nearest statement-level node as :class:`Trivia` by
:func:`plcops.st.trivia.attach_trivia`, which the parser runs by default; nodes that can carry trivia have a
``trivia`` attribute.

The node classes mirror the standard's vocabulary: a :class:`CompilationUnit` holds POUs
(:class:`Program`, :class:`Function`, :class:`FunctionBlock`, :class:`Interface`), data types
(:class:`TypeBlock`), global variable lists (:class:`VarBlock`) and :class:`Configuration` blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar, Iterator, Union

from plcops.st.source import Span


def same_name(a: str, b: str) -> bool:
    """Whether two ST names are the same identifier (ST names are case-insensitive)."""
    return a.casefold() == b.casefold()


# ---------------------------------------------------------------------------------------------- trivia


@dataclass(slots=True)
class Comment:
    """A ``//``, ``(* *)`` or ``/* */`` comment, text included delimiters."""

    text: str
    span: Span

    @property
    def body(self) -> str:
        """The comment without its delimiters."""
        text = self.text
        if text.startswith("//"):
            return text[2:]
        return text[2:-2]


@dataclass(slots=True)
class Pragma:
    """A ``{...}`` pragma such as ``{attribute 'hide'}`` or ``{analysis -33}``.

    Attributes:
        text: the pragma as written, braces included.
    """

    text: str
    span: Span

    @property
    def content(self) -> str:
        """The text between the braces, stripped."""
        return self.text[1:-1].strip()

    @property
    def kind(self) -> str:
        """The first word, lower-case: ``attribute``, ``analysis``, ``warning``, ``if``, ..."""
        content = self.content
        return content.split(None, 1)[0].lower() if content else ""

    @property
    def attribute(self) -> tuple[str, str | None] | None:
        """``(name, value)`` for ``{attribute 'name' := 'value'}`` (value None when absent), else None."""
        if self.kind != "attribute":
            return None
        rest = self.content.split(None, 1)[1] if " " in self.content else ""
        parts = rest.split(":=", 1)
        name = parts[0].strip().strip("'\"")
        value = parts[1].strip().strip("'\"") if len(parts) == 2 else None
        return name, value


TriviaItem = Union[Comment, Pragma]


@dataclass(slots=True)
class Trivia:
    """Comments and pragmas attached to a node.

    Attributes:
        leading: on their own lines just before the node.
        trailing: after the node's end, on the same line.
        header: on the node's first line after its header (``IF x THEN // why``).
        dangling: inside a block after its last child (``// nothing to do`` before ``END_IF``).
        interior: inside the node where no finer place exists (within an expression).
    """

    leading: list[TriviaItem] = field(default_factory=list)
    trailing: list[TriviaItem] = field(default_factory=list)
    header: list[TriviaItem] = field(default_factory=list)
    dangling: list[TriviaItem] = field(default_factory=list)
    interior: list[TriviaItem] = field(default_factory=list)

    def all(self) -> list[TriviaItem]:
        """Every attached item, in source order."""
        items = self.leading + self.header + self.interior + self.dangling + self.trailing
        return sorted(items, key=lambda item: item.span.start)

    @property
    def pragmas(self) -> list[Pragma]:
        """The pragmas written before the node (how vendors annotate declarations and POUs)."""
        return [item for item in self.leading if isinstance(item, Pragma)]


# ---------------------------------------------------------------------------------------------- base

_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_field_names(cls: type) -> tuple[str, ...]:
    """The fields of a node class that may hold child nodes (everything but ``span`` and ``trivia``)."""
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls) if f.name not in ("span", "trivia"))
        _CHILD_FIELDS[cls] = names
    return names


@dataclass(slots=True)
class Node:
    """Base of every AST node."""

    span: Span = field(kw_only=True)

    def children(self) -> Iterator[Node]:
        """The direct child nodes, in source order of the fields."""
        for name in child_field_names(type(self)):
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, Node):
                        yield item


@dataclass(slots=True)
class Annotated(Node):
    """A node that can carry comments and pragmas."""

    trivia: Trivia | None = field(default=None, kw_only=True, compare=False)

    @property
    def pragmas(self) -> list[Pragma]:
        """Pragmas written before this node."""
        return self.trivia.pragmas if self.trivia else []


@dataclass(slots=True)
class Identifier(Node):
    """A declared name, with its position (for diagnostics that point at the name)."""

    text: str


# ---------------------------------------------------------------------------------------------- expressions


@dataclass(slots=True)
class Expr(Node):
    """Base of expressions."""


@dataclass(slots=True)
class Literal(Expr):
    """A literal constant, kept exactly as written.

    Attributes:
        kind: the lexical class: ``INTEGER``, ``BASED_INT``, ``REAL``, ``TYPED_LITERAL``, ``TIME_LITERAL``,
            ``DATE_LITERAL``, ``TOD_LITERAL``, ``DT_LITERAL``, ``STRING``, ``WSTRING``, ``TRUE`` or ``FALSE``.
        text: the literal as written (``16#FF_FF``, ``T#1s500ms``, ``'it$'s'``).
    """

    kind: str
    text: str


@dataclass(slots=True)
class Name(Expr):
    """A reference to a variable, constant, POU, enum value or namespace by name."""

    name: str


@dataclass(slots=True)
class DirectAddress(Expr):
    """A direct address such as ``%IX0.0``, ``%QW3`` or ``%MD10``."""

    address: str


@dataclass(slots=True)
class MemberAccess(Expr):
    """``target.member``: a struct field, FB member, method, property, enum value or namespace member."""

    target: Expr
    member: str


@dataclass(slots=True)
class BitAccess(Expr):
    """``target.N``: bit N of an integer or bit-string variable."""

    target: Expr
    bit: int


@dataclass(slots=True)
class Index(Expr):
    """``target[i, j]``: array element access."""

    target: Expr
    indices: list[Expr]


@dataclass(slots=True)
class Deref(Expr):
    """``target^``: pointer dereference (also ``THIS^`` and ``SUPER^``)."""

    target: Expr


@dataclass(slots=True)
class NamedArg(Annotated):
    """A formal input argument ``name := value`` in a call (``value`` None for TwinCAT's ``name := ,``)."""

    name: str
    value: Expr | None


@dataclass(slots=True)
class OutputArg(Annotated):
    """A formal output argument ``name => target`` (``NOT name => target`` when negated).

    ``target`` is None for an unconnected output (``Q =>``).
    """

    name: str
    target: Expr | None
    negated: bool = False


Argument = Union[Expr, NamedArg, OutputArg]


@dataclass(slots=True)
class Call(Expr):
    """A call of a function, FB instance, method or action: ``target(args)``."""

    target: Expr
    args: list[Argument]


@dataclass(slots=True)
class UnaryOp(Expr):
    """``-x``, ``+x`` or ``NOT x``.  ``op`` is ``"-"``, ``"+"`` or ``"NOT"``."""

    op: str
    operand: Expr


@dataclass(slots=True)
class BinaryOp(Expr):
    """A binary operation. ``op`` is the operator upper-cased: ``+ - * / MOD ** = <> < > <= >= AND & XOR
    OR AND_THEN OR_ELSE``.  ``&`` keeps its spelling; it means ``AND``."""

    op: str
    left: Expr
    right: Expr


@dataclass(slots=True)
class Paren(Expr):
    """A parenthesised expression (kept, so printing code back keeps the programmer's parentheses)."""

    expr: Expr


@dataclass(slots=True)
class AssignExpr(Expr):
    """``(target := value)`` used as an expression (CODESYS extended ST)."""

    target: Expr
    value: Expr


@dataclass(slots=True)
class RepeatInit(Node):
    """``count(value)`` inside an array initializer: ``3(0)`` is three zeros; ``value`` may be None."""

    count: int
    value: Expr | None


@dataclass(slots=True)
class ArrayLiteral(Expr):
    """``[1, 2, 3(0)]``: an array initializer."""

    items: list[Expr | RepeatInit]


@dataclass(slots=True)
class FieldInit(Annotated):
    """``name := value`` inside a structure initializer."""

    name: str
    value: Expr


@dataclass(slots=True)
class StructLiteral(Expr):
    """``(a := 1, b := [1, 2])``: a structure (or FB instance) initializer."""

    fields: list[FieldInit]


# ---------------------------------------------------------------------------------------------- types


@dataclass(slots=True)
class TypeSpec(Node):
    """Base of type specifications."""


@dataclass(slots=True)
class NamedType(TypeSpec):
    """An elementary or user-defined type by name, possibly namespace-qualified (``Tc2_Standard.TON``)."""

    name: str


@dataclass(slots=True)
class SizedType(TypeSpec):
    """``STRING(80)``, ``WSTRING[40]``: a string type with a maximum length."""

    name: str
    size: Expr
    bracket: bool = False


@dataclass(slots=True)
class SubrangeType(TypeSpec):
    """``INT(0..100)``: an integer type restricted to a range."""

    name: str
    low: Expr
    high: Expr


@dataclass(slots=True)
class EnumValue(Annotated):
    """One named value of an enumeration, with its explicit value if given."""

    name: str
    value: Expr | None


@dataclass(slots=True)
class EnumType(TypeSpec):
    """``(Idle, Running := 5) DINT`` (CODESYS) or ``DINT (Idle, Running := 5)`` (IEC 3rd edition).

    Attributes:
        base: the base type name, or None for the default (INT).
        base_first: True for the IEC form that names the base type before the values.
    """

    values: list[EnumValue]
    base: str | None = None
    base_first: bool = False


@dataclass(slots=True)
class ArrayDim(Node):
    """One array dimension ``low..high``; both None for a variable-length ``*`` dimension."""

    low: Expr | None
    high: Expr | None


@dataclass(slots=True)
class ArrayType(TypeSpec):
    """``ARRAY[1..10, 0..N] OF element``."""

    dims: list[ArrayDim]
    element: TypeSpec


@dataclass(slots=True)
class PointerType(TypeSpec):
    """``POINTER TO target``, or the IEC 3rd edition ``REF_TO target`` when ``ref_to`` is set."""

    target: TypeSpec
    ref_to: bool = False


@dataclass(slots=True)
class ReferenceType(TypeSpec):
    """``REFERENCE TO target``."""

    target: TypeSpec


@dataclass(slots=True)
class StructType(TypeSpec):
    """``STRUCT ... END_STRUCT``."""

    members: list[VarDecl]


@dataclass(slots=True)
class UnionType(TypeSpec):
    """``UNION ... END_UNION``."""

    members: list[VarDecl]


@dataclass(slots=True)
class InstanceType(TypeSpec):
    """A function block type with arguments for its ``FB_init`` method.

    ``FB_Axis(nAxisId := 3)`` sets ``args``; the element type of an FB array may instead give each element
    its own arguments, ``FB_Axis[(nAxisId := 1), (nAxisId := 2)]``, which sets ``element_args``; a block
    with generic constants is instantiated with them, ``FB_Buffer<100>``, which sets ``generic_args``.
    """

    name: str
    args: list[Argument]
    element_args: list[Expr] = field(default_factory=list)
    generic_args: list[Expr] = field(default_factory=list)  # FB_Buffer<100>: values of its VAR_GENERIC


# ---------------------------------------------------------------------------------------------- declarations


@dataclass(slots=True)
class VarDecl(Annotated):
    """``a, b AT %IX0.0 : BOOL := TRUE;``: one declaration line (several names share type and init).

    Attributes:
        names: the declared names (a dotted instance path inside ``VAR_CONFIG``).
        address: the ``AT`` location (``%IX0.0``, ``%I*``) or None.
        type: the declared type.
        init: the initial value, or None.
        ref_init: the value was given with ``REF=`` (a reference bound at declaration), not ``:=``.
    """

    names: list[Identifier]
    address: str | None
    type: TypeSpec
    init: Expr | None
    ref_init: bool = False


@dataclass(slots=True)
class VarBlock(Annotated):
    """A variable section: ``VAR_INPUT CONSTANT ... END_VAR``.

    Attributes:
        kind: the section keyword, upper case (``VAR``, ``VAR_INPUT``, ``VAR_GLOBAL``, ...).
        qualifiers: ``CONSTANT``, ``RETAIN``, ``NON_RETAIN`` and/or ``PERSISTENT``, upper case.
    """

    kind: str
    qualifiers: list[str]
    decls: list[VarDecl]

    @property
    def constant(self) -> bool:
        """Whether the section is ``CONSTANT``."""
        return "CONSTANT" in self.qualifiers


@dataclass(slots=True)
class TypeDecl(Annotated):
    """One user-defined type inside ``TYPE ... END_TYPE``."""

    name: Identifier
    extends: str | None
    type: TypeSpec
    init: Expr | None


@dataclass(slots=True)
class TypeBlock(Annotated):
    """``TYPE ... END_TYPE`` with one or more type declarations."""

    decls: list[TypeDecl]


# ---------------------------------------------------------------------------------------------- statements


@dataclass(slots=True)
class Stmt(Annotated):
    """Base of statements."""


@dataclass(slots=True)
class Assignment(Stmt):
    """``target := value;`` and its variants ``S=`` (set), ``R=`` (reset), ``REF=``, ``?=`` and B&R's
    ``target ACCESS address;``."""

    target: Expr
    value: Expr
    op: str = ":="


@dataclass(slots=True)
class CallStatement(Stmt):
    """A call used as a statement: ``fbTimer(IN := bStart, PT := T#5s);``."""

    call: Expr


@dataclass(slots=True)
class IfBranch(Annotated):
    """The ``IF`` or an ``ELSIF`` arm: a condition and its statements."""

    condition: Expr
    body: list[Stmt]


@dataclass(slots=True)
class ElseBranch(Annotated):
    """The ``ELSE`` arm of an ``IF`` or ``CASE``."""

    body: list[Stmt]


@dataclass(slots=True)
class Compound(Stmt):
    """A statement with a body. ``semicolon`` records an ``END_x;`` written with its optional ``;``."""

    semicolon: bool = field(default=False, kw_only=True, compare=False)


@dataclass(slots=True)
class IfStatement(Compound):
    """``IF ... ELSIF ... ELSE ... END_IF``: ``branches[0]`` is the IF arm."""

    branches: list[IfBranch]
    else_branch: ElseBranch | None


@dataclass(slots=True)
class CaseRange(Node):
    """``low..high`` as a CASE label."""

    low: Expr
    high: Expr


CaseLabel = Union[Expr, CaseRange]


@dataclass(slots=True)
class CaseBranch(Annotated):
    """``1, 3..5, E_State.Idle: statements``."""

    labels: list[CaseLabel]
    body: list[Stmt]


@dataclass(slots=True)
class CaseStatement(Compound):
    """``CASE selector OF ... ELSE ... END_CASE``."""

    selector: Expr
    branches: list[CaseBranch]
    else_branch: ElseBranch | None


@dataclass(slots=True)
class ForStatement(Compound):
    """``FOR variable := start TO end BY step DO ... END_FOR`` (``step`` None when omitted)."""

    variable: Expr
    start: Expr
    end: Expr
    step: Expr | None
    body: list[Stmt]


@dataclass(slots=True)
class WhileStatement(Compound):
    """``WHILE condition DO ... END_WHILE``."""

    condition: Expr
    body: list[Stmt]


@dataclass(slots=True)
class RepeatStatement(Compound):
    """``REPEAT ... UNTIL condition END_REPEAT``."""

    body: list[Stmt]
    condition: Expr


@dataclass(slots=True)
class TryStatement(Compound):
    """TwinCAT ``__TRY ... __CATCH(exc) ... __FINALLY ... __ENDTRY``."""

    body: list[Stmt]
    catch_variable: str | None
    catch_body: list[Stmt] | None
    finally_body: list[Stmt] | None


@dataclass(slots=True)
class Exit(Stmt):
    """``EXIT;``"""


@dataclass(slots=True)
class Continue(Stmt):
    """``CONTINUE;``"""


@dataclass(slots=True)
class Return(Stmt):
    """``RETURN;`` (``value`` holds the condition of TwinCAT's conditional ``RETURN(expr);``)."""

    value: Expr | None = None


@dataclass(slots=True)
class Jump(Stmt):
    """``JMP label;``"""

    label: str


@dataclass(slots=True)
class LabelStatement(Stmt):
    """``label:``: a jump target, labelling the statement after it."""

    name: str


@dataclass(slots=True)
class EmptyStatement(Stmt):
    """A lone ``;``."""


# ---------------------------------------------------------------------------------------------- POUs


@dataclass(slots=True)
class Pou(Annotated):
    """Base of program organisation units and their members.

    Attributes:
        name: the declared name.
        var_blocks: the variable sections, in order.
        body: the implementation's statements.
    """

    kind: ClassVar[str] = "POU"

    name: Identifier
    var_blocks: list[VarBlock]
    body: list[Stmt]

    def variables(self) -> Iterator[tuple[VarBlock, VarDecl, Identifier]]:
        """Every declared variable as ``(section, declaration, name)``."""
        for block in self.var_blocks:
            for decl in block.decls:
                for name in decl.names:
                    yield block, decl, name


@dataclass(slots=True)
class Method(Pou):
    """``METHOD [modifiers] Name : ReturnType``.

    ``owner`` names the function block or interface the method belongs to when it was written outside it
    (TwinCAT per-object text), else None.
    """

    kind: ClassVar[str] = "METHOD"

    modifiers: list[str] = field(default_factory=list)
    return_type: TypeSpec | None = None
    owner: str | None = None


@dataclass(slots=True)
class PropertyAccessor(Pou):
    """The ``GET`` or ``SET`` half of a property; ``name`` is ``Get``/``Set``."""

    kind: ClassVar[str] = "ACCESSOR"

    modifiers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Property(Pou):
    """``PROPERTY [modifiers] Name : Type`` with its ``getter`` and ``setter``.

    ``var_blocks`` and ``body`` hold anything written outside GET/SET (an old export style that is
    treated as the getter by later layers).
    """

    kind: ClassVar[str] = "PROPERTY"

    modifiers: list[str] = field(default_factory=list)
    type: TypeSpec | None = None
    getter: PropertyAccessor | None = None
    setter: PropertyAccessor | None = None
    owner: str | None = None


@dataclass(slots=True)
class Action(Pou):
    """``ACTION Name: ... END_ACTION``: a named statement list run in its POU's context."""

    kind: ClassVar[str] = "ACTION"

    owner: str | None = None


Member = Union[Method, Property, Action]


@dataclass(slots=True)
class Program(Pou):
    """``PROGRAM``."""

    kind: ClassVar[str] = "PROGRAM"

    modifiers: list[str] = field(default_factory=list)
    implements: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


@dataclass(slots=True)
class Function(Pou):
    """``FUNCTION Name : ReturnType``."""

    kind: ClassVar[str] = "FUNCTION"

    modifiers: list[str] = field(default_factory=list)
    return_type: TypeSpec | None = None


@dataclass(slots=True)
class FunctionBlock(Pou):
    """``FUNCTION_BLOCK [ABSTRACT|FINAL] Name EXTENDS Base IMPLEMENTS I_A, I_B``."""

    kind: ClassVar[str] = "FUNCTION_BLOCK"

    modifiers: list[str] = field(default_factory=list)
    extends: str | None = None
    implements: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


@dataclass(slots=True)
class Class(Pou):
    """``CLASS [FINAL|ABSTRACT] Name EXTENDS Base IMPLEMENTS I_A`` (IEC 61131-3 3rd edition): methods and
    variables, no body."""

    kind: ClassVar[str] = "CLASS"

    modifiers: list[str] = field(default_factory=list)
    extends: str | None = None
    implements: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


@dataclass(slots=True)
class Interface(Annotated):
    """``INTERFACE Name EXTENDS I_A, I_B`` with method and property prototypes."""

    kind: ClassVar[str] = "INTERFACE"

    name: Identifier
    extends: list[str]
    members: list[Method | Property]
    modifiers: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- configuration


@dataclass(slots=True)
class TaskConfig(Annotated):
    """``TASK Name(INTERVAL := T#10ms, PRIORITY := 1);``."""

    name: Identifier
    args: list[Argument]


@dataclass(slots=True)
class ProgramConfig(Annotated):
    """``PROGRAM inst WITH task : ProgramType (args);``: a program instance in a resource."""

    name: Identifier
    task: str | None
    type_name: str
    args: list[Argument]
    qualifier: str | None = None


@dataclass(slots=True)
class Resource(Annotated):
    """``RESOURCE Name ON Processor ... END_RESOURCE``."""

    name: Identifier
    processor: str
    var_blocks: list[VarBlock]
    tasks: list[TaskConfig]
    programs: list[ProgramConfig]


@dataclass(slots=True)
class Configuration(Annotated):
    """``CONFIGURATION Name ... END_CONFIGURATION``.

    Tasks and programs written directly in the configuration (no RESOURCE) are in ``tasks``/``programs``.
    """

    name: Identifier
    var_blocks: list[VarBlock]
    resources: list[Resource]
    tasks: list[TaskConfig]
    programs: list[ProgramConfig]


TopLevel = Union[Pou, Interface, TypeBlock, VarBlock, Configuration]


@dataclass(slots=True)
class CompilationUnit(Node):
    """One parsed document: its top-level items in source order and all its comments and pragmas."""

    items: list[TopLevel]
    trivia: list[TriviaItem] = field(default_factory=list, compare=False)

    def pous(self) -> Iterator[Pou | Interface]:
        """Top-level POUs and interfaces (members are reached through their owners)."""
        for item in self.items:
            if isinstance(item, (Pou, Interface)):
                yield item
