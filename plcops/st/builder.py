"""Turns grammar reductions into AST nodes.

The parse driver calls one method per grammar rule (named after the rule or its ``-> alias``) with the
rule's kept children, after setting :attr:`AstBuilder.span` to the source range the rule covers. Tokens
arrive as ``(type, text, start, end)`` tuples.

The grammar is deliberately permissive where a precise grammar would need more than one token of
look-ahead (declarations mixed with statements, ``(a := 1)`` as either a structure initializer or an
assignment expression); the builder sorts those out here and reports what does not fit as a syntax error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from plcops.st import ast
from plcops.st.lexer import Token
from plcops.st.literals import literal_problem
from plcops.st.source import Span

# Integer base types for which ``INT (A := 1, B := 2)`` declares an enumeration (IEC 61131-3 3rd ed.).
_ENUM_BASE_TYPES = frozenset("SINT INT DINT LINT USINT UINT UDINT ULINT BYTE WORD DWORD LWORD".split())


# Binding strength of the binary operators below '**' (CODESYS / TwinCAT operator table).
_PRECEDENCE = {
    "OR": 1, "OR_ELSE": 1,
    "XOR": 2,
    "AND": 3, "AMP": 3, "AND_THEN": 3,
    "EQ": 4, "NE": 4,
    "LT": 5, "GT": 5, "LE": 5, "GE": 5,
    "PLUS": 6, "MINUS": 6,
    "STAR": 7, "SLASH": 7, "MOD": 7,
}  # fmt: skip


@dataclass(slots=True)
class BuildError:
    """A construct the grammar accepts but the language does not."""

    start: int
    end: int
    message: str


@dataclass(slots=True)
class _PendingField:
    """``target := value`` inside parentheses; becomes an AssignExpr or a FieldInit by context."""

    target: ast.Expr
    value: ast.Expr
    span: Span


@dataclass(slots=True)
class _RangeArg:
    low: ast.Expr
    high: ast.Expr
    span: Span


@dataclass(slots=True)
class _GenericArgs:
    items: list[ast.Expr]


@dataclass(slots=True)
class _NamedTypeArg:
    name: Token
    value: ast.Expr
    span: Span


@dataclass(slots=True)
class _Selector:
    labels: list[ast.CaseLabel]
    span: Span


@dataclass(slots=True)
class _Body:
    """What stood between a POU header and its END keyword, sorted by kind."""

    var_blocks: list[ast.VarBlock]
    members: list[Any]
    statements: list[ast.Stmt]


def _ident(token: Token) -> ast.Identifier:
    return ast.Identifier(token[1], span=Span(token[2], token[3]))


def _merge_semicolons(items: Sequence[Any]) -> list[Any]:
    """Fold the optional ``;`` after ``END_IF``/``END_CASE``/... into the statement it ends."""
    merged: list[Any] = []
    for item in items:
        if (
            type(item) is ast.EmptyStatement
            and merged
            and isinstance(merged[-1], ast.Compound)
            and not merged[-1].semicolon
        ):
            previous = merged[-1]
            previous.semicolon = True
            previous.span = Span(previous.span.start, item.span.end)
            continue
        merged.append(item)
    return merged


def as_initializer(value: Any) -> Any:
    """Reinterpret ``(a := 1)`` written as an initial value as a one-field structure initializer."""
    if isinstance(value, ast.AssignExpr) and isinstance(value.target, ast.Name):
        field = ast.FieldInit(value.target.name, as_initializer(value.value), span=value.span)
        return ast.StructLiteral([field], span=value.span)
    if isinstance(value, ast.StructLiteral):
        for field in value.fields:
            field.value = as_initializer(field.value)
    elif isinstance(value, ast.ArrayLiteral):
        value.items = [as_initializer(item) for item in value.items]
    elif isinstance(value, ast.RepeatInit) and value.value is not None:
        value.value = as_initializer(value.value)
    return value


class AstBuilder:
    """Grammar callbacks. One instance builds one document; ``errors`` collects what did not fit."""

    def __init__(self) -> None:
        self.span = Span(0, 0)
        self.errors: list[BuildError] = []
        self.text = ""

    def reset(self, text: str = "") -> None:
        """Forget the previous document's errors (one builder is reused for many documents)."""
        self.errors = []
        self.text = text

    def _error(self, span: Span, message: str) -> None:
        self.errors.append(BuildError(span.start, span.end, message))

    # ------------------------------------------------------------------------------ roots

    def actions_block(self, c: list[Any]) -> list[ast.Action]:
        owner, *actions = c
        for action in actions:
            action.owner = owner[1] if owner is not None else None
        return actions

    def start(self, children: list[Any]) -> ast.CompilationUnit:
        items: list[Any] = []
        owner: ast.Pou | ast.Interface | None = None
        flat: list[Any] = []
        for child in children:
            flat.extend(child if isinstance(child, list) else [child])
        for item in flat:
            if isinstance(item, (ast.Method, ast.Property, ast.Action)):
                named = [
                    p
                    for p in items
                    if isinstance(p, ast.Pou) and item.owner and p.name.text.casefold() == item.owner.casefold()
                ]
                if named:  # ACTIONS blocks name their POU
                    named[0].members.append(item)  # type: ignore[attr-defined]
                    continue
                # TwinCAT per-object text: a member written after its function block belongs to it.
                if isinstance(owner, (ast.FunctionBlock, ast.Program, ast.Class)):
                    item.owner = owner.name.text
                    owner.members.append(item)
                    continue
                if isinstance(owner, ast.Interface) and not isinstance(item, ast.Action):
                    item.owner = owner.name.text
                    owner.members.append(item)
                    continue
            elif isinstance(item, (ast.Pou, ast.Interface)):
                owner = item
            items.append(item)
        return ast.CompilationUnit(items, span=self.span)

    def expression_root(self, children: list[Any]) -> ast.Expr:
        return children[0]  # type: ignore[no-any-return]

    def statements_root(self, children: list[Any]) -> list[ast.Stmt]:
        return children[0]  # type: ignore[no-any-return]

    # ------------------------------------------------------------------------------ POUs

    def pou_body(self, children: list[Any]) -> _Body:
        body = _Body([], [], [])
        seen_statement = False
        for item in _merge_semicolons(children):
            if isinstance(item, ast.VarBlock):
                if seen_statement:
                    self._error(item.span, f"{item.kind} section after statements: declare variables first")
                body.var_blocks.append(item)
            elif isinstance(item, (ast.Method, ast.Property, ast.Action)):
                body.members.append(item)
            elif isinstance(item, ast.EmptyStatement) and not seen_statement and not self._starts_line(item.span.start):
                # A stray ";" ending the declaration part ("FUNCTION F : BOOL;", "END_VAR;"): nothing to keep.
                # A ";" on a line of its own is an empty statement of the body (TwinCAT bodies can start so).
                continue
            else:
                seen_statement = True
                body.statements.append(item)
        return body

    def _starts_line(self, offset: int) -> bool:
        """Whether only white space stands between the start of its line and ``offset``."""
        start = self.text.rfind("\n", 0, offset) + 1
        return self.text[start:offset].strip() == ""

    def _claim_members(self, owner: str, members: list[Any]) -> list[Any]:
        for member in members:
            member.owner = owner
        return members

    def program_decl(self, c: list[Any]) -> ast.Program:
        modifiers, name, implements, body = c
        return ast.Program(
            _ident(name),
            body.var_blocks,
            body.statements,
            modifiers=modifiers,
            implements=implements or [],
            members=self._claim_members(name[1], body.members),
            span=self.span,
        )

    def function_decl(self, c: list[Any]) -> ast.Function:
        modifiers, name, return_type, body = c
        self._no_members(body, "a FUNCTION")
        return ast.Function(
            _ident(name),
            body.var_blocks,
            body.statements,
            modifiers=modifiers,
            return_type=return_type,
            span=self.span,
        )

    def inheritance(self, c: list[Any]) -> tuple[str | None, list[str]]:
        extends, implements = c
        return (extends.text if extends else None), (implements or [])

    def inheritance_implements_first(self, c: list[Any]) -> tuple[str | None, list[str]]:
        implements, extends = c
        return extends.text, implements

    def generic_params(self, c: list[Any]) -> ast.VarBlock:
        qualifiers = [item[1].upper() for item in c if isinstance(item, tuple)]
        decls = [item for item in c if not isinstance(item, tuple)]
        return ast.VarBlock("VAR_GENERIC", qualifiers, decls, span=self.span)

    def fb_decl(self, c: list[Any]) -> ast.FunctionBlock:
        modifiers, name, generics, (extends, implements), body = c
        return ast.FunctionBlock(
            _ident(name),
            ([generics] if generics is not None else []) + body.var_blocks,
            body.statements,
            modifiers=modifiers,
            extends=extends,
            implements=implements,
            members=self._claim_members(name[1], body.members),
            span=self.span,
        )

    def class_decl(self, c: list[Any]) -> ast.Class:
        modifiers, name, (extends, implements), body = c
        for statement in body.statements:
            self._error(statement.span, "a CLASS has no body: statements belong in its methods")
            break
        return ast.Class(
            _ident(name),
            body.var_blocks,
            [],
            modifiers=modifiers,
            extends=extends,
            implements=implements,
            members=self._claim_members(name[1], body.members),
            span=self.span,
        )

    def method_decl(self, c: list[Any]) -> ast.Method:
        modifiers, name, return_type, body = c
        self._no_members(body, "a METHOD")
        owner = None
        if "." in name.text:  # METHOD FB_Motor.Start: TwinCAT-style qualified member name
            owner, _, short = name.text.rpartition(".")
            name = ast.Identifier(short, span=name.span)
        return ast.Method(
            name,
            body.var_blocks,
            body.statements,
            modifiers=modifiers,
            return_type=return_type,
            owner=owner,
            span=self.span,
        )

    def _no_members(self, body: _Body, where: str) -> None:
        for member in body.members:
            self._error(member.span, f"{member.kind} cannot be declared inside {where}")

    def property_body(self, children: list[Any]) -> tuple[_Body, list[ast.PropertyAccessor]]:
        accessors = [item for item in children if isinstance(item, ast.PropertyAccessor)]
        others = [item for item in children if not isinstance(item, ast.PropertyAccessor)]
        return self.pou_body(others), accessors

    def property_decl(self, c: list[Any]) -> ast.Property:
        modifiers, name, type_spec, (body, accessors) = c
        self._no_members(body, "a PROPERTY")
        prop = ast.Property(
            name,
            body.var_blocks,
            body.statements,
            modifiers=modifiers,
            type=type_spec,
            span=self.span,
        )
        for accessor in accessors:
            if accessor.name.text.upper() == "GET":
                if prop.getter is not None:
                    self._error(accessor.span, "a property can have only one GET")
                prop.getter = accessor
            else:
                if prop.setter is not None:
                    self._error(accessor.span, "a property can have only one SET")
                prop.setter = accessor
        return prop

    def _accessor(self, kind: str, c: list[Any]) -> ast.PropertyAccessor:
        modifiers, body = c
        self._no_members(body, f"a property {kind.upper()}")
        name = ast.Identifier(kind, span=Span(self.span.start, self.span.start + 3))
        return ast.PropertyAccessor(name, body.var_blocks, body.statements, modifiers=modifiers, span=self.span)

    def property_get(self, c: list[Any]) -> ast.PropertyAccessor:
        return self._accessor("Get", c)

    def property_set(self, c: list[Any]) -> ast.PropertyAccessor:
        return self._accessor("Set", c)

    def action_decl(self, c: list[Any]) -> ast.Action:
        name, body = c
        self._no_members(body, "an ACTION")
        owner = None
        if "." in name.text:
            owner, _, short = name.text.rpartition(".")
            name = ast.Identifier(short, span=name.span)
        for block in body.var_blocks:
            self._error(block.span, "an ACTION has no variable sections of its own")
        return ast.Action(name, [], body.statements, owner=owner, span=self.span)

    def interface_decl(self, c: list[Any]) -> ast.Interface:
        modifiers, name, extends, *members = c
        for member in members:
            member.owner = name[1]
        return ast.Interface(_ident(name), extends or [], members, modifiers=modifiers, span=self.span)

    def modifiers(self, tokens: list[Token]) -> list[str]:
        return [token[1].upper() for token in tokens]

    def name_list(self, names: list[ast.Identifier]) -> list[str]:
        return [name.text for name in names]

    def qualified_name(self, tokens: list[Token]) -> ast.Identifier:
        if len(tokens) == 1:
            return _ident(tokens[0])
        return ast.Identifier(".".join(token[1] for token in tokens), span=self.span)

    # ------------------------------------------------------------------------------ declarations

    def var_block(self, c: list[Any]) -> ast.VarBlock:
        kind = c[0][1].upper()
        qualifiers: list[str] = []
        decls: list[ast.VarDecl] = []
        for item in c[1:]:
            if isinstance(item, tuple):
                qualifiers.append(item[1].upper())
            else:
                decls.append(item)
        return ast.VarBlock(kind, qualifiers, decls, span=self.span)

    def var_decl(self, c: list[Any]) -> ast.VarDecl:
        *names, address, type_spec, init = c
        value, by_reference = init if init is not None else (None, False)
        return ast.VarDecl(
            names,
            address[1] if address else None,
            type_spec,
            as_initializer(value) if value is not None else None,
            by_reference,
            span=self.span,
        )

    def var_init(self, c: list[Any]) -> tuple[ast.Expr, bool]:
        return c[0], False

    def bare_array_init(self, c: list[Any]) -> tuple[ast.Expr, bool]:
        return ast.ArrayLiteral([as_initializer(item) for item in c], span=self.span), False

    def ref_var_init(self, c: list[Any]) -> tuple[ast.Expr, bool]:
        return c[0], True

    def decl_name(self, tokens: list[Token]) -> ast.Identifier:
        return self.qualified_name(tokens)

    def type_block(self, decls: list[ast.TypeDecl]) -> ast.TypeBlock:
        return ast.TypeBlock(decls, span=self.span)

    def type_decl(self, c: list[Any]) -> ast.TypeDecl:
        name, extends, type_spec, init = c
        return ast.TypeDecl(
            _ident(name),
            extends.text if extends else None,
            type_spec,
            as_initializer(init) if init is not None else None,
            span=self.span,
        )

    def aggregate_type_decl(self, c: list[Any]) -> ast.TypeDecl:
        name, extends, type_spec = c
        return ast.TypeDecl(_ident(name), extends.text if extends else None, type_spec, None, span=self.span)

    def struct_type(self, members: list[ast.VarDecl]) -> ast.StructType:
        return ast.StructType(members, span=self.span)

    def union_type(self, members: list[ast.VarDecl]) -> ast.UnionType:
        return ast.UnionType(members, span=self.span)

    def named_type(self, c: list[Any]) -> ast.NamedType:
        return ast.NamedType(c[0].text, span=self.span)

    def parameterized_type(self, c: list[Any]) -> ast.TypeSpec:
        name = c[0].text
        args = c[1:]
        if len(args) == 1 and isinstance(args[0], _RangeArg):
            return ast.SubrangeType(name, args[0].low, args[0].high, span=self.span)
        if any(isinstance(arg, _RangeArg) for arg in args):
            self._error(self.span, "a subrange has exactly one 'low..high'")
        named = [arg for arg in args if isinstance(arg, _NamedTypeArg)]
        plain_names = [arg for arg in args if isinstance(arg, ast.Name)]
        if name.upper() in _ENUM_BASE_TYPES and len(named) + len(plain_names) == len(args):
            values = [
                ast.EnumValue(arg.name[1], arg.value, span=arg.span)
                if isinstance(arg, _NamedTypeArg)
                else ast.EnumValue(arg.name, None, span=arg.span)
                for arg in args
            ]
            return ast.EnumType(values, name, True, span=self.span)
        if len(args) == 1 and not named:
            return ast.SizedType(name, args[0], span=self.span)
        # FB_init arguments, named or positional: FB_Axis(nId := 3), class_Vector(SIZEOF(x), 0).
        call_args: list[ast.Argument] = [
            ast.NamedArg(arg.name[1], arg.value, span=arg.span) if isinstance(arg, _NamedTypeArg) else arg
            for arg in args
        ]
        return ast.InstanceType(name, call_args, span=self.span)

    def bracket_sized_type(self, c: list[Any]) -> ast.TypeSpec:
        name, *items = c
        if len(items) == 1 and not isinstance(items[0], (ast.StructLiteral, ast.AssignExpr)):
            return ast.SizedType(name.text, items[0], True, span=self.span)
        # FB_Runner[(sName := 'one'), (sName := 'two')]: FB_init arguments per array element.
        return ast.InstanceType(name.text, [], [as_initializer(item) for item in items], span=self.span)

    def generic_args(self, c: list[Any]) -> _GenericArgs:
        return _GenericArgs([item for item in c if not isinstance(item, tuple) or item[0] not in ("LT", "GT")])

    def generic_arg(self, c: list[Any]) -> ast.Expr:
        item = c[0]
        if isinstance(item, ast.Identifier):
            return ast.Name(item.text, span=self.span)
        return ast.Literal(item[0], item[1], span=self.span)

    def generic_type(self, c: list[Any]) -> ast.InstanceType:
        name, generic, *args = c
        call_args: list[ast.Argument] = [
            ast.NamedArg(arg.name[1], arg.value, span=arg.span) if isinstance(arg, _NamedTypeArg) else arg
            for arg in args
        ]
        return ast.InstanceType(name.text, call_args, generic_args=list(generic.items), span=self.span)

    def array_type(self, c: list[Any]) -> ast.ArrayType:
        *dims, element = c
        return ast.ArrayType(dims, element, span=self.span)

    def pointer_type(self, c: list[Any]) -> ast.PointerType:
        return ast.PointerType(c[0], span=self.span)

    def ref_to_type(self, c: list[Any]) -> ast.PointerType:
        return ast.PointerType(c[0], True, span=self.span)

    def reference_type(self, c: list[Any]) -> ast.ReferenceType:
        return ast.ReferenceType(c[0], span=self.span)

    def enum_type(self, c: list[Any]) -> ast.EnumType:
        *values, base = c
        return ast.EnumType(values, base.text if base else None, False, span=self.span)

    def range_type_arg(self, c: list[Any]) -> _RangeArg:
        return _RangeArg(c[0], c[1], self.span)

    def named_type_arg(self, c: list[Any]) -> _NamedTypeArg:
        return _NamedTypeArg(c[0], c[1], self.span)

    def array_dim(self, c: list[Any]) -> ast.ArrayDim:
        return ast.ArrayDim(c[0], c[1], span=self.span)

    def open_array_dim(self, c: list[Any]) -> ast.ArrayDim:
        return ast.ArrayDim(None, None, span=self.span)

    def enum_value(self, c: list[Any]) -> ast.EnumValue:
        return ast.EnumValue(c[0][1], c[1], span=self.span)

    # ------------------------------------------------------------------------------ configuration

    def configuration(self, c: list[Any]) -> ast.Configuration:
        config = ast.Configuration(_ident(c[0]), [], [], [], [], span=self.span)
        for item in c[1:]:
            if isinstance(item, ast.VarBlock):
                config.var_blocks.append(item)
            elif isinstance(item, ast.Resource):
                config.resources.append(item)
            elif isinstance(item, ast.TaskConfig):
                config.tasks.append(item)
            else:
                config.programs.append(item)
        return config

    def resource(self, c: list[Any]) -> ast.Resource:
        res = ast.Resource(_ident(c[0]), c[1].text, [], [], [], span=self.span)
        for item in c[2:]:
            if isinstance(item, ast.VarBlock):
                res.var_blocks.append(item)
            elif isinstance(item, ast.TaskConfig):
                res.tasks.append(item)
            else:
                res.programs.append(item)
        return res

    def task_config(self, c: list[Any]) -> ast.TaskConfig:
        return ast.TaskConfig(_ident(c[0]), c[1] or [], span=self.span)

    def program_config(self, c: list[Any]) -> ast.ProgramConfig:
        qualifier, name, task, type_name, args = c
        return ast.ProgramConfig(
            _ident(name),
            task[1] if task else None,
            type_name.text,
            args or [],
            qualifier[1].upper() if qualifier else None,
            span=self.span,
        )

    # ------------------------------------------------------------------------------ statements

    def stmt_list(self, items: list[Any]) -> list[ast.Stmt]:
        return _merge_semicolons(items)

    def label(self, c: list[Token]) -> ast.LabelStatement:
        return ast.LabelStatement(c[0][1], span=self.span)

    def _assignment(self, c: list[Any], op: str) -> ast.Assignment:
        return ast.Assignment(c[0], c[1], op, span=self.span)

    def assign_stmt(self, c: list[Any]) -> ast.Assignment:
        return self._assignment(c, ":=")

    def set_stmt(self, c: list[Any]) -> ast.Assignment:
        return self._assignment(c, "S=")

    def reset_stmt(self, c: list[Any]) -> ast.Assignment:
        return self._assignment(c, "R=")

    def ref_assign_stmt(self, c: list[Any]) -> ast.Assignment:
        return self._assignment(c, "REF=")

    def attempt_assign_stmt(self, c: list[Any]) -> ast.Assignment:
        return self._assignment(c, "?=")

    def access_stmt(self, c: list[Any]) -> ast.Assignment:
        return self._assignment(c, "ACCESS")

    def chained_assign(self, c: list[Any]) -> ast.AssignExpr:
        return ast.AssignExpr(c[0], c[1], span=self.span)

    def call_stmt(self, c: list[Any]) -> ast.CallStatement:
        # "A_Reset;" calls an action or FB without parentheses in B&R Automation Studio; elsewhere it is a
        # mistake the semantic checks report. Syntactically it is a call.
        return ast.CallStatement(c[0], span=self.span)

    def if_stmt(self, c: list[Any]) -> ast.IfStatement:
        *branches, else_branch = c
        return ast.IfStatement(branches, else_branch, span=self.span)

    def if_branch(self, c: list[Any]) -> ast.IfBranch:
        return ast.IfBranch(c[0], c[1], span=self.span)

    elsif_branch = if_branch

    def else_branch(self, c: list[Any]) -> ast.ElseBranch:
        return ast.ElseBranch(c[0], span=self.span)

    def case_stmt(self, c: list[Any]) -> ast.CaseStatement:
        selector, branches, else_branch = c
        return ast.CaseStatement(selector, branches, else_branch, span=self.span)

    def case_body(self, items: list[Any]) -> list[ast.CaseBranch]:
        branches: list[ast.CaseBranch] = []
        for item in _merge_semicolons(items):
            if isinstance(item, _Selector):
                branches.append(ast.CaseBranch(item.labels, [], span=item.span))
            elif branches:
                branch = branches[-1]
                branch.body.append(item)
                branch.span = Span(branch.span.start, item.span.end)
            elif not isinstance(item, ast.EmptyStatement):
                self._error(item.span, "statement before the first CASE label: expected a label such as '1:'")
        return branches

    def case_selector(self, labels: list[Any]) -> _Selector:
        return _Selector(labels, self.span)

    def case_range(self, c: list[Any]) -> ast.CaseRange:
        return ast.CaseRange(c[0], c[1], span=self.span)

    def for_stmt(self, c: list[Any]) -> ast.ForStatement:
        variable, start, end, step, body = c
        return ast.ForStatement(variable, start, end, step, body, span=self.span)

    def while_stmt(self, c: list[Any]) -> ast.WhileStatement:
        return ast.WhileStatement(c[0], c[1], span=self.span)

    def repeat_stmt(self, c: list[Any]) -> ast.RepeatStatement:
        return ast.RepeatStatement(c[0], c[1], span=self.span)

    def try_stmt(self, c: list[Any]) -> ast.TryStatement:
        body, catch, finally_body = c
        return ast.TryStatement(
            body,
            catch[0] if catch else None,
            catch[1] if catch else None,
            finally_body,
            span=self.span,
        )

    def catch_clause(self, c: list[Any]) -> tuple[str | None, list[ast.Stmt]]:
        return (c[0][1] if c[0] else None), c[1]

    def finally_clause(self, c: list[Any]) -> list[ast.Stmt]:
        return c[0]  # type: ignore[no-any-return]

    def exit_stmt(self, c: list[Any]) -> ast.Exit:
        return ast.Exit(span=self.span)

    def continue_stmt(self, c: list[Any]) -> ast.Continue:
        return ast.Continue(span=self.span)

    def return_stmt(self, c: list[Any]) -> ast.Return:
        return ast.Return(c[0], span=self.span)

    def jmp_stmt(self, c: list[Token]) -> ast.Jump:
        return ast.Jump(c[0][1], span=self.span)

    def empty_stmt(self, c: list[Any]) -> ast.EmptyStatement:
        return ast.EmptyStatement(span=self.span)

    # ------------------------------------------------------------------------------ expressions

    def operator_chain(self, c: list[Any]) -> ast.Expr:
        """Fold ``a op b op c ...`` into a tree: higher precedence first, equal precedence left to right."""
        operands: list[ast.Expr] = [c[0]]
        operators: list[Token] = []

        def fold() -> None:
            right = operands.pop()
            left = operands.pop()
            operator = operators.pop()
            operands.append(ast.BinaryOp(operator[1].upper(), left, right, span=Span(left.span.start, right.span.end)))

        for position in range(1, len(c), 2):
            operator = c[position]
            strength = _PRECEDENCE[operator[0]]
            while operators and _PRECEDENCE[operators[-1][0]] >= strength:
                fold()
            operators.append(operator)
            operands.append(c[position + 1])
        while operators:
            fold()
        return operands[0]

    def binary(self, c: list[Any]) -> ast.BinaryOp:
        left, op, right = c
        return ast.BinaryOp(op[1].upper(), left, right, span=self.span)

    def unary(self, c: list[Any]) -> ast.UnaryOp:
        return ast.UnaryOp(c[0][1].upper(), c[1], span=self.span)

    def direct_address(self, c: list[Token]) -> ast.DirectAddress:
        return ast.DirectAddress(c[0][1], span=self.span)

    def paren(self, items: list[Any]) -> ast.Expr:
        if len(items) == 1:
            item = items[0]
            if isinstance(item, _PendingField):
                return ast.AssignExpr(item.target, item.value, span=self.span)
            return ast.Paren(item, span=self.span)
        fields: list[ast.FieldInit] = []
        for item in items:
            if isinstance(item, _PendingField) and isinstance(item.target, ast.Name):
                fields.append(ast.FieldInit(item.target.name, as_initializer(item.value), span=item.span))
            else:
                self._error(item.span, "expected 'name := value' in a structure initializer")
        return ast.StructLiteral(fields, span=self.span)

    def operator_call(self, c: list[Any]) -> ast.Call:
        operator, args = c
        target = ast.Name(operator[1], span=Span(operator[2], operator[3]))
        return ast.Call(target, args or [], span=self.span)

    def field_init(self, c: list[Any]) -> _PendingField:
        return _PendingField(c[0], c[1], self.span)

    def array_literal(self, items: list[Any]) -> ast.ArrayLiteral:
        return ast.ArrayLiteral([as_initializer(item) for item in items if item is not None], span=self.span)

    def repeat_init(self, c: list[Any]) -> ast.RepeatInit:
        count = int(c[0][1].replace("_", ""))
        return ast.RepeatInit(count, c[1], span=self.span)

    def name(self, c: list[Token]) -> ast.Name:
        return ast.Name(c[0][1], span=self.span)

    def member(self, c: list[Any]) -> ast.MemberAccess:
        return ast.MemberAccess(c[0], c[1][1], span=self.span)

    def bit_access(self, c: list[Any]) -> ast.BitAccess:
        return ast.BitAccess(c[0], int(c[1][1].replace("_", "")), span=self.span)

    def index(self, c: list[Any]) -> ast.Index:
        return ast.Index(c[0], c[1:], span=self.span)

    def deref(self, c: list[Any]) -> ast.Deref:
        return ast.Deref(c[0], span=self.span)

    def call(self, c: list[Any]) -> ast.Call:
        return ast.Call(c[0], c[1] or [], span=self.span)

    def arg_list(self, args: list[Any]) -> list[ast.Argument]:
        return args

    def named_arg(self, c: list[Any]) -> ast.NamedArg:
        return ast.NamedArg(c[0][1], c[1], span=self.span)

    def empty_named_arg(self, c: list[Any]) -> ast.NamedArg:
        return ast.NamedArg(c[0][1], None, span=self.span)

    def output_arg(self, c: list[Any]) -> ast.OutputArg:
        return ast.OutputArg(c[0][1], c[1], False, span=self.span)

    def negated_output_arg(self, c: list[Any]) -> ast.OutputArg:
        return ast.OutputArg(c[1][1], c[2], True, span=self.span)

    def literal(self, c: list[Token]) -> ast.Literal:
        token = c[0]
        kind = token[0]
        if kind != "INTEGER" and kind != "IDENT":  # the common tokens need no check: skip the call
            problem = literal_problem(kind, token[1])
            if problem is not None:
                self._error(self.span, problem)
        return ast.Literal(kind, token[1], span=self.span)
