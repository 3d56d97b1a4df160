"""TwinCAT 3 PLC object files (``.TcPOU``, ``.TcDUT``, ``.TcGVL``, ``.TcIO``) as Structured Text.

A ``.TcPOU`` keeps a POU's declaration and implementation in separate CDATA sections, and each method,
property accessor and action in elements of its own. plcops reads those sections (:class:`Piece`) as one
ST text, the way an IEC 61131-3 text file would write the same POU::

    FUNCTION_BLOCK FB_Motor          <- <Declaration>
    VAR ... END_VAR
    bRunning := bEnable;             <- <Implementation><ST>
    END_FUNCTION_BLOCK               <- written by plcops
    METHOD Start : BOOL ...          <- <Method><Declaration> + <Implementation><ST>
    END_METHOD                       <- written by plcops

The added keywords (and the ``GET``/``SET``/``ACTION`` lines) are the only text that does not come from the
file. :func:`twincat_source` maps every position back to the ``.TcPOU`` for diagnostics;
:mod:`plcops.project.twincat_tree` uses the same layout to import and export losslessly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plcops.project.mapped_text import MappedTextBuilder
from plcops.project.xmlscan import XmlDocument, XmlElement, read_xml
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.lexer import tokenize
from plcops.st.source import Segment, SourceText

TWINCAT_SUFFIXES = frozenset({".tcpou", ".tcdut", ".tcgvl", ".tcio"})
OBJECT_TAGS = ("POU", "DUT", "GVL", "Itf")

_END_KEYWORDS = {"_PROGRAM": "END_PROGRAM", "_FUNCTION": "END_FUNCTION", "_FUNCTION_BLOCK": "END_FUNCTION_BLOCK"}


@dataclass(slots=True)
class Piece:
    """One CDATA section of ST.

    Attributes:
        member: whose section it is: ``""`` for the object itself, else ``"Method:Start"``,
            ``"Property:Speed"``, ``"Property:Speed/Get"``, ``"Action:A_Reset"``.
        role: ``"declaration"`` or ``"implementation"``.
        element: the element holding the text (``<Declaration>`` or ``<ST>``), or None when the file has
            no such element (an interface method has no implementation).
    """

    member: str
    role: str
    element: XmlElement | None

    @property
    def start(self) -> int:
        """Offset of the text in the file (-1 when absent)."""
        runs = self.element.runs if self.element is not None else []
        return runs[0].start if runs and runs[0].cdata else -1

    @property
    def end(self) -> int:
        """Offset just past the text in the file (-1 when absent)."""
        runs = self.element.runs if self.element is not None else []
        return runs[-1].end if runs and runs[-1].cdata else -1

    def text(self, origin: str) -> str:
        """The section's text as it is in the file."""
        if self.element is None:
            return ""
        if self.start >= 0:
            return origin[self.start : self.end]
        return self.element.text


@dataclass(slots=True)
class Member:
    """A method, property or action element of a POU or interface."""

    kind: str  # "Method", "Property" or "Action"
    name: str
    element: XmlElement
    pieces: list[Piece] = field(default_factory=list)
    accessors: list[str] = field(default_factory=list)  # "Get"/"Set" for properties, in file order

    @property
    def key(self) -> str:
        """``"Method:Start"``: how pieces and merges refer to the member."""
        return f"{self.kind}:{self.name}"


@dataclass(slots=True)
class TcObject:
    """One TwinCAT PLC object and its ST pieces, in the order the ST view writes them."""

    document: XmlDocument
    tag: str  # "POU", "DUT", "GVL" or "Itf"
    name: str
    element: XmlElement
    end_keyword: str  # END_PROGRAM / END_FUNCTION / END_FUNCTION_BLOCK for POUs, END_INTERFACE, or ""
    own_pieces: list[Piece]
    members: list[Member]

    def pieces(self) -> list[Piece]:
        """All ST pieces in view order."""
        return [*self.own_pieces, *(piece for member in self.members for piece in member.pieces)]


def _first_keyword(text: str) -> str | None:
    tokens = tokenize(text).tokens
    return tokens[0][0] if tokens else None


def _implementation_st(element: XmlElement) -> XmlElement | None:
    implementation = element.find("Implementation")
    return implementation.find("ST") if implementation is not None else None


def read_object(document: XmlDocument) -> TcObject:
    """The object in a TwinCAT file and its ST pieces.

    Raises:
        DiagnosticError: when the file is not a TwinCAT POU, DUT, GVL or interface.
    """
    objects = [child for child in document.root.children if child.local_name in OBJECT_TAGS]
    if document.root.local_name != "TcPlcObject" or not objects:
        raise DiagnosticError(
            Diagnostic(
                document.path,
                1,
                1,
                "not a TwinCAT PLC object (expected <TcPlcObject> with a POU, DUT, GVL or Itf)",
            )
        )
    element = objects[0]
    tag = element.local_name
    declaration = element.find("Declaration")
    own = [Piece("", "declaration", declaration)]
    end_keyword = ""
    if tag == "POU":
        end_keyword = _END_KEYWORDS.get(
            _first_keyword(Piece("", "", declaration).text(document.text)) or "", "END_FUNCTION_BLOCK"
        )
        own.append(Piece("", "implementation", _implementation_st(element)))
    elif tag == "Itf":
        end_keyword = "END_INTERFACE"
    members: list[Member] = []
    for child in element.children:
        kind = child.local_name
        if kind not in ("Method", "Property", "Action"):
            continue
        member = Member(kind, child.attributes.get("Name", ""), child)
        key = member.key
        if kind == "Method":
            member.pieces.append(Piece(key, "declaration", child.find("Declaration")))
            if tag == "POU":
                member.pieces.append(Piece(key, "implementation", _implementation_st(child)))
        elif kind == "Property":
            member.pieces.append(Piece(key, "declaration", child.find("Declaration")))
            for accessor in ("Get", "Set"):
                part = child.find(accessor)
                if part is not None:
                    member.accessors.append(accessor)
                    member.pieces.append(Piece(f"{key}/{accessor}", "declaration", part.find("Declaration")))
                    if tag == "POU":
                        member.pieces.append(Piece(f"{key}/{accessor}", "implementation", _implementation_st(part)))
        else:
            if _implementation_st(child) is None:
                continue  # an SFC or LD action: not ST, stays in the vendor data
            member.pieces.append(Piece(key, "implementation", _implementation_st(child)))
        members.append(member)
    return TcObject(document, tag, element.attributes.get("Name", ""), element, end_keyword, own, members)


