"""``plcops textconv``: the readable, stable ST view of a file, for ``git diff`` and ``git log -p``.

git runs the textconv program on both sides of a diff and compares what it prints. For TwinCAT and
PLCopen files plcops prints the file's ST, without what changes when nobody changed the code: LineIds,
GUIDs, timestamps, graphical coordinates, the byte-order mark and CRLF line endings. LD, FBD and SFC
bodies follow as normalised ``//`` comment lines (:mod:`plcops.project.graphical`). Any other file is
printed as text, so a diff never fails because of the driver.
"""

from __future__ import annotations

from pathlib import Path

from plcops.project.graphical import comment_lines, graphical_bodies
from plcops.project.sources import read_bytes, read_source
from plcops.st.diagnostics import DiagnosticError
from plcops.st.source import decode_source


def textconv(path: Path | str, data: bytes | None = None) -> str:
    """The ST view of a file (its text, for files plcops does not read as ST)."""
    name = str(path)
    if data is None:
        data = read_bytes(name)  # a FIFO would block for ever: refused with file:line:col
    try:
        text = read_source(name, data).text
    except DiagnosticError:
        text = decode_source(data).text
    text = text.replace("\r\n", "\n")
    text = text if text.endswith("\n") or not text else text + "\n"
    # LD/FBD/SFC bodies have no ST: shown as normalised comment lines, so a changed rung shows in git diff.
    return text + comment_lines(graphical_bodies(name, data))
