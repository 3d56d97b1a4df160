"""Analyses several rules share: statement lists, the reads and writes of single statements, and
comparing expressions.

They look at single statements and expressions; questions about paths through a POU (reachability,
definite assignment) are answered by :mod:`plcops.lint.cfg`.
"""

from __future__ import annotations

from typing import Iterator

from plcops.st import ast
from plcops.st.formatter import ast_fingerprint


def bodies(statement: ast.Stmt) -> list[list[ast.Stmt]]:
    """The statement lists nested directly in a compound statement."""
    if isinstance(statement, ast.IfStatement):
        lists = [branch.body for branch in statement.branches]
        return lists + ([statement.else_branch.body] if statement.else_branch else [])
    if isinstance(statement, ast.CaseStatement):
        lists = [branch.body for branch in statement.branches]
        return lists + ([statement.else_branch.body] if statement.else_branch else [])
    if isinstance(statement, (ast.ForStatement, ast.WhileStatement, ast.RepeatStatement)):
        return [statement.body]
    if isinstance(statement, ast.TryStatement):
        return [statement.body, statement.catch_body or [], statement.finally_body or []]
    return []


def statement_lists(pou: ast.Pou) -> Iterator[list[ast.Stmt]]:
    """Every statement list of a POU's body (its own, then nested ones), depth first."""
    stack = [pou.body]
    while stack:
        statements = stack.pop()
        yield statements
        for statement in statements:
            stack.extend(reversed(bodies(statement)))


def root_name(target: ast.Node) -> ast.Name | None:
    """The variable an lvalue starts from: ``a`` for ``a.b[i].c``; None for ``p^.x`` and calls."""
    while isinstance(target, (ast.MemberAccess, ast.Index, ast.BitAccess)):
        target = target.target
    return target if isinstance(target, ast.Name) else None


NOT_A_READ = frozenset({"ADR", "SIZEOF", "REF", "XSIZEOF", "BITADR", "INDEXOF", "TYPEOF", "__QUERYPOINTER"})


def names_read(node: ast.Node | None) -> Iterator[ast.Name]:
    """Names read by an expression (array indices of a written target count as reads)."""
    if node is None:
        return
    stack: list[ast.Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            yield current
        elif isinstance(current, ast.MemberAccess):
            stack.append(current.target)  # the member name itself is not a variable
        elif isinstance(current, ast.AssignExpr):
            # (c := b) reads b and writes c: only the target's indices are reads (written_targets has c).
            stack.append(current.value)
            stack.extend(_index_reads(current.target))
        elif isinstance(current, ast.Call):
            if isinstance(current.target, ast.Name) and current.target.name.upper() in NOT_A_READ:
                continue  # ADR(x), SIZEOF(x): the variable's address or size, not its value
            if not isinstance(current.target, ast.Name):
                stack.append(current.target)
            for argument in current.args:
                if isinstance(argument, ast.NamedArg):
                    if argument.value is not None:
                        stack.append(argument.value)
                elif isinstance(argument, ast.OutputArg):
                    continue
                else:
                    stack.append(argument)
        else:
            stack.extend(current.children())


def written_targets(statement: ast.Stmt) -> Iterator[ast.Expr]:
    """The lvalues a single statement writes (not its nested statements): assignments, FOR counters
    and ``=>`` output connections of calls."""
    if isinstance(statement, ast.Assignment):
        yield statement.target
        value = statement.value
        while isinstance(value, ast.AssignExpr):
            yield value.target
            value = value.value
    elif isinstance(statement, ast.ForStatement):
        yield statement.variable
    for node in _own_expressions(statement):
        for inner in _walk(node):
            if isinstance(inner, ast.Call):
                for argument in inner.args:
                    if isinstance(argument, ast.OutputArg) and argument.target is not None:
                        yield argument.target
            elif isinstance(inner, ast.AssignExpr):
                yield inner.target


def _walk(node: ast.Node) -> Iterator[ast.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children())


def _own_expressions(statement: ast.Stmt) -> list[ast.Node]:
    """The expressions of a statement itself, without those of nested statements."""
    if isinstance(statement, ast.Assignment):
        return [statement.target, statement.value]
    if isinstance(statement, ast.CallStatement):
        return [statement.call]
    if isinstance(statement, ast.IfStatement):
        return [branch.condition for branch in statement.branches]
    if isinstance(statement, ast.CaseStatement):
        return [statement.selector]
    if isinstance(statement, ast.ForStatement):
        return [n for n in (statement.start, statement.end, statement.step) if n is not None]
    if isinstance(statement, (ast.WhileStatement, ast.RepeatStatement)):
        return [statement.condition]
    if isinstance(statement, ast.Return) and statement.value is not None:
        return [statement.value]
    return []


def own_expressions(statement: ast.Stmt) -> list[ast.Node]:
    """Public form of the statement's own expressions (see :func:`_own_expressions`)."""
    return _own_expressions(statement)


def reads_of(statement: ast.Stmt) -> Iterator[ast.Name]:
    """Names a statement reads itself (not in nested statements)."""
    if isinstance(statement, ast.Assignment):
        yield from names_read(statement.value)
        yield from _index_reads(statement.target)
        if statement.op in ("S=", "R="):
            root = root_name(statement.target)
            if root is not None:
                yield root
        return
    if isinstance(statement, ast.ForStatement):
        for node in (statement.start, statement.end, statement.step):
            yield from names_read(node)
        return
    for expression in _own_expressions(statement):
        yield from names_read(expression)


def _index_reads(target: ast.Node) -> Iterator[ast.Name]:
    while isinstance(target, (ast.MemberAccess, ast.Index, ast.BitAccess, ast.Deref)):
        if isinstance(target, ast.Index):
            for index in target.indices:
                yield from names_read(index)
        if isinstance(target, ast.Deref):
            yield from names_read(target.target)
            return
        target = target.target


def same_expression(a: ast.Node, b: ast.Node) -> bool:
    """Whether two expressions are the same code (positions, spacing, comments and the case of names
    ignored)."""
    return bool(ast_fingerprint(a) == ast_fingerprint(b))