class ViewWriter:
    """Writes the ST view of a :class:`TcObject`; subclasses decide how a piece's text is written."""

    def piece(self, piece: Piece) -> None:
        raise NotImplementedError

    def glue(self, text: str) -> None:
        raise NotImplementedError

    def ends_with_newline(self) -> bool:
        raise NotImplementedError

    def newline(self) -> None:
        """End the current line unless it is already ended."""
        if not self.ends_with_newline():
            self.glue("\n")

    def write(self, obj: TcObject) -> None:
        """The layout shown in the module docstring."""
        for piece in obj.own_pieces:
            self.piece(piece)
            self.newline()
        if obj.tag == "POU":
            self.glue(f"{obj.end_keyword}\n")
        for member in obj.members:
            pieces = iter(member.pieces)
            if member.kind == "Action":
                self.glue(f"ACTION {member.name}:\n")
                self.piece(next(pieces))
                self.newline()
                self.glue("END_ACTION\n")
                continue
            if member.kind == "Method":
                for piece in pieces:
                    self.piece(piece)
                    self.newline()
                self.glue("END_METHOD\n")
                continue
            self.piece(next(pieces))  # the PROPERTY header
            self.newline()
            for accessor in member.accessors:
                self.glue(f"{accessor.upper()}\n")
                for piece in member.pieces:
                    if piece.member.endswith(f"/{accessor}"):
                        self.piece(piece)
                        self.newline()
                self.glue(f"END_{accessor.upper()}\n")
            self.glue("END_PROPERTY\n")
        if obj.tag == "Itf":
            self.glue(f"{obj.end_keyword}\n")


class _MappedView(ViewWriter):
    """The view for parsing: file characters exactly, positions mapped back into the file."""

    def __init__(self, obj: TcObject) -> None:
        self.out = MappedTextBuilder(obj.document.text)
        self.last = ""

    def piece(self, piece: Piece) -> None:
        if self.out.copy_text_of(piece.element):
            self.last = piece.text(self.out.origin)[-1:] or self.last

    def glue(self, text: str) -> None:
        self.out.write(text)
        self.last = text[-1:]

    def ends_with_newline(self) -> bool:
        return self.last in ("\n", "")


def twincat_source(document: XmlDocument) -> SourceText:
    """The ST text of a TwinCAT PLC object file (see the module docstring), for parsing.

    Raises:
        DiagnosticError: when the file is not a TwinCAT POU, DUT, GVL or interface.
    """
    obj = read_object(document)
    view = _MappedView(obj)
    if obj.tag == "GVL":
        view.out.name_next(obj.name)  # GVL_Main.x names the GVL by its Name, whatever the file is called
    view.write(obj)
    return view.out.source(document.path)


TASK_SUFFIX = ".tctto"


def task_source(document: XmlDocument) -> SourceText:
    """The ST view of a TwinCAT task file (``PlcTask.TcTTO``): an IEC CONFIGURATION with the task (its cycle
    time in microseconds becomes the INTERVAL, its priority the PRIORITY) and a program instance for each
    ``<PouCall>``, so the simulator, ``plcops check`` and the linter's task analysis see TwinCAT's tasks.
    Positions in it map to the ``<Task>`` element (the text is plcops', not the file's).

    Raises:
        DiagnosticError: when the file holds no ``<Task>``.
    """
    task = next((child for child in document.root.children if child.local_name == "Task"), None)
    if document.root.local_name != "TcPlcObject" or task is None:
        raise DiagnosticError(
            Diagnostic(document.path, 1, 1, "not a TwinCAT task (expected <TcPlcObject> with a <Task>)")
        )
    name = task.attributes.get("Name", "Task")
    cycle = task.find("CycleTime")
    priority = task.find("Priority")
    micros = int(cycle.text.strip()) if cycle is not None and cycle.text.strip().isdigit() else 10_000
    interval = f"T#{micros // 1000}ms" if micros % 1000 == 0 else f"T#{micros}us"
    settings = f"INTERVAL := {interval}"
    if priority is not None and priority.text.strip().isdigit():
        settings += f", PRIORITY := {int(priority.text)}"
    calls = []
    for call in task.find_all("PouCall"):
        called = call.find("Name")
        program = called.text.strip() if called is not None else ""
        if program:
            calls.append(f"        PROGRAM {program.rsplit('.', 1)[-1]} WITH {name} : {program};\n")
    text = (
        f"(* the TwinCAT task {name}, as plcops reads it *)\n"
        f"CONFIGURATION {name}\n    RESOURCE PLC ON PLC\n        TASK {name}({settings});\n"
        + "".join(calls)
        + "    END_RESOURCE\nEND_CONFIGURATION\n"
    )
    return SourceText(document.path, text, document.text, [Segment(0, task.start, 0)])


def read_twincat(path: str) -> SourceText:
    """Read a ``.TcPOU``/``.TcDUT``/``.TcGVL``/``.TcIO`` file as ST text."""
    return twincat_source(read_xml(path))
