"""Comparing two snapshots object by object.

For each object (POU, type, GVL, configuration) the diff says whether it was added, removed, renamed
(matched by similarity of its text), moved to another file, or modified; for a modified object it lists
variables added, removed, retyped, re-initialised or moved to another section, members (methods,
properties, actions) added, removed or changed, and the change of its statements as a unified diff.
Changes that leave the code's meaning untouched (layout, comments, keyword case) are classified as
``format`` so reviewers can skip them (``--ignore-format`` hides them).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from plcops.diff.model import DiffObject, Snapshot

RENAME_SIMILARITY = 0.6


@dataclass(slots=True)
class VariableChange:
    """A change to one declared variable."""

    name: str
    change: str  # added, removed, retyped, reinitialised, moved, readdressed
    section: str
    old: str = ""
    new: str = ""


@dataclass(slots=True)
class MemberChange:
    """A change to a method, property or action."""

    name: str
    change: str  # added, removed, modified, format
    diff: str = ""


@dataclass(slots=True)
class ObjectChange:
    """The change to one object between the snapshots."""

    kind: str
    name: str
    change: str  # added, removed, renamed, moved, modified, format
    path: str
    old_path: str = ""
    old_name: str = ""
    variables: list[VariableChange] = field(default_factory=list)
    members: list[MemberChange] = field(default_factory=list)
    body_diff: str = ""
    text_diff: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON object for this change (keys with empty values left out)."""
        data: dict[str, Any] = {"kind": self.kind, "name": self.name, "change": self.change, "path": self.path}
        if self.old_path and self.old_path != self.path:
            data["old_path"] = self.old_path
        if self.old_name and self.old_name != self.name:
            data["old_name"] = self.old_name
        if self.variables:
            data["variables"] = [
                {k: v for k, v in vars_change.items() if v != ""}
                for vars_change in (
                    {"name": c.name, "change": c.change, "section": c.section, "old": c.old, "new": c.new}
                    for c in self.variables
                )
            ]
        if self.members:
            data["members"] = [
                {k: v for k, v in {"name": m.name, "change": m.change, "diff": m.diff}.items() if v}
                for m in self.members
            ]
        if self.body_diff:
            data["body_diff"] = self.body_diff
        if self.text_diff:
            data["text_diff"] = self.text_diff
        return data


