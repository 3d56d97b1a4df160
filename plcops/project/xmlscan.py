"""A safe XML reader that remembers where everything is.

Vendor files (TwinCAT ``.TcPOU``, PLCopen ``.xml``) carry ST inside CDATA sections. plcops needs the exact
characters of those sections and their position in the file: for diagnostics that point at the right line,
and for writing a file back with only the changed text replaced (no GUID churn, no reformatted XML).

The reader uses expat directly. It refuses document type declarations, so neither external entities (XXE)
nor entity expansion bombs are possible, and it refuses files above a size limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from xml.parsers import expat

from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.source import decode_source

MAX_XML_BYTES = 64 * 1024 * 1024


@dataclass(slots=True)
class TextRun:
    """Character data inside an element, located in the decoded file text.

    Attributes:
        start: offset of the first character of the data (inside ``<![CDATA[`` for CDATA).
        end: offset just past the last character.
        cdata: whether the run is a CDATA section (its characters are the file's characters exactly).
        value: the data as the XML parser reports it (entities expanded, line ends normalised).
    """

    start: int
    end: int
    cdata: bool
    value: str


@dataclass(slots=True)
class XmlElement:
    """An element with its attributes, children, text runs and position in the file text."""

    tag: str
    attributes: dict[str, str]
    start: int
    end: int = -1
    children: list[XmlElement] = field(default_factory=list)
    runs: list[TextRun] = field(default_factory=list)

    @property
    def local_name(self) -> str:
        """The tag without a namespace (``{ns}pou`` → ``pou``)."""
        return self.tag.rsplit("}", 1)[-1]

    def find(self, name: str) -> XmlElement | None:
        """The first child with this local name."""
        for child in self.children:
            if child.local_name == name:
                return child
        return None

    def find_all(self, name: str) -> list[XmlElement]:
        """All children with this local name."""
        return [child for child in self.children if child.local_name == name]

    def iter(self) -> Iterator[XmlElement]:
        """This element and all its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.iter()

    @property
    def text(self) -> str:
        """All character data directly inside this element, concatenated."""
        return "".join(run.value for run in self.runs)


@dataclass(slots=True)
class XmlDocument:
    """A parsed XML file: its root element and the decoded text all offsets refer to."""

    path: str
    text: str
    root: XmlElement
    encoding: str
    bom: bool


class _Reader:
    def __init__(self, path: str, data: bytes, text: str) -> None:
        self.path = path
        self.data = data
        self.text = text
        self.ascii = len(data) == len(text)
        self.stack: list[XmlElement] = []
        self.root: XmlElement | None = None
        self.in_cdata = False
        self.cdata_start = -1
        self.parser = expat.ParserCreate(encoding="utf-8", namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.ordered_attributes = False
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters
        self.parser.StartCdataSectionHandler = self.start_cdata
        self.parser.EndCdataSectionHandler = self.end_cdata
        self.parser.StartDoctypeDeclHandler = self.refuse_doctype
        self.parser.EntityDeclHandler = self.refuse_entity
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._char_cache: tuple[int, int] = (0, 0)

    def char_offset(self, byte_offset: int) -> int:
        """Character offset in the decoded text of a byte offset in the raw data."""
        if self.ascii:
            return byte_offset
        cached_byte, cached_char = self._char_cache
        if byte_offset >= cached_byte:
            chars = cached_char + len(self.data[cached_byte:byte_offset].decode("utf-8", "replace"))
        else:
            chars = len(self.data[:byte_offset].decode("utf-8", "replace"))
        self._char_cache = (byte_offset, chars)
        return chars

    def refuse_doctype(self, *args: object) -> None:
        raise ValueError("document type declarations are not allowed (plcops never expands XML entities)")

    def refuse_entity(self, *args: object) -> None:
        raise ValueError("entity declarations are not allowed")

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        element = XmlElement(tag, attributes, self.char_offset(self.parser.CurrentByteIndex))
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, tag: str) -> None:
        element = self.stack.pop()
        start_tag_end = _start_tag_end(self.text, element.start)
        if start_tag_end > 0 and self.text[start_tag_end - 2] == "/":
            element.end = start_tag_end  # <X .../>: where expat reports its end varies, the text does not
            return
        position = self.char_offset(self.parser.CurrentByteIndex)
        # CurrentByteIndex is at the end tag's "<".
        close = self.text.find(">", position)
        element.end = close + 1 if close >= 0 else position

    def start_cdata(self) -> None:
        self.in_cdata = True
        self.cdata_start = self.char_offset(self.parser.CurrentByteIndex) + len("<![CDATA[")

    def end_cdata(self) -> None:
        self.in_cdata = False
        end = self.text.find("]]>", self.cdata_start)
        raw = self.text[self.cdata_start : end]
        if self.stack:
            self.stack[-1].runs.append(TextRun(self.cdata_start, end, True, raw))

    def characters(self, data: str) -> None:
        if self.in_cdata or not self.stack:
            return
        if not data.strip():
            return
        start = self.char_offset(self.parser.CurrentByteIndex)
        self.stack[-1].runs.append(TextRun(start, start + len(data), False, data))


def read_xml(path: Path | str, data: bytes | None = None) -> XmlDocument:
    """Read an XML file safely, keeping positions.

    Raises:
        DiagnosticError: with ``file:line:col: error: ...`` for files that are too large, not well-formed,
            or that declare a DTD or entities.
    """
    name = str(path)
    if data is None:
        try:
            size = Path(path).stat().st_size
            if size > MAX_XML_BYTES:
                raise DiagnosticError(Diagnostic(name, 1, 1, f"file too large ({size} bytes) for an XML import"))
            data = Path(path).read_bytes()
        except OSError as exc:
            raise DiagnosticError(Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror}")) from None
    if len(data) > MAX_XML_BYTES:
        raise DiagnosticError(Diagnostic(name, 1, 1, f"file too large ({len(data)} bytes) for an XML import"))
    decoded = decode_source(data)
    raw = data[3:] if decoded.bom else data
    if decoded.encoding != "utf-8":
        # Re-encode so expat's byte offsets and our character offsets agree.
        raw = decoded.text.encode("utf-8")
    reader = _Reader(name, raw, decoded.text)
    try:
        reader.parser.Parse(raw, True)
    except expat.ExpatError as exc:
        message = expat.errors.messages.get(exc.code, str(exc)) if hasattr(exc, "code") else str(exc)
        raise DiagnosticError(Diagnostic(name, exc.lineno, exc.offset + 1, f"not well-formed XML: {message}")) from None
    except ValueError as exc:
        line = reader.parser.CurrentLineNumber
        column = reader.parser.CurrentColumnNumber + 1
        raise DiagnosticError(Diagnostic(name, line, column, str(exc))) from None
    if reader.root is None:
        raise DiagnosticError(Diagnostic(name, 1, 1, "empty XML document"))
    return XmlDocument(name, decoded.text, reader.root, decoded.encoding, decoded.bom)


def _start_tag_end(text: str, start: int) -> int:
    """Offset just past the ``>`` that ends the start tag at ``start`` (quoted attribute values may hold
    ``>``); -1 when there is none."""
    quote = ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == ">":
            return index + 1
    return -1
