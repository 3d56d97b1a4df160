"""Semantic diff of PLC projects: what changed in POUs, types, variables and statements.

Typical use::

    from plcops.diff import diff_paths
    report = diff_paths(Path("v1"), Path("v2"))
    for change in report.changes:
        print(change.change, change.kind, change.name)
"""

from __future__ import annotations

from pathlib import Path

from plcops.diff.model import DiffObject, Snapshot, snapshot
from plcops.diff.semantic import DiffReport, ObjectChange, compare
from plcops.diff.sources import folder_files, open_repository, revision_files, working_tree_files
from plcops.project.sources import read_bytes


def diff_files(old_label: str, old: dict[str, bytes], new_label: str, new: dict[str, bytes]) -> DiffReport:
    """Diff two sets of files (``path -> bytes``); unchanged files are parsed once."""
    memo: dict[str, list[DiffObject]] = {}
    return compare(snapshot(old_label, old, memo), snapshot(new_label, new, memo))


def diff_paths(old: Path, new: Path) -> DiffReport:
    """Diff two files or folders outside git. Two single files of one format are two versions of the same
    file, whatever their names (``plcops diff old.st new.st`` reports changes, not a move)."""
    if old.is_file() and new.is_file() and old.suffix.lower() == new.suffix.lower():
        return diff_files(str(old), {new.name: read_bytes(old)}, str(new), {new.name: read_bytes(new)})
    return diff_files(str(old), folder_files(old), str(new), folder_files(new))


def diff_revisions(
    start: Path, old_revision: str | None, new_revision: str | None, limits: list[str] | None = None
) -> DiffReport:
    """Diff git revisions of the repository around ``start``.

    ``old_revision`` None means HEAD; ``new_revision`` None means the working tree (as ``git diff`` does).
    """
    repo = open_repository(start)
    top = Path(repo.working_tree_dir)
    relative = [
        str(Path(limit).resolve().relative_to(top)).replace("\\", "/") if Path(limit).exists() else limit
        for limit in (limits or [])
    ]
    relative = [limit for limit in relative if limit not in ("", ".")]
    old_label = old_revision or "HEAD"
    old = revision_files(repo, old_label, relative)
    if new_revision is None:
        return diff_files(old_label, old, "working tree", working_tree_files(repo, relative))
    return diff_files(old_label, old, new_revision, revision_files(repo, new_revision, relative))


__all__ = ["DiffReport", "ObjectChange", "Snapshot", "diff_files", "diff_paths", "diff_revisions"]
