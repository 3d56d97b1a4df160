"""Writing a :class:`~plcops.diff.semantic.DiffReport` as text, JSON or Markdown."""

from __future__ import annotations

import json

from plcops.diff.semantic import DiffReport, ObjectChange, VariableChange

_VERBS = {
    "added": "added",
    "removed": "removed",
    "renamed": "renamed",
    "moved": "moved",
    "modified": "modified",
    "format": "reformatted (layout or comments only)",
}


def _headline(change: ObjectChange) -> str:
    text = f"{change.kind} {change.name}: {_VERBS.get(change.change, change.change)}"
    if change.change == "renamed" and change.old_name:
        text += f" (was {change.old_name})"
    if change.old_path and change.old_path != change.path and change.change != "removed":
        text += f" (from {change.old_path} to {change.path})"
    else:
        text += f" ({change.path})"
    return text


def _variable_line(variable: VariableChange) -> str:
    name, change, section, old, new = variable.name, variable.change, variable.section, variable.old, variable.new
    if change == "added":
        return f"variable {name} added in {section}: {new}"
    if change == "removed":
        return f"variable {name} removed from {section} (was {old})"
    if change == "moved":
        return f"variable {name} moved from {old} to {new}"
    return f"variable {name} {change}: {old or '(none)'} -> {new or '(none)'}"


def render_text(report: DiffReport) -> str:
    """For a terminal."""
    lines = [f"plcops diff {report.old_label} -> {report.new_label}"]
    summary = report.summary()
    lines.append(", ".join(f"{count} {name}" for name, count in summary.items() if count) or "no changes")
    for problem in report.problems:
        lines.append(f"warning: {problem}")
    for change in report.changes:
        lines.append("")
        lines.append(_headline(change))
        lines.extend(f"  {_variable_line(v)}" for v in change.variables)
        for member in change.members:
            lines.append(f"  {member.name}: {_VERBS.get(member.change, member.change)}")
            if member.diff and member.change != "added" and member.change != "removed":
                lines.extend(f"    {line}" for line in member.diff.rstrip("\n").splitlines())
        for diff in (change.body_diff, change.text_diff if change.change not in ("added", "removed") else ""):
            if diff:
                lines.extend(f"  {line}" for line in diff.rstrip("\n").splitlines())
    return "\n".join(lines) + "\n"


def render_json(report: DiffReport) -> str:
    """One JSON object, for CI bots."""
    return json.dumps(
        {
            "from": report.old_label,
            "to": report.new_label,
            "summary": report.summary(),
            "changes": [change.to_json() for change in report.changes],
            "problems": report.problems,
        }
    )


def render_markdown(report: DiffReport) -> str:
    """For a pull-request comment."""
    summary = report.summary()
    parts = [
        f"### PLC changes: `{report.old_label}` → `{report.new_label}`",
        "",
        " · ".join(f"**{count}** {name}" for name, count in summary.items() if count) or "No changes.",
    ]
    for problem in report.problems:
        parts += ["", f"> ⚠️ {problem}"]
    for change in report.changes:
        parts += ["", f"#### {_headline(change)}"]
        if change.variables:
            parts.append("")
            parts.extend(f"- {_variable_line(v)}" for v in change.variables)
        if change.members:
            parts.append("")
            parts.extend(f"- {m.name}: {_VERBS.get(m.change, m.change)}" for m in change.members)
        diffs = [change.body_diff] + [m.diff for m in change.members if m.change in ("modified", "format")]
        if change.change in ("added", "removed", "format") or not any(diffs):
            diffs.append(change.text_diff)
        for diff in diffs:
            if diff:
                parts += ["", "```diff", diff.rstrip("\n"), "```"]
    return "\n".join(parts) + "\n"
