"""Import and export of PLCopen TC6 XML projects.

Import writes one ST file per data type, POU, global variable list and configuration, each with a sidecar
holding its original XML element, and keeps the project file itself as a skeleton
(``vendor/<file>.plcopen``) in which each of those elements is a placeholder.

Export fills the skeleton back in. A unit whose ST was not edited is written as its original XML element,
byte for byte; an edited POU keeps its original element and has its body text (and, when the declarations
changed, its ``<interface>``) replaced; new units get new elements. Without a skeleton (a project written
by hand or imported from TwinCAT), a fresh ``tc6_0200`` document is written.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from xml.sax.saxutils import escape, quoteattr

from plcops.project.mapped_text import PlainTextBuilder
from plcops.project.plcopen import PLCOPS_VARKIND, PlcopenStWriter, _add_data
from plcops.project.sidecar import PLACEHOLDER_RE, Sidecar, placeholder, read_sidecar
from plcops.project.sources import is_plcopen_file, read_bytes
from plcops.project.workspace import FileSet, safe_name
from plcops.project.xmlscan import XmlDocument, XmlElement, read_xml
from plcops.st import ast
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.formatter import ELEMENTARY_TYPES
from plcops.st.parser import ParseResult, parse_text
from plcops.st.source import DecodedFile

PROJECT_SUFFIX = ".plcopen"
TC6_0200 = "http://www.plcopen.org/xml/tc6_0200"


def is_plcopen(path: Path) -> bool:
    """Whether a file is PLCopen XML."""
    return is_plcopen_file(path)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _element_text(document: XmlDocument, element: XmlElement) -> str:
    return document.text[element.start : element.end]


def _st_of(document: XmlDocument, write: Callable[[PlcopenStWriter], None]) -> str:
    out = PlainTextBuilder()
    write(PlcopenStWriter(document, out))
    return out.text


def _declaration_part(st_text: str) -> str:
    """The ST text of a unit up to its body: what decides whether ``<interface>`` must be rewritten."""
    result = parse_text(st_text)
    unit = result.unit
    if result.diagnostics or unit is None or not unit.items:
        return st_text
    item = unit.items[0]
    blocks = getattr(item, "var_blocks", [])
    end = blocks[-1].span.end if blocks else getattr(item, "name", item).span.end
    return st_text[:end]


def import_file(files: FileSet, path: Path, notes: list[str]) -> None:
    """Import one PLCopen file into ``files`` (see the module docstring)."""
    document = read_xml(path, read_bytes(path))
    root = document.root
    units: list[tuple[XmlElement, str, str, str, Callable[[PlcopenStWriter], None]]] = []

    def unit(element: XmlElement, folder: str, name: str, tag: str, method: str) -> None:
        def write(writer: PlcopenStWriter) -> None:
            getattr(writer, method)(element)

        units.append((element, folder, name, tag, write))

    types = root.find("types")
    if types is not None:
        data_types = types.find("dataTypes")
        for element in data_types.find_all("dataType") if data_types is not None else []:
            unit(element, "DUTs", element.attributes.get("name", ""), "dataType", "data_type")
        pous = types.find("pous")
        for element in pous.find_all("pou") if pous is not None else []:
            unit(element, "POUs", element.attributes.get("name", ""), "pou", "pou")
            body = element.find("body")
            if body is not None and body.find("ST") is None and body.children:
                notes.append(
                    f"{element.attributes.get('name')}: {body.children[0].local_name} body kept as vendor data"
                )
    for element in _add_data(root, "globalvars"):
        if element.local_name == "globalVars":
            unit(element, "GVLs", element.attributes.get("name", "GVL"), "globalVars", "variables")
    instances = root.find("instances")
    configurations = instances.find("configurations") if instances is not None else None
    for element in configurations.find_all("configuration") if configurations is not None else []:
        unit(element, "", element.attributes.get("name", "Configuration"), "configuration", "configuration")

    skeleton = document.text
    unit_paths: dict[str, str] = {}
    for number, (element, folder, name, tag, write) in enumerate(units):
        st_text = _st_of(document, write)
        meta: dict[str, Any] = {
            "format": "plcopen",
            "element": tag,
            "name": name,
            "st_sha": _sha(st_text),
            "declaration_sha": _sha(_declaration_part(st_text)),
        }
        relative = str(PurePosixPath("src", folder, f"{safe_name(name)}.st"))
        relative = files.add(relative, st_text.encode("utf-8"))
        files.add(relative + ".vendor", Sidecar(meta, _element_text(document, element)).dumps())
        unit_paths[str(number)] = relative
    for number, (element, *_rest) in reversed(list(enumerate(units))):
        skeleton = skeleton[: element.start] + placeholder(number) + skeleton[element.end :]
    project_meta = {
        "format": "plcopen-project",
        "file": path.name,
        "encoding": document.encoding,
        "bom": document.bom,
        "units": unit_paths,
    }
    files.add(str(PurePosixPath("vendor", path.name + PROJECT_SUFFIX)), Sidecar(project_meta, skeleton).dumps())


# ---------------------------------------------------------------------------------------------- ST -> XML


_SECTIONS = {
    "VAR_INPUT": "inputVars",
    "VAR_OUTPUT": "outputVars",
    "VAR_IN_OUT": "inOutVars",
    "VAR": "localVars",
    "VAR_TEMP": "tempVars",
    "VAR_EXTERNAL": "externalVars",
    "VAR_GLOBAL": "globalVars",
    "VAR_ACCESS": "accessVars",
    "VAR_STAT": "localVars",
    "VAR_INST": "localVars",
    "VAR_CONFIG": "globalVars",
}
_QUALIFIER_ATTRIBUTES = {
    "CONSTANT": "constant",
    "RETAIN": "retain",
    "NON_RETAIN": "nonretain",
    "PERSISTENT": "persistent",
}
_POU_TYPES = {ast.Program: "program", ast.Function: "function", ast.FunctionBlock: "functionBlock"}


class _XmlWriter:
    """Writes PLCopen XML for ST nodes; ``text`` is the ST source the nodes' spans refer to."""

    def __init__(self, text: str, notes: list[str], kept: dict[tuple[str, str], str] | None = None) -> None:
        self.text = text
        self.notes = notes
        # (section tag, variable name) -> the vendor children of that variable in the original file
        # (<documentation>, <addData>: comments and attributes plcops does not write), carried over.
        self.kept = kept or {}
        self.section = ""

    def source(self, node: ast.Node | None) -> str:
        return self.text[node.span.start : node.span.end] if node is not None else ""

    def type_xml(self, spec: ast.TypeSpec | None) -> str:
        if spec is None:
            return "<INT/>"
        if isinstance(spec, ast.NamedType):
            if spec.name.upper() in ELEMENTARY_TYPES and spec.name.upper() not in ("STRING", "WSTRING"):
                return f"<{spec.name.upper()}/>"
            if spec.name.upper() in ("STRING", "WSTRING"):
                return f"<{spec.name.lower()}/>"
            return f"<derived name={quoteattr(spec.name)}/>"
        if isinstance(spec, ast.SizedType):
            return f"<{spec.name.lower()} length={quoteattr(self.source(spec.size))}/>"
        if isinstance(spec, ast.ArrayType):
            dims = "".join(
                f"<dimension lower={quoteattr(self.source(d.low) or '0')} upper={quoteattr(self.source(d.high) or '0')}/>"
                for d in spec.dims
            )
            return f"<array>{dims}<baseType>{self.type_xml(spec.element)}</baseType></array>"
        if isinstance(spec, ast.PointerType):
            return f"<pointer><baseType>{self.type_xml(spec.target)}</baseType></pointer>"
        if isinstance(spec, ast.SubrangeType):
            kind = "subrangeUnsigned" if spec.name.upper().startswith("U") else "subrangeSigned"
            bounds = f"<range lower={quoteattr(self.source(spec.low))} upper={quoteattr(self.source(spec.high))}/>"
            return f"<{kind}>{bounds}<baseType>{self.type_xml(ast.NamedType(spec.name, span=spec.span))}</baseType></{kind}>"
        if isinstance(spec, ast.EnumType):
            values = "".join(
                f"<value name={quoteattr(v.name)}"
                + (f" value={quoteattr(self.source(v.value))}" if v.value else "")
                + "/>"
                for v in spec.values
            )
            base = (
                f"<baseType>{self.type_xml(ast.NamedType(spec.base, span=spec.span))}</baseType>" if spec.base else ""
            )
            return f"<enum><values>{values}</values>{base}</enum>"
        if isinstance(spec, ast.StructType):
            return f"<struct>{''.join(self.variable_xml(d) for d in spec.members)}</struct>"
        if isinstance(spec, ast.InstanceType):
            self.notes.append(f"FB_init arguments of {spec.name} cannot be written in PLCopen XML and are dropped")
            return f"<derived name={quoteattr(spec.name)}/>"
        # REFERENCE TO, UNION: no PLCopen element; CODESYS reads the ST spelling from a derived type.
        return f"<derived name={quoteattr(self.source(spec))}/>"

    def value_xml(self, value: ast.Node | None) -> str:
        if isinstance(value, ast.ArrayLiteral):
            items = []
            for item in value.items:
                if isinstance(item, ast.RepeatInit):
                    inner = self.value_xml(item.value) if item.value is not None else "<simpleValue/>"
                    items.append(f'<value repetitionValue="{item.count}">{inner}</value>')
                else:
                    items.append(f"<value>{self.value_xml(item)}</value>")
            return f"<arrayValue>{''.join(items)}</arrayValue>"
        if isinstance(value, ast.StructLiteral):
            fields = "".join(
                f"<value member={quoteattr(f.name)}>{self.value_xml(f.value)}</value>" for f in value.fields
            )
            return f"<structValue>{fields}</structValue>"
        return f"<simpleValue value={quoteattr(self.source(value))}/>"

    def variable_xml(self, decl: ast.VarDecl) -> str:
        out = []
        for name in decl.names:
            address = f" address={quoteattr(decl.address)}" if decl.address else ""
            initial = f"<initialValue>{self.value_xml(decl.init)}</initialValue>" if decl.init is not None else ""
            vendor = self.kept.get((self.section, name.text.casefold()), "")
            out.append(
                f"<variable name={quoteattr(name.text)}{address}><type>{self.type_xml(decl.type)}</type>{initial}"
                f"{vendor}</variable>"
            )
        return "".join(out)

    def sections_xml(self, blocks: list[ast.VarBlock]) -> str:
        out = []
        for block in blocks:
            tag = _SECTIONS.get(block.kind, "localVars")
            attributes = "".join(
                f' {_QUALIFIER_ATTRIBUTES[q]}="true"' for q in block.qualifiers if q in _QUALIFIER_ATTRIBUTES
            )
            kind = ""
            self.section = tag
            if block.kind in ("VAR_STAT", "VAR_INST"):
                kind = f'<addData><data name="{PLCOPS_VARKIND}" handleUnknown="preserve">{block.kind}</data></addData>'
            out.append(f"<{tag}{attributes}>{''.join(self.variable_xml(d) for d in block.decls)}{kind}</{tag}>")
        return "".join(out)

    def interface_xml(self, pou: ast.Pou, return_type: ast.TypeSpec | None) -> str:
        result = f"<returnType>{self.type_xml(return_type)}</returnType>" if return_type is not None else ""
        inheritance = ""
        extends = getattr(pou, "extends", None)
        implements = getattr(pou, "implements", [])
        if extends or implements:
            parts = (f"<Extends>{escape(extends)}</Extends>" if extends else "") + (
                f"<Implements>{escape(', '.join(implements))}</Implements>" if implements else ""
            )
            inheritance = (
                '<addData><data name="http://www.3s-software.com/plcopenxml/pouinheritance" handleUnknown="implementation">'
                f"<Inheritance>{parts}</Inheritance></data></addData>"
            )
        return f"<interface>{result}{self.sections_xml(pou.var_blocks)}{inheritance}</interface>"

    def body_text(self, pou: ast.Pou) -> str:
        if not pou.body:
            return ""
        return self.text[pou.body[0].span.start : pou.body[-1].span.end]

    def body_xml(self, pou: ast.Pou) -> str:
        return (
            f'<body><ST><xhtml xmlns="http://www.w3.org/1999/xhtml">{escape(self.body_text(pou))}</xhtml></ST></body>'
        )

    def method_xml(self, method: ast.Method) -> str:
        return (
            '<data name="http://www.3s-software.com/plcopenxml/method" handleUnknown="implementation">'
            f"<Method name={quoteattr(method.name.text)}>{self.interface_xml(method, method.return_type)}"
            f"{self.body_xml(method)}</Method></data>"
        )

    def pou_xml(self, pou: ast.Pou) -> str:
        kind = _POU_TYPES.get(type(pou), "functionBlock")
        methods = [m for m in getattr(pou, "members", []) if isinstance(m, ast.Method)]
        actions = [m for m in getattr(pou, "members", []) if isinstance(m, ast.Action)]
        for member in getattr(pou, "members", []):
            if isinstance(member, ast.Property):
                self.notes.append(f"property {pou.name.text}.{member.name.text} is not written to PLCopen XML")
        action_xml = "".join(f"<action name={quoteattr(a.name.text)}>{self.body_xml(a)}</action>" for a in actions)
        add_data = f"<addData>{''.join(self.method_xml(m) for m in methods)}</addData>" if methods else ""
        return (
            f"<pou name={quoteattr(pou.name.text)} pouType={quoteattr(kind)}>"
            f"{self.interface_xml(pou, getattr(pou, 'return_type', None))}"
            + (f"<actions>{action_xml}</actions>" if actions else "")
            + f"{self.body_xml(pou)}{add_data}</pou>"
        )

    def data_type_xml(self, decl: ast.TypeDecl) -> str:
        initial = f"<initialValue>{self.value_xml(decl.init)}</initialValue>" if decl.init is not None else ""
        return f"<dataType name={quoteattr(decl.name.text)}><baseType>{self.type_xml(decl.type)}</baseType>{initial}</dataType>"

    def global_vars_xml(self, block: ast.VarBlock, name: str) -> str:
        return f"<globalVars name={quoteattr(name)}>{''.join(self.variable_xml(d) for d in block.decls)}</globalVars>"

    def configuration_xml(self, config: ast.Configuration) -> str:
        resources = []
        for resource in config.resources:
            tasks = []
            for task in resource.tasks:
                attributes = "".join(
                    f" {arg.name.lower()}={quoteattr(self.source(arg.value))}"
                    for arg in task.args
                    if isinstance(arg, ast.NamedArg) and arg.value is not None
                )
                instances = "".join(
                    f"<pouInstance name={quoteattr(p.name.text)} typeName={quoteattr(p.type_name)}/>"
                    for p in resource.programs
                    if p.task and p.task.casefold() == task.name.text.casefold()
                )
                tasks.append(f"<task name={quoteattr(task.name.text)}{attributes}>{instances}</task>")
            loose = "".join(
                f"<pouInstance name={quoteattr(p.name.text)} typeName={quoteattr(p.type_name)}/>"
                for p in resource.programs
                if not p.task
            )
            globals_xml = self.sections_xml(resource.var_blocks)
            resources.append(
                f"<resource name={quoteattr(resource.name.text)}>{''.join(tasks)}{loose}{globals_xml}</resource>"
            )
        return f"<configuration name={quoteattr(config.name.text)}>{''.join(resources)}{self.sections_xml(config.var_blocks)}</configuration>"


