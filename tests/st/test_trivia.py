"""Comments and pragmas attach to the node a reader would say they are about."""

from __future__ import annotations

from plcops.st import ast, parse_text

SOURCE = """(* About the FB *)
FUNCTION_BLOCK FB_T // header note
VAR_INPUT // inputs
    {attribute 'hide'}
    a : INT; // a's note
    // dangling in VAR_INPUT
END_VAR
IF a > 0 THEN // why
    // before b
    b := 1; (* after b *)
    // last words
END_IF
c := a (* mid *) + 1;
END_FUNCTION_BLOCK
// the end
"""


def texts(items: list[ast.TriviaItem]) -> list[str]:
    return [item.text for item in items]


def test_attachment_rules() -> None:
    result = parse_text(SOURCE)
    unit = result.unit
    assert unit is not None
    (fb,) = unit.items
    assert isinstance(fb, ast.FunctionBlock) and fb.trivia is not None
    assert texts(fb.trivia.leading) == ["(* About the FB *)"]
    assert texts(fb.trivia.header) == ["// header note"]

    (block,) = fb.var_blocks
    assert block.trivia is not None
    assert texts(block.trivia.header) == ["// inputs"]
    assert texts(block.trivia.dangling) == ["// dangling in VAR_INPUT"]
    (decl,) = block.decls
    assert decl.trivia is not None
    assert texts(decl.trivia.leading) == ["{attribute 'hide'}"]
    assert texts(decl.trivia.trailing) == ["// a's note"]

    if_stmt, assignment = fb.body
    assert isinstance(if_stmt, ast.IfStatement)
    branch = if_stmt.branches[0]
    assert branch.trivia is not None and texts(branch.trivia.header) == ["// why"]
    (b_assign,) = branch.body
    assert b_assign.trivia is not None
    assert texts(b_assign.trivia.leading) == ["// before b"]
    assert texts(b_assign.trivia.trailing) == ["(* after b *)"]
    assert if_stmt.trivia is not None and texts(if_stmt.trivia.dangling) == ["// last words"]
    assert assignment.trivia is not None and texts(assignment.trivia.interior) == ["(* mid *)"]


def test_every_comment_is_attached_exactly_once() -> None:
    unit = parse_text(SOURCE).unit
    assert unit is not None
    attached: list[str] = []
    stack: list[ast.Node] = [unit]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Annotated) and node.trivia is not None:
            attached.extend(item.text for item in node.trivia.all())
        stack.extend(node.children())
    # The comment after the last top-level item stays only in unit.trivia.
    assert sorted(attached) == sorted(texts(unit.trivia)[:-1])
    assert texts(unit.trivia)[-1] == "// the end"
