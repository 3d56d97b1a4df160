"""The control-flow graph: reachability and definite assignment worked out by hand on small bodies."""

from __future__ import annotations

from plcops.lint.cfg import ControlFlowGraph
from plcops.st import ast
from plcops.st.parser import parse_text


def _body(statements: str) -> list[ast.Stmt]:
    result = parse_text(f"PROGRAM P\nVAR a, b, c, x, i : INT; END_VAR\n{statements}\nEND_PROGRAM\n", "p.st")
    assert not result.diagnostics, result.diagnostics
    assert result.unit is not None
    return next(result.unit.pous()).body


def _unreachable(statements: str) -> list[str]:
    body = _body(statements)
    graph = ControlFlowGraph.of(body)
    return [
        type(s).__name__ + ":" + str(getattr(getattr(s, "target", None), "name", "")) for s in graph.unreachable(body)
    ]


def _uninitialised(statements: str) -> list[str]:
    body = _body(statements)
    return [key for _, key in ControlFlowGraph.of(body).reads_before_assignment(set(), {"a", "b", "c", "x"})]


def test_code_after_return_is_unreachable_but_a_label_makes_it_reachable() -> None:
    assert _unreachable("RETURN;\na := 1;\nb := 2;") == ["Assignment:a", "Assignment:b"]
    assert _unreachable("JMP L1;\na := 1;\nL1:\nb := 2;") == ["Assignment:a"]
    assert _unreachable("JMP L1;\nL1:\nb := 2;") == []


def test_exit_leaves_only_the_innermost_loop() -> None:
    text = "WHILE a > 0 DO\n  FOR i := 1 TO 3 DO\n    EXIT;\n    b := 1;\n  END_FOR;\n  c := 1;\nEND_WHILE;"
    assert _unreachable(text) == ["Assignment:b"]


def test_if_without_else_may_skip_the_assignment() -> None:
    assert _uninitialised("IF b > 0 THEN\n  a := 1;\nEND_IF;\nx := a;") == ["b", "a"]
    assert _uninitialised("b := 0;\nIF b > 0 THEN\n  a := 1;\nELSE\n  a := 2;\nEND_IF;\nx := a;") == []


def test_case_needs_else_to_assign_on_every_path() -> None:
    assert _uninitialised("b := 0;\nCASE b OF\n1: a := 1;\n2: a := 2;\nEND_CASE;\nx := a;") == ["a"]
    assert _uninitialised("b := 0;\nCASE b OF\n1: a := 1;\nELSE a := 2;\nEND_CASE;\nx := a;") == []


def test_loops_may_run_zero_times_repeat_runs_once() -> None:
    assert _uninitialised("b := 0;\nWHILE b < 3 DO\n  a := 1;\n  b := b + 1;\nEND_WHILE;\nx := a;") == ["a"]
    assert _uninitialised("b := 0;\nREPEAT\n  a := 1;\n  b := b + 1;\nUNTIL b > 3\nEND_REPEAT;\nx := a;") == []


def test_a_read_in_the_same_statement_comes_before_the_write() -> None:
    assert _uninitialised("a := a + 1;") == ["a"]


def test_member_writes_and_taking_the_address_count_as_assignment() -> None:
    # Chosen policy (see plcops.lint.cfg): writing a part, or handing out the address, ends tracking.
    assert _uninitialised("a.0 := TRUE;\nx := a;") == []
    assert _uninitialised("MEMSET(ADR(a), 0, SIZEOF(a));\nx := a;") == []
    assert _uninitialised("x := b;") == ["b"]


def test_conditional_return_may_fall_through() -> None:
    body = _body("RETURN(b > 0);\nx := 2;")
    graph = ControlFlowGraph.of(body)
    assert graph.unreachable(body) == []
    assert "x" not in graph.assigned_at_exit(set(), {"x"})


def test_jump_back_creates_a_loop_for_assignment() -> None:
    # The second pass through L1 has a assigned, the first does not: the read is reported.
    assert _uninitialised("b := 0;\nL1:\nx := a;\na := 1;\nb := b + 1;\nIF b < 3 THEN\n  JMP L1;\nEND_IF;") == ["a"]
    # Assigned before the label on every path: fine.
    assert _uninitialised("b := 0;\na := 0;\nL1:\nx := a;\nb := b + 1;\nIF b < 3 THEN\n  JMP L1;\nEND_IF;") == []


def test_return_value_assigned_on_every_path() -> None:
    body = _body("IF b > 0 THEN\n  x := 1;\n  RETURN;\nEND_IF;\nx := 2;")
    assert "x" in ControlFlowGraph.of(body).assigned_at_exit(set(), {"x"})
    body = _body("IF b > 0 THEN\n  RETURN;\nEND_IF;\nx := 2;")
    assert "x" not in ControlFlowGraph.of(body).assigned_at_exit(set(), {"x"})
