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

LABELS = ("ours", "theirs")  # conflict marker labels when git gives none (git before 2.44)


@dataclass(slots=True)
class FileMerge:
    """The merged file and how many conflicts it contains (git: exit status 0 only when none)."""

    data: bytes
    conflicts: int


def _merge_piece(
    role: str, base: str | None, ours: str | None, theirs: str | None, labels: tuple[str, str]
) -> MergeResult:
    """Merge one piece of ST (LF line endings); a missing side counts as empty."""
    b, o, t = base or "", ours or "", theirs or ""
    if o == t:
        return MergeResult([o], 0)
    if b == o:
        return MergeResult([t], 0)
    if b == t:
        return MergeResult([o], 0)
    merge = merge_declarations if role == "declaration" else merge_lines
    result = merge(_ended(b), _ended(o), _ended(t), labels)
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


def _named_children(element: XmlElement) -> dict[str, XmlElement]:
    """Members of a TwinCAT object by ``kind:name`` (methods, properties, actions, transitions), whatever
    language their body is in (an LD action is a member too, though it has no ST)."""
    return {
        f"{child.local_name}:{child.attributes['Name']}".casefold(): child
        for child in element.children
        if "Name" in child.attributes and child.local_name not in ("Declaration", "Implementation", "LineIds")
    }


def _graphical_bodies(element: XmlElement) -> dict[str, XmlElement]:
    """The non-ST bodies (LD/FBD networks ``NWL``, ``SFC``, ``CFC``, ...) of an object and of its members, by
    owner key and language; ST bodies are merged as text elsewhere."""
    found: dict[str, XmlElement] = {}
    for key, owner in [("", element), *_named_children(element).items()]:
        holders = [("", owner)] + [(name, part) for name in ("Get", "Set") if (part := owner.find(name)) is not None]
        for accessor, holder in holders:
            implementation = holder.find("Implementation")
            for body in implementation.children if implementation is not None else []:
                if body.local_name != "ST":
                    found[f"{key}/{accessor}/{body.local_name}"] = body
    return found


def _line_span(text: str, element: XmlElement) -> tuple[int, int]:
    start = text.rfind("\n", 0, element.start) + 1
    if text[start : element.start].strip():
        start = element.start
    newline = text.find("\n", element.end)
    end = newline + 1 if newline >= 0 and not text[element.end : newline].strip() else element.end
    return start, end


def _xml(document: XmlDocument, element: XmlElement) -> str:
    return document.text[element.start : element.end].replace("\r\n", "\n")


def _conflict_comment(what: str, kept: str) -> str:
    # Inside XML only a comment can say so; git keeps all three versions (git checkout --theirs/--ours FILE).
    # No "--" inside an XML comment: it would make the file ill-formed.
    return (
        f"<!-- plcops merge conflict: {what}; {kept} is kept here, and git keeps both sides in its index "
        "(git checkout with ours or theirs, or git mergetool) -->"
    )


