"""A content-addressed cache of parse results, so unchanged files are never parsed twice.

Entries are keyed by a hash of the file's bytes, its path and the parser's identity (plcops version and
grammar digest): editing a file, moving it or upgrading plcops all miss the cache, nothing else does. The
cache lives in ``$PLCOPS_CACHE_DIR``, else ``$XDG_CACHE_HOME/plcops``, else ``~/.cache/plcops``, never in
the project, so it never shows up in ``git status``.

Writes go to a temporary file that is renamed into place, so parallel runs (CI jobs sharing a cache) see
either a whole entry or none.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from plcops import __version__
from plcops.st.tables import grammar_hash


@functools.cache
def _reader_identity() -> str:
    """What a cached result depends on besides the file: the plcops version, the grammar and the code of
    the readers and the parser (so a development checkout never serves results of older code)."""
    digest = hashlib.blake2b(f"{__version__}:{grammar_hash()}".encode(), digest_size=16)
    package = Path(__file__).resolve().parent.parent
    for folder in ("st", "project"):
        for module in sorted((package / folder).glob("*.py")):
            digest.update(module.read_bytes())
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """Where the cache lives unless told otherwise."""
    explicit = os.environ.get("PLCOPS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "plcops"


class ParseCache:
    """Stores per-file results under a key derived from the file's content.

    Args:
        directory: the cache folder (created on first write).
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir()
        self._identity = _reader_identity()

    def key(self, path: str, data: bytes) -> str:
        """The cache key of a file with these bytes at this path."""
        digest = hashlib.blake2b(data, digest_size=20)
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0" + self._identity.encode())
        return digest.hexdigest()

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.directory / kind / key[:2] / f"{key[2:]}{suffix}"

    def load_json(self, kind: str, key: str) -> Any | None:
        """A JSON entry, or None when absent or unreadable."""
        try:
            with self._path(kind, key, ".json").open("r", encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None

    def store_json(self, kind: str, key: str, value: Any) -> None:
        """Store a JSON entry (silently skipped when the cache folder is not writable)."""
        self._write(self._path(kind, key, ".json"), json.dumps(value, separators=(",", ":")).encode("utf-8"))

    def load_pickle(self, kind: str, key: str) -> Any | None:
        """A pickled entry written by this cache, or None."""
        try:
            with self._path(kind, key, ".pickle").open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None

    def store_pickle(self, kind: str, key: str, value: Any) -> None:
        """Store a pickled entry (silently skipped when the cache folder is not writable)."""
        self._write(self._path(kind, key, ".pickle"), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def _write(self, target: Path, data: bytes) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except OSError:
            pass
