"""Grammar coverage: what each construct must parse into, worked out from IEC 61131-3 (3rd edition) and the
CODESYS / TwinCAT manuals, not from what the parser happens to produce."""

from __future__ import annotations

from typing import Any

import pytest

from plcops.st import ast, parse_expression, parse_statements, parse_text


def unit_of(text: str) -> ast.CompilationUnit:
    result = parse_text(text)
    assert result.diagnostics == [], [d.format() for d in result.diagnostics]
    assert result.unit is not None
    return result.unit


def shape(expr: Any) -> str:
    """Fully parenthesised form of an expression, to check binding strength."""
    if isinstance(expr, ast.BinaryOp):
        return f"({shape(expr.left)} {expr.op} {shape(expr.right)})"
    if isinstance(expr, ast.UnaryOp):
        return f"({expr.op} {shape(expr.operand)})"
    if isinstance(expr, ast.Paren):
        return shape(expr.expr)
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Literal):
        return expr.text
    if isinstance(expr, ast.MemberAccess):
        return f"{shape(expr.target)}.{expr.member}"
    if isinstance(expr, ast.Deref):
        return f"{shape(expr.target)}^"
    if isinstance(expr, ast.Call):
        return f"{shape(expr.target)}(...)"
    return type(expr).__name__


# ---------------------------------------------------------------------------------------------- expressions


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # CODESYS "ST expressions" binding table: ** > unary -/NOT > * / MOD > + - > < > <= >= > = <> >
        # AND & AND_THEN > XOR > OR OR_ELSE; equal strength binds left to right.
        ("a + b * c", "(a + (b * c))"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b * c", "((a / b) * c)"),
        ("a MOD b + c", "((a MOD b) + c)"),
        ("-a ** 2", "(- (a ** 2))"),
        ("2 ** 3 ** 2", "((2 ** 3) ** 2)"),
        ("a ** -b", "(a ** (- b))"),
        ("NOT a AND b", "((NOT a) AND b)"),
        ("NOT a = b", "((NOT a) = b)"),
        ("a < b = c > d", "((a < b) = (c > d))"),
        ("a + b < c", "((a + b) < c)"),
        ("a = b AND c <> d", "((a = b) AND (c <> d))"),
        ("a OR b AND c", "(a OR (b AND c))"),
        ("a XOR b AND c", "(a XOR (b AND c))"),
        ("a OR b XOR c", "(a OR (b XOR c))"),
        ("a & b OR c", "((a & b) OR c)"),
        ("a AND_THEN b OR c", "((a AND_THEN b) OR c)"),
        ("a OR_ELSE b AND c", "(a OR_ELSE (b AND c))"),
        ("a AND b AND_THEN c", "((a AND b) AND_THEN c)"),
        ("(a + b) * c", "((a + b) * c)"),
        ("p^.x + 1", "(p^.x + 1)"),
        ("-a.b", "(- a.b)"),
    ],
)
def test_binding_strength(source: str, expected: str) -> None:
    assert shape(parse_expression(source)) == expected


def test_operators_are_case_insensitive_and_normalised() -> None:
    expr = parse_expression("a and b or_else not c")
    assert isinstance(expr, ast.BinaryOp) and expr.op == "OR_ELSE"
    assert isinstance(expr.left, ast.BinaryOp) and expr.left.op == "AND"


def test_postfix_chain() -> None:
    expr = parse_expression("THIS^.aAxes[i + 1, 2].GetStatus(nId := 3).bError")
    assert isinstance(expr, ast.MemberAccess) and expr.member == "bError"
    call = expr.target
    assert isinstance(call, ast.Call)
    assert call.args == [
        ast.NamedArg("nId", ast.Literal("INTEGER", "3", span=call.args[0].value.span), span=call.args[0].span)
    ]  # type: ignore[union-attr]
    method = call.target
    assert isinstance(method, ast.MemberAccess) and method.member == "GetStatus"
    index = method.target
    assert isinstance(index, ast.Index) and len(index.indices) == 2
    assert isinstance(index.target, ast.MemberAccess) and index.target.member == "aAxes"
    assert isinstance(index.target.target, ast.Deref)
    assert index.target.target.target == ast.Name("THIS", span=index.target.target.target.span)