def _parsed(text: str, path: str) -> ParseResult:
    result = parse_text(text, path)
    if result.diagnostics or result.unit is None:
        raise DiagnosticError(result.diagnostics[0])
    return result


def _fresh_elements(text: str, path: str, notes: list[str]) -> list[tuple[str, str]]:
    """``(container, element XML)`` for every item of an ST file."""
    result = _parsed(text, path)
    writer = _XmlWriter(result.source.text, notes)
    out: list[tuple[str, str]] = []
    assert result.unit is not None
    for item in result.unit.items:
        if isinstance(item, ast.TypeBlock):
            out.extend(("dataTypes", writer.data_type_xml(decl)) for decl in item.decls)
        elif isinstance(item, (ast.Program, ast.Function, ast.FunctionBlock)):
            out.append(("pous", writer.pou_xml(item)))
        elif isinstance(item, ast.VarBlock):
            out.append(("globalvars", writer.global_vars_xml(item, Path(path).stem)))
        elif isinstance(item, ast.Configuration):
            out.append(("configurations", writer.configuration_xml(item)))
        else:
            notes.append(
                f"{path}: {type(item).__name__} {getattr(getattr(item, 'name', None), 'text', '')} has no PLCopen form; skipped"
            )
    return out


def _edited_pou(sidecar: Sidecar, text: str, path: str, notes: list[str]) -> str:
    """An edited POU: its original element with a new body and, if declarations changed, interface."""
    result = _parsed(text, path)
    assert result.unit is not None
    pou = result.unit.items[0]
    writer = _XmlWriter(result.source.text, notes)
    original = sidecar.skeleton
    if not isinstance(pou, (ast.Program, ast.Function, ast.FunctionBlock)) or "<pou" not in original[:20]:
        return writer.pou_xml(pou) if isinstance(pou, ast.Pou) else original
    document = read_xml(path + ".vendor", original.encode("utf-8"))
    element = document.root
    edits: list[tuple[int, int, str]] = []
    interface = element.find("interface")
    if _sha(_declaration_part(text)) != sidecar.meta.get("declaration_sha") and interface is not None:
        # Per-variable vendor data (documentation, attributes) is carried over, and the new interface is laid
        # out like the original, so changing one variable changes a few lines of XML, not one long line.
        writer.kept = _vendor_children(original, interface)
        fresh = writer.interface_xml(pou, getattr(pou, "return_type", None))
        line_start = original.rfind("\n", 0, interface.start) + 1
        indent = original[line_start : interface.start] if not original[line_start : interface.start].strip() else ""
        edits.append((interface.start, interface.end, _interface_update(original, interface, fresh, indent)))
    body = element.find("body")
    st = body.find("ST") if body is not None else None
    if st is not None:
        holder = st.children[0] if st.children else st
        inner_start = original.find(">", holder.start) + 1
        inner_end = original.rfind("</", inner_start, holder.end)
        cdata = any(run.cdata for run in holder.runs)
        new_body = writer.body_text(pou)
        replacement = ("<![CDATA[" + new_body.replace("]]>", "]]]]><![CDATA[>") + "]]>") if cdata else escape(new_body)
        edits.append((inner_start, inner_end, replacement))
    elif pou.body:
        notes.append(f"{path}: the POU's body is not ST in the PLCopen file; ST statements were not written")
    for start, end, replacement in sorted(edits, reverse=True):
        original = original[:start] + replacement + original[end:]
    return original