def _merge_twincat(
    base: XmlDocument, ours: XmlDocument, theirs: XmlDocument, labels: tuple[str, str]
) -> tuple[str, int]:
    b_obj, o_obj, t_obj = read_object(base), read_object(ours), read_object(theirs)
    b_pieces, o_pieces, t_pieces = _pieces(b_obj), _pieces(o_obj), _pieces(t_obj)
    b_members = _named_children(b_obj.element)
    o_members = _named_children(o_obj.element)
    t_members = _named_children(t_obj.element)
    text = ours.text
    eol = "\r\n" if text.count("\r\n") * 2 >= text.count("\n") > 0 else "\n"
    edits: list[tuple[int, int, str]] = []
    conflicts = 0

    def cdata(merged: str) -> str:
        return merged.replace("\n", eol).replace("]]>", "]]]]><![CDATA[>")

    # The markers below go into CDATA as they are (around text already in the file's form): a label
    # holding "]]>" (a branch name may) is split across two CDATA sections, as cdata() does.
    ours_label, theirs_label = (label.replace("]]>", "]]]]><![CDATA[>") for label in labels)

    def changed(document: XmlDocument, members: dict[str, XmlElement], key: str) -> bool:
        return _xml(document, members[key]) != _xml(base, b_members[key])

    # ST pieces of what both sides still have: merged as text, by declaration and by line.
    for piece_key, (o_text, piece) in o_pieces.items():
        member = piece_key[0].split("/")[0]
        if member and member not in t_members:
            continue  # deleted by theirs (or added by ours): decided below
        result = _merge_piece(
            piece_key[1], b_pieces.get(piece_key, (None,))[0], o_text, t_pieces.get(piece_key, (None,))[0], labels
        )
        conflicts += result.conflicts
        if result.text != o_text:
            edits.append((piece.start, piece.end, cdata(result.text)))

    # LD/FBD/SFC bodies: taken whole from the side that changed them; changed on both sides, a conflict.
    b_bodies, o_bodies, t_bodies = (_graphical_bodies(obj.element) for obj in (b_obj, o_obj, t_obj))
    for key, element in o_bodies.items():
        owner = key.split("/")[0]
        theirs_body = t_bodies.get(key)
        if theirs_body is None or (owner and owner not in t_members):
            continue  # a member deleted by theirs: decided below
        b = _xml(base, b_bodies[key]) if key in b_bodies else None
        o, t = _xml(ours, element), _xml(theirs, theirs_body)
        if o == t or t == b:
            continue
        if b == o:
            edits.append((element.start, element.end, theirs.text[theirs_body.start : theirs_body.end]))
        else:
            conflicts += 1
            what = f"both sides changed the {element.local_name} body of {owner or o_obj.name}"
            edits.append((element.start, element.start, _conflict_comment(what, "ours") + eol))

    # Members one side deleted: gone when the other side left them as they were, else a conflict that
    # keeps the changed member (marked), so nobody's change disappears silently.
    for key, element in o_members.items():
        if key not in b_members or key in t_members:
            continue
        if not changed(ours, o_members, key):
            start, end = _line_span(text, element)
            edits.append((start, end, ""))
            continue
        conflicts += 1
        first = next((v[1] for k, v in o_pieces.items() if k[0].split("/")[0] == key), None)
        if first is not None and first.start >= 0:
            note = f"<<<<<<< {ours_label}{eol}{first.text(text)}{eol}======={eol}(deleted in {theirs_label}){eol}>>>>>>> {theirs_label}{eol}"
            edits.append((first.start, first.end, note))
        else:
            edits.append(
                (
                    element.start,
                    element.start,
                    _conflict_comment(f"theirs deleted {key}, ours changed it", "ours") + eol,
                )
            )

    block = ""
    for key, element in t_members.items():
        if key in o_members:
            continue
        start, end = _line_span(theirs.text, element)
        chunk = theirs.text[start:end]
        if key in b_members:
            if not changed(theirs, t_members, key):
                continue  # deleted by ours, untouched by theirs: stays deleted
            conflicts += 1
            first = next((v[1] for k, v in t_pieces.items() if k[0].split("/")[0] == key), None)
            if first is not None and first.start >= 0:
                marked = f"<<<<<<< {ours_label}{eol}(deleted in {ours_label}){eol}======={eol}{first.text(theirs.text)}{eol}>>>>>>> {theirs_label}{eol}"
                chunk = chunk[: first.start - start] + marked + chunk[first.end - start :]
            else:
                chunk = _conflict_comment(f"ours deleted {key}, theirs changed it", "theirs") + eol + chunk
        block += chunk if chunk.endswith("\n") else chunk + eol
    if block:
        element = o_obj.element
        line_ids = element.find("LineIds")
        anchor = (
            _line_span(text, line_ids)[0]
            if line_ids is not None
            else text.rfind("\n", 0, element.end - len(element.tag) - 3) + 1
        )
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


def _reinsert(keys: list[str], base: list[str], missing: list[str]) -> list[str]:
    """``keys`` with the ``missing`` base keys put back after the base key before them."""
    result = list(keys)
    for key in missing:
        if key in result:
            continue
        position = 0
        for earlier in reversed(base[: base.index(key)]):
            if earlier in result:
                position = result.index(earlier) + 1
                break
        result.insert(position, key)
    return result


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


def _merge_st(base: str, ours: str, theirs: str, labels: tuple[str, str]) -> tuple[str, int] | None:
    found = [_st_regions(text) for text in (base, ours, theirs)]
    regions = [r for r in found if r is not None]
    if len(regions) != 3:
        return None
    b_map, o_map, t_map = (dict(r) for r in regions)  # type: ignore[arg-type]

    def union(o: Any, t: Any) -> list[str] | None:
        return None if set(o) & set(t) else [*o, *t]

    b_keys, o_keys, t_keys = ([k for k, _ in r] for r in regions)  # type: ignore[union-attr]
    # Deleted on one side and changed on the other: the deleting side's sequence keeps the key, so the
    # content merge below sees it and marks a conflict instead of dropping the change.
    disputed = [k for k in b_keys if (k in o_map) != (k in t_map) and o_map.get(k, t_map.get(k)) != b_map[k]]
    o_keys, t_keys = _reinsert(o_keys, b_keys, disputed), _reinsert(t_keys, b_keys, disputed)
    order, conflicts = merge_sequences(b_keys, o_keys, t_keys, union)
    out: list[str] = []
    for item in order:
        if isinstance(item, Chunk):
            out.extend(
                merge_lines(
                    "", "".join(o_map[k] for k in item.ours), "".join(t_map[k] for k in item.theirs), labels
                ).lines
            )
            continue
        b, o, t = b_map.get(item), o_map.get(item), t_map.get(item)
        if o is None or t is None:
            survivor = o if o is not None else t
            if survivor is not None and b is not None and survivor != b:
                out.extend(merge_lines(b, o or "", t or "", labels).lines)  # changed on one side, deleted on the other
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
            declarations = merge_declarations(parts[0][0], parts[1][0], parts[2][0], labels)
            rest = merge_lines(parts[0][1], parts[1][1], parts[2][1], labels)
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


