"""Assembling one ST text from pieces of a vendor file, remembering where each piece came from.

Vendor formats scatter a POU's ST over several XML elements. :class:`MappedTextBuilder` glues those
pieces together, records a :class:`~plcops.st.source.Segment` for every piece copied from the file, and
maps text that plcops writes itself (``END_FUNCTION_BLOCK``, declarations rebuilt from PLCopen XML) to the
element it stands for, so that diagnostics still point into the original file.
"""

from __future__ import annotations

import re

from plcops.project.xmlscan import XmlElement
from plcops.st.source import Segment, SourceText

_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class MappedTextBuilder:
    """Builds a :class:`SourceText` whose offsets map back into ``origin`` (the vendor file's text)."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._parts: list[str] = []
        self._segments: list[Segment] = []
        self._length = 0
        self._names: dict[int, str] = {}

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)

    def name_next(self, name: str) -> None:
        """The text appended next belongs to a unit the vendor file names so (a GVL); '' for one it does
        not name (it is then named after the file)."""
        self._names[self._length] = name

    def copy(self, start: int, end: int) -> None:
        """Append ``origin[start:end]`` unchanged."""
        self._segments.append(Segment(self._length, start, end - start))
        self._append(self.origin[start:end])

    def write(self, text: str, origin: int | None = None) -> None:
        """Append text plcops writes itself; diagnostics in it point at ``origin`` (default: where the
        previous piece ended)."""
        if origin is not None:
            self._segments.append(Segment(self._length, origin, 0))
        self._append(text)

    def copy_text_of(self, element: XmlElement | None) -> bool:
        """Append the character data of an element: CDATA exactly, escaped text with entities decoded.

        Returns False when the element is absent or holds no text.
        """
        if element is None:
            return False
        cdata = [run for run in element.runs if run.cdata]
        if cdata:
            for run in cdata:
                self.copy(run.start, run.end)
            return True
        if element.children or element.end < 0:
            text = element.text
            if not text:
                return False
            self.write(text, element.start)
            return True
        inner_start = self.origin.find(">", element.start) + 1
        inner_end = self.origin.rfind("</", inner_start, element.end)
        if inner_start <= 0 or inner_end < inner_start:
            return False  # self-closing: no text
        position = inner_start
        for match in _ENTITY_RE.finditer(self.origin, inner_start, inner_end):
            if match.start() > position:
                self.copy(position, match.start())
            self.write(_decode_entity(match.group(1)), match.start())
            position = match.end()
        if inner_end > position:
            self.copy(position, inner_end)
        return inner_end > inner_start

    def ends_with_newline(self) -> bool:
        """Whether the text so far ends with a line break (or is empty)."""
        for part in reversed(self._parts):
            if part:
                return part.endswith("\n")
        return True

    @property
    def text(self) -> str:
        """The text assembled so far."""
        return "".join(self._parts)

    def source(self, path: str) -> SourceText:
        """The assembled text as a SourceText mapped to the original file."""
        return SourceText(path, self.text, self.origin, self._segments, self._names)


def _decode_entity(name: str) -> str:
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED_ENTITIES[name]


class PlainTextBuilder:
    """The same interface as :class:`MappedTextBuilder` for text that needs no mapping: the ST files
    written by import, with LF line endings."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str, origin: int | None = None) -> None:
        """Append text."""
        self._parts.append(text)

    def copy_text_of(self, element: XmlElement | None) -> bool:
        """Append an element's character data (entities decoded), with LF line endings."""
        if element is None:
            return False
        text = element.text.replace("\r\n", "\n").replace("\r", "\n")
        if not text:
            return False
        self._parts.append(text)
        return True

    def ends_with_newline(self) -> bool:
        """Whether the text so far ends with a line break (or is empty)."""
        for part in reversed(self._parts):
            if part:
                return part.endswith("\n")
        return True

    @property
    def text(self) -> str:
        """The text assembled so far."""
        return "".join(self._parts)
