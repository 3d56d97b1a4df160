"""Sidecar files: the vendor data plcops keeps beside an ST file so that export loses nothing.

A sidecar ``X.st.vendor`` sits next to ``X.st``. It holds what plcops does not show as ST: the vendor file
as it was, with each piece of ST replaced by a placeholder ``@@plcops:N@@`` (GUIDs, LineIds, attributes,
non-ST bodies, formatting of the XML all stay byte for byte), plus a little metadata that tells export how
to cut the ST file back into those pieces.

Layout (a text file, so git can diff it)::

    plcops-vendor 1
    {"format": "twincat", "file": "FB_Motor.TcPOU", ...}     <- one line of JSON metadata
    <the skeleton, exactly as the vendor file was, with placeholders>
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SIDECAR_SUFFIX = ".vendor"
_MAGIC = "plcops-vendor 1"
PLACEHOLDER_RE = re.compile(r"@@plcops:(\d+)@@")


def placeholder(number: int) -> str:
    """The marker that stands for piece ``number`` in a skeleton."""
    return f"@@plcops:{number}@@"


@dataclass(slots=True)
class Sidecar:
    """Vendor data for one ST file.

    Attributes:
        meta: format-specific metadata (``format`` names the vendor format).
        skeleton: the vendor file's text with placeholders for the ST pieces.
    """

    meta: dict[str, Any] = field(default_factory=dict)
    skeleton: str = ""

    @property
    def format(self) -> str:
        """``"twincat"`` or ``"plcopen"``."""
        return str(self.meta.get("format", ""))

    def dumps(self) -> bytes:
        """The sidecar file's bytes."""
        header = f"{_MAGIC}\n{json.dumps(self.meta, sort_keys=True, ensure_ascii=False)}\n"
        return header.encode("utf-8") + self.skeleton.encode("utf-8", "surrogateescape")

    @classmethod
    def loads(cls, data: bytes) -> Sidecar:
        """Read a sidecar; raises ValueError when the bytes are not one."""
        magic, _, rest = data.partition(b"\n")
        if magic.decode("utf-8", "replace").strip() != _MAGIC:
            raise ValueError("not a plcops sidecar file")
        meta_line, _, skeleton = rest.partition(b"\n")
        return cls(json.loads(meta_line.decode("utf-8")), skeleton.decode("utf-8", "surrogateescape"))


def sidecar_path(st_file: Path) -> Path:
    """Where the sidecar of an ST file lives."""
    return st_file.with_name(st_file.name + SIDECAR_SUFFIX)


def read_sidecar(st_file: Path) -> Sidecar | None:
    """The sidecar of an ST file, or None when it has none (a file written by hand)."""
    path = sidecar_path(st_file)
    if not path.is_file():
        return None
    return Sidecar.loads(path.read_bytes())