def test_bit_access_and_direct_address() -> None:
    expr = parse_expression("nStatus.15 AND %IX2.3")
    assert isinstance(expr, ast.BinaryOp)
    assert isinstance(expr.left, ast.BitAccess) and expr.left.bit == 15
    assert isinstance(expr.right, ast.DirectAddress) and expr.right.address == "%IX2.3"


def test_call_argument_kinds() -> None:
    (statement,) = parse_statements("fbTimer(IN := bGo, PT := T#5S, Q => bDone, ET =>, NOT Q => bNotDone);")
    assert isinstance(statement, ast.CallStatement) and isinstance(statement.call, ast.Call)
    named, pt, output, unconnected, negated = statement.call.args
    assert isinstance(named, ast.NamedArg) and named.name == "IN"
    assert isinstance(pt, ast.NamedArg) and isinstance(pt.value, ast.Literal) and pt.value.kind == "TIME_LITERAL"
    assert isinstance(output, ast.OutputArg) and output.name == "Q" and not output.negated
    assert isinstance(unconnected, ast.OutputArg) and unconnected.target is None
    assert isinstance(negated, ast.OutputArg) and negated.negated and negated.name == "Q"


def test_positional_and_operator_style_calls() -> None:
    expr = parse_expression("LIMIT(0, AND(a, b), 10)")
    assert isinstance(expr, ast.Call) and len(expr.args) == 3
    inner = expr.args[1]
    assert isinstance(inner, ast.Call) and isinstance(inner.target, ast.Name) and inner.target.name == "AND"


def test_twincat_call_leniency() -> None:
    # TwinCAT accepts a trailing comma and an empty input in argument lists.
    (statement,) = parse_statements("MC_MoveAbsolute(Axis := stAxis, BufferMode := , Execute := TRUE,);")
    assert isinstance(statement, ast.CallStatement) and isinstance(statement.call, ast.Call)
    args = statement.call.args
    assert [a.name for a in args] == ["Axis", "BufferMode", "Execute"]  # type: ignore[union-attr]
    assert isinstance(args[1], ast.NamedArg) and args[1].value is None


def test_assignment_expression_and_chained_assignment() -> None:
    expr = parse_expression("bX OR_ELSE (bEver := TRUE)")
    assert isinstance(expr, ast.BinaryOp) and isinstance(expr.right, ast.AssignExpr)
    (statement,) = parse_statements("a := b := c;")
    assert isinstance(statement, ast.Assignment) and isinstance(statement.value, ast.AssignExpr)


# ---------------------------------------------------------------------------------------------- statements


def test_assignment_kinds() -> None:
    statements = parse_statements("a := 1; q S= TRUE; q R= FALSE; r REF= x; ip ?= other;")
    assert [s.op for s in statements] == [":=", "S=", "R=", "REF=", "?="]  # type: ignore[attr-defined]


def test_if_elsif_else() -> None:
    (statement,) = parse_statements("IF a THEN x := 1; ELSIF b THEN x := 2; ELSIF c THEN ; ELSE x := 3; END_IF;")
    assert isinstance(statement, ast.IfStatement)
    assert [shape(branch.condition) for branch in statement.branches] == ["a", "b", "c"]
    assert isinstance(statement.branches[2].body[0], ast.EmptyStatement)
    assert statement.else_branch is not None and len(statement.else_branch.body) == 1
    assert statement.semicolon  # END_IF; keeps its optional semicolon


def test_case_labels_lists_ranges_and_enums() -> None:
    (statement,) = parse_statements(
        """CASE nState OF
            0: x := 0;
            1, 2, 5..7: x := 1; y := 2;
            E_Mode.Auto, E_Mode#Manual: x := 3;
            -1: ;
        ELSE
            x := 9;
        END_CASE"""
    )
    assert isinstance(statement, ast.CaseStatement)
    labels = [
        [
            shape(label) if not isinstance(label, ast.CaseRange) else f"{shape(label.low)}..{shape(label.high)}"
            for label in branch.labels
        ]
        for branch in statement.branches
    ]
    assert labels == [["0"], ["1", "2", "5..7"], ["E_Mode.Auto", "E_Mode#Manual"], ["(- 1)"]]
    assert [len(branch.body) for branch in statement.branches] == [1, 2, 1, 1]
    assert statement.else_branch is not None


