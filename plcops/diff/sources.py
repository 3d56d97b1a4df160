"""Where the two sides of ``plcops diff`` come from: the working tree, git revisions, or plain folders."""

from __future__ import annotations

from pathlib import Path

from plcops.project.sources import SOURCE_SUFFIXES, discover_sources, read_bytes
from plcops.st.diagnostics import Diagnostic, DiagnosticError

_PLCOPEN_MARK = b"plcopen.org/xml/tc6"


def _wanted(path: str, data: bytes | None = None) -> bool:
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if suffix not in SOURCE_SUFFIXES:
        return False
    if suffix == ".xml":
        return data is not None and _PLCOPEN_MARK in data[:4096]
    return True


def _under(path: str, limits: list[str]) -> bool:
    return not limits or any(path == limit or path.startswith(limit.rstrip("/") + "/") for limit in limits)


def folder_files(root: Path, base: Path | None = None) -> dict[str, bytes]:
    """The source files under a folder (or one file), keyed by path relative to ``base``."""
    base = base or (root if root.is_dir() else root.parent)
    return {path.relative_to(base).as_posix(): read_bytes(path) for path in discover_sources([root])}


def open_repository(start: Path):  # type: ignore[no-untyped-def]
    """The git repository around ``start`` (gitpython is imported only here: it is slow to import).

    Raises:
        DiagnosticError: when ``start`` is not inside a git repository.
    """
    import git

    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise DiagnosticError(
            Diagnostic(str(start), 1, 1, "not inside a git repository (to compare folders, name two paths)")
        ) from None


def revision_files(repo, revision: str, limits: list[str]) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """The source files of a git revision, keyed by repository path.

    Raises:
        DiagnosticError: for a revision git does not know.
    """
    import git

    try:
        tree = repo.commit(revision).tree
    except (git.BadName, ValueError, git.GitCommandError):
        raise DiagnosticError(Diagnostic(revision, 1, 1, f"unknown revision {revision!r}")) from None
    files: dict[str, bytes] = {}
    for item in tree.traverse():
        if item.type != "blob" or not _under(item.path, limits):
            continue
        suffix = "." + item.path.rsplit(".", 1)[-1].lower() if "." in item.path.rsplit("/", 1)[-1] else ""
        if suffix not in SOURCE_SUFFIXES:
            continue
        data = item.data_stream.read()
        if _wanted(item.path, data):
            files[item.path] = data
    return files


def working_tree_files(repo, limits: list[str]) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """The source files in the working tree (tracked or not, ignored files left out)."""
    top = Path(repo.working_tree_dir)
    tracked = repo.git.ls_files("--cached", "--others", "--exclude-standard", "-z").split("\0")
    files: dict[str, bytes] = {}
    for path in tracked:
        if not path or not _under(path, limits):
            continue
        full = top / path
        if not full.is_file():
            continue  # deleted in the working tree
        suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if suffix not in SOURCE_SUFFIXES:
            continue
        data = full.read_bytes()
        if _wanted(path, data):
            files[path] = data
    return files
