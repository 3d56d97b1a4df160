"""The visitor and transformer API."""

from __future__ import annotations

from plcops.st import ast, parse_text
from plcops.st.visitor import NodeTransformer, NodeVisitor, walk, walk_with_parents

SOURCE = """FUNCTION_BLOCK FB
VAR x, y : INT; END_VAR
x := 1;
IF x > 0 THEN
    y := x;
    x := 0;
END_IF
END_FUNCTION_BLOCK
"""


def unit() -> ast.CompilationUnit:
    result = parse_text(SOURCE)
    assert result.unit is not None
    return result.unit


def test_walk_visits_parents_first_in_source_order() -> None:
    assignments = [n for n in walk(unit()) if isinstance(n, ast.Assignment)]
    assert [a.span.start for a in assignments] == sorted(a.span.start for a in assignments)
    assert [a.target.name for a in assignments] == ["x", "y", "x"]  # type: ignore[attr-defined]


def test_walk_with_parents() -> None:
    for node, parents in walk_with_parents(unit()):
        if isinstance(node, ast.Assignment) and isinstance(node.target, ast.Name) and node.target.name == "y":
            assert [type(p).__name__ for p in parents] == [
                "CompilationUnit",
                "FunctionBlock",
                "IfStatement",
                "IfBranch",
            ]
            break
    else:
        raise AssertionError("assignment to y not found")


def test_visitor_dispatch() -> None:
    class Writes(NodeVisitor):
        def __init__(self) -> None:
            self.names: list[str] = []

        def visit_Assignment(self, node: ast.Assignment) -> None:
            assert isinstance(node.target, ast.Name)
            self.names.append(node.target.name)

    visitor = Writes()
    visitor.visit(unit())
    assert visitor.names == ["x", "y", "x"]


def test_transformer_removes_and_replaces() -> None:
    class DropResets(NodeTransformer):
        def visit_Assignment(self, node: ast.Assignment) -> ast.Node | None:
            if isinstance(node.value, ast.Literal) and node.value.text == "0":
                return None
            return self.generic_visit(node)

        def visit_Name(self, node: ast.Name) -> ast.Node:
            return ast.Name(node.name.upper(), span=node.span)

    tree = DropResets().visit(unit())
    assignments = [n for n in walk(tree) if isinstance(n, ast.Assignment)]
    assert [
        (a.target.name, a.value.text if isinstance(a.value, ast.Literal) else a.value.name) for a in assignments
    ] == [  # type: ignore[attr-defined]
        ("X", "1"),
        ("Y", "X"),
    ]
