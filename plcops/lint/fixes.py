"""Applying the fixes rules offer: safe ones by default, unsafe ones on request, never a broken file.

For each file with fixable findings: apply the edits that do not overlap, parse and lint the result
again, and repeat (at most :data:`MAX_ROUNDS` times) until no fixable finding is left, as one fix can
reveal another. The file is written once, at the end, and only when

* the fixed text still parses without errors (a fix must never turn a file into one the IDE rejects), and
* every edit could be mapped back into the original file.

Edits are made in the text plcops parsed. For a ``.st`` file that is the file; for a TwinCAT or PLCopen
XML file it is the ST gathered from the XML, and each edit is mapped back through the source's segments
into the XML. An edit that spans two pieces, or that would have to write XML markup characters into
escaped PLCopen text, is skipped rather than guessed. The file keeps its encoding, byte-order mark and
line endings, and is replaced atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from plcops.lint.config import LintConfig
from plcops.lint.rule import Edit, Finding, Rule
from plcops.lint.suppression import apply_suppressions
from plcops.project.sources import XML_SUFFIXES, read_bytes, read_source
from plcops.project.workspace import write_atomically
from plcops.st.diagnostics import DiagnosticError
from plcops.st.parser import ParseResult, parse_source
from plcops.st.source import SourceText, decode_source
from plcops.st.symbols import ProjectIndex

MAX_ROUNDS = 10


@dataclass(slots=True)
class FixedFile:
    """What fixing did to one file."""

    path: str
    applied: list[str] = field(default_factory=list)  # rule codes, one per applied fix
    skipped: list[str] = field(default_factory=list)  # why fixes were not applied
    written: bool = False


def wanted(finding: Finding, unsafe: bool) -> bool:
    """Whether a finding's fix runs under the chosen mode."""
    return finding.fix is not None and (finding.fix.safe or unsafe)


def fix_file(
    path: str, index: ProjectIndex, config: LintConfig, rules: dict[str, type[Rule]], *, unsafe: bool = False
) -> FixedFile:
    """Apply fixes to one file until none is left (see the module docstring)."""
    from plcops.lint.engine import lint_file  # the engine imports this module's callers

    outcome = FixedFile(path)
    try:
        data = read_bytes(path)
    except DiagnosticError as exc:
        outcome.skipped.append(exc.diagnostic.message)
        return outcome
    decoded = decode_source(data)
    text = decoded.text
    is_xml = Path(path).suffix.lower() in XML_SUFFIXES
    good_text, good_applied = text, 0  # the last state that parsed cleanly
    for round_number in range(MAX_ROUNDS + 1):
        result, problem = _parse(path, decoded.encode(text))
        if result is None:
            if not outcome.applied:
                outcome.skipped.append(f"not fixed: {problem}")
                return outcome
            outcome.skipped.append(
                f"{', '.join(outcome.applied[good_applied:])}: fixing would leave {problem}; not applied"
            )
            text = good_text
            del outcome.applied[good_applied:]
            break
        good_text, good_applied = text, len(outcome.applied)
        if round_number == MAX_ROUNDS:
            break  # the last round only checks the text
        findings, records, _ = lint_file(path, result, index, config)
        kept = apply_suppressions(findings, records, rules).kept
        fixable = sorted((f for f in kept if wanted(f, unsafe)), key=lambda f: f.start)
        edits: list[Edit] = []
        for finding in fixable:
            assert finding.fix is not None
            mapped = [_map_edit(edit, result.source, is_xml) for edit in finding.fix.edits]
            if any(edit is None for edit in mapped):
                outcome.skipped.append(
                    f"{finding.code} at line {finding.line}: the fix cannot be placed exactly in the file"
                )
                continue
            candidate = [edit for edit in mapped if edit is not None]
            if any(_overlaps(edit, other) for edit in candidate for other in edits):
                continue  # applied in a later round, on the re-linted text
            edits.extend(candidate)
            outcome.applied.append(finding.code)
        if not edits:
            break
        text = _apply(text, edits)
    outcome.skipped = list(dict.fromkeys(outcome.skipped))
    if outcome.applied and text != decoded.text:
        write_atomically(Path(path), decoded.encode(text))
        outcome.written = True
    return outcome


def _parse(path: str, data: bytes) -> tuple[ParseResult | None, str]:
    """The parse of the (fixed) text, or None and why it is not clean."""
    try:
        result = parse_source(read_source(path, data))
    except DiagnosticError as exc:
        return None, exc.diagnostic.message
    if result.diagnostics or result.unit is None:
        return None, "syntax errors"
    return result, ""


def _overlaps(a: Edit, b: Edit) -> bool:
    # Two insertions at one offset would be applied in an arbitrary order: treat them as overlapping.
    return (a.start < b.end and b.start < a.end) or a.start == b.start


def _map_edit(edit: Edit, source: SourceText, is_xml: bool) -> Edit | None:
    """The edit in the original file's text, or None when it cannot be placed exactly."""
    replacement = edit.text
    start, end = edit.start, edit.end
    if source.is_mapped:
        if is_xml and any(c in replacement for c in "<&>"):
            return None  # would need escaping in PLCopen text; in TwinCAT CDATA it could end the section
        segment = source.segment_containing(start, end)
        if segment is None:
            return None
        start, end = segment.origin + start - segment.start, segment.origin + end - segment.start
    if "\n" in replacement and "\r\n" in source.origin_text[max(0, start - 200) : end + 200]:
        replacement = replacement.replace("\r\n", "\n").replace("\n", "\r\n")
    return Edit(start, end, replacement)


def _apply(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text