def test_case_label_that_looks_like_a_statement_start() -> None:
    # After "x := 1;" an identifier could start a statement or a label; only ':' decides.
    (statement,) = parse_statements("CASE s OF Idle: x := 1; Busy: x := 2; Done := TRUE; END_CASE")
    assert isinstance(statement, ast.CaseStatement)
    assert [shape(branch.labels[0]) for branch in statement.branches] == ["Idle", "Busy"]
    assert len(statement.branches[1].body) == 2


def test_loops() -> None:
    for_stmt, while_stmt, repeat_stmt = parse_statements(
        "FOR i := 10 TO 1 BY -1 DO EXIT; END_FOR WHILE a DO CONTINUE; END_WHILE REPEAT i := i + 1; UNTIL i > 5 END_REPEAT"
    )
    assert isinstance(for_stmt, ast.ForStatement) and shape(for_stmt.step) == "(- 1)"
    assert isinstance(for_stmt.body[0], ast.Exit)
    assert isinstance(while_stmt, ast.WhileStatement) and isinstance(while_stmt.body[0], ast.Continue)
    assert isinstance(repeat_stmt, ast.RepeatStatement) and shape(repeat_stmt.condition) == "(i > 5)"


def test_jump_label_return_and_empty() -> None:
    statements = parse_statements("JMP skip; x := 1; skip: ; RETURN;")
    assert isinstance(statements[0], ast.Jump) and statements[0].label == "skip"
    assert isinstance(statements[2], ast.LabelStatement) and statements[2].name == "skip"
    assert isinstance(statements[3], ast.EmptyStatement)
    assert isinstance(statements[4], ast.Return) and statements[4].value is None


def test_twincat_try_catch() -> None:
    (statement,) = parse_statements("__TRY x := a / b; __CATCH(exc) x := 0; __FINALLY y := 1; __ENDTRY")
    assert isinstance(statement, ast.TryStatement)
    assert statement.catch_variable == "exc" and len(statement.catch_body or []) == 1


# ---------------------------------------------------------------------------------------------- declarations


def test_pou_headers() -> None:
    unit = unit_of(
        """FUNCTION_BLOCK ABSTRACT FB_A EXTENDS FB_Base IMPLEMENTS I_X, Lib.I_Y END_FUNCTION_BLOCK
        FUNCTION_BLOCK FB_B IMPLEMENTS I_X EXTENDS FB_A END_FUNCTION_BLOCK
        FUNCTION F : STRING(20) END_FUNCTION
        PROGRAM P END_PROGRAM
        INTERFACE I_Z EXTENDS I_X, I_Y END_INTERFACE
        CLASS C EXTENDS B END_CLASS"""
    )
    fb_a, fb_b, function, program, interface, klass = unit.items
    assert isinstance(fb_a, ast.FunctionBlock)
    assert (fb_a.modifiers, fb_a.extends, fb_a.implements) == (["ABSTRACT"], "FB_Base", ["I_X", "Lib.I_Y"])
    assert isinstance(fb_b, ast.FunctionBlock) and (fb_b.extends, fb_b.implements) == ("FB_A", ["I_X"])
    assert isinstance(function, ast.Function) and isinstance(function.return_type, ast.SizedType)
    assert isinstance(program, ast.Program) and program.name.text == "P"
    assert isinstance(interface, ast.Interface) and interface.extends == ["I_X", "I_Y"]
    assert isinstance(klass, ast.Class) and klass.extends == "B"


