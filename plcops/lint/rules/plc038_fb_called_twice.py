from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from plcops.lint.analysis import bodies, own_expressions
from plcops.lint.context import FileContext, PouScope
from plcops.lint.rule import Finding, Rule
from plcops.st import ast
from plcops.st.stdlib import STANDARD_FBS

# Calls of one instance on the current path since its last restart (source order).
CallPath = tuple[ast.Call, ...]

# Timers whose call with ``IN := FALSE`` resets them: ``tonX(IN := FALSE); tonX(IN := TRUE)`` restarts
# the timer on purpose. (A TOF or TP keeps running when IN falls, so a second call is no reset there.)
_RESETTABLE = frozenset({"TON", "LTON"})


class PLC038(Rule):
    """A function block instance may be called more than once in one cycle.

    Why: timers, edge detectors and counters assume one call per cycle. A second call in the same cycle
    (or a call inside a loop) doubles a counter, resets an edge, or lets a timer see the wrong input.
    Calls in mutually exclusive branches (IF/ELSIF/CASE arms), calls after a RETURN that ends the
    first path, and the TON restart idiom (a call with ``IN := FALSE`` that resets the timer before it
    is started again) are not reported. Only instances of standard FBs and of the project's function
    blocks are checked, called by name (not array elements or methods); the finding points at the
    call that is the second one on a path.

    Anti-pattern:
    ```st
    fbTrig(CLK := bButton);
    ...
    fbTrig(CLK := bOtherButton);   // same instance, same cycle
    ```

    Best practice: one instance per signal, called once per cycle.
    ```st
    fbTrigButton(CLK := bButton);
    fbTrigOtherButton(CLK := bOtherButton);
    ```
    """

    code = "PLC038"
    name = "fb-called-twice"
    groups = ("correctness",)
    sa = ("SA0105",)

    def check(self, context: FileContext) -> Iterable[Finding]:
        for scope in context.scopes():
            names: dict[str, str] = {}
            for statement in _statements(scope.node.body):
                for call in _calls(statement):
                    if isinstance(call.target, ast.Name):
                        names.setdefault(call.target.name.casefold(), call.target.name)
            for key, name in names.items():
                kind = _instance_type(context, scope, name)
                if kind is None:
                    continue
                walk = _Walk(key, kind in _RESETTABLE)
                walk.run(scope.node.body, ())
                if walk.second is not None:
                    yield self.finding(
                        f"instance '{name}' may be called more than once per cycle", walk.second, scope.name
                    )


def _instance_type(context: FileContext, scope: PouScope, name: str) -> str | None:
    """The function block type (upper case for standard FBs) of a variable, or None when it is not an
    instance of a known function block."""
    symbol = scope.types.variable(name)
    kind = context.index.resolve(symbol.type) if symbol is not None else None
    if kind is None or kind.kind != "named":
        return None
    type_name = kind.name.rsplit(".", 1)[-1]  # Tc2_Standard.TON
    if type_name.upper() in STANDARD_FBS:
        return type_name.upper()
    pou = context.index.pous.get(type_name.casefold())
    return type_name if pou is not None and pou.kind == "FUNCTION_BLOCK" else None


def _statements(statements: list[ast.Stmt]) -> Iterable[ast.Stmt]:
    for statement in statements:
        yield statement
        for body in bodies(statement):
            yield from _statements(body)


def _calls(statement: ast.Stmt) -> list[ast.Call]:
    """Calls by plain name in a statement's own expressions, in source order."""
    found: list[ast.Call] = []
    stack: list[ast.Node] = list(reversed(own_expressions(statement)))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call) and isinstance(node.target, ast.Name):
            found.append(node)
        stack.extend(reversed(list(node.children())))
    return sorted(found, key=lambda call: call.span.start)


def _longest(*paths: CallPath | None) -> CallPath | None:
    live = [path for path in paths if path is not None]
    return max(live, key=len) if live else None


@dataclass
class _Walk:
    """The calls of one instance along the worst path through a statement list.

    Branches merge by keeping their longest path, so the walk over-approximates: it may report a
    combination of branches that cannot happen together, never miss one that can.
    """

    key: str
    resettable: bool
    second: ast.Call | None = None

    def run(self, statements: list[ast.Stmt], path: CallPath) -> tuple[CallPath | None, CallPath | None]:
        """``(path at the end of the list or None when every path left it, longest path that left it
        through EXIT or CONTINUE)``."""
        escaped: CallPath | None = None
        for statement in statements:
            for call in _calls(statement):
                if isinstance(call.target, ast.Name) and call.target.name.casefold() == self.key:
                    path = self._call(call, path)
            if isinstance(statement, ast.Return) and statement.value is None:
                return None, escaped  # RETURN(cond) of TwinCAT may fall through
            if isinstance(statement, (ast.Exit, ast.Continue)):
                return None, _longest(escaped, path)
            if isinstance(statement, ast.Jump):
                return None, escaped  # where it lands is not followed
            arms = bodies(statement)
            if isinstance(statement, (ast.ForStatement, ast.WhileStatement, ast.RepeatStatement)):
                first, out1 = self.run(statement.body, path)
                again, out2 = self.run(statement.body, _longest(first, out1) or path)
                path = _longest(path, first, out1, again, out2) or path
            elif isinstance(statement, ast.TryStatement):
                for arm in arms:  # body, catch, finally: take them one after the other
                    live, out = self.run(arm, path)
                    escaped = _longest(escaped, out)
                    path = _longest(live, path) or path
            elif arms:
                ends: list[CallPath | None] = []
                for arm in arms:
                    live, out = self.run(arm, path)
                    ends.append(live)
                    escaped = _longest(escaped, out)
                if getattr(statement, "else_branch", None) is None:
                    ends.append(path)  # no ELSE: the statement may run no arm
                merged = _longest(*ends)
                if merged is None:
                    return None, escaped
                path = merged
        return path, escaped

    def _call(self, call: ast.Call, path: CallPath) -> CallPath:
        if self.resettable and _resets(call):
            return ()
        if path and self.second is None:
            self.second = call
        return (*path, call)


def _resets(call: ast.Call) -> bool:
    """``tonX(IN := FALSE)``: the call resets a TON (whatever else it passes)."""
    return any(
        isinstance(arg, ast.NamedArg)
        and arg.name.casefold() == "in"
        and isinstance(arg.value, ast.Literal)
        and arg.value.kind == "FALSE"
        for arg in call.args
    )