def _merge_plcopen(
    base: XmlDocument, ours: XmlDocument, theirs: XmlDocument, labels: tuple[str, str]
) -> tuple[str, int]:
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
        conflicts += _merge_both_changed_pou(base, ours, theirs, b_units[key], element, t_units[key], edits, labels)
    for key, element in t_units.items():
        if key in o_units:
            continue
        carried = element_text(theirs, element)
        if key in b_units:
            if carried == element_text(base, b_units[key]):
                continue  # deleted by ours, untouched by theirs: stays deleted
            conflicts += 1  # deleted by ours, changed by theirs: theirs comes back, marked
            what = f"ours deleted {element.local_name} {element.attributes.get('name', '')}, theirs changed it"
            carried = _conflict_comment(what, "theirs") + carried
        parent_tag = (
            "pous" if element.local_name == "pou" else "dataTypes" if element.local_name == "dataType" else None
        )
        close = text.rfind(f"</{parent_tag}>") if parent_tag else -1
        if close >= 0:
            edits.append((close, close, carried))
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
    labels: tuple[str, str],
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
            if None not in found:
                conflicts += _merge_interface(base, ours, theirs, found[0], found[1], found[2], edits)  # type: ignore[arg-type]
            else:
                conflicts += 1  # an interface added or removed on one side and changed on the other
    holders = [_body_holder(e) for e in (b_el, o_el, t_el)]
    if all(h is not None for h in holders):
        bodies = [h.text.replace("\r\n", "\n") for h in holders]  # type: ignore[union-attr]
        result = _merge_piece("implementation", bodies[0], bodies[1], bodies[2], labels)
        merged = result.text
        conflicts += result.conflicts
        holder = holders[1]
        assert holder is not None
        inner_start = ours.text.find(">", holder.start) + 1
        inner_end = ours.text.rfind("</", inner_start, holder.end)
        # Conflict markers must stay literal ("<<<<<<<", not "&lt;&lt;...") for git diff --check and merge
        # tools to find them: a body with a conflict is written as CDATA, which XML readers take as text.
        cdata = result.conflicts > 0 or any(run.cdata for run in holder.runs)
        from xml.sax.saxutils import escape

        replacement = ("<![CDATA[" + merged.replace("]]>", "]]]]><![CDATA[>") + "]]>") if cdata else escape(merged)
        if merged != bodies[1]:
            edits.append((inner_start, inner_end, replacement))
    return conflicts