def test_members_inside_and_after_function_block() -> None:
    unit = unit_of(
        """FUNCTION_BLOCK FB
        METHOD PRIVATE Inside : BOOL END_METHOD
        END_FUNCTION_BLOCK
        METHOD PUBLIC Outside END_METHOD
        PROPERTY Value : INT GET Value := 1; END_GET SET END_SET END_PROPERTY
        ACTION Act: x := 1; END_ACTION"""
    )
    (fb,) = unit.items
    assert isinstance(fb, ast.FunctionBlock)
    inside, outside, prop, action = fb.members
    assert isinstance(inside, ast.Method) and inside.modifiers == ["PRIVATE"] and inside.owner == "FB"
    assert isinstance(outside, ast.Method) and outside.owner == "FB"
    assert isinstance(prop, ast.Property) and prop.getter is not None and prop.setter is not None
    assert isinstance(prop.getter.body[0], ast.Assignment)
    assert isinstance(action, ast.Action) and action.owner == "FB"


def test_soft_keywords_are_identifiers_where_the_keyword_cannot_stand() -> None:
    # Get/Set/On/Task/Action are frequent names in OOP code.
    (statement,) = parse_statements("fbQueue.Get(); On := Task; Action := Internal + Set;".split(";")[0] + ";")
    assert isinstance(statement, ast.CallStatement)
    statements = parse_statements("On := Task; Public := Set;")
    assert [shape(s.target) for s in statements] == ["On", "Public"]  # type: ignore[attr-defined]


def test_var_sections_qualifiers_and_addresses() -> None:
    unit = unit_of(
        """PROGRAM P
        VAR_INPUT CONSTANT a : INT := 1; END_VAR
        VAR RETAIN PERSISTENT b : INT; END_VAR
        VAR c AT %IX0.0 : BOOL; d AT %I* : BOOL; e, f : INT := 5; END_VAR
        VAR_TEMP t : INT; END_VAR VAR_STAT s : INT; END_VAR VAR_INST i : INT; END_VAR
        VAR_EXTERNAL x : INT; END_VAR VAR_IN_OUT y : INT; END_VAR VAR_OUTPUT z : INT; END_VAR
        END_PROGRAM"""
    )
    (program,) = unit.items
    assert isinstance(program, ast.Program)
    kinds = [(block.kind, block.qualifiers) for block in program.var_blocks]
    assert kinds == [
        ("VAR_INPUT", ["CONSTANT"]),
        ("VAR", ["RETAIN", "PERSISTENT"]),
        ("VAR", []),
        ("VAR_TEMP", []),
        ("VAR_STAT", []),
        ("VAR_INST", []),
        ("VAR_EXTERNAL", []),
        ("VAR_IN_OUT", []),
        ("VAR_OUTPUT", []),
    ]
    c, d, ef = program.var_blocks[2].decls
    assert c.address == "%IX0.0" and d.address == "%I*"
    assert [name.text for name in ef.names] == ["e", "f"]


def test_initializers() -> None:
    unit = unit_of(
        """VAR_GLOBAL
        a : ARRAY[1..6] OF INT := [1, 2, 2(0), 2()];
        s : ST_Point := (fX := 1.0, fY := 2.0);
        one : ST_Point := (fX := 1.0);
        arr : ARRAY[1..2] OF ST_Point := [(fX := 1.0), (fY := 2.0)];
        ton1 : TON := (PT := T#1S);
        r : REFERENCE TO INT REF= gnValue;
        fb : FB_Axis(nAxisId := 3);
        fbs : ARRAY[1..2] OF FB_Axis[(nAxisId := 1), (nAxisId := 2)];
        END_VAR"""
    )
    (block,) = unit.items
    assert isinstance(block, ast.VarBlock)
    a, s, one, arr, ton1, r, fb, fbs = block.decls
    assert isinstance(a.init, ast.ArrayLiteral)
    repeat, empty = a.init.items[2], a.init.items[3]
    assert isinstance(repeat, ast.RepeatInit) and repeat.count == 2 and shape(repeat.value) == "0"
    assert isinstance(empty, ast.RepeatInit) and empty.value is None
    assert isinstance(s.init, ast.StructLiteral) and [f.name for f in s.init.fields] == ["fX", "fY"]
    # A single "(name := value)" in an initializer is a structure, not an assignment expression.
    assert isinstance(one.init, ast.StructLiteral)
    assert isinstance(arr.init, ast.ArrayLiteral) and all(isinstance(i, ast.StructLiteral) for i in arr.init.items)
    assert isinstance(ton1.init, ast.StructLiteral)
    assert r.ref_init and isinstance(r.type, ast.ReferenceType)
    assert isinstance(fb.type, ast.InstanceType) and fb.type.args[0].name == "nAxisId"  # type: ignore[union-attr]
    assert isinstance(fbs.type, ast.ArrayType) and isinstance(fbs.type.element, ast.InstanceType)
    assert len(fbs.type.element.element_args) == 2


