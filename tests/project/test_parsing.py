"""Checking many files: the content cache, parallel workers, and files that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plcops.project.cache import ParseCache
from plcops.project.parsing import check_syntax, parse_file

GOOD = "PROGRAM P\nVAR x : INT; END_VAR\nx := x + 1;\nEND_PROGRAM\n"
BAD = "PROGRAM P\nx := ;\nEND_PROGRAM\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_report_counts_files_lines_and_errors(tmp_path: Path) -> None:
    write(tmp_path, "a.st", GOOD)
    write(tmp_path, "b.st", BAD)
    report = check_syntax([tmp_path], jobs=1)
    assert [Path(entry.path).name for entry in report.files] == ["a.st", "b.st"]
    assert report.lines == 4 + 3
    assert [(d.line, d.column) for d in report.diagnostics] == [(2, 6)]
    assert not report.ok


def test_cache_answers_unchanged_files_and_misses_changed_ones(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache")
    source = write(tmp_path, "a.st", BAD)
    first = check_syntax([source], cache=cache, jobs=1)
    second = check_syntax([source], cache=cache, jobs=1)
    assert (first.cached, second.cached) == (0, 1)
    assert second.diagnostics == first.diagnostics
    source.write_text(GOOD, encoding="utf-8")
    third = check_syntax([source], cache=cache, jobs=1)
    assert third.cached == 0 and third.ok


def test_parallel_and_serial_agree(tmp_path: Path) -> None:
    # Enough text to cross the threshold where worker processes are started.
    for index in range(40):
        write(tmp_path, f"f{index:02}.st", (GOOD if index % 3 else BAD) + "// padding\n" * 800)
    serial = check_syntax([tmp_path], jobs=1)
    parallel = check_syntax([tmp_path], jobs=2)
    assert [(e.path, e.lines, e.diagnostics) for e in parallel.files] == [
        (e.path, e.lines, e.diagnostics) for e in serial.files
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_a_diagnostic(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.st", GOOD)
    path.chmod(0)
    report = check_syntax([path], jobs=1)
    assert report.diagnostics[0].message.startswith("cannot read file")


def test_missing_file_is_a_diagnostic(tmp_path: Path) -> None:
    report = check_syntax([tmp_path / "missing.st"], jobs=1)
    assert [d.message for d in report.diagnostics] == ["no such file or folder"]


def test_parse_file_caches_the_ast(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache")
    path = write(tmp_path, "a.st", GOOD)
    first = parse_file(path, cache=cache)
    second = parse_file(path, cache=cache)
    assert first.unit == second.unit and first.unit is not second.unit


def test_a_fifo_named_like_st_is_skipped_in_folders_and_refused_by_name(tmp_path: Path) -> None:
    from plcops.project.sources import discover_sources, read_bytes
    from plcops.st.diagnostics import DiagnosticError

    write(tmp_path, "good.st", GOOD)
    os.mkfifo(tmp_path / "pipe.st")  # reading it would block for ever
    assert [p.name for p in discover_sources([tmp_path])] == ["good.st"]
    with pytest.raises(DiagnosticError, match="not a regular file"):
        read_bytes(tmp_path / "pipe.st")


def test_utf16_files_are_decoded_and_written_back_as_they_were(tmp_path: Path) -> None:
    from plcops.st.source import decode_source

    for encoding, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        data = bom + "PROGRAM P\n// Füllstand\nEND_PROGRAM\n".encode(encoding)
        decoded = decode_source(data)
        assert (decoded.text, decoded.encoding, decoded.bom) == (
            "PROGRAM P\n// Füllstand\nEND_PROGRAM\n",
            encoding,
            True,
        )
        assert decoded.encode() == data
    path = tmp_path / "u16.st"
    path.write_bytes(b"\xff\xfe" + GOOD.encode("utf-16-le"))
    assert check_syntax([path]).ok