def _merge_interface(
    base: XmlDocument,
    ours: XmlDocument,
    theirs: XmlDocument,
    b_if: XmlElement,
    o_if: XmlElement,
    t_if: XmlElement,
    edits: list[tuple[int, int, str]],
) -> int:
    """A POU's ``<interface>`` changed on both sides: merged by section and variable, so two people adding,
    retyping or removing different variables never conflict. A variable both sides changed differently is a
    conflict: ours is kept, with a comment saying so."""

    def sections(element: XmlElement) -> dict[str, XmlElement]:
        found: dict[str, XmlElement] = {}
        counts: dict[str, int] = {}
        for child in element.children:
            index = counts.get(child.local_name, 0)
            counts[child.local_name] = index + 1
            found[f"{child.local_name}#{index}"] = child
        return found

    def variables(section: XmlElement) -> dict[str, XmlElement]:
        return {v.attributes.get("name", "").casefold(): v for v in section.find_all("variable")}

    def xml_of(document: XmlDocument, element: XmlElement) -> str:
        return document.text[element.start : element.end]

    conflicts = 0
    b_sections, o_sections, t_sections = sections(b_if), sections(o_if), sections(t_if)
    for key, o_section in o_sections.items():
        t_section, b_section = t_sections.get(key), b_sections.get(key)
        if t_section is None or b_section is None or not o_section.find_all("variable"):
            if t_section is not None and b_section is not None and xml_of(theirs, t_section) != xml_of(base, b_section):
                if xml_of(ours, o_section) == xml_of(base, b_section):
                    edits.append((o_section.start, o_section.end, xml_of(theirs, t_section)))
                elif xml_of(ours, o_section) != xml_of(theirs, t_section):
                    conflicts += 1  # a section that is not a variable list (returnType) changed on both sides
            continue
        b_vars, o_vars, t_vars = variables(b_section), variables(o_section), variables(t_section)
        # New variables go on lines of their own before the section's closing tag, indented as ours' last
        # (not right after the last variable, which a deletion in the same merge may remove).
        closing = ours.text.rfind("</", o_section.start, o_section.end)
        insert_at = ours.text.rfind("\n", 0, closing) + 1
        last = o_section.find_all("variable")[-1]
        indent = ours.text[ours.text.rfind("\n", 0, last.start) + 1 : last.start]
        indent = indent if not indent.strip() else ""
        eol = "\r\n" if ours.text[insert_at - 2 : insert_at] == "\r\n" else "\n"
        for name, t_var in t_vars.items():
            t_text = xml_of(theirs, t_var)
            b_text = xml_of(base, b_vars[name]) if name in b_vars else None
            o_var = o_vars.get(name)
            if o_var is None:
                if b_text is None:
                    edits.append((insert_at, insert_at, indent + t_text + eol))
                elif t_text != b_text:
                    conflicts += 1  # deleted by ours, changed by theirs: theirs comes back, marked
                    comment = _conflict_comment(
                        f"ours deleted variable {t_var.attributes.get('name')}, theirs changed it", "theirs"
                    )
                    edits.append((insert_at, insert_at, indent + comment + t_text + eol))
                continue
            o_text = xml_of(ours, o_var)
            if t_text in (o_text, b_text):
                continue
            if o_text == b_text:
                edits.append((o_var.start, o_var.end, t_text))
            else:
                conflicts += 1
                what = f"both sides changed variable {o_var.attributes.get('name')} differently"
                edits.append((o_var.start, o_var.start, _conflict_comment(what, "ours")))
        for name, o_var in o_vars.items():
            if name in b_vars and name not in t_vars:
                if xml_of(ours, o_var) == xml_of(base, b_vars[name]):
                    start, end = _line_span(ours.text, o_var)
                    edits.append((start, end, ""))
                else:
                    conflicts += 1
                    what = f"theirs deleted variable {o_var.attributes.get('name')}, ours changed it"
                    edits.append((o_var.start, o_var.start, _conflict_comment(what, "ours")))
    added = [
        xml_of(theirs, t_section)
        for key, t_section in t_sections.items()
        if key not in o_sections and key not in b_sections
    ]
    if added:
        close = ours.text.rfind("</", o_if.start, o_if.end)
        edits.append((close, close, "".join(added)))
    return conflicts


# ---------------------------------------------------------------------------------------------- entry point


def _text_merge(base: DecodedFile, ours: DecodedFile, theirs: DecodedFile, labels: tuple[str, str]) -> tuple[str, int]:
    result = merge_lines(base.text, ours.text, theirs.text, labels)
    return result.text, result.conflicts


def merge_files(base: bytes, ours: bytes, theirs: bytes, path: str, labels: tuple[str, str] = LABELS) -> FileMerge:
    """Merge three versions of a file (see the module docstring); the result keeps ours' encoding and BOM.
    ``labels`` name our and their side on conflict markers (git 2.44+ passes the branch names).

    When only one side changed the file, the result is that side's bytes, exactly (its BOM, line endings
    and encoding included): there is nothing to merge.
    """
    if ours == base or ours == theirs:
        return FileMerge(theirs, 0)
    if theirs == base:
        return FileMerge(ours, 0)
    decoded = [decode_source(data) for data in (base, ours, theirs)]
    b_text, o_text, t_text = decoded

    def line_merge() -> tuple[str, int]:
        return _text_merge(b_text, o_text, t_text, labels)

    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    text: str
    conflicts: int
    try:
        if suffix in ("tcpou", "tcdut", "tcgvl", "tcio"):
            text, conflicts = _merge_twincat(read_xml(path, base), read_xml(path, ours), read_xml(path, theirs), labels)
        elif suffix == "xml" and all(b"plcopen.org/xml/tc6" in data[:4096] for data in (base, ours, theirs)):
            text, conflicts = _merge_plcopen(read_xml(path, base), read_xml(path, ours), read_xml(path, theirs), labels)
        elif suffix in ("st", "exp"):
            merged = _merge_st(b_text.text, o_text.text, t_text.text, labels)
            text, conflicts = merged if merged is not None else line_merge()
        else:
            text, conflicts = line_merge()
    except DiagnosticError:
        text, conflicts = line_merge()
    return FileMerge(decoded[1].encode(text), conflicts)
