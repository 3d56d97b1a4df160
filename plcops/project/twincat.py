"""The Structured Text inside TwinCAT 3 PLC object files.

A ``.TcPOU`` keeps a POU's declaration and implementation in separate CDATA sections, and each method,
property accessor and action in elements of its own. plcops reads those sections as one ST text, the way
an IEC 61131-3 text file would write the same POU::

    FUNCTION_BLOCK FB_Motor          <- <Declaration>
    VAR ... END_VAR
    bRunning := bEnable;             <- <Implementation><ST>
    END_FUNCTION_BLOCK               <- added by plcops
    METHOD Start : BOOL ...          <- <Method><Declaration> + <Implementation><ST>
    END_METHOD                       <- added by plcops

The added keywords are the only text that does not come from the file, and every diagnostic is mapped back
to the line and column of the ``.TcPOU`` it came from.
"""

from __future__ import annotations

from pathlib import Path

from plcops.project.mapped_text import MappedTextBuilder
from plcops.project.xmlscan import XmlDocument, XmlElement, read_xml
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.lexer import tokenize
from plcops.st.source import SourceText

TWINCAT_SUFFIXES = frozenset({".tcpou", ".tcdut", ".tcgvl", ".tcio"})

_END_KEYWORDS = {"_PROGRAM": "END_PROGRAM", "_FUNCTION": "END_FUNCTION", "_FUNCTION_BLOCK": "END_FUNCTION_BLOCK"}


def _first_keyword(element: XmlElement | None) -> str | None:
    """The terminal of the first token in a declaration section (``_FUNCTION_BLOCK``, ...)."""
    if element is None:
        return None
    tokens = tokenize(element.text).tokens
    return tokens[0][0] if tokens else None


def _implementation_st(element: XmlElement) -> XmlElement | None:
    implementation = element.find("Implementation")
    return implementation.find("ST") if implementation is not None else None


def _add_body(out: MappedTextBuilder, element: XmlElement) -> None:
    out.copy_text_of(element.find("Declaration"))
    out.write("\n")
    st = _implementation_st(element)
    if st is not None:
        out.copy_text_of(st)
        out.write("\n")


def twincat_source(document: XmlDocument) -> SourceText:
    """The ST text of a TwinCAT PLC object file (see the module docstring).

    Raises:
        DiagnosticError: when the file is not a TwinCAT POU, DUT, GVL or interface.
    """
    objects = [child for child in document.root.children if child.local_name in ("POU", "DUT", "GVL", "Itf")]
    if document.root.local_name != "TcPlcObject" or not objects:
        raise DiagnosticError(
            Diagnostic(
                document.path, 1, 1, "not a TwinCAT PLC object (expected <TcPlcObject> with a POU, DUT, GVL or Itf)"
            )
        )
    out = MappedTextBuilder(document.text)
    for obj in objects:
        kind = obj.local_name
        if kind in ("DUT", "GVL"):
            out.copy_text_of(obj.find("Declaration"))
            out.write("\n")
            continue
        if kind == "POU":
            _add_body(out, obj)
            end = _END_KEYWORDS.get(_first_keyword(obj.find("Declaration")) or "", "END_FUNCTION_BLOCK")
            out.write(f"{end}\n")
        else:
            out.copy_text_of(obj.find("Declaration"))
            out.write("\n")
        for member in obj.children:
            name = member.local_name
            if name == "Method":
                _add_body(out, member)
                out.write("END_METHOD\n")
            elif name == "Property":
                out.copy_text_of(member.find("Declaration"))
                out.write("\n")
                for accessor in ("Get", "Set"):
                    part = member.find(accessor)
                    if part is not None:
                        out.write(f"{accessor.upper()}\n")
                        _add_body(out, part)
                        out.write(f"END_{accessor.upper()}\n")
                out.write("END_PROPERTY\n")
            elif name == "Action":
                st = _implementation_st(member)
                if st is not None:
                    out.write(f"ACTION {member.attributes.get('Name', 'Action')}:\n")
                    out.copy_text_of(st)
                    out.write("\nEND_ACTION\n")
        if kind == "Itf":
            out.write("END_INTERFACE\n")
    return out.source(document.path)


def read_twincat(path: Path | str) -> SourceText:
    """Read a ``.TcPOU``/``.TcDUT``/``.TcGVL``/``.TcIO`` file as ST text."""
    return twincat_source(read_xml(path))