def test_type_declarations() -> None:
    unit = unit_of(
        """TYPE
            T_Level : INT (0..100);
            T_Name : STRING(40);
            T_Short : STRING[8];
            T_Grid : ARRAY[1..3, -1..1] OF LREAL;
            T_Open : POINTER TO ARRAY[0..9] OF BYTE;
            T_Ref : REF_TO INT;
            E_A : (Red, Green := 5, Blue) DINT := Green;
            E_B : UINT (Off := 0, On := 1);
            T_Alias : T_Level;
        END_TYPE
        TYPE ST_B EXTENDS ST_A : STRUCT x : INT; END_STRUCT END_TYPE
        TYPE U : UNION w : WORD; b : ARRAY[0..1] OF BYTE; END_UNION END_TYPE"""
    )
    block, struct_block, union_block = unit.items
    assert isinstance(block, ast.TypeBlock)
    types = {decl.name.text: decl.type for decl in block.decls}
    level = types["T_Level"]
    assert isinstance(level, ast.SubrangeType) and level.name == "INT" and shape(level.high) == "100"
    assert isinstance(types["T_Name"], ast.SizedType) and not types["T_Name"].bracket
    assert isinstance(types["T_Short"], ast.SizedType) and types["T_Short"].bracket
    grid = types["T_Grid"]
    assert isinstance(grid, ast.ArrayType) and [(shape(d.low), shape(d.high)) for d in grid.dims] == [
        ("1", "3"),
        ("(- 1)", "1"),
    ]
    assert isinstance(types["T_Open"], ast.PointerType) and isinstance(types["T_Open"].target, ast.ArrayType)
    assert isinstance(types["T_Ref"], ast.PointerType) and types["T_Ref"].ref_to
    enum_a = types["E_A"]
    assert isinstance(enum_a, ast.EnumType) and enum_a.base == "DINT" and not enum_a.base_first
    assert [(v.name, v.value is not None) for v in enum_a.values] == [("Red", False), ("Green", True), ("Blue", False)]
    enum_b = types["E_B"]
    assert isinstance(enum_b, ast.EnumType) and enum_b.base == "UINT" and enum_b.base_first
    assert isinstance(types["T_Alias"], ast.NamedType)
    assert isinstance(struct_block, ast.TypeBlock) and struct_block.decls[0].extends == "ST_A"
    assert isinstance(struct_block.decls[0].type, ast.StructType)
    assert isinstance(union_block, ast.TypeBlock) and isinstance(union_block.decls[0].type, ast.UnionType)


def test_variable_length_array() -> None:
    unit = unit_of("FUNCTION F : INT VAR_IN_OUT a : ARRAY[*, *] OF INT; END_VAR END_FUNCTION")
    (function,) = unit.items
    array = function.var_blocks[0].decls[0].type  # type: ignore[union-attr]
    assert isinstance(array, ast.ArrayType) and all(d.low is None and d.high is None for d in array.dims)


def test_configuration() -> None:
    unit = unit_of(
        """CONFIGURATION Cfg
            VAR_GLOBAL g : BOOL; END_VAR
            RESOURCE R1 ON PLC
                TASK Fast(INTERVAL := T#1MS, PRIORITY := 0);
                PROGRAM RETAIN Inst WITH Fast : PRG_A(x := %IX0.0, y => %QX0.0);
            END_RESOURCE
        END_CONFIGURATION"""
    )
    (config,) = unit.items
    assert isinstance(config, ast.Configuration) and config.var_blocks[0].kind == "VAR_GLOBAL"
    (resource,) = config.resources
    assert resource.processor == "PLC"
    (task,) = resource.tasks
    assert [arg.name for arg in task.args] == ["INTERVAL", "PRIORITY"]  # type: ignore[union-attr]
    (program,) = resource.programs
    assert (program.name.text, program.task, program.type_name, program.qualifier) == (
        "Inst",
        "Fast",
        "PRG_A",
        "RETAIN",
    )
    assert len(program.args) == 2


