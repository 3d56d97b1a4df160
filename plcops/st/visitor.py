"""Walking and rewriting the AST: the API the linter, differ and simulator build on.

Three tools, modelled on Python's own :mod:`ast` module:

* :func:`walk` yields every node below a root, parents before children, in source order;
* :class:`NodeVisitor` dispatches ``visit_<ClassName>`` methods and walks children by default;
* :class:`NodeTransformer` does the same but replaces each node by what its method returns (return None
  to delete a node from a list, or the node itself to keep it).

Example: every variable written by an assignment::

    class Writes(NodeVisitor):
        def __init__(self) -> None:
            self.names: set[str] = set()

        def visit_Assignment(self, node: ast.Assignment) -> None:
            if isinstance(node.target, ast.Name):
                self.names.add(node.target.name.casefold())
            self.generic_visit(node)
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from plcops.st import ast


def walk(root: ast.Node) -> Iterator[ast.Node]:
    """Every node under ``root`` (included), depth first, parents before children, in source order."""
    stack: list[ast.Node] = [root]
    while stack:
        node = stack.pop()
        yield node
        children = list(node.children())
        children.reverse()
        stack.extend(children)


def walk_with_parents(root: ast.Node) -> Iterator[tuple[ast.Node, tuple[ast.Node, ...]]]:
    """Like :func:`walk`, with the chain of ancestors (outermost first) of each node."""
    stack: list[tuple[ast.Node, tuple[ast.Node, ...]]] = [(root, ())]
    while stack:
        node, parents = stack.pop()
        yield node, parents
        inner = (*parents, node)
        children = list(node.children())
        children.reverse()
        stack.extend((child, inner) for child in children)


class NodeVisitor:
    """Calls ``visit_<ClassName>(node)`` for each node; without such a method, visits the children."""

    def visit(self, node: ast.Node) -> Any:
        """Visit one node (dispatching on its class name)."""
        method: Callable[[Any], Any] = getattr(self, f"visit_{type(node).__name__}", self.generic_visit)
        return method(node)

    def generic_visit(self, node: ast.Node) -> None:
        """Visit every child of ``node``."""
        for child in node.children():
            self.visit(child)


class NodeTransformer(NodeVisitor):
    """A visitor whose methods return replacement nodes.

    In a list field, returning None removes the node and returning a list splices several nodes in its
    place; in a single field, the returned value replaces the node.
    """

    def generic_visit(self, node: ast.Node) -> ast.Node:  # type: ignore[override]
        """Transform every child of ``node`` in place and return ``node``."""
        for name in ast.child_field_names(type(node)):
            value = getattr(node, name)
            if isinstance(value, ast.Node):
                setattr(node, name, self.visit(value))
            elif isinstance(value, list) and any(isinstance(item, ast.Node) for item in value):
                replaced: list[Any] = []
                for item in value:
                    if not isinstance(item, ast.Node):
                        replaced.append(item)
                        continue
                    result = self.visit(item)
                    if result is None:
                        continue
                    if isinstance(result, list):
                        replaced.extend(result)
                    else:
                        replaced.append(result)
                setattr(node, name, replaced)
        return node