@dataclass(slots=True)
class DiffReport:
    """All changes between two snapshots, in a stable order (by path, then name)."""

    old_label: str
    new_label: str
    changes: list[ObjectChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """How many changes of each kind."""
        counts = {name: 0 for name in ("added", "removed", "renamed", "moved", "modified", "format")}
        for change in self.changes:
            counts[change.change] = counts.get(change.change, 0) + 1
        return counts

    def without_format_changes(self) -> DiffReport:
        """The report without changes that only touch layout and comments."""
        kept = [c for c in self.changes if c.change != "format"]
        for change in kept:
            change.members = [m for m in change.members if m.change != "format"]
        return DiffReport(self.old_label, self.new_label, kept, self.problems)


def unified(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff of two texts ('' when equal)."""
    if old == new:
        return ""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=old_name, tofile=new_name, n=2
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _variable_changes(old: DiffObject, new: DiffObject) -> list[VariableChange]:
    changes: list[VariableChange] = []
    for key, variable in new.variables.items():
        before = old.variables.get(key)
        if before is None:
            changes.append(VariableChange(variable.name, "added", variable.section, new=variable.type))
            continue
        if before.section != variable.section:
            changes.append(VariableChange(variable.name, "moved", variable.section, before.section, variable.section))
        if before.type != variable.type:
            changes.append(VariableChange(variable.name, "retyped", variable.section, before.type, variable.type))
        if before.init != variable.init:
            changes.append(VariableChange(variable.name, "reinitialised", variable.section, before.init, variable.init))
        if before.address != variable.address:
            changes.append(
                VariableChange(variable.name, "readdressed", variable.section, before.address, variable.address)
            )
    for key, variable in old.variables.items():
        if key not in new.variables:
            changes.append(VariableChange(variable.name, "removed", variable.section, old=variable.type))
    return changes


def _member_changes(old: DiffObject, new: DiffObject) -> list[MemberChange]:
    changes: list[MemberChange] = []
    old_members = {k.casefold(): (k, v) for k, v in old.members.items()}
    for label, text in new.members.items():
        before = old_members.get(label.casefold())
        if before is None:
            changes.append(MemberChange(label, "added", unified("", text, "/dev/null", label)))
        elif before[1] != text:
            same = old.member_fingerprints.get(before[0]) == new.member_fingerprints.get(label)
            changes.append(
                MemberChange(label, "format" if same else "modified", unified(before[1], text, label, label))
            )
    new_keys = {k.casefold() for k in new.members}
    for key, (label, text) in old_members.items():
        if key not in new_keys:
            changes.append(MemberChange(label, "removed", unified(text, "", label, "/dev/null")))
    return changes


def _modified(old: DiffObject, new: DiffObject, change: str) -> ObjectChange | None:
    """The change between two versions of one object, or None when the text is identical."""
    if old.text == new.text and old.path == new.path and old.name == new.name:
        return None
    result = ObjectChange(new.kind, new.name, change, new.path, old.path, old.name)
    if old.text != new.text:
        if old.fingerprint == new.fingerprint:
            if change == "modified":
                result.change = "format"
            result.text_diff = unified(old.text, new.text, f"{old.path}:{old.name}", f"{new.path}:{new.name}")
            return result
        result.variables = _variable_changes(old, new)
        result.members = _member_changes(old, new)
        result.body_diff = unified(old.body, new.body, f"{old.name} (body)", f"{new.name} (body)")
        if not (result.variables or result.members or result.body_diff):
            result.text_diff = unified(old.text, new.text, f"{old.path}:{old.name}", f"{new.path}:{new.name}")
    return result


def _similarity(a: DiffObject, b: DiffObject) -> float:
    matcher = difflib.SequenceMatcher(None, a.text.replace(a.name, ""), b.text.replace(b.name, ""), autojunk=False)
    if matcher.real_quick_ratio() < RENAME_SIMILARITY or matcher.quick_ratio() < RENAME_SIMILARITY:
        return 0.0
    return matcher.ratio()


def compare(old: Snapshot, new: Snapshot) -> DiffReport:
    """The semantic diff from ``old`` to ``new``."""
    report = DiffReport(old.label, new.label)
    report.problems = [d.header() for d in (*old.problems, *new.problems)]
    old_by_key: dict[tuple[str, str], list[DiffObject]] = {}
    for obj in old.objects:
        old_by_key.setdefault(obj.key, []).append(obj)
    unmatched_new: list[DiffObject] = []
    for obj in new.objects:
        candidates = old_by_key.get(obj.key)
        if not candidates:
            unmatched_new.append(obj)
            continue
        same_file = [c for c in candidates if c.path == obj.path]
        before = (same_file or candidates).pop(0)
        if before in candidates:
            candidates.remove(before)
        change = _modified(before, obj, "modified" if before.path == obj.path else "moved")
        if change is not None:
            report.changes.append(change)
    unmatched_old = [obj for objects in old_by_key.values() for obj in objects]

    # Renames: an added and a removed object of the same kind whose text (names aside) is similar.
    pairs = sorted(
        (
            (_similarity(a, b), index_a, index_b)
            for index_a, a in enumerate(unmatched_old)
            for index_b, b in enumerate(unmatched_new)
            if a.kind == b.kind
        ),
        reverse=True,
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    for score, index_a, index_b in pairs:
        if score < RENAME_SIMILARITY or index_a in used_old or index_b in used_new:
            continue
        used_old.add(index_a)
        used_new.add(index_b)
        change = _modified(unmatched_old[index_a], unmatched_new[index_b], "renamed")
        if change is not None:
            change.change = "renamed"
            report.changes.append(change)
    for index, obj in enumerate(unmatched_new):
        if index not in used_new:
            report.changes.append(
                ObjectChange(
                    obj.kind,
                    obj.name,
                    "added",
                    obj.path,
                    text_diff=unified("", obj.text, "/dev/null", f"{obj.path}:{obj.name}"),
                )
            )
    for index, obj in enumerate(unmatched_old):
        if index not in used_old:
            report.changes.append(
                ObjectChange(
                    obj.kind,
                    obj.name,
                    "removed",
                    obj.path,
                    old_path=obj.path,
                    text_diff=unified(obj.text, "", f"{obj.path}:{obj.name}", "/dev/null"),
                )
            )
    report.changes.sort(key=lambda c: (c.path, c.kind, c.name.casefold()))
    return report