def test_stray_semicolons_after_end_keywords() -> None:
    unit_of("TYPE A : INT; END_TYPE; FUNCTION F : BOOL; VAR x : INT;; END_VAR; F := TRUE; END_FUNCTION;")


def test_pragmas_are_kept_in_the_ast() -> None:
    unit = unit_of(
        """{attribute 'qualified_only'}
        VAR_GLOBAL
            {attribute 'hide'}
            x : INT;
            {analysis -33}
            y : INT;
        END_VAR"""
    )
    (block,) = unit.items
    assert isinstance(block, ast.VarBlock)
    assert [p.attribute for p in block.pragmas] == [("qualified_only", None)]
    x, y = block.decls
    assert [p.attribute for p in x.pragmas] == [("hide", None)]
    assert [(p.kind, p.content) for p in y.pragmas] == [("analysis", "analysis -33")]
    value = unit_of("{attribute 'TcLinkTo' := 'TIIB[Term 1]^Channel 1'} VAR_GLOBAL END_VAR").items[0].pragmas[0]  # type: ignore[union-attr]
    assert value.attribute == ("TcLinkTo", "TIIB[Term 1]^Channel 1")


def test_dialect_extensions_seen_in_real_projects() -> None:
    unit = unit_of(
        """FUNCTION_BLOCK FB_Buffer
        VAR_GENERIC CONSTANT
            N : UDINT := 10;
        END_VAR IMPLEMENTS I_Buffer
        VAR
            a : ARRAY[1..3] OF INT := 1, 2, 1(0);
        END_VAR
        pItem ACCESS ADR(a[1]);
        A_Reset;
        Method();
        END_FUNCTION_BLOCK
        ACTIONS FB_Buffer
        ACTION A_Reset
            a[1] := 0;
        END_ACTION
        END_ACTIONS"""
    )
    (fb,) = unit.items
    assert isinstance(fb, ast.FunctionBlock)
    assert [b.kind for b in fb.var_blocks] == ["VAR_GENERIC", "VAR"]  # TwinCAT 3.1.4026 generics
    assert fb.implements == ["I_Buffer"]
    array = fb.var_blocks[1].decls[0].init
    assert isinstance(array, ast.ArrayLiteral) and len(array.items) == 3  # CoDeSys 2.3 bracket-less init
    access, bare_call, method_call = fb.body
    assert isinstance(access, ast.Assignment) and access.op == "ACCESS"  # B&R dynamic variable
    assert isinstance(bare_call, ast.CallStatement) and isinstance(bare_call.call, ast.Name)
    assert isinstance(method_call, ast.CallStatement)  # "Method" is a name here, not the keyword
    (action,) = fb.members
    assert isinstance(action, ast.Action) and action.owner == "FB_Buffer"


def test_keywords_used_as_names_in_real_code() -> None:
    statements = parse_statements("IF Configuration.remote THEN Type := 1; Program := Method; END_IF")
    assert isinstance(statements[0], ast.IfStatement)
    assert shape(statements[0].branches[0].condition) == "Configuration.remote"


def test_an_accessor_body_may_start_with_an_empty_statement() -> None:
    # GET and SET are soft keywords (TwinCAT code calls methods Get/Set); before ';' they open the accessor.
    unit = unit_of(
        "FUNCTION_BLOCK FB\nVAR n : INT; END_VAR\nEND_FUNCTION_BLOCK\n"
        "PROPERTY P1 : INT\nSET\n;\nn := P1;\nEND_SET\nGET\n;\nP1 := n;\nEND_GET\nEND_PROPERTY\n"
    )
    (block,) = unit.items  # a member written after a function block belongs to it
    (prop,) = block.members  # type: ignore[attr-defined]
    assert isinstance(prop, ast.Property) and prop.setter is not None and prop.getter is not None
    assert [type(s).__name__ for s in prop.setter.body] == ["EmptyStatement", "Assignment"]
    assert [type(s).__name__ for s in prop.getter.body] == ["EmptyStatement", "Assignment"]


