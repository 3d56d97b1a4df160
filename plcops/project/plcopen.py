"""The Structured Text view of PLCopen TC6 XML (``tc6_0200`` from CODESYS/TwinCAT/e!COCKPIT and
``tc6_0201`` from Beremiz/OpenPLC Editor).

PLCopen stores declarations as XML (``<inputVars><variable name="x"><type><INT/></type>...``) and ST bodies
as text (CDATA in Beremiz, escaped XHTML in CODESYS). plcops writes the declarations back as ST text, copies
the bodies unchanged, and maps every position to the XML element it came from::

    FUNCTION_BLOCK FB_Dimmer EXTENDS FB_Base     <- <pou pouType="functionBlock"> + CODESYS addData
    VAR_INPUT
        TOGGLE : BOOL;                           <- <variable name="TOGGLE">
    END_VAR
    ...body...                                   <- <body><ST>, copied character for character
    METHOD SetDimValue ...                       <- CODESYS addData method
    END_FUNCTION_BLOCK

Bodies in LD, FBD, SFC or IL are not ST; only the POU's declarations are read from them.
"""

from __future__ import annotations

from pathlib import Path

from plcops.project.mapped_text import MappedTextBuilder, PlainTextBuilder
from plcops.project.xmlscan import XmlDocument, XmlElement, read_xml
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.source import SourceText

_VAR_SECTIONS = {
    "inputVars": "VAR_INPUT",
    "outputVars": "VAR_OUTPUT",
    "inOutVars": "VAR_IN_OUT",
    "localVars": "VAR",
    "tempVars": "VAR_TEMP",
    "externalVars": "VAR_EXTERNAL",
    "globalVars": "VAR_GLOBAL",
    "accessVars": "VAR_ACCESS",
}
_QUALIFIERS = (
    ("constant", "CONSTANT"),
    ("retain", "RETAIN"),
    ("nonretain", "NON_RETAIN"),
    ("persistent", "PERSISTENT"),
)
_POU_KEYWORDS = {"program": "PROGRAM", "function": "FUNCTION", "functionBlock": "FUNCTION_BLOCK"}
_CODESYS = "http://www.3s-software.com/plcopenxml/"


def _add_data(element: XmlElement, kind: str) -> list[XmlElement]:
    """CODESYS extension payloads ``<addData><data name=".../kind">`` of an element."""
    found: list[XmlElement] = []
    add_data = element.find("addData")
    if add_data is None:
        return found
    for data in add_data.find_all("data"):
        if data.attributes.get("name", "") == _CODESYS + kind:
            found.extend(data.children)
    return found


def render_type(element: XmlElement | None) -> str:
    """The ST spelling of a PLCopen ``<type>``/``<baseType>`` element."""
    if element is None or not element.children:
        return "INT"
    spec = element.children[0]
    name = spec.local_name
    attributes = spec.attributes
    if name == "derived":
        return attributes.get("name", "INT")
    if name in ("string", "wstring"):
        length = attributes.get("length")
        return f"{name.upper()}({length})" if length else name.upper()
    if name == "array":
        dims = ", ".join(
            f"{d.attributes.get('lower', '0')}..{d.attributes.get('upper', '0')}" for d in spec.find_all("dimension")
        )
        return f"ARRAY[{dims}] OF {render_type(spec.find('baseType'))}"
    if name == "pointer":
        return f"POINTER TO {render_type(spec.find('baseType'))}"
    if name in ("subrangeSigned", "subrangeUnsigned"):
        bounds = spec.find("range")
        low = bounds.attributes.get("lower", "0") if bounds is not None else "0"
        high = bounds.attributes.get("upper", "0") if bounds is not None else "0"
        return f"{render_type(spec.find('baseType'))} ({low}..{high})"
    if name == "enum":
        values_element = spec.find("values")
        values = []
        for value in values_element.find_all("value") if values_element is not None else []:
            text = value.attributes.get("name", "")
            if "value" in value.attributes:
                text += f" := {value.attributes['value']}"
            values.append(text)
        base = spec.find("baseType")
        return f"({', '.join(values)})" + (f" {render_type(base)}" if base is not None else "")
    return name  # elementary: <BOOL/>, <INT/>, <TIME/>, ...


