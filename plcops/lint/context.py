"""What rules see: one parsed file with the project's declarations, and facts about the whole project.

:class:`FileContext` walks the AST once and hands every rule the nodes it asks for with their ancestors,
and the POU scope (variables and expression types) each node belongs to. Rules never walk the tree
themselves, so a file is linted in one pass however many rules run.

:class:`FileFacts` are what project-wide rules need from each file (POU definitions, calls, global writes,
task assignments); they are small and cached with the file's findings, so the project rules run without
re-parsing unchanged files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, TypeVar

from plcops.lint.cfg import ControlFlowGraph
from plcops.st import ast
from plcops.st.parser import ParseResult
from plcops.st.symbols import ExpressionTypes, PouSymbols, ProjectIndex
from plcops.st.visitor import walk_with_parents

N = TypeVar("N", bound=ast.Node)


@dataclass(slots=True)
class PouScope:
    """A POU, method, property accessor or action, with what its code can see."""

    node: ast.Pou
    name: str  # "FB_Motor" or "FB_Motor.Start"
    symbols: PouSymbols
    owner: PouSymbols | None
    types: ExpressionTypes

    @property
    def kind(self) -> str:
        """PROGRAM, FUNCTION_BLOCK, FUNCTION, METHOD, ..."""
        return self.node.kind


class FileContext:
    """One file under lint."""

    def __init__(self, path: str, result: ParseResult, index: ProjectIndex) -> None:
        self.path = path
        self.result = result
        self.source = result.source
        self.text = result.source.text
        self.unit = result.unit or ast.CompilationUnit([], span=(0, 0))  # type: ignore[arg-type]
        self.index = index
        self._walked: list[tuple[ast.Node, tuple[ast.Node, ...]]] | None = None
        self._by_type: dict[type, list[tuple[ast.Node, tuple[ast.Node, ...]]]] = {}
        self._scopes: dict[int, PouScope] | None = None
        self._graphs: dict[int, ControlFlowGraph] = {}

    # -------------------------------------------------------------------- traversal

    def walked(self) -> list[tuple[ast.Node, tuple[ast.Node, ...]]]:
        """Every node with its ancestors, in source order (computed once)."""
        if self._walked is None:
            self._walked = list(walk_with_parents(self.unit))
            for node, parents in self._walked:
                self._by_type.setdefault(type(node), []).append((node, parents))
        return self._walked

    def nodes(self, *types: type[N]) -> Iterator[tuple[N, tuple[ast.Node, ...]]]:
        """The nodes of these classes (subclasses included), with their ancestors, in source order."""
        self.walked()
        found: list[tuple[Any, tuple[ast.Node, ...]]] = []
        for cls, items in self._by_type.items():
            if issubclass(cls, types):
                found.extend(items)
        found.sort(key=lambda pair: pair[0].span.start)
        return iter(found)

    # -------------------------------------------------------------------- scopes

    def scopes(self) -> list[PouScope]:
        """Every POU and member in the file, outermost first."""
        if self._scopes is None:
            self._scopes = {}
            for item in self.unit.items:
                if isinstance(item, ast.Pou):
                    symbols = self.index.pous.get(item.name.text.casefold())
                    if symbols is None:
                        continue
                    self._scopes[id(item)] = PouScope(
                        item, item.name.text, symbols, None, ExpressionTypes(self.index, symbols)
                    )
                    for member in getattr(item, "members", []):
                        self._add_member(item, symbols, member)
        return list(self._scopes.values())

    def _add_member(self, owner: ast.Pou, owner_symbols: PouSymbols, member: ast.Pou) -> None:
        assert self._scopes is not None
        symbols = owner_symbols.members.get(member.name.text.casefold())
        if symbols is None:
            return
        name = f"{owner.name.text}.{member.name.text}"
        self._scopes[id(member)] = PouScope(
            member, name, symbols, owner_symbols, ExpressionTypes(self.index, symbols, owner_symbols)
        )
        if isinstance(member, ast.Property):
            for accessor in (member.getter, member.setter):
                if accessor is not None:
                    own = symbols.members.get(accessor.name.text.casefold(), symbols)
                    scope = PouScope(
                        accessor,
                        f"{name}.{accessor.name.text}",
                        own,
                        owner_symbols,
                        ExpressionTypes(self.index, own, owner_symbols),
                    )
                    self._scopes[id(accessor)] = scope

    def cfg(self, scope: PouScope) -> ControlFlowGraph:
        """The control-flow graph of a scope's body (built once, shared by the rules)."""
        graph = self._graphs.get(id(scope.node))
        if graph is None:
            graph = self._graphs[id(scope.node)] = ControlFlowGraph.of(scope.node.body)
        return graph

    def scope_of(self, parents: tuple[ast.Node, ...]) -> PouScope | None:
        """The innermost POU scope among a node's ancestors."""
        scopes = self._scopes if self._scopes is not None else {id(s.node): s for s in self.scopes()}
        for parent in reversed(parents):
            scope = scopes.get(id(parent))
            if scope is not None:
                return scope
        return None

    # -------------------------------------------------------------------- text

    def text_of(self, node: ast.Node) -> str:
        """The source text of a node."""
        return self.text[node.span.start : node.span.end]

    def line_text(self, offset: int) -> str:
        """The parsed-text line containing an offset (for fingerprints)."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return self.text[start : end if end >= 0 else len(self.text)]

    # -------------------------------------------------------------------- facts

    def facts(self) -> FileFacts:
        """What project-wide rules need from this file."""
        facts = FileFacts(self.path)
        for item in self.unit.items:
            if isinstance(item, (ast.Pou, ast.Interface)):
                line, column = self.source.location(item.name.span.start)
                extends = getattr(item, "extends", None) or []
                parent = extends if isinstance(extends, str) else ""
                facts.pous.append(
                    {
                        "name": item.name.text,
                        "kind": item.kind,
                        "line": line,
                        "column": column,
                        "end": len(item.name.text),
                        "extends": parent,
                    }
                )
                for ref in [*([extends] if isinstance(extends, str) else extends), *getattr(item, "implements", [])]:
                    facts.references.append(ref)
            if isinstance(item, ast.Configuration):
                for resource in [item, *item.resources]:
                    for program in resource.programs:  # type: ignore[attr-defined]
                        facts.tasks.append({"task": program.task or "", "program": program.type_name})
                        facts.references.append(program.type_name)
        for decl, _ in self.nodes(ast.VarDecl):
            facts.references.extend(walk_types(decl.type))
        for type_decl, _ in self.nodes(ast.TypeDecl):  # TYPE A_Axes : ARRAY[1..4] OF FB_Axis; END_TYPE
            facts.references.extend(walk_types(type_decl.type))
            if type_decl.extends:
                facts.references.append(type_decl.extends)
        for pou, _ in self.nodes(ast.Pou):  # return types of functions, methods and properties
            facts.references.extend(walk_types(getattr(pou, "return_type", None) or getattr(pou, "type", None)))
        for call, parents in self.nodes(ast.Call):
            target = call.target
            callee = target.name if isinstance(target, ast.Name) else ""
            scope = self.scope_of(parents)
            if isinstance(target, ast.MemberAccess) and _is_self(target.target) and scope is not None:
                block = scope.owner or scope.symbols
                if target.target.target.name.upper() == "THIS":  # type: ignore[attr-defined]
                    callee = target.member  # THIS^.Method(): a method of this function block
                elif block.extends:
                    callee = f"{block.extends}.{target.member}"  # SUPER^.Method(): the base's method
            caller = scope.name if scope is not None else ""
            if callee:
                line, column = self.source.location(call.span.start)
                facts.calls.append(
                    {"caller": caller, "callee": callee, "line": line, "column": column, "end": len(callee)}
                )
        for name, parents in self.nodes(ast.Name):
            # A function assigning its result (or calling itself) does not make it used.
            scope = self.scope_of(parents)
            if scope is None or name.name.casefold() != scope.name.split(".")[0].casefold():
                facts.references.append(name.name)
        writes = [(a.target, parents) for a, parents in self.nodes(ast.Assignment)]
        writes += [(o.target, parents) for o, parents in self.nodes(ast.OutputArg) if o.target is not None]
        for target, parents in sorted(writes, key=lambda pair: pair[0].span.start):
            scope = self.scope_of(parents)
            if scope is None:
                continue
            written = _global_written(target, scope, self.index)
            if written:
                line, column = self.source.location(target.span.start)
                facts.global_writes.append(
                    {
                        "pou": scope.name.split(".")[0],
                        "name": written,
                        "line": line,
                        "column": column,
                        "end": target.span.end - target.span.start,
                    }
                )
        return facts


def _is_self(node: ast.Node) -> bool:
    """``THIS^`` or ``SUPER^``."""
    return (
        isinstance(node, ast.Deref)
        and isinstance(node.target, ast.Name)
        and node.target.name.upper() in ("THIS", "SUPER")
    )


def walk_types(spec: ast.TypeSpec | None) -> Iterator[str]:
    """Names of user types a type specification mentions."""
    while spec is not None:
        if isinstance(spec, (ast.NamedType, ast.InstanceType)):
            yield spec.name
            return
        spec = getattr(spec, "element", None) or getattr(spec, "target", None)


def _global_written(target: ast.Expr, scope: PouScope, index: ProjectIndex) -> str:
    """The global variable an assignment target writes (``x``, ``GVL.x``, ``x.member``), or ''."""
    while isinstance(target, (ast.MemberAccess, ast.Index, ast.BitAccess)) and not (
        isinstance(target, ast.MemberAccess)
        and isinstance(target.target, ast.Name)
        and target.member.casefold() in index.globals
        and scope.types.variable(target.target.name) is None
    ):
        target = target.target
    if isinstance(target, ast.MemberAccess) and isinstance(target.target, ast.Name):
        return target.member  # GVL.x
    if isinstance(target, ast.Name):
        symbol = scope.types.variable(target.name)
        if symbol is not None and symbol.section == "VAR_GLOBAL":
            return symbol.name
        if symbol is not None and symbol.section == "VAR_EXTERNAL":
            return symbol.name
    return ""


@dataclass(slots=True)
class FileFacts:
    """Per-file facts for project-wide rules (JSON-friendly, cached with the file's findings)."""

    path: str
    pous: list[dict[str, Any]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    global_writes: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # by rule code: what project rules collected

    def to_json(self) -> dict[str, Any]:
        return {
            "extra": self.extra,
            "path": self.path,
            "pous": self.pous,
            "references": sorted(set(self.references)),
            "calls": self.calls,
            "global_writes": self.global_writes,
            "tasks": self.tasks,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        return cls(
            data["path"],
            data["pous"],
            data["references"],
            data["calls"],
            data["global_writes"],
            data["tasks"],
            data["extra"],
        )


@dataclass(slots=True)
class ProjectFacts:
    """Facts of all files, and the merged declarations."""

    files: list[FileFacts]
    index: ProjectIndex

    def pou_locations(self) -> dict[str, tuple[FileFacts, dict[str, Any]]]:
        """Where each POU is defined, by case-folded name."""
        found: dict[str, tuple[FileFacts, dict[str, Any]]] = {}
        for facts in self.files:
            for pou in facts.pous:
                found.setdefault(pou["name"].casefold(), (facts, pou))
        return found
