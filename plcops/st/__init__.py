"""The IEC 61131-3 Structured Text language core: lexer, grammar, typed AST, diagnostics, formatter.

This package imports nothing from the rest of plcops: every other layer builds on it.

Typical use::

    from plcops.st import parse_text
    result = parse_text(source_text, "Main.st")
    for diagnostic in result.diagnostics:
        print(diagnostic.format())
    for pou in result.unit.pous():
        print(pou.kind, pou.name.text)
"""

from __future__ import annotations

from plcops.st.diagnostics import Diagnostic, DiagnosticError, Severity
from plcops.st.parser import ParseResult, parse_expression, parse_source, parse_statements, parse_text
from plcops.st.source import SourceText, Span

__all__ = [
    "Diagnostic",
    "DiagnosticError",
    "ParseResult",
    "Severity",
    "SourceText",
    "Span",
    "parse_expression",
    "parse_source",
    "parse_statements",
    "parse_text",
]
