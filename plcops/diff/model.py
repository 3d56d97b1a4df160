"""What a semantic diff compares: the POUs, types, GVLs and configurations of a snapshot of a project.

A snapshot is a set of files (from the working tree, a git revision or a folder). Each file is parsed and
split into :class:`DiffObject` entries, so changes can be reported per object rather than per file: a POU
moved to another file, renamed, or only reformatted is recognised as such.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from plcops.project.graphical import graphical_bodies
from plcops.project.sources import read_source
from plcops.st import ast
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.formatter import ast_fingerprint
from plcops.st.parser import parse_source


@dataclass(frozen=True, slots=True)
class Variable:
    """One declared variable as the diff sees it (types and initial values as written, spacing folded)."""

    name: str
    section: str
    type: str
    init: str
    address: str


class Fingerprint:
    """An object's AST fingerprint (see ``ast_fingerprint``), computed only when compared: most objects of
    a diff are unchanged and never need it."""

    __slots__ = ("_value", "extra", "node")

    def __init__(self, node: ast.Node) -> None:
        self.node = node
        self.extra: tuple[Any, ...] = ()  # what else counts (the rendering of a graphical body)
        self._value: Any = None

    @property
    def value(self) -> Any:
        if self._value is None:
            self._value = (ast_fingerprint(self.node), self.extra)
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fingerprint) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


@dataclass(slots=True)
class DiffObject:
    """A POU, type, global variable list or configuration in one snapshot.

    Attributes:
        kind: ``FUNCTION_BLOCK``, ``PROGRAM``, ``FUNCTION``, ``INTERFACE``, ``CLASS``, ``TYPE``, ``GVL``,
            ``CONFIGURATION``.
        name: its name (a GVL is named after its file).
        path: the file it is in.
        text: its source text.
        variables: declared variables by case-folded name.
        body: the text of its statements.
        members: methods, properties and actions: ``"METHOD Reset"`` -> source text.
        fingerprint: equal for two objects that mean the same code (comments, layout and case ignored).
    """

    kind: str
    name: str
    path: str
    text: str
    variables: dict[str, Variable] = field(default_factory=dict)
    body: str = ""
    members: dict[str, str] = field(default_factory=dict)
    member_fingerprints: dict[str, Any] = field(default_factory=dict)
    fingerprint: Any = None

    def __post_init__(self) -> None:
        # Texts are compared and shown with LF line endings, whatever line endings the file uses.
        self.text = self.text.replace("\r\n", "\n")
        self.body = self.body.replace("\r\n", "\n")

    @property
    def key(self) -> tuple[str, str]:
        """How objects are matched across snapshots: kind and case-folded name."""
        return self.kind, self.name.casefold()


def _folded(text: str) -> str:
    return " ".join(text.split())


def _slice(text: str, node: ast.Node | None) -> str:
    return text[node.span.start : node.span.end] if node is not None else ""


def _variables(text: str, blocks: list[ast.VarBlock]) -> dict[str, Variable]:
    found: dict[str, Variable] = {}
    for block in blocks:
        section = " ".join([block.kind, *block.qualifiers])
        for decl in block.decls:
            for name in decl.names:
                found[name.text.casefold()] = Variable(
                    name.text,
                    section,
                    _folded(_slice(text, decl.type)),
                    _folded(_slice(text, decl.init)),
                    decl.address or "",
                )
    return found


def _body(text: str, statements: list[ast.Stmt]) -> str:
    if not statements:
        return ""
    return text[statements[0].span.start : statements[-1].span.end]


def _leading_start(text: str, node: ast.Node) -> int:
    """Where a node's text starts, its own-line leading comments and pragmas included."""
    trivia = node.trivia if isinstance(node, ast.Annotated) and node.trivia is not None else None
    if trivia is not None and trivia.leading:
        return min(node.span.start, trivia.leading[0].span.start)
    return node.span.start


def objects_of_file(path: str, data: bytes) -> list[DiffObject]:
    """The objects in one file (any format plcops reads).

    Raises:
        DiagnosticError: when the file cannot be read or has syntax errors.
    """
    source = read_source(path, data)
    result = parse_source(source)
    if result.diagnostics:
        raise DiagnosticError(result.diagnostics[0])
    unit = result.unit
    if unit is None:
        return []
    text = source.text
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0]
    objects: list[DiffObject] = []
    for item in unit.items:
        start = _leading_start(text, item)
        if isinstance(item, ast.TypeBlock):
            for decl in item.decls:
                objects.append(
                    DiffObject(
                        "TYPE",
                        decl.name.text,
                        path,
                        text[_leading_start(text, decl) : decl.span.end],
                        fingerprint=Fingerprint(decl),
                    )  # type: ignore[arg-type]
                )
            continue
        if isinstance(item, ast.VarBlock):
            objects.append(
                DiffObject(
                    "GVL",
                    stem,
                    path,
                    text[start : item.span.end],
                    _variables(text, [item]),
                    fingerprint=Fingerprint(item),
                )  # type: ignore[arg-type]
            )
            continue
        if isinstance(item, ast.Configuration):
            objects.append(
                DiffObject(
                    "CONFIGURATION",
                    item.name.text,
                    path,
                    text[start : item.span.end],
                    fingerprint=Fingerprint(item),
                )
            )  # type: ignore[arg-type]
            continue
        members = list(getattr(item, "members", []))
        end = max([item.span.end, *(m.span.end for m in members)])
        obj = DiffObject(
            getattr(item, "kind", type(item).__name__.upper()),
            item.name.text,  # type: ignore[union-attr]
            path,
            text[start:end],
            _variables(text, getattr(item, "var_blocks", [])),
            _body(text, getattr(item, "body", [])),
            fingerprint=Fingerprint(item),
        )
        for member in members:
            label = f"{member.kind} {member.name.text}"
            obj.members[label] = text[_leading_start(text, member) : member.span.end].replace("\r\n", "\n")
            obj.member_fingerprints[label] = Fingerprint(member)
        objects.append(obj)
    # LD/FBD/SFC bodies are not ST: compared as members of their POU, in their normalised text.
    by_name = {o.name.casefold(): o for o in objects}
    for body in graphical_bodies(path, data):
        owner = by_name.get(body.owner.split(".")[0].casefold())
        if owner is not None:
            rendered = "".join(line + "\n" for line in body.lines)
            owner.members[body.label] = rendered
            owner.member_fingerprints[body.label] = rendered
            # Part of the object's text and fingerprint too: a changed rung is a change of the POU.
            owner.text += f"\n// {body.label}\n{rendered}"
            if isinstance(owner.fingerprint, Fingerprint):
                owner.fingerprint.extra += (body.label, rendered)
    return objects


@dataclass(slots=True)
class Snapshot:
    """All objects of a project state, and the files that could not be read."""

    label: str
    objects: list[DiffObject] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def snapshot(label: str, files: dict[str, bytes], memo: dict[str, list[DiffObject]] | None = None) -> Snapshot:
    """Parse a set of files (``path -> bytes``) into a snapshot.

    ``memo`` maps a content hash to the objects found in it, so a file unchanged between two snapshots
    is parsed once.
    """
    memo = memo if memo is not None else {}
    shot = Snapshot(label)
    for path in sorted(files):
        data = files[path]
        key = hashlib.blake2b(path.encode() + b"\0" + data, digest_size=16).hexdigest()
        if key not in memo:
            try:
                memo[key] = objects_of_file(path, data)
            except DiagnosticError as exc:
                shot.problems.append(exc.diagnostic)
                memo[key] = []
        shot.objects.extend(memo[key])
    return shot
