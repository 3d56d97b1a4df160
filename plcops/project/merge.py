"""The git merge driver: three-way merges that understand POUs, methods and declarations.

git's line merge treats a TwinCAT file as lines of XML: two people adding a variable each at the end of a
VAR section, or editing two methods of one function block, produce conflicts in XML that nobody wants to
resolve by hand. ``plcops merge-driver`` merges by structure instead:

* TwinCAT files: piece by piece (a POU's declaration and implementation, each method, property accessor
  and action), members added or removed on either side carried over as whole elements;
* PLCopen XML: element by element (POUs, data types, global variable lists, configurations), POU bodies
  merged as ST text;
* ``.st`` files: by POU, and by member written after a function block;
* inside a declaration, by variable, so different variables never conflict; elsewhere, line by line.

Real conflicts get git's markers *inside the ST text* (inside CDATA for vendor files), so the file stays
well-formed XML and the conflict shows in the ST the engineer edits. A file the driver cannot read is
merged line by line, as git would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plcops.project.merge3 import Chunk, MergeResult, merge_declarations, merge_lines, merge_sequences
from plcops.project.twincat import TcObject, read_object
from plcops.project.xmlscan import XmlDocument, XmlElement, read_xml
from plcops.st import ast
from plcops.st.diagnostics import DiagnosticError
from plcops.st.parser import parse_text
from plcops.st.source import DecodedFile, decode_source

LABELS = ("ours", "theirs")


@dataclass(slots=True)
class FileMerge:
    """The merged file and how many conflicts it contains (git: exit status 0 only when none)."""

    data: bytes
    conflicts: int


def _merge_piece(role: str, base: str | None, ours: str | None, theirs: str | None) -> MergeResult:
    """Merge one piece of ST (LF line endings); a missing side counts as empty."""
    b, o, t = base or "", ours or "", theirs or ""
    if o == t:
        return MergeResult([o], 0)
    if b == o:
        return MergeResult([t], 0)
    if b == t:
        return MergeResult([o], 0)
    merge = merge_declarations if role == "declaration" else merge_lines
    result = merge(_ended(b), _ended(o), _ended(t), LABELS)
    text = result.text
    if not (o.endswith("\n") or t.endswith("\n")) and text.endswith("\n"):
        text = text[:-1]
    return MergeResult([text], result.conflicts)


def _ended(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


# ---------------------------------------------------------------------------------------------- TwinCAT


def _pieces(obj: TcObject) -> dict[tuple[str, str], tuple[str, Any]]:
    text = obj.document.text
    return {
        (p.member.casefold(), p.role): (p.text(text).replace("\r\n", "\n"), p) for p in obj.pieces() if p.start >= 0
    }


def _members(obj: TcObject) -> dict[str, XmlElement]:
    return {member.key.casefold(): member.element for member in obj.members}


def _line_span(text: str, element: XmlElement) -> tuple[int, int]:
    start = text.rfind("\n", 0, element.start) + 1
    if text[start : element.start].strip():
        start = element.start
    newline = text.find("\n", element.end)
    end = newline + 1 if newline >= 0 and not text[element.end : newline].strip() else element.end
    return start, end


def _merge_twincat(base: XmlDocument, ours: XmlDocument, theirs: XmlDocument) -> tuple[str, int]:
    b_obj, o_obj, t_obj = read_object(base), read_object(ours), read_object(theirs)
    b_pieces, o_pieces, t_pieces = _pieces(b_obj), _pieces(o_obj), _pieces(t_obj)
    b_members, o_members, t_members = _members(b_obj), _members(o_obj), _members(t_obj)
    text = ours.text
    eol = "\r\n" if text.count("\r\n") * 2 >= text.count("\n") > 0 else "\n"
    edits: list[tuple[int, int, str]] = []
    conflicts = 0

    for key, (o_text, piece) in o_pieces.items():
        member = key[0].split("/")[0]
        in_base = key in b_pieces
        if key not in t_pieces and in_base and member in b_members and member not in t_members:
            continue  # the member was deleted by theirs: decided below
        result = _merge_piece(key[1], b_pieces.get(key, (None,))[0], o_text, t_pieces.get(key, (None,))[0])
        conflicts += result.conflicts
        merged = result.text
        if merged != o_text:
            edits.append((piece.start, piece.end, merged.replace("\n", eol).replace("]]>", "]]]]><![CDATA[>")))

    for member_key, element in o_members.items():
        if member_key in b_members and member_key not in t_members:
            base_text = {k: v[0] for k, v in b_pieces.items() if k[0].split("/")[0] == member_key}
            ours_text = {k: v[0] for k, v in o_pieces.items() if k[0].split("/")[0] == member_key}
            if base_text == ours_text:
                start, end = _line_span(text, element)
                edits.append((start, end, ""))
            else:
                # Changed by us, deleted by them: keep ours, marked, so nobody loses the change silently.
                first = next((v[1] for k, v in o_pieces.items() if k[0].split("/")[0] == member_key), None)
                if first is not None:
                    note = (
                        f"<<<<<<< ours{eol}"
                        + first.text(text)
                        + f"{eol}======={eol}(deleted in theirs){eol}>>>>>>> theirs{eol}"
                    )
                    edits.append((first.start, first.end, note))
                conflicts += 1

    added = [(key, element) for key, element in t_members.items() if key not in o_members and key not in b_members]
    if added:
        element = o_obj.element
        line_ids = element.find("LineIds")
        anchor = (
            _line_span(text, line_ids)[0]
            if line_ids is not None
            else text.rfind("\n", 0, element.end - len(element.tag) - 3) + 1
        )
        block = ""
        for _, member_element in added:
            start, end = _line_span(theirs.text, member_element)
            chunk = theirs.text[start:end]
            block += chunk if chunk.endswith("\n") else chunk + eol
        edits.append((anchor, anchor, block.replace("\r\n", "\n").replace("\n", eol)))

    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, conflicts


# ---------------------------------------------------------------------------------------------- plain ST


def _st_regions(text: str) -> list[tuple[str, str]] | None:
    """``(key, text)`` regions of an ST file: each top-level item, and each member written after it."""
    result = parse_text(text)
    if result.diagnostics or result.unit is None:
        return None
    spans: list[tuple[str, int, int]] = []
    for item in result.unit.items:
        name = getattr(getattr(item, "name", None), "text", None)
        if isinstance(item, ast.TypeBlock) and item.decls:
            name = item.decls[0].name.text
        base_key = f"{type(item).__name__}:{(name or '').casefold()}"
        spans.append((base_key, item.span.start, item.span.end))
        for member in getattr(item, "members", []):
            if member.span.start > item.span.end:
                spans.append(
                    (
                        f"{base_key}.{type(member).__name__}:{member.name.text.casefold()}",
                        member.span.start,
                        member.span.end,
                    )
                )
    spans.sort(key=lambda s: s[1])
    regions: list[tuple[str, str]] = []
    position = 0
    seen: dict[str, int] = {}
    for index, (key, _, end) in enumerate(spans):
        newline = text.find("\n", end)
        stop = len(text) if index == len(spans) - 1 or newline < 0 else newline + 1
        count = seen.get(key, 0)
        seen[key] = count + 1
        regions.append((f"{key}#{count}", text[position:stop]))
        position = stop
    if not regions:
        return None
    return regions


def _split_declaration(text: str) -> tuple[str, str]:
    """A POU region as (header and VAR blocks, the rest), so declarations merge by variable."""
    result = parse_text(text)
    if result.diagnostics or result.unit is None or not result.unit.items:
        return "", text
    blocks = getattr(result.unit.items[0], "var_blocks", [])
    if not blocks:
        return "", text
    newline = text.find("\n", blocks[-1].span.end)
    cut = len(text) if newline < 0 else newline + 1
    return text[:cut], text[cut:]


def _merge_st(base: str, ours: str, theirs: str) -> tuple[str, int] | None:
    found = [_st_regions(text) for text in (base, ours, theirs)]
    regions = [r for r in found if r is not None]
    if len(regions) != 3:
        return None
    b_map, o_map, t_map = (dict(r) for r in regions)  # type: ignore[arg-type]

    def union(o: Any, t: Any) -> list[str] | None:
        return None if set(o) & set(t) else [*o, *t]

    order, conflicts = merge_sequences(
        [k for k, _ in regions[0]],
        [k for k, _ in regions[1]],
        [k for k, _ in regions[2]],
        union,
    )
    out: list[str] = []
    for item in order:
        if isinstance(item, Chunk):
            out.extend(
                merge_lines(
                    "", "".join(o_map[k] for k in item.ours), "".join(t_map[k] for k in item.theirs), LABELS
                ).lines
            )
            continue
        b, o, t = b_map.get(item), o_map.get(item), t_map.get(item)
        if o is None or t is None:
            survivor = o if o is not None else t
            if survivor is not None and b is not None and survivor != b:
                out.extend(merge_lines(b, o or "", t or "", LABELS).lines)  # changed on one side, deleted on the other
                conflicts += 1
            elif survivor is not None and b is None:
                out.append(survivor)
            continue
        if o == t or b == t:
            out.append(o)
        elif b == o:
            out.append(t)
        else:
            parts = [_split_declaration(text) for text in (b or "", o, t)]
            declarations = merge_declarations(parts[0][0], parts[1][0], parts[2][0], LABELS)
            rest = merge_lines(parts[0][1], parts[1][1], parts[2][1], LABELS)
            conflicts += declarations.conflicts + rest.conflicts
            out.append(declarations.text + rest.text)
    return "".join(out), conflicts


# ---------------------------------------------------------------------------------------------- PLCopen


def _plcopen_units(document: XmlDocument) -> dict[str, XmlElement]:
    units: dict[str, XmlElement] = {}
    for element in document.root.iter():
        if element.local_name in ("pou", "dataType", "configuration", "globalVars") and "name" in element.attributes:
            units.setdefault(f"{element.local_name}:{element.attributes['name'].casefold()}", element)
    return units


def _body_holder(element: XmlElement) -> XmlElement | None:
    body = element.find("body")
    st = body.find("ST") if body is not None else None
    if st is None:
        return None
    return st.children[0] if st.children else st


def _merge_plcopen(base: XmlDocument, ours: XmlDocument, theirs: XmlDocument) -> tuple[str, int]:
    b_units, o_units, t_units = _plcopen_units(base), _plcopen_units(ours), _plcopen_units(theirs)
    text = ours.text
    edits: list[tuple[int, int, str]] = []
    conflicts = 0

    def element_text(document: XmlDocument, element: XmlElement) -> str:
        return document.text[element.start : element.end]

    for key, element in o_units.items():
        o = element_text(ours, element)
        b = element_text(base, b_units[key]) if key in b_units else None
        t = element_text(theirs, t_units[key]) if key in t_units else None
        if t is None:
            if b is not None and b == o:
                start, end = _line_span(text, element)
                edits.append((start, end, ""))
            elif b is not None:
                conflicts += 1  # changed by us, deleted by them: kept
            continue
        if t == o or t == b:
            continue
        if b is None or b == o:
            edits.append((element.start, element.end, t))
            continue
        # Both changed: merge the ST bodies; take a one-sided interface change; otherwise a conflict.
        conflicts += _merge_both_changed_pou(base, ours, theirs, b_units[key], element, t_units[key], edits)
    added = [element for key, element in t_units.items() if key not in o_units and key not in b_units]
    for element in added:
        parent_tag = (
            "pous" if element.local_name == "pou" else "dataTypes" if element.local_name == "dataType" else None
        )
        close = text.rfind(f"</{parent_tag}>") if parent_tag else -1
        if close >= 0:
            edits.append((close, close, element_text(theirs, element)))
        else:
            conflicts += 1
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, conflicts


def _merge_both_changed_pou(
    base: XmlDocument,
    ours: XmlDocument,
    theirs: XmlDocument,
    b_el: XmlElement,
    o_el: XmlElement,
    t_el: XmlElement,
    edits: list[tuple[int, int, str]],
) -> int:
    conflicts = 0
    parts = {}
    for name in ("interface",):
        found = [e.find(name) for e in (b_el, o_el, t_el)]
        texts = [
            doc.text[f.start : f.end] if f is not None else ""
            for doc, f in zip((base, ours, theirs), found, strict=True)
        ]
        parts[name] = (found, texts)
    found, texts = parts["interface"]
    if texts[1] != texts[2]:
        if texts[1] == texts[0] and found[1] is not None:
            edits.append((found[1].start, found[1].end, texts[2]))
        elif texts[2] != texts[0]:
            conflicts += 1  # both changed the declarations differently: ours kept, marked in the body below
    holders = [_body_holder(e) for e in (b_el, o_el, t_el)]
    if all(h is not None for h in holders):
        bodies = [h.text.replace("\r\n", "\n") for h in holders]  # type: ignore[union-attr]
        result = _merge_piece("implementation", *bodies)
        merged = result.text
        if conflicts:
            merged = (
                "(* plcops merge: both sides changed the declarations of this POU; ours are kept, theirs were:\n"
                + texts[2].replace("*)", "* )")
                + "\n*)\n"
                + merged
            )
        conflicts += result.conflicts
        holder = holders[1]
        assert holder is not None
        inner_start = ours.text.find(">", holder.start) + 1
        inner_end = ours.text.rfind("</", inner_start, holder.end)
        cdata = any(run.cdata for run in holder.runs)
        from xml.sax.saxutils import escape

        replacement = ("<![CDATA[" + merged.replace("]]>", "]]]]><![CDATA[>") + "]]>") if cdata else escape(merged)
        if merged != bodies[1]:
            edits.append((inner_start, inner_end, replacement))
    return conflicts


# ---------------------------------------------------------------------------------------------- entry point


def _text_merge(base: DecodedFile, ours: DecodedFile, theirs: DecodedFile) -> tuple[str, int]:
    result = merge_lines(base.text, ours.text, theirs.text, LABELS)
    return result.text, result.conflicts


def merge_files(base: bytes, ours: bytes, theirs: bytes, path: str) -> FileMerge:
    """Merge three versions of a file (see the module docstring); the result keeps ours' encoding and BOM."""
    decoded = [decode_source(data) for data in (base, ours, theirs)]
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    text: str
    conflicts: int
    try:
        if suffix in ("tcpou", "tcdut", "tcgvl", "tcio"):
            documents = [read_xml(path, data) for data in (base, ours, theirs)]
            text, conflicts = _merge_twincat(*documents)
        elif suffix == "xml" and all(b"plcopen.org/xml/tc6" in data[:4096] for data in (base, ours, theirs)):
            documents = [read_xml(path, data) for data in (base, ours, theirs)]
            text, conflicts = _merge_plcopen(*documents)
        elif suffix in ("st", "exp"):
            merged = _merge_st(*(d.text for d in decoded))
            text, conflicts = merged if merged is not None else _text_merge(*decoded)
        else:
            text, conflicts = _text_merge(*decoded)
    except DiagnosticError:
        text, conflicts = _text_merge(*decoded)
    return FileMerge(decoded[1].encode(text), conflicts)
