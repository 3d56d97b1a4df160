"""The control-flow graph of a POU body, and the data-flow facts rules ask of it.

One node per simple statement and per decision (an IF/ELSIF condition, a CASE selector, a loop test), plus
an entry and an exit node. Edges follow IEC 61131-3 execution: the arms of IF and CASE, the back edges of
loops, ``EXIT`` to after the innermost loop, ``CONTINUE`` to its test, ``RETURN`` to the exit, and ``JMP`` to
its label (to the exit when the label does not exist, which another rule reports).

On it:

* :meth:`ControlFlowGraph.reachable` - which nodes can run at all (unreachable code, with JMP and labels
  taken into account);
* :meth:`ControlFlowGraph.definitely_assigned` - the classic forward "must" analysis: which variables
  have been assigned on *every* path reaching a node (uninitialised reads, return value assigned on every
  path, FOR counter read after the loop).

A variable counts as assigned when it is the target of an assignment (also ``x.member :=``, ``x[i] :=``
and ``x.0 :=``: structures and arrays are filled piece by piece, and a linter must not cry wolf over that),
a FOR counter or the target of an ``=>`` output connection, and when its address or a reference to it is
taken (``ADR(x)``, ``REF(x)``, ``r REF= x``): from then on it may be written through the pointer, so it is no
longer tracked. TwinCAT's conditional ``RETURN(condition)`` may or may not end the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from plcops.lint.analysis import bodies, names_read, own_expressions, reads_of, root_name, written_targets
from plcops.st import ast


@dataclass(slots=True)
class CfgNode:
    """A statement or decision in the graph.

    Attributes:
        statement: the statement the node belongs to (for decisions, the IF/CASE/loop statement).
        condition: the expression tested, for decision nodes.
        reads: names the node reads, in evaluation order before its writes.
        assigns: case-folded names the node assigns as a whole.
    """

    index: int
    kind: str  # "entry", "exit", "statement", "decision"
    statement: ast.Stmt | None = None
    condition: ast.Node | None = None
    reads: list[ast.Name] = field(default_factory=list)
    assigns: set[str] = field(default_factory=set)
    successors: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Loop:
    break_to: int
    continue_to: int


class ControlFlowGraph:
    """The graph of one statement list (a POU, method, action or accessor body)."""

    def __init__(self) -> None:
        self.nodes: list[CfgNode] = []
        self.entry = self._node("entry").index
        self.exit = self._node("exit").index
        self.start_of: dict[int, int] = {}  # id(statement) -> the node where the statement begins
        self._labels: dict[str, int] = {}
        self._jumps: list[tuple[int, str]] = []

    @classmethod
    def of(cls, body: list[ast.Stmt]) -> ControlFlowGraph:
        """Build the graph of a body."""
        graph = cls()
        first = graph._sequence(body, graph.exit, None)
        graph.nodes[graph.entry].successors.append(first)
        for node, label in graph._jumps:
            graph.nodes[node].successors.append(graph._labels.get(label.casefold(), graph.exit))
        return graph

    # -------------------------------------------------------------------- construction

    def _node(self, kind: str, statement: ast.Stmt | None = None, condition: ast.Node | None = None) -> CfgNode:
        node = CfgNode(len(self.nodes), kind, statement, condition)
        self.nodes.append(node)
        return node

    def _sequence(self, statements: list[ast.Stmt], after: int, loop: _Loop | None) -> int:
        """Nodes for a statement list that continues at ``after``; returns its first node."""
        # Labels must be known before the statements that jump to them are linked: built back to front,
        # each statement knows its successor.
        following = after
        for statement in reversed(statements):
            following = self._statement(statement, following, loop)
            self.start_of[id(statement)] = following
        return following

    def _simple(self, statement: ast.Stmt, successors: list[int]) -> int:
        node = self._node("statement", statement)
        node.reads = list(reads_of(statement))
        node.assigns = _assigned(statement)
        node.successors = successors
        return node.index

    def _statement(self, statement: ast.Stmt, after: int, loop: _Loop | None) -> int:
        if isinstance(statement, ast.Return):
            # RETURN(condition) (TwinCAT) returns only when the condition is TRUE.
            return self._simple(statement, [self.exit] if statement.value is None else [self.exit, after])
        if isinstance(statement, ast.Exit):
            return self._simple(statement, [loop.break_to if loop else self.exit])
        if isinstance(statement, ast.Continue):
            return self._simple(statement, [loop.continue_to if loop else self.exit])
        if isinstance(statement, ast.Jump):
            index = self._simple(statement, [])
            self._jumps.append((index, statement.label))
            return index
        if isinstance(statement, ast.LabelStatement):
            index = self._simple(statement, [after])
            self._labels.setdefault(statement.name.casefold(), index)
            return index
        if isinstance(statement, ast.IfStatement):
            otherwise = self._sequence(statement.else_branch.body, after, loop) if statement.else_branch else after
            for branch in reversed(statement.branches):
                test = self._node("decision", statement, branch.condition)
                test.reads, test.assigns = list(names_read(branch.condition)), _assigned_in(branch.condition)
                test.successors = [self._sequence(branch.body, after, loop), otherwise]
                otherwise = test.index
            return otherwise
        if isinstance(statement, ast.CaseStatement):
            test = self._node("decision", statement, statement.selector)
            test.reads, test.assigns = list(names_read(statement.selector)), _assigned_in(statement.selector)
            arms = [self._sequence(branch.body, after, loop) for branch in statement.branches]
            arms.append(self._sequence(statement.else_branch.body, after, loop) if statement.else_branch else after)
            test.successors = arms
            return test.index
        if isinstance(statement, ast.WhileStatement):
            test = self._node("decision", statement, statement.condition)
            test.reads, test.assigns = list(names_read(statement.condition)), _assigned_in(statement.condition)
            body = self._sequence(statement.body, test.index, _Loop(after, test.index))
            test.successors = [body, after]
            return test.index
        if isinstance(statement, ast.ForStatement):
            # One node stands for initialising and stepping the counter and testing it against the end.
            test = self._node("decision", statement, statement.end)
            test.reads = list(reads_of(statement))
            test.assigns = _assigned(statement)
            body = self._sequence(statement.body, test.index, _Loop(after, test.index))
            test.successors = [body, after]
            return test.index
        if isinstance(statement, ast.RepeatStatement):
            test = self._node("decision", statement, statement.condition)
            test.reads, test.assigns = list(names_read(statement.condition)), _assigned_in(statement.condition)
            body = self._sequence(statement.body, test.index, _Loop(after, test.index))
            test.successors = [body, after]
            return body  # the body runs before the first test
        if isinstance(statement, ast.TryStatement):
            finish = self._sequence(statement.finally_body or [], after, loop)
            handler = self._sequence(statement.catch_body or [], finish, loop)
            guard = self._node("decision", statement)
            guard.successors = [self._sequence(statement.body, finish, loop), handler]
            return guard.index
        return self._simple(statement, [after])

    # -------------------------------------------------------------------- analyses

    def reachable(self) -> set[int]:
        """Indexes of the nodes reachable from the entry."""
        seen = {self.entry}
        stack = [self.entry]
        while stack:
            for successor in self.nodes[stack.pop()].successors:
                if successor not in seen:
                    seen.add(successor)
                    stack.append(successor)
        return seen

    def unreachable(self, statements: list[ast.Stmt]) -> list[ast.Stmt]:
        """The statements of a list (at any depth) that can never run, outermost only."""
        live = self.reachable()
        found: list[ast.Stmt] = []
        stack = list(reversed(statements))
        while stack:
            statement = stack.pop()
            start = self.start_of.get(id(statement))
            if start is not None and start not in live:
                found.append(statement)
                continue
            for body in reversed(bodies(statement)):
                stack.extend(reversed(body))
        return found

    def predecessors(self) -> list[list[int]]:
        """The predecessors of every node."""
        found: list[list[int]] = [[] for _ in self.nodes]
        for node in self.nodes:
            for successor in node.successors:
                found[successor].append(node.index)
        return found

    def definitely_assigned(
        self, initial: set[str], watched: set[str], assigns: Callable[[ast.Stmt], set[str]] | None = None
    ) -> list[set[str]]:
        """For every node, the watched names assigned on every path from the entry to it (before it runs).

        ``assigns`` adds names a statement assigns that only the caller can tell (for example through a
        VAR_IN_OUT parameter of a callee it has looked up).
        """
        predecessors = self.predecessors()
        everything = set(watched)
        after: list[set[str]] = [set(everything) for _ in self.nodes]
        after[self.entry] = set(initial) & everything
        live = self.reachable()
        order = [i for i in range(len(self.nodes)) if i in live and i != self.entry]
        changed = True
        while changed:
            changed = False
            for index in order:
                incoming = [after[p] for p in predecessors[index] if p in live]
                before = set.intersection(*incoming) if incoming else set()
                node = self.nodes[index]
                extra = assigns(node.statement) if assigns is not None and node.statement is not None else set()
                result = before | ((node.assigns | extra) & everything)
                if result != after[index]:
                    after[index] = result
                    changed = True
        before_node: list[set[str]] = []
        for index in range(len(self.nodes)):
            incoming = [after[p] for p in predecessors[index] if p in live]
            if index == self.entry:
                before_node.append(set(after[self.entry]))
            else:
                # Unreachable nodes get "everything": nothing is reported about code that never runs.
                before_node.append(set.intersection(*incoming) if incoming else set(everything))
        return before_node

    def reads_before_assignment(self, initial: set[str], watched: set[str]) -> list[tuple[ast.Name, str]]:
        """Reads of watched names at nodes some path reaches without assigning them first."""
        assigned = self.definitely_assigned(initial, watched)
        live = self.reachable()
        found = []
        for node in self.nodes:
            if node.index not in live:
                continue
            for name in node.reads:
                key = name.name.casefold()
                if key in watched and key not in assigned[node.index]:
                    found.append((name, key))
        return sorted(found, key=lambda item: item[0].span.start)

    def reads_from(self, start: int, key: str) -> list[ast.Name]:
        """Reads of ``key`` on the paths from node ``start`` up to where ``key`` is assigned again."""
        found: list[ast.Name] = []
        seen: set[int] = set()
        stack = [start]
        while stack:
            index = stack.pop()
            if index in seen:
                continue
            seen.add(index)
            node = self.nodes[index]
            found.extend(name for name in node.reads if name.name.casefold() == key)
            if key not in node.assigns:
                stack.extend(node.successors)
        return sorted(found, key=lambda name: name.span.start)

    def after(self, loop: ast.ForStatement | ast.WhileStatement) -> int:
        """The node control goes to when a FOR or WHILE loop ends."""
        return self.nodes[self.start_of[id(loop)]].successors[1]

    def assigned_at_exit(
        self, initial: set[str], watched: set[str], assigns: Callable[[ast.Stmt], set[str]] | None = None
    ) -> set[str]:
        """The watched names assigned on every path that reaches the end of the body (or a RETURN)."""
        return self.definitely_assigned(initial, watched, assigns)[self.exit]


_ADDRESS_OF = {"ADR", "REF", "__QUERYPOINTER", "__QUERYINTERFACE", "MEMSET", "MEMCPY", "MEMMOVE"}


def _assigned_in(condition: ast.Node) -> set[str]:
    """Names a condition assigns through ``(x := value)`` (CODESYS extended ST)."""
    found = set()
    stack = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.AssignExpr):
            root = root_name(node.target)
            if root is not None:
                found.add(root.name.casefold())
        stack.extend(node.children())
    return found


def _assigned(statement: ast.Stmt) -> set[str]:
    """Case-folded names a statement assigns (see the module docstring for what counts)."""
    found = set()
    for target in written_targets(statement):
        root = root_name(target)
        if root is not None:
            found.add(root.name.casefold())
    if isinstance(statement, ast.Assignment) and statement.op == "REF=":
        root = root_name(statement.value)
        if root is not None:
            found.add(root.name.casefold())
    for expression in own_expressions(statement):
        for call in _calls(expression):
            if isinstance(call.target, ast.Name) and call.target.name.upper() in _ADDRESS_OF:
                for argument in call.args:
                    value = argument.value if isinstance(argument, ast.NamedArg) else argument
                    root = root_name(value) if isinstance(value, ast.Node) else None
                    if root is not None:
                        found.add(root.name.casefold())
    return found


def _calls(node: ast.Node) -> list[ast.Call]:
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call):
            found.append(current)
        stack.extend(current.children())
    return found