def _vendor_children(text: str, interface: XmlElement) -> dict[tuple[str, str], str]:
    """The ``<documentation>`` and ``<addData>`` of each variable of an interface, by (section, name)."""
    kept: dict[tuple[str, str], str] = {}
    for section in interface.children:
        for variable in section.find_all("variable"):
            parts = [
                text[child.start : child.end]
                for child in variable.children
                if child.local_name in ("documentation", "addData")
            ]
            if parts:
                kept[(section.local_name, variable.attributes.get("name", "").casefold())] = "".join(parts)
    return kept


def _canonical(xml: str) -> str:
    """XML text compared by content: no white space between tags, ``<X />`` as ``<X/>``."""
    return re.sub(r"\s*/>", "/>", re.sub(r">\s+<", "><", xml.strip()))


def _interface_update(original: str, interface: XmlElement, fresh: str, indent: str, step: str = "  ") -> str:
    """The new ``<interface>``: every part whose content did not change keeps its original text (layout,
    vendor formatting); changed and new parts are written one element a line, indented like the file."""
    new_root = read_xml("<interface>", fresh.encode("utf-8")).root
    lines: list[str] = []

    def original_text(element: XmlElement) -> str:
        return original[element.start : element.end]

    def pretty(text: str, element: XmlElement, depth: int) -> None:
        pad = indent + step * depth
        raw = text[element.start : element.end]
        if element.local_name in ("documentation", "addData") or not element.children:
            lines.append(pad + re.sub(r"\s*/>$", " />", raw) if not element.children else pad + raw)
            return
        lines.append(pad + text[element.start : text.index(">", element.start) + 1])
        for child in element.children:
            pretty(text, child, depth + 1)
        lines.append(pad + f"</{element.tag}>")

    def counted(children: list[XmlElement]) -> dict[tuple[str, int], XmlElement]:
        seen: dict[str, int] = {}
        found = {}
        for child in children:
            index = seen.get(child.local_name, 0)
            seen[child.local_name] = index + 1
            found[(child.local_name, index)] = child
        return found

    old_parts = counted(interface.children)
    lines.append(indent + "<interface>")
    for key, part in counted(new_root.children).items():
        old = old_parts.get(key)
        if old is not None and _canonical(original_text(old)) == _canonical(fresh[part.start : part.end]):
            lines.append(indent + step + original_text(old))
            continue
        if old is None or not part.find_all("variable"):
            pretty(fresh, part, 1)
            continue
        old_variables = {v.attributes.get("name", "").casefold(): v for v in old.find_all("variable")}
        lines.append(indent + step + fresh[part.start : fresh.index(">", part.start) + 1])
        for child in part.children:
            previous = old_variables.get(child.attributes.get("name", "").casefold())
            if previous is not None and _canonical(original_text(previous)) == _canonical(
                fresh[child.start : child.end]
            ):
                lines.append(indent + step * 2 + original_text(previous))
            else:
                pretty(fresh, child, 2)
        lines.append(indent + step + f"</{part.tag}>")
    lines.append(indent + "</interface>")
    return "\n".join(lines).removeprefix(indent)