def render_value(element: XmlElement | None) -> str | None:
    """The ST spelling of an ``<initialValue>`` (simple, array or struct value)."""
    if element is None or not element.children:
        return None
    value = element.children[0]
    name = value.local_name
    if name == "simpleValue":
        return value.attributes.get("value", "")
    if name == "arrayValue":
        items = []
        for item in value.find_all("value"):
            inner = render_value(item) or ""
            repeat = item.attributes.get("repetitionValue")
            items.append(f"{repeat}({inner})" if repeat else inner)
        return f"[{', '.join(items)}]"
    if name == "structValue":
        members = [
            f"{item.attributes.get('member', '')} := {render_value(item) or ''}" for item in value.find_all("value")
        ]
        return f"({', '.join(members)})"
    return None


PLCOPS_VARKIND = "http://www.plcops.org/xml/varkind"


class PlcopenStWriter:
    """Writes the ST view of PLCopen elements into ``out`` (a MappedTextBuilder for parsing, or a
    PlainTextBuilder for the files ``plcops import`` writes)."""

    def __init__(self, document: XmlDocument, out: MappedTextBuilder | PlainTextBuilder | None = None) -> None:
        self.document = document
        self.out = out if out is not None else MappedTextBuilder(document.text)

    def write(self, text: str, element: XmlElement | None = None) -> None:
        self.out.write(text, element.start if element is not None else None)

    def variables(self, section: XmlElement, keyword: str | None = None, indent: str = "") -> None:
        keyword = keyword or _VAR_SECTIONS[section.local_name]
        add_data = section.find("addData")
        for data in add_data.find_all("data") if add_data is not None else []:
            if data.attributes.get("name") == PLCOPS_VARKIND and data.text.strip():
                keyword = data.text.strip()  # VAR_INST / VAR_STAT, which PLCopen has no section for
        qualifiers = [word for attribute, word in _QUALIFIERS if section.attributes.get(attribute) == "true"]
        self.write(f"{indent}{' '.join([keyword, *qualifiers])}\n", section)
        for variable in section.find_all("variable"):
            self.declaration(variable, indent + "    ")
        self.write(f"{indent}END_VAR\n", section)

    def declaration(self, variable: XmlElement, indent: str) -> None:
        text = f"{indent}{variable.attributes.get('name', '')}"
        if "address" in variable.attributes:
            text += f" AT {variable.attributes['address']}"
        text += f" : {render_type(variable.find('type'))}"
        value = render_value(variable.find("initialValue"))
        if value is not None:
            text += f" := {value}"
        self.write(text + ";\n", variable)

    def interface(self, interface: XmlElement | None) -> None:
        if interface is None:
            return
        for section in interface.children:
            if section.local_name in _VAR_SECTIONS:
                self.variables(section)

    def body(self, element: XmlElement) -> None:
        body = element.find("body")
        st = body.find("ST") if body is not None else None
        if st is None:
            return
        holder = st.children[0] if st.children else st
        if self.out.copy_text_of(holder) and not self.out.ends_with_newline():
            self.write("\n")

    def data_type(self, data_type: XmlElement) -> None:
        name = data_type.attributes.get("name", "")
        base = data_type.find("baseType")
        spec = base.children[0] if base is not None and base.children else None
        if spec is not None and spec.local_name == "struct":
            self.write(f"TYPE {name} :\nSTRUCT\n", data_type)
            for variable in spec.find_all("variable"):
                self.declaration(variable, "    ")
            self.write("END_STRUCT\nEND_TYPE\n", data_type)
            return
        value = render_value(data_type.find("initialValue"))
        initial = f" := {value}" if value is not None else ""
        self.write(f"TYPE {name} : {render_type(base)}{initial};\nEND_TYPE\n", data_type)

    def pou(self, pou: XmlElement) -> None:
        keyword = _POU_KEYWORDS.get(pou.attributes.get("pouType", ""), "FUNCTION_BLOCK")
        header = f"{keyword} {pou.attributes.get('name', '')}"
        interface = pou.find("interface")
        if interface is not None:
            return_type = interface.find("returnType")
            if return_type is not None:
                header += f" : {render_type(return_type)}"
            for inheritance in _add_data(interface, "pouinheritance"):
                extends = inheritance.find("Extends")
                implements = inheritance.find("Implements")
                if extends is not None and extends.text.strip():
                    header += f" EXTENDS {extends.text.strip()}"
                if implements is not None and implements.text.strip():
                    header += f" IMPLEMENTS {implements.text.strip()}"
        self.write(header + "\n", pou)
        self.interface(interface)
        self.body(pou)
        actions = pou.find("actions")
        for method in _add_data(pou, "method"):
            self.method(method)
        for prop in _add_data(pou, "property"):
            self.property(prop)
        self.write(f"END_{keyword}\n", pou)
        for action in actions.find_all("action") if actions is not None else []:
            self.write(f"ACTION {pou.attributes.get('name', '')}.{action.attributes.get('name', '')}:\n", action)
            self.body(action)
            self.write("END_ACTION\n", action)

    def method(self, method: XmlElement) -> None:
        interface = method.find("interface")
        header = f"METHOD {method.attributes.get('name', '')}"
        if interface is not None and interface.find("returnType") is not None:
            header += f" : {render_type(interface.find('returnType'))}"
        self.write(header + "\n", method)
        self.interface(interface)
        self.body(method)
        self.write("END_METHOD\n", method)

    def property(self, prop: XmlElement) -> None:
        interface = prop.find("interface")
        type_name = render_type(interface.find("returnType")) if interface is not None else "INT"
        self.write(f"PROPERTY {prop.attributes.get('name', '')} : {type_name}\n", prop)
        for tag, keyword in (("GetAccessor", "GET"), ("SetAccessor", "SET")):
            accessor = prop.find(tag)
            if accessor is not None:
                self.write(f"{keyword}\n", accessor)
                self.interface(accessor.find("interface"))
                self.body(accessor)
                self.write(f"END_{keyword}\n", accessor)
        self.write("END_PROPERTY\n", prop)

    def configuration(self, configuration: XmlElement) -> None:
        self.write(f"CONFIGURATION {configuration.attributes.get('name', '')}\n", configuration)
        for section in configuration.find_all("globalVars"):
            self.variables(section, indent="    ")
        for resource in configuration.find_all("resource"):
            self.write(f"    RESOURCE {resource.attributes.get('name', '')} ON PLC\n", resource)
            for section in resource.find_all("globalVars"):
                self.variables(section, indent="        ")
            for task in resource.find_all("task"):
                args = []
                for attribute, name in (("interval", "INTERVAL"), ("single", "SINGLE"), ("priority", "PRIORITY")):
                    if attribute in task.attributes:
                        args.append(f"{name} := {task.attributes[attribute]}")
                task_name = task.attributes.get("name", "")
                self.write(f"        TASK {task_name}({', '.join(args)});\n", task)
                for instance in task.find_all("pouInstance"):
                    self.write(
                        f"        PROGRAM {instance.attributes.get('name', '')} WITH {task_name} : "
                        f"{instance.attributes.get('typeName', '')};\n",
                        instance,
                    )
            for instance in resource.find_all("pouInstance"):
                name, type_name = instance.attributes.get("name", ""), instance.attributes.get("typeName", "")
                self.write(f"        PROGRAM {name} : {type_name};\n", instance)
            self.write("    END_RESOURCE\n", resource)
        self.write("END_CONFIGURATION\n", configuration)

    def project(self) -> SourceText:
        root = self.document.root
        types = root.find("types")
        if types is not None:
            data_types = types.find("dataTypes")
            for data_type in data_types.find_all("dataType") if data_types is not None else []:
                self.data_type(data_type)
            pous = types.find("pous")
            for pou in pous.find_all("pou") if pous is not None else []:
                self.pou(pou)
        for global_vars in _add_data(root, "globalvars"):
            if global_vars.local_name == "globalVars":
                if isinstance(self.out, MappedTextBuilder):  # parsing (not textconv's plain view)
                    # The GVL's name (GVL.x); an unnamed one is named after the file, not the GVL before it.
                    self.out.name_next(global_vars.attributes.get("name", ""))
                self.variables(global_vars)
        instances = root.find("instances")
        configurations = instances.find("configurations") if instances is not None else None
        for configuration in configurations.find_all("configuration") if configurations is not None else []:
            self.configuration(configuration)
        assert isinstance(self.out, MappedTextBuilder)
        return self.out.source(self.document.path)


def plcopen_source(document: XmlDocument) -> SourceText:
    """The ST view of a PLCopen TC6 XML project (see the module docstring).

    Raises:
        DiagnosticError: when the XML is not a PLCopen ``<project>``.
    """
    if document.root.local_name != "project" or "plcopen.org/xml/tc6" not in document.root.tag:
        raise DiagnosticError(
            Diagnostic(document.path, 1, 1, "not a PLCopen XML project (expected <project> in a tc6 namespace)")
        )
    return PlcopenStWriter(document).project()


def read_plcopen(path: Path | str) -> SourceText:
    """Read a PLCopen XML file as ST text."""
    return plcopen_source(read_xml(path))
