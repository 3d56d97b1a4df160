"""Writing into a folder safely: never over uncommitted work, never outside the folder.

Import and export replace the contents of an output folder. Machine code lives there, so both refuse to
touch a folder that holds changes git does not have (or, outside git, any content at all) unless the user
says ``--force``, and every path they write is checked to stay inside the folder: names inside vendor
files (``../../etc``) cannot steer a write elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from plcops.st.diagnostics import Diagnostic, DiagnosticError

_UNSAFE_NAME = re.compile(r"[^\w.\- ]")


def safe_name(name: str, fallback: str = "unnamed") -> str:
    """A file name made from an object name: no separators, no '..', nothing a shell would trip on."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip(" .")
    return cleaned or fallback


def inside(root: Path, relative: str | Path) -> Path:
    """``root / relative``, refusing any path that would leave ``root``.

    Raises:
        DiagnosticError: for absolute paths or paths with '..' that escape the folder.
    """
    candidate = Path(relative)
    target = (root / candidate).resolve()
    base = root.resolve()
    if candidate.is_absolute() or (target != base and base not in target.parents):
        raise DiagnosticError(Diagnostic(str(relative), 1, 1, f"refusing to write outside {root}"))
    return target


def uncommitted_changes(folder: Path) -> list[str]:
    """Files in ``folder`` whose content git does not have: modified, staged or untracked.

    A folder outside any git repository counts all its files as uncommitted; a missing or empty folder
    has none.
    """
    if not folder.exists():
        return []
    folder = folder.resolve() if folder.is_file() else folder
    files = [folder] if folder.is_file() else [path for path in folder.rglob("*") if path.is_file()]
    if not files:
        return []
    import git  # gitpython is imported only when needed: it is slow to import

    try:
        repo = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return sorted(str(path.relative_to(folder)) if path != folder else path.name for path in files)
    top = Path(repo.working_tree_dir or folder).resolve()
    relative = folder.resolve().relative_to(top).as_posix()
    prefix = "" if relative == "." else relative + "/"
    status = repo.git.status("--porcelain", "--untracked-files=all", "--", relative or ".")
    changed = {line[3:] for line in status.splitlines() if len(line) > 3}
    if folder.is_file():
        return sorted(changed)
    return sorted(path.removeprefix(prefix) for path in changed)


def refuse_if_dirty(folder: Path, force: bool) -> None:
    """Raise unless ``folder`` may be replaced (see module docstring)."""
    if force:
        return
    changes = uncommitted_changes(folder)
    if changes:
        shown = ", ".join(changes[:5]) + (f" and {len(changes) - 5} more" if len(changes) > 5 else "")
        raise DiagnosticError(
            Diagnostic(
                str(folder),
                1,
                1,
                f"{folder} holds uncommitted work ({shown}); commit it or use --force to overwrite",
            )
        )


@dataclass(slots=True)
class FileSet:
    """Files to write into a folder, by relative path."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, relative: str, data: bytes) -> str:
        """Add a file; a name already taken gets a numbered variant. Returns the path used."""
        path = relative
        stem, dot, suffix = relative.rpartition(".") if "." in relative.rsplit("/", 1)[-1] else (relative, "", "")
        number = 2
        while path in self.files:
            path = f"{stem}_{number}{dot}{suffix}" if dot else f"{relative}_{number}"
            number += 1
        self.files[path] = data
        return path

    def write(self, root: Path, replace: tuple[str, ...] = ()) -> list[Path]:
        """Write every file under ``root`` (atomically each); first remove the ``replace`` subfolders."""
        targets = [(inside(root, relative), data) for relative, data in sorted(self.files.items())]
        root.mkdir(parents=True, exist_ok=True)
        for folder in replace:
            path = inside(root, folder)
            if path.is_dir():
                shutil.rmtree(path)
        written: list[Path] = []
        for target, data in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, data)
            written.append(target)
        return written


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it into place.

    An interrupted run never leaves half a file. An existing file keeps its permission bits; a new one
    gets 0644. A symbolic link is followed: its target is written and the link stays a link. A file with
    other hard links is written in place (a rename would give this name a new file and leave the others
    with the old text), after the new text is safely on disk beside it.
    """
    path = Path(os.path.realpath(path))
    if path.exists() and path.stat().st_nlink > 1:
        _write_in_place(path, data)
        return
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".plcops")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _write_in_place(path: Path, data: bytes) -> None:
    # The new text goes to a temporary file first: if writing the linked file is interrupted, the text
    # is still there to recover (the temporary file is named in the error).
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".plcops")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        with open(path, "r+b") as target:
            target.write(data)
            target.truncate()
    except OSError as exc:
        raise OSError(f"{path}: {exc.strerror}; the new text is in {temporary}") from None
    os.unlink(temporary)