def _unit_xml(unit: Path, text: str, notes: list[str]) -> list[tuple[str, str]]:
    sidecar = read_sidecar(unit)
    if sidecar is not None and sidecar.format == "plcopen":
        if sidecar.meta.get("st_sha") in (_sha(text), _sha(text.replace("\r\n", "\n"))):
            return [("", sidecar.skeleton)]  # unchanged (a CRLF checkout of it too: git's autocrlf)
        text = text.replace("\r\n", "\n")  # the ST as import wrote it: LF
        if sidecar.meta.get("element") == "pou":
            return [("", _edited_pou(sidecar, text, str(unit), notes))]
    return _fresh_elements(text, str(unit), notes)


def export_project(
    project: Path, units: list[Path], read: Callable[[Path], str], notes: list[str] | None = None
) -> bytes:
    """The PLCopen XML for a plcops project (see the module docstring)."""
    notes = notes if notes is not None else []
    skeletons = sorted((project / "vendor").glob(f"*{PROJECT_SUFFIX}")) if (project / "vendor").is_dir() else []
    placed: set[str] = set()
    if skeletons:
        project_sidecar = Sidecar.loads(skeletons[0].read_bytes())
        paths = {number: project / relative for number, relative in project_sidecar.meta.get("units", {}).items()}
        existing = {path.resolve() for path in units}

        def fill(match: Any) -> str:
            path = paths.get(match.group(1))
            if path is None or path.resolve() not in existing:
                return ""  # the unit's ST file was deleted
            placed.add(str(path.resolve()))
            return "".join(xml for _, xml in _unit_xml(path, read(path), notes))

        skeleton = PLACEHOLDER_RE.sub(fill, project_sidecar.skeleton)
        new = [
            (c, x) for unit in units if str(unit.resolve()) not in placed for c, x in _unit_xml(unit, read(unit), notes)
        ]
        skeleton = _insert_new(skeleton, new)
        meta = project_sidecar.meta
        return DecodedFile(skeleton, meta.get("encoding", "utf-8"), bool(meta.get("bom"))).encode()
    elements = [(c, x) for unit in units for c, x in _unit_xml(unit, read(unit), notes)]
    return _fresh_document(project.name, elements).encode("utf-8")


