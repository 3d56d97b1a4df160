"""Lossless import and export of TwinCAT 3 PLC object files.

Import turns a ``.TcPOU``/``.TcDUT``/``.TcGVL``/``.TcIO`` into an ST file (the layout of
:mod:`plcops.project.twincat`, with LF line endings) and a sidecar holding everything else
(:mod:`plcops.project.sidecar`). Export cuts the ST file back into the pieces TwinCAT stores separately and
puts them into the skeleton:

* a piece that was not edited is written back byte for byte (CRLF, trailing blanks and all), so an
  unchanged import exports to the identical file: no GUID churn, no LineId churn, no XML reformatting;
* an edited piece is written with the file's line endings;
* methods, properties, accessors and actions added in the ST get new elements with stable GUIDs (derived
  from their names, so exporting twice gives the same file); removed ones are removed.

Without a sidecar (ST written by hand, or imported from another format) a fresh TwinCAT file is written.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from plcops.project.sidecar import PLACEHOLDER_RE, Sidecar, placeholder
from plcops.project.twincat import OBJECT_TAGS, TcObject, ViewWriter, read_object
from plcops.project.xmlscan import XmlDocument, XmlElement, read_xml
from plcops.st import ast
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.lexer import Token, tokenize
from plcops.st.parser import ParseResult, parse_text
from plcops.st.source import DecodedFile

GUID_NAMESPACE = uuid.UUID("6f3b2a4e-8d1c-4f5e-9a7b-2c4d6e8f0a1b")
SUFFIX_BY_TAG = {"POU": ".TcPOU", "DUT": ".TcDUT", "GVL": ".TcGVL", "Itf": ".TcIO"}


def stable_guid(*parts: str) -> str:
    """A GUID derived from names: the same object always gets the same id, in TwinCAT's ``{...}`` form."""
    return "{" + str(uuid.uuid5(GUID_NAMESPACE, "/".join(parts))) + "}"


