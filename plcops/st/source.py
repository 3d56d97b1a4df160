"""Source text, positions and the mapping from parsed text back to the file it came from.

An ST document is not always a whole file: the ST inside a TwinCAT ``.TcPOU`` is spread over several CDATA
sections, and plcops parses it as one text glued together from those pieces. :class:`SourceText` keeps the
parsed text together with a list of :class:`Segment` objects so that every diagnostic can still point at the
line and column of the original file.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple, Sequence


class Span(NamedTuple):
    """Half-open range ``[start, end)`` of character offsets in a :class:`SourceText`'s text."""

    start: int
    end: int


class Location(NamedTuple):
    """A 1-based line and column in the original file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of parsed text copied unchanged from the original file.

    Attributes:
        start: offset of the run in the parsed text.
        origin: offset of the same run in the original file's text.
        length: number of characters.
    """

    start: int
    origin: int
    length: int


class SourceText:
    """The text plcops parses, with line/column lookup in the file it came from.

    Args:
        path: the file name used in diagnostics.
        text: the text handed to the lexer.
        origin_text: the full text of the original file, when ``text`` was assembled from pieces of it.
        segments: where the pieces of ``text`` come from in ``origin_text`` (sorted by ``start``). Offsets
            between segments (text plcops added, such as an ``END_FUNCTION_BLOCK`` that TwinCAT does not
            store) map to the end of the preceding segment.
    """

    __slots__ = ("_line_starts", "_segment_starts", "origin_text", "path", "segments", "text", "unit_names")

    def __init__(
        self,
        path: str,
        text: str,
        origin_text: str | None = None,
        segments: Sequence[Segment] | None = None,
        unit_names: dict[int, str] | None = None,
    ) -> None:
        self.path = path
        self.text = text
        self.origin_text = text if origin_text is None else origin_text
        self.segments: tuple[Segment, ...] = tuple(segments or ())
        self._segment_starts = [segment.start for segment in self.segments]
        self._line_starts: list[int] | None = None
        # Names the vendor file gives the text from an offset on, where the ST itself names nothing: a
        # TwinCAT .TcGVL's <GVL Name="...">, a PLCopen <globalVars name="...">.
        self.unit_names: dict[int, str] = dict(unit_names or {})

    def unit_name(self, end: int) -> str:
        """The vendor file's name for the unit (a GVL) of a block of the parsed text ending at ``end``: the
        last name given before it (a pragma may come between the name and the block), or ''."""
        given = [offset for offset in self.unit_names if offset < end]
        return self.unit_names[max(given)] if given else ""

    @property
    def is_mapped(self) -> bool:
        """True when the parsed text was assembled from pieces of a larger file."""
        return bool(self.segments)

    def origin_offset(self, offset: int) -> int:
        """Translate an offset in the parsed text to an offset in the original file's text."""
        if not self.segments:
            return offset
        index = bisect_right(self._segment_starts, offset) - 1
        if index < 0:
            return self.segments[0].origin
        segment = self.segments[index]
        return segment.origin + min(offset - segment.start, segment.length)

    def segment_containing(self, start: int, end: int) -> Segment | None:
        """The copied segment holding all of ``[start, end)`` of the parsed text, or None.

        Used to place an edit of the parsed text into the original file: only text copied verbatim can be
        edited in place.
        """
        index = bisect_right(self._segment_starts, start) - 1
        for segment in self.segments[max(index - 1, 0) : index + 1]:
            if segment.length and segment.start <= start and end <= segment.start + segment.length:
                return segment
        return None

    def _origin_line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            text = self.origin_text
            find = text.find
            position = find("\n")
            while position >= 0:
                starts.append(position + 1)
                position = find("\n", position + 1)
            if "\r" in text and text.count("\r") != text.count("\r\n"):
                # A CR alone ends a line too (classic Mac OS files), as it ends a // comment for the lexer.
                starts = sorted({0, *(m.end() for m in re.finditer(r"\r(?!\n)|\n", text))})
            self._line_starts = starts
        return self._line_starts

    def location(self, offset: int) -> Location:
        """The 1-based line and column, in the original file, of a parsed-text offset."""
        # Clamped: text a vendor file's container produced (not in the original) must not give line 0.
        origin = min(max(self.origin_offset(offset), 0), len(self.origin_text))
        starts = self._origin_line_starts()
        line_index = bisect_right(starts, origin) - 1
        return Location(line_index + 1, origin - starts[line_index] + 1)

    def origin_line(self, line: int) -> str:
        """The text of a 1-based line of the original file, without its line ending."""
        starts = self._origin_line_starts()
        if not 1 <= line <= len(starts):
            return ""
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.origin_text)
        return self.origin_text[start:end].rstrip("\r")

    def origin_excerpt(self, line: int, column: int, width: int = 160) -> tuple[str, int]:
        """At most ``width`` characters of a line around ``column``, and the column the excerpt starts
        at: a minified or binary file's one huge line must not be copied into every diagnostic."""
        starts = self._origin_line_starts()
        if not 1 <= line <= len(starts):
            return "", 1
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.origin_text)
        first = start + max(0, min(column - 1 - width // 3, end - start - width))
        return self.origin_text[first : min(end, first + width)].rstrip("\r"), first - start + 1

    @property
    def line_count(self) -> int:
        """Number of lines in the original file (a final line without newline counts)."""
        text = self.origin_text
        if not text:
            return 0
        starts = self._origin_line_starts()
        return len(starts) - (1 if starts[-1] == len(text) else 0)


@dataclass(frozen=True, slots=True)
class DecodedFile:
    """A file's text and what is needed to write it back byte-for-byte the way it was.

    Attributes:
        text: the decoded text, without a byte-order mark.
        encoding: ``"utf-8"``, ``"cp1252"`` (old CODESYS exports with German comments), or
            ``"utf-16-le"``/``"utf-16-be"`` (files saved by Windows tools with a UTF-16 byte-order mark).
        bom: whether the file started with a byte-order mark.
    """

    text: str
    encoding: str
    bom: bool

    def encode(self, text: str | None = None) -> bytes:
        """Encode ``text`` (default: the decoded text) the way the original file was encoded."""
        errors = _CP1252_HOLES if self.encoding == "cp1252" else "strict"
        data = (self.text if text is None else text).encode(self.encoding, errors=errors)
        return _BOMS.get(self.encoding, codecs.BOM_UTF8) + data if self.bom else data


_BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def decode_source(data: bytes) -> DecodedFile:
    """Decode the bytes of an ST or vendor file.

    Real projects are UTF-8, usually with a BOM (TwinCAT); older exports are Windows-1252. Bytes that are
    valid UTF-8 are read as UTF-8; anything else falls back to Windows-1252, which never fails for the
    bytes that occur in practice, so a German comment never stops a parse.
    """
    for encoding, mark in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        if data.startswith(mark) and not data.startswith(codecs.BOM_UTF32_LE):
            return DecodedFile(data[len(mark) :].decode(encoding, errors="replace"), encoding, True)
    unmarked = _utf16_without_bom(data)
    if unmarked is not None:
        return DecodedFile(data.decode(unmarked, errors="replace"), unmarked, False)
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return DecodedFile(data.decode("utf-8"), "utf-8", bom)
    except UnicodeDecodeError:
        # The five bytes Windows-1252 leaves undefined read as the control characters of the same number
        # (as Windows itself does), so that writing the file back gives the same bytes.
        return DecodedFile(data.decode("cp1252", errors=_CP1252_HOLES), "cp1252", bom)


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` for UTF-16 text without a byte-order mark, else None.

    An XML file says so in its first bytes (XML 1.0 appendix F: ``3C 00 3F 00`` is UTF-16LE); for other
    text, ASCII characters in UTF-16 put a NUL in every other byte, which ST in UTF-8 never has.
    """
    if data.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    if data.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    sample = data[:2048]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    if odd.count(0) > 0.4 * half and even.count(0) < 0.05 * half:
        return "utf-16-le"
    if even.count(0) > 0.4 * half and odd.count(0) < 0.05 * half:
        return "utf-16-be"
    return None


def _cp1252_holes(error: UnicodeError) -> tuple[str | bytes, int]:
    """Error handler: the bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D <-> U+0081 ... (Windows-1252 leaves them
    undefined)."""
    if isinstance(error, UnicodeDecodeError):
        return chr(error.object[error.start]), error.start + 1
    if isinstance(error, UnicodeEncodeError) and ord(error.object[error.start]) in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
        return bytes([ord(error.object[error.start])]), error.start + 1
    raise error


_CP1252_HOLES = "plcops-cp1252-holes"
codecs.register_error(_CP1252_HOLES, _cp1252_holes)