def _fresh_document(name: str, elements: list[tuple[str, str]]) -> str:
    def group(container: str) -> str:
        return "".join(xml for c, xml in elements if c == container)

    global_vars = group("globalvars")
    add_data = (
        f'<addData><data name="http://www.3s-software.com/plcopenxml/globalvars" handleUnknown="implementation">{global_vars}</data></addData>'
        if global_vars
        else ""
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<project xmlns="{TC6_0200}">\n'
        '  <fileHeader companyName="" productName="plcops" productVersion="1" creationDateTime="1970-01-01T00:00:00"/>\n'
        f'  <contentHeader name={quoteattr(name)}><coordinateInfo><fbd><scaling x="1" y="1"/></fbd>'
        '<ld><scaling x="1" y="1"/></ld><sfc><scaling x="1" y="1"/></sfc></coordinateInfo></contentHeader>\n'
        f"  <types><dataTypes>{group('dataTypes')}</dataTypes><pous>{group('pous')}</pous></types>\n"
        f"  <instances><configurations>{group('configurations')}</configurations></instances>\n"
        f"  {add_data}\n"
        "</project>\n"
    )


def _insert_new(skeleton: str, new: list[tuple[str, str]]) -> str:
    """Insert new elements into their containers in a filled skeleton."""
    for container, xml in new:
        if not container:
            continue
        tag = {"globalvars": "addData"}.get(container, container)
        if container == "globalvars":
            xml = f'<data name="http://www.3s-software.com/plcopenxml/globalvars" handleUnknown="implementation">{xml}</data>'
        close = skeleton.rfind(f"</{tag}>")
        empty = skeleton.find(f"<{tag} />") if close < 0 else -1
        empty = skeleton.find(f"<{tag}/>") if close < 0 and empty < 0 else empty
        if close >= 0:
            skeleton = skeleton[:close] + xml + skeleton[close:]
        elif empty >= 0:
            end = skeleton.find(">", empty) + 1
            skeleton = skeleton[:empty] + f"<{tag}>{xml}</{tag}>" + skeleton[end:]
    return skeleton


def document_name(path: Path) -> str:
    """The PLCopen file name of an export target."""
    return safe_name(path.stem, "project") + ".xml"


__all__ = ["export_project", "import_file", "is_plcopen", "Diagnostic"]
