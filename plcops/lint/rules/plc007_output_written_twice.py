from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from plcops.lint.analysis import bodies, written_targets
from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Level, Rule
from plcops.lint.variables import root_variable, written_root
from plcops.st import ast
from plcops.st.symbols import Symbol


def _output_symbol(root: ast.Node, scope: PouScope) -> Symbol | None:
    """The variable an lvalue's root names (``x`` or ``THIS^.x``), when it is declared AT %Q."""
    symbol = root_variable(root, scope)
    return symbol if symbol is not None and symbol.address.upper().startswith("%Q") else None


def _unknown(name: ast.Name, scope: PouScope) -> bool:
    """Whether a name is no variable the code can see (a GVL or namespace qualifier)."""
    return scope.types.variable(name.name) is None


def _qualified_global(target: ast.Expr, scope: PouScope) -> tuple[Symbol, ast.Expr] | None:
    """``GVL.x...`` where GVL names no variable and x is a global: the global and the ``GVL.x`` node."""
    node = target
    while isinstance(node, (ast.MemberAccess, ast.Index, ast.BitAccess)):
        if isinstance(node, ast.MemberAccess) and isinstance(node.target, ast.Name) and _unknown(node.target, scope):
            symbol = scope.types.index.globals.get(node.member.casefold())
            return (symbol, node) if symbol is not None else None
        node = node.target
    return None


def _path(text: str) -> str:
    """An access path for comparing writes: case-folded, without blanks."""
    return "".join(text.split()).casefold()


def _overlap(a: str, b: str) -> bool:
    """Whether two access paths of one variable touch the same data (one is the other or contains it)."""
    short, long = sorted((a, b), key=len)
    return long == short or (long.startswith(short) and long[len(short)] in ".[")


class PLC007(Rule):
    """A physical output (``AT %Q...``) is written in more than one place.

    Why: when several places write one output, the last write in the scan wins and the earlier ones
    are silently lost; the output's behaviour can only be understood by reading all of them. Compute the
    value in one place and assign the output once. Writes are compared across a file's POUs, methods and
    actions; writes in different branches of one IF or CASE count as one place (as in TwinCAT), and
    different bits or elements of an output (``wLamps.0``, ``wLamps.1``) are different outputs.

    Anti-pattern:
    ```st
    IF bStart THEN bMotor := TRUE; END_IF        // bMotor AT %QX0.0
    IF bStop THEN bMotor := FALSE; END_IF
    ```

    Best practice:
    ```st
    bRun := (bRun OR bStart) AND NOT bStop;
    bMotor := bRun;
    ```
    """

    code = "PLC007"
    name = "output-written-in-several-places"
    groups = ("correctness",)
    level = Level.error
    sa = ("SA0004",)
    plcopen = ("CP12",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        # Output (a direct address, or the id of its declaration) -> its write sites.
        sites: dict[object, list[_Site]] = {}
        for scope in context.scopes():
            for statement, branches in _statements(scope.node.body, ()):
                for target in written_targets(statement):
                    found = self._output(target, scope, context)
                    if found is not None:
                        key, path = found
                        sites.setdefault(key, []).append(_Site(path, target, branches, scope.name))
        for writes in sites.values():
            writes.sort(key=lambda site: site.target.span.start)
            for number, site in enumerate(writes):
                earlier = next((e for e in writes[:number] if _conflict(e, site)), None)
                if earlier is not None:
                    line = context.source.location(earlier.target.span.start).line
                    message = f"output '{context.text_of(site.target)}' is also written on line {line}"
                    yield self.finding(message, site.target, site.pou)

    @staticmethod
    def _output(target: ast.Expr, scope: PouScope, context: FileContext) -> tuple[object, str] | None:
        """The output an lvalue writes (its key) and the access path written, or None."""
        if isinstance(target, ast.DirectAddress):
            address = target.address.upper()
            return (address, _path(address)) if address.startswith("%Q") else None
        qualified = _qualified_global(target, scope)
        if qualified is not None:
            symbol, head = qualified
            if not symbol.address.upper().startswith("%Q"):
                return None
            return id(symbol), _path(symbol.name + context.text_of(target)[head.span.end - target.span.start :])
        root = written_root(target)
        output = _output_symbol(root, scope) if root is not None else None
        if output is None or root is None:
            return None
        return id(output), _path(output.name + context.text_of(target)[root.span.end - target.span.start :])


@dataclass(frozen=True, slots=True)
class _Site:
    """One write of an output."""

    path: str
    target: ast.Expr
    branches: tuple[tuple[int, int], ...]  # (id of an enclosing IF/CASE, index of the branch taken)
    pou: str


_Branches = tuple[tuple[int, int], ...]  # (id of an enclosing IF/CASE, index of the branch taken)


def _conflict(earlier: _Site, later: _Site) -> bool:
    """Whether two writes touch the same output data and can both run in one scan."""
    return _overlap(earlier.path, later.path) and not _exclusive(earlier.branches, later.branches)


def _statements(statements: list[ast.Stmt], branches: _Branches) -> Iterator[tuple[ast.Stmt, _Branches]]:
    """Every statement, nested ones included, with the IF/CASE branches it sits in."""
    for statement in statements:
        yield statement, branches
        exclusive = isinstance(statement, (ast.IfStatement, ast.CaseStatement))
        for number, body in enumerate(bodies(statement)):
            yield from _statements(body, (*branches, (id(statement), number)) if exclusive else branches)


def _exclusive(a: _Branches, b: _Branches) -> bool:
    """Whether two writes sit in different branches of one IF or CASE (only one of them runs)."""
    for (statement_a, branch_a), (statement_b, branch_b) in zip(a, b, strict=False):  # the common prefix
        if statement_a != statement_b:
            return False
        if branch_a != branch_b:
            return True
    return False