def test_long_statement_lists_and_expressions_parse_whole() -> None:
    # 20,000 statements in one body and 5,000 terms in one expression (the list rules are left-recursive).
    body = "".join(f"n := n + {i};\n" for i in range(20_000))
    unit = unit_of(f"PROGRAM P\nVAR n : DINT; END_VAR\n{body}END_PROGRAM\n")
    assert len(unit.items[0].body) == 20_000  # type: ignore[union-attr]
    terms = " + ".join(["1"] * 5_000)
    (statement,) = parse_statements(f"n := {terms};")
    depth, node = 0, statement.value  # type: ignore[attr-defined]
    while isinstance(node, ast.BinaryOp):
        depth, node = depth + 1, node.left
    assert depth == 4_999  # left-associative: ((1 + 1) + 1) + ...


def test_ref_assignment_to_a_method_called_like_a_soft_keyword() -> None:
    # TwinCAT.OpenFramework: METHOD Get : REFERENCE TO T ... Get REF= _Array[index];
    unit = unit_of(
        "FUNCTION_BLOCK FB\nVAR aItems : ARRAY[0..9] OF INT; END_VAR\nEND_FUNCTION_BLOCK\n"
        "METHOD Get : REFERENCE TO INT\nVAR_INPUT nIndex : INT; END_VAR\nGet REF= aItems[nIndex];\nEND_METHOD\n"
    )
    (method,) = unit.items[0].members  # type: ignore[attr-defined]
    (statement,) = method.body
    assert isinstance(statement, ast.Assignment) and statement.op == "REF="


def test_codesys_per_object_text_may_leave_out_the_end_keywords() -> None:
    # CODESYS text exports for git write one object a file, declaration then implementation, with no
    # END_FUNCTION_BLOCK / END_METHOD: the end of the file closes them. Anything else left open is an error.
    unit = unit_of(
        "METHOD PROTECTED Main\nVAR\n    nStep : INT;\nEND_VAR\n\n// === IMPLEMENTATION ===\nnStep := nStep + 1;\n"
    )
    (method,) = unit.items
    assert isinstance(method, ast.Method) and len(method.body) == 1
    unit = unit_of("FUNCTION_BLOCK FB\nVAR x : INT; END_VAR\nx := 1;\nMETHOD M\nx := 2;\n")
    assert [m.name.text for m in unit.items[0].members] == ["M"]  # type: ignore[attr-defined]
    result = parse_text("FUNCTION_BLOCK FB\nVAR x : INT; END_VAR\nIF x = 1 THEN\n    x := 2;\n")
    assert [d.message for d in result.diagnostics] == [
        "unexpected end of file: expected a statement, END_IF, ELSIF or ELSE (to close the IF on line 3)"
    ]


def test_generic_constants_and_their_instantiation() -> None:
    # TwinCAT 3.1.4026 / CODESYS generic constants: VAR_GENERIC CONSTANT in the block, FB_Buf<10> where it is
    # used (Beckhoff's ApplicationDevelopment sample writes Mc3MotionTaskCollection<Params.Max>(THIS^)).
    unit = unit_of(
        "FUNCTION_BLOCK FB_Buf\nVAR_GENERIC CONSTANT\n    N : UDINT := 4;\nEND_VAR\nEND_FUNCTION_BLOCK\n"
        "PROGRAM P\nVAR\n    b : FB_Buf<10>;\n    c : FB_Buf<GVL.cSize>(THIS^);\n    x : BOOL;\nEND_VAR\n"
        "x := 1 < 2;\nEND_PROGRAM\n"
    )
    declarations = [decl for block in unit.items[1].var_blocks for decl in block.decls]  # type: ignore[attr-defined]
    b, c = declarations[0].type, declarations[1].type
    assert isinstance(b, ast.InstanceType) and [shape(a) for a in b.generic_args] == ["10"] and b.args == []
    assert isinstance(c, ast.InstanceType) and [shape(a) for a in c.generic_args] == ["GVL.cSize"]
    assert len(c.args) == 1