def _dominant_eol(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def _line_shape(text: str) -> tuple[int, bool]:
    """``(extra lines after the last token's line, ends with a newline)`` of a declaration piece."""
    tokens = tokenize(text).tokens
    final_newline = text.endswith("\n")
    if not tokens:
        rest = text
    else:
        line_end = text.find("\n", tokens[-1][3])
        if line_end < 0:
            return 0, False
        rest = text[line_end + 1 :]
    extra = rest.count("\n") + (1 if rest and not rest.endswith("\n") else 0)
    return extra, final_newline


class _CanonicalView(ViewWriter):
    """The ST file written by import: every piece with LF line endings, and each piece's metadata."""

    def __init__(self, obj: TcObject) -> None:
        self.origin = obj.document.text
        self.parts: list[str] = []
        self.pieces: list[dict[str, Any]] = []
        self.length = 0  # of the ST text so far

    def piece(self, piece: Any) -> None:
        original = piece.text(self.origin)
        text = original.replace("\r\n", "\n")
        eol = _dominant_eol(original) if "\n" in original else "\r\n"
        meta: dict[str, Any] = {"member": piece.member, "role": piece.role, "present": piece.element is not None}
        if piece.role == "declaration":
            meta["extra_lines"], meta["final_newline"] = _line_shape(text)
        else:
            meta["final_newline"] = text.endswith("\n")
        meta["eol"] = eol
        if text.replace("\n", eol) != original:
            meta["original"] = original  # mixed line endings: keep the exact text for unchanged export
        meta["at"] = [self.length, self.length + len(text)]  # where it is in the ST file import writes
        self.pieces.append(meta)
        self.parts.append(text)
        self.length += len(text)

    def glue(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def ends_with_newline(self) -> bool:
        for part in reversed(self.parts):
            if part:
                return part.endswith("\n")
        return True


def import_object(document: XmlDocument, file_name: str) -> tuple[str, Sidecar]:
    """The ST text and the sidecar for one TwinCAT object file."""
    obj = read_object(document)
    view = _CanonicalView(obj)
    view.write(obj)
    # The skeleton: the file as it is, each ST piece replaced by its placeholder.
    pieces = obj.pieces()
    spans = sorted(
        ((piece.start, piece.end, number) for number, piece in enumerate(pieces) if piece.start >= 0),
        reverse=True,
    )
    skeleton = document.text
    for start, end, number in spans:
        skeleton = skeleton[:start] + placeholder(number) + skeleton[end:]
    for number, piece in enumerate(pieces):
        if piece.element is not None and piece.start < 0:
            view.pieces[number]["escaped"] = True  # text without CDATA: kept in the skeleton as it was
    meta = {
        "format": "twincat",
        "file": file_name,
        "tag": obj.tag,
        "name": obj.name,
        "encoding": document.encoding,
        "bom": document.bom,
        "eol": _dominant_eol(document.text),
        "pieces": view.pieces,
    }
    st_text = "".join(view.parts)
    meta["imported_st"] = st_digest(st_text)
    return st_text, Sidecar(meta, skeleton)


def st_digest(st_text: str) -> str:
    """A digest of an ST file's text exactly as import wrote it."""
    return hashlib.sha256(st_text.encode("utf-8", "surrogatepass")).hexdigest()


def _unchanged_export(st_text: str, sidecar: Sidecar) -> bytes | None:
    """The original file, when the ST is exactly what import wrote (else None): no parsing needed, so a
    TwinCAT file whose ST does not compile (TwinCAT saves work in progress) still round-trips.

    The text as import wrote it is the file as it is, or with CRLF turned back into LF (git's autocrlf
    checkout); the pieces' offsets are offsets in that text, so only an exact match may be sliced (a
    stray CR that import kept would otherwise shift every piece after it).
    """
    meta = sidecar.meta
    if "imported_st" not in meta or not all("at" in piece for piece in meta["pieces"]):
        return None
    candidates = [st_text, st_text.replace("\r\n", "\n")] if "\r\n" in st_text else [st_text]
    text = next((c for c in candidates if st_digest(c) == meta["imported_st"]), None)
    if text is None:
        return None
    eol = meta.get("eol", "\r\n")

    def original(match: re.Match[str]) -> str:
        piece = meta["pieces"][int(match.group(1))]
        start, end = piece["at"]
        kept = piece.get("original")
        written = kept if kept is not None else text[start:end].replace("\n", piece.get("eol", eol))
        return written.replace("]]>", "]]]]><![CDATA[>")

    document = PLACEHOLDER_RE.sub(original, sidecar.skeleton)
    return DecodedFile(document, meta.get("encoding", "utf-8"), bool(meta.get("bom"))).encode()


# ---------------------------------------------------------------------------------------------- cutting the ST


@dataclass(slots=True)
class _Cutter:
    """Cuts an edited ST file back into TwinCAT's pieces, following the layout import wrote."""

    text: str
    tokens: list[Token]
    starts: list[int]
    path: str
    shapes: dict[tuple[str, str], dict[str, Any]]
    position: int = 0

    def error(self, offset: int, message: str) -> DiagnosticError:
        before = self.text[:offset]
        line = before.count("\n") + 1
        column = offset - (before.rfind("\n") + 1) + 1
        return DiagnosticError(Diagnostic(self.path, line, column, message))

    def shape(self, member: str, role: str) -> dict[str, Any]:
        default = {"extra_lines": 0, "final_newline": role == "declaration"}
        return self.shapes.get((member.casefold(), role), default)

    def last_token_before(self, offset: int) -> int | None:
        """End of the last token that starts before ``offset`` and at or after the current position."""
        index = bisect_left(self.starts, offset) - 1
        if index < 0 or self.tokens[index][2] < self.position:
            return None
        return self.tokens[index][3]

    def declaration(self, member: str, last_token_end: int | None) -> str:
        """The declaration piece: through the line of its last token, plus the lines import recorded."""
        shape = self.shape(member, "declaration")
        text = self.text
        if last_token_end is None:
            cursor = self.position
        else:
            newline = text.find("\n", last_token_end)
            cursor = len(text) if newline < 0 else newline + 1
        for _ in range(shape.get("extra_lines", 0)):
            newline = text.find("\n", cursor)
            cursor = len(text) if newline < 0 else newline + 1
        region = text[self.position : cursor]
        self.position = cursor
        if not shape.get("final_newline", True) and region.endswith("\n"):
            region = region[:-1]
        return region

    def body(self, member: str, keyword_start: int) -> str:
        """The implementation piece: everything up to the line of the closing keyword."""
        line_start = self.text.rfind("\n", 0, keyword_start) + 1
        if line_start < self.position or self.text[line_start:keyword_start].strip():
            line_start = keyword_start  # "x := 1; END_METHOD" on one line
        region = self.text[self.position : line_start]
        if line_start == keyword_start:
            region = region.rstrip(" \t")
        if not self.shape(member, "implementation").get("final_newline", False) and region.endswith("\n"):
            region = region[:-1]
        self.position = keyword_start
        return region

    def keyword(self, token_start: int, token_end: int) -> None:
        """Step over a keyword plcops writes itself; nothing but ';' may share its line."""
        if self.text[self.position : token_start].strip():
            raise self.error(self.position, "this text has no place in a TwinCAT file (before a generated keyword)")
        newline = self.text.find("\n", token_end)
        line_end = len(self.text) if newline < 0 else newline
        rest = self.text[token_end:line_end].strip()
        if rest and rest != ";":
            raise self.error(token_end, f"text after {self.text[token_start:token_end]} would be lost on export")
        self.position = line_end + 1 if newline >= 0 else line_end

    def end_of(self, node: ast.Node) -> tuple[int, int]:
        """Start and end of a node's last token (its END keyword)."""
        index = bisect_left(self.starts, node.span.end) - 1
        while index >= 0 and self.tokens[index][3] > node.span.end:
            index -= 1
        return self.tokens[index][2], self.tokens[index][3]

    def header_end(self, node: ast.Node, boundary: int) -> int | None:
        """End of the declaration part of a POU: its last VAR block, else its header."""
        blocks = getattr(node, "var_blocks", [])
        if blocks:
            return blocks[-1].span.end
        return self.last_token_before(boundary)


def _first_start(*groups: list[Any], default: int) -> int:
    starts = [items[0].span.start for items in groups if items]
    return min(starts, default=default)


def cut_pieces(
    result: ParseResult, shapes: dict[tuple[str, str], dict[str, Any]], path: str
) -> tuple[str, dict[tuple[str, str], str], list[str]]:
    """Cut an ST file into TwinCAT pieces.

    Returns the object's tag, the pieces by ``(member, role)``, and the member keys in ST order.

    Raises:
        DiagnosticError: when the ST does not have the shape of one TwinCAT object.
    """
    unit = result.unit
    text = result.source.text
    if result.diagnostics or unit is None:
        raise DiagnosticError(result.diagnostics[0])
    items = unit.items
    uniform = bool(items) and (
        all(isinstance(i, ast.VarBlock) for i in items) or all(isinstance(i, ast.TypeBlock) for i in items)
    )
    if len(items) != 1 and not uniform:
        raise DiagnosticError(Diagnostic(path, 1, 1, "a TwinCAT file holds exactly one POU, DUT, GVL or interface"))
    item = items[0]
    tokens = result.tokens
    cutter = _Cutter(text, tokens, [token[2] for token in tokens], path, shapes)
    pieces: dict[tuple[str, str], str] = {}
    order: list[str] = []
    if isinstance(item, ast.TypeBlock):
        tag = "DUT"
    elif isinstance(item, ast.VarBlock):
        tag = "GVL"
    elif isinstance(item, ast.Interface):
        tag = "Itf"
    elif isinstance(item, (ast.Program, ast.Function, ast.FunctionBlock)):
        tag = "POU"
    else:
        raise DiagnosticError(Diagnostic(path, 1, 1, f"a {type(item).__name__} cannot be written as a TwinCAT object"))

    if tag in ("DUT", "GVL"):
        pieces[("", "declaration")] = cutter.declaration("", cutter.last_token_before(len(text) + 1))
        return tag, pieces, order  # only the object's own piece: its key needs no case folding

    members = list(getattr(item, "members", []))
    end_start, end_end = cutter.end_of(item)
    inline = [m for m in members if m.span.start < end_start]
    standalone = [m for m in members if m.span.start > end_start]

    def cut_member(member: ast.Pou) -> None:
        key = f"{type(member).__name__}:{member.name.text}"
        order.append(key)
        member_end_start, member_end_end = cutter.end_of(member)
        if isinstance(member, ast.Action):
            colon = member.body[0].span.start if member.body else member_end_start
            cutter.keyword(member.span.start, cutter.last_token_before(colon) or member.span.start)
            pieces[(key, "implementation")] = cutter.body(key, member_end_start)
        elif isinstance(member, ast.Method):
            boundary = _first_start(member.body, default=member_end_start)
            pieces[(key, "declaration")] = cutter.declaration(key, cutter.header_end(member, boundary))
            if tag == "POU":
                pieces[(key, "implementation")] = cutter.body(key, member_end_start)
        elif isinstance(member, ast.Property):
            accessors = sorted((a for a in (member.getter, member.setter) if a is not None), key=lambda a: a.span.start)
            boundary = _first_start(accessors, member.body, default=member_end_start)
            pieces[(key, "declaration")] = cutter.declaration(key, cutter.header_end(member, boundary))
            for accessor in accessors:
                sub = f"{key}/{accessor.name.text}"
                order.append(sub)
                keyword_index = bisect_left(cutter.starts, accessor.span.start)
                cutter.keyword(accessor.span.start, tokens[keyword_index][3])
                accessor_end_start, accessor_end_end = cutter.end_of(accessor)
                inner_boundary = _first_start(accessor.body, default=accessor_end_start)
                # An accessor's declaration is its VAR blocks, or its access modifier ("PUBLIC"), or nothing.
                pieces[(sub, "declaration")] = cutter.declaration(sub, cutter.header_end(accessor, inner_boundary))
                if tag == "POU":
                    pieces[(sub, "implementation")] = cutter.body(sub, accessor_end_start)
                cutter.keyword(accessor_end_start, accessor_end_end)
        cutter.keyword(member_end_start, member_end_end)

    if tag == "POU":
        body = item.body  # type: ignore[union-attr]
        boundary = _first_start(body, inline, default=end_start)
        pieces[("", "declaration")] = cutter.declaration("", cutter.header_end(item, boundary))
        if inline:
            # IEC text with methods inside the function block (written by hand, not by import).
            late = [s for s in body if s.span.start > inline[0].span.start]
            if late:
                raise cutter.error(late[0].span.start, "statements after a METHOD cannot be written to a TwinCAT file")
            stop = cutter.position
            if body:
                newline = text.find("\n", body[-1].span.end)
                stop = len(text) if newline < 0 else newline + 1
            pieces[("", "implementation")] = cutter.body("", stop)
            cutter.position = stop
            for member in inline:
                cut_member(member)
        else:
            pieces[("", "implementation")] = cutter.body("", end_start)
        cutter.keyword(end_start, end_end)
    else:
        boundary = _first_start(members, default=end_start)
        pieces[("", "declaration")] = cutter.declaration("", cutter.header_end(item, boundary))
        if standalone:
            raise cutter.error(standalone[0].span.start, "interface members go before END_INTERFACE")
        for member in inline:
            cut_member(member)
    for member in standalone:
        cut_member(member)
    if tag == "Itf":
        cutter.keyword(end_start, end_end)
    if text[cutter.position :].strip():
        raise cutter.error(cutter.position, "text after the last member would be lost on export")
    return tag, {(member.casefold(), role): text for (member, role), text in pieces.items()}, order


# ---------------------------------------------------------------------------------------------- writing XML


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _member_xml(
    kind: str, name: str, pieces: dict[tuple[str, str], str], owner: str, tag: str, indent: str, eol: str
) -> str:
    """A new ``<Method>``, ``<Property>`` or ``<Action>`` element."""
    key = f"{kind}:{name}"
    inner = indent + "  "

    def section(member: str, role: str, pad: str) -> list[str]:
        text = pieces.get((member.casefold(), role), "").replace("\n", eol)
        if role == "declaration":
            return [f"{pad}<Declaration>{_cdata(text)}</Declaration>"]
        return [f"{pad}<Implementation>", f"{pad}  <ST>{_cdata(text)}</ST>", f"{pad}</Implementation>"]

    lines = [f'{indent}<{kind} Name="{name}" Id="{stable_guid(owner, key)}">']
    if kind == "Method":
        lines += section(key, "declaration", inner)
        if tag == "POU":
            lines += section(key, "implementation", inner)
    elif kind == "Action":
        lines += section(key, "implementation", inner)
    else:
        lines += section(key, "declaration", inner)
        for accessor in ("Get", "Set"):
            sub = f"{key}/{accessor}"
            if (sub.casefold(), "declaration") in pieces:
                lines.append(f'{inner}<{accessor} Name="{accessor}" Id="{stable_guid(owner, sub)}">')
                lines += section(sub, "declaration", inner + "  ")
                if tag == "POU":
                    lines += section(sub, "implementation", inner + "  ")
                lines.append(f"{inner}</{accessor}>")
    lines.append(f"{indent}</{kind}>")
    return eol.join(lines)


def _members_in_st(order: list[str]) -> list[tuple[str, str]]:
    return [(key.split(":", 1)[0], key.split(":", 1)[1]) for key in order if "/" not in key]


def fresh_object(tag: str, name: str, pieces: dict[tuple[str, str], str], order: list[str]) -> bytes:
    """A new TwinCAT file (BOM, CRLF, TwinCAT's indentation) for ST written without a sidecar."""
    eol = "\r\n"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<TcPlcObject Version="1.1.0.1" ProductVersion="3.1.4024.12">',
    ]
    extra = ' SpecialFunc="None"' if tag == "POU" else ""
    lines.append(f'  <{tag} Name="{name}" Id="{stable_guid(tag, name)}"{extra}>')
    declaration = pieces.get(("", "declaration"), "").replace("\n", eol)
    lines.append(f"    <Declaration>{_cdata(declaration)}</Declaration>")
    if tag == "POU":
        body = pieces.get(("", "implementation"), "").replace("\n", eol)
        lines += ["    <Implementation>", f"      <ST>{_cdata(body)}</ST>", "    </Implementation>"]
    for kind, member in _members_in_st(order):
        lines.append(_member_xml(kind, member, pieces, name, tag, "    ", eol))
    lines += [f"  </{tag}>", "</TcPlcObject>"]
    return b"\xef\xbb\xbf" + eol.join(lines).encode("utf-8")


def _element_line_span(skeleton: str, element: XmlElement) -> tuple[int, int]:
    """The element's span widened to whole lines (its indentation and line ending included)."""
    start = skeleton.rfind("\n", 0, element.start) + 1
    if skeleton[start : element.start].strip():
        start = element.start
    end = element.end
    newline = skeleton.find("\n", end)
    if newline >= 0 and not skeleton[end:newline].strip():
        end = newline + 1
    return start, end


def export_object(st_text: str, path: str, sidecar: Sidecar | None, fallback_name: str) -> tuple[str, bytes]:
    """The TwinCAT file for an ST file: ``(file suffix, bytes)``.

    Raises:
        DiagnosticError: the ST has syntax errors, or does not have the shape of one TwinCAT object.
    """
    if sidecar is not None and sidecar.meta.get("tag") in SUFFIX_BY_TAG:
        unchanged = _unchanged_export(st_text, sidecar)
        if unchanged is not None:
            return SUFFIX_BY_TAG[sidecar.meta["tag"]], unchanged
    # Pieces are kept with LF and written with the file's line ends: a CRLF checkout (git's autocrlf on
    # Windows) read as it is would end every line of every piece CR CR LF.
    st_text = st_text.replace("\r\n", "\n")
    result = parse_text(st_text, path)
    pieces_meta: list[dict[str, Any]] = list(sidecar.meta.get("pieces", [])) if sidecar else []
    shapes = {(meta["member"].casefold(), meta["role"]): meta for meta in pieces_meta}
    tag, pieces, order = cut_pieces(result, shapes, path)
    assert result.unit is not None
    item = result.unit.items[0]
    name = item.name.text if hasattr(item, "name") else fallback_name
    if isinstance(item, ast.TypeBlock) and item.decls:
        name = item.decls[0].name.text
    if sidecar is None or sidecar.meta.get("tag") != tag:
        return SUFFIX_BY_TAG[tag], fresh_object(tag, name, pieces, order)
    return SUFFIX_BY_TAG[tag], _export_into_skeleton(sidecar, tag, name, pieces, order, path)


def _export_into_skeleton(
    sidecar: Sidecar, tag: str, name: str, pieces: dict[tuple[str, str], str], order: list[str], path: str
) -> bytes:
    meta = sidecar.meta
    skeleton = sidecar.skeleton
    eol = meta.get("eol", "\r\n")
    document = read_xml(path + ".skeleton", skeleton.encode("utf-8"))
    objects = [child for child in document.root.children if child.local_name in OBJECT_TAGS]
    if not objects:
        raise DiagnosticError(Diagnostic(path, 1, 1, "the sidecar holds no TwinCAT object"))
    element = objects[0]
    edits: list[tuple[int, int, str]] = []

    # Pieces: each placeholder gets the ST piece, or the original text when it was not edited.
    used_members: set[str] = set()
    for match in PLACEHOLDER_RE.finditer(skeleton):
        piece_meta = meta["pieces"][int(match.group(1))]
        key = (piece_meta["member"].casefold(), piece_meta["role"])
        if key not in pieces:
            continue  # its member was removed: the element goes below
        used_members.add(piece_meta["member"].split("/")[0])
        new = pieces[key]
        original = piece_meta.get("original")
        if original is not None and original.replace("\r\n", "\n") == new:
            text = original
        else:
            text = new.replace("\n", piece_meta.get("eol", eol))
        edits.append((match.start(), match.end(), text.replace("]]>", "]]]]><![CDATA[>")))

    # Members removed from the ST, or added to it.
    present = {f"{child.local_name}:{child.attributes.get('Name', '')}".casefold(): child for child in element.children}
    st_members = _members_in_st(order)
    st_keys = {f"{k}:{n}".casefold() for k, n in st_members}
    for present_key, child in present.items():
        kind = child.local_name
        if kind in ("Method", "Property", "Action") and present_key not in st_keys:
            implementation = child.find("Implementation")
            if kind == "Action" and implementation is not None and implementation.find("ST") is None:
                continue  # a non-ST action was never shown as ST
            start, end = _element_line_span(skeleton, child)
            edits.append((start, end, ""))
    for member_key, child in present.items():
        if child.local_name == "Property" and member_key in st_keys:
            for accessor in ("Get", "Set"):
                part = child.find(accessor)
                wanted = (f"{member_key}/{accessor}".casefold(), "declaration") in pieces
                if part is not None and not wanted:
                    start, end = _element_line_span(skeleton, part)
                    edits.append((start, end, ""))
                elif part is None and wanted:
                    new = _member_xml("Property", child.attributes.get("Name", ""), pieces, name, tag, "", eol)
                    accessor_xml = _extract_accessor(new, accessor, eol)
                    close = skeleton.rfind("</Property>", child.start, child.end)
                    indent = _indent_of(skeleton, child.start) + "  "
                    edits.append(
                        (close, close, _reindent(accessor_xml, indent, eol) + eol + _indent_of(skeleton, child.start))
                    )
    new_members = [(k, n) for k, n in st_members if f"{k}:{n}".casefold() not in present]
    if new_members:
        line_ids = element.find("LineIds")
        anchor = (
            _element_line_span(skeleton, line_ids)[0]
            if line_ids is not None
            else skeleton.rfind("</", element.start, element.end)
        )
        indent = _indent_of(skeleton, element.start) + "  "
        block = "".join(_member_xml(k, n, pieces, name, tag, indent, eol) + eol for k, n in new_members)
        if line_ids is None:
            anchor = skeleton.rfind("\n", 0, anchor) + 1
        edits.append((anchor, anchor, block))

    # Pieces whose element did not exist (an implementation added to a method that had none).
    for (member, role), text in pieces.items():
        if role != "implementation" or not text:
            continue
        known = [m for m in meta["pieces"] if (m["member"].casefold(), m["role"]) == (member, role)]
        if known and not known[0]["present"]:
            raise DiagnosticError(
                Diagnostic(
                    path,
                    1,
                    1,
                    f"{member or name} has no ST implementation in the TwinCAT file; cannot add one on export",
                )
            )

    # The object's own name follows a rename in the ST.
    old_name = element.attributes.get("Name", "")
    if old_name != name:
        attribute = skeleton.find(f'Name="{old_name}"', element.start)
        if attribute >= 0:
            edits.append((attribute, attribute + len(old_name) + 7, f'Name="{name}"'))

    text = skeleton
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    # Written back in the file's own encoding and byte-order mark (UTF-16 files keep theirs).
    return DecodedFile(text, meta.get("encoding", "utf-8"), bool(meta.get("bom"))).encode()


def _indent_of(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    prefix = text[start:offset]
    return prefix if not prefix.strip() else ""


def _extract_accessor(member_xml: str, accessor: str, eol: str) -> str:
    start = member_xml.find(f"<{accessor} ")
    end = member_xml.find(f"</{accessor}>") + len(f"</{accessor}>")
    return member_xml[start:end]


def _reindent(xml: str, indent: str, eol: str) -> str:
    lines = xml.split(eol)
    base = len(lines[0]) - len(lines[0].lstrip(" "))
    return eol.join(indent + line[base:] if line.strip() else line for line in lines)


def import_file(path: str, data: bytes) -> tuple[str, Sidecar, str]:
    """Import one TwinCAT file: ``(ST text, sidecar, object name)``."""
    document = read_xml(path, data)
    st_text, sidecar = import_object(document, path.replace("\\", "/").rsplit("/", 1)[-1])
    return st_text, sidecar, str(sidecar.meta.get("name", ""))


def update_project_file(data: bytes, compiled: list[str]) -> bytes:
    """A ``.plcproj`` whose ``<Compile>`` list matches the exported TwinCAT objects.

    Entries for objects no longer in the project are removed and new objects are added next to the
    existing entries; when nothing changed, the bytes are returned untouched.
    """
    text = data.decode("utf-8-sig")
    bom = data.startswith(b"\xef\xbb\xbf")
    document = read_xml("project.plcproj", data)
    wanted = {path.replace("/", "\\").casefold(): path.replace("/", "\\") for path in compiled}
    entries = [e for e in document.root.iter() if e.local_name == "Compile" and e.attributes.get("Include")]
    present = {e.attributes["Include"].casefold() for e in entries}
    edits: list[tuple[int, int, str]] = []
    for element in entries:
        include = element.attributes["Include"]
        suffix = "." + include.rsplit(".", 1)[-1].lower() if "." in include else ""
        if suffix in (".tcpou", ".tcdut", ".tcgvl", ".tcio") and include.casefold() not in wanted:
            start, end = _element_line_span(text, element)
            edits.append((start, end, ""))
    missing = [path for key, path in sorted(wanted.items()) if key not in present]
    if missing and entries:
        eol = _dominant_eol(text)
        last = entries[-1]
        indent = _indent_of(text, last.start)
        block = "".join(
            f'{indent}<Compile Include="{path}">{eol}{indent}  <SubType>Code</SubType>{eol}{indent}</Compile>{eol}'
            for path in missing
        )
        anchor = _element_line_span(text, last)[1]
        edits.append((anchor, anchor, block))
    if not edits:
        return data
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def is_configuration(st_text: str) -> bool:
    """Whether an ST file holds only CONFIGURATION blocks (which have no TwinCAT PLC object form)."""
    result = parse_text(st_text)
    items = result.unit.items if result.unit is not None else []
    return bool(items) and all(isinstance(item, ast.Configuration) for item in items)
