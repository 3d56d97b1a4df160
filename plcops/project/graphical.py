"""Graphical bodies (LD, FBD, SFC, CFC) in vendor files, as normalised text for diffs.

plcops keeps non-ST bodies byte for byte (import/export and the merge driver carry them whole), but a
reviewer still needs to see that a rung or a block connection changed. This module renders each such body
as indented lines -- one per XML element, attributes sorted, text content kept -- leaving out what changes
when nobody changed the logic: graphical coordinates and sizes (``x``, ``y``, ``width``, ``height``,
``<position>``, ``<relPosition>``) and object GUIDs. ``plcops textconv`` appends the lines to the ST view
as ``//`` comments and ``plcops diff`` compares them, so a changed contact shows as a changed line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from plcops.project.xmlscan import XmlElement, read_xml
from plcops.st.diagnostics import DiagnosticError

# Layout, not logic: where a block is drawn and how big, and the editor's object ids.
_VOLATILE_ATTRIBUTES = frozenset({"x", "y", "width", "height", "id"})
_VOLATILE_ELEMENTS = frozenset({"position", "relposition"})
_TWINCAT_SUFFIXES = (".tcpou", ".tcdut", ".tcgvl", ".tcio")
_PLCOPEN_GRAPHICAL = ("LD", "FBD", "SFC", "IL")


@dataclass(slots=True)
class GraphicalBody:
    """A non-ST body: whose (``FB_Interlock`` or ``FB_Interlock.A_Lamp``), which language, and its lines."""

    owner: str
    language: str
    lines: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.language} body of {self.owner}"


def graphical_bodies(path: str, data: bytes) -> list[GraphicalBody]:
    """The graphical bodies of a TwinCAT or PLCopen file (none for other files or unreadable ones)."""
    suffix = PurePath(path).suffix.lower()
    try:
        if suffix in _TWINCAT_SUFFIXES:
            return _twincat(read_xml(path, data).root)
        if suffix == ".xml" and b"plcopen.org/xml/tc6" in data[:4096]:
            return _plcopen(read_xml(path, data).root)
    except DiagnosticError:
        return []
    return []


def comment_lines(bodies: list[GraphicalBody]) -> str:
    """The bodies as ``//`` comment lines to append to an ST view."""
    out = []
    for body in bodies:
        out.append(f"// plcops: {body.label} (not ST; normalised for diffs)\n")
        out.extend(f"//   {line}\n" for line in body.lines)
    return "".join(out)


def _twincat(root: XmlElement) -> list[GraphicalBody]:
    found: list[GraphicalBody] = []
    for obj in root.children:
        name = obj.attributes.get("Name", "")
        owners = [(name, obj)] + [
            (f"{name}.{child.attributes['Name']}", child)
            for child in obj.children
            if child.local_name in ("Method", "Action", "Transition") and "Name" in child.attributes
        ]
        for owner, element in owners:
            implementation = element.find("Implementation")
            for body in implementation.children if implementation is not None else []:
                if body.local_name != "ST":
                    language = {"NWL": "LD/FBD"}.get(body.local_name, body.local_name)
                    found.append(GraphicalBody(owner, language, _render(body)))
    return found


def _plcopen(root: XmlElement) -> list[GraphicalBody]:
    found: list[GraphicalBody] = []
    for pou in (element for element in root.iter() if element.local_name == "pou"):
        name = pou.attributes.get("name", "")
        owners = [(name, pou)] + [
            (f"{name}.{element.attributes.get('name', '')}", element)
            for element in pou.iter()
            if element.local_name in ("action", "transition")
        ]
        for owner, element in owners:
            body = element.find("body")
            for language in body.children if body is not None else []:
                if language.local_name in _PLCOPEN_GRAPHICAL:
                    found.append(GraphicalBody(owner, language.local_name, _render(language)))
    return found


def _render(element: XmlElement, depth: int = 0) -> list[str]:
    if element.local_name.casefold() in _VOLATILE_ELEMENTS:
        return []
    attributes = " ".join(
        f"{key.rsplit('}', 1)[-1]}={value!r}"
        for key, value in sorted(element.attributes.items())
        if key.rsplit("}", 1)[-1].casefold() not in _VOLATILE_ATTRIBUTES
    )
    text = " ".join(element.text.split())
    line = "  " * depth + element.local_name + (f" {attributes}" if attributes else "") + (f": {text}" if text else "")
    lines = [line]
    for child in element.children:
        lines.extend(_render(child, depth + 1))
    return lines
