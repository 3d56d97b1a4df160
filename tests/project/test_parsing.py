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


def test_utf16_without_a_byte_order_mark_is_recognised(tmp_path: Path) -> None:
    # A file saved as UTF-16 without a BOM (or an XML file, which announces it as 3C 00 3F 00): read as
    # UTF-16 instead of a flood of "unexpected character NUL" errors, and written back the same way.
    from plcops.st.source import decode_source

    for encoding in ("utf-16-le", "utf-16-be"):
        for text in ("PROGRAM P\n// Füllstand\nEND_PROGRAM\n", '<?xml version="1.0"?>\n<a/>\n'):
            decoded = decode_source(text.encode(encoding))
            assert (decoded.text, decoded.encoding, decoded.bom) == (text, encoding, False)
            assert decoded.encode() == text.encode(encoding)
    path = tmp_path / "u16.st"
    path.write_bytes(GOOD.encode("utf-16-le"))
    assert check_syntax([path]).ok


def test_bytes_windows_1252_leaves_undefined_survive_a_round_trip() -> None:
    # 0x81, 0x8D, 0x8F, 0x90, 0x9D have no character in Windows-1252: they must be written back as they
    # were, not become U+FFFD (which cannot be written back at all).
    from plcops.st.source import decode_source

    data = b"PROGRAM P\n// \x81 \x8d \x8f \x90 \x9d Gr\xf6\xdfe\nEND_PROGRAM\n"
    decoded = decode_source(data)
    assert decoded.encoding == "cp1252" and "\ufffd" not in decoded.text and "Größe" in decoded.text
    assert decoded.encode() == data
    assert decoded.encode(decoded.text.replace("P\n", "Q\n", 1)) == data.replace(b"P\n", b"Q\n", 1)


def test_a_binary_file_gives_a_bounded_report(tmp_path: Path) -> None:
    # 40,000 NUL bytes on one line: one error for the run (not one per byte, each holding the line), and
    # never more than MAX_DIAGNOSTICS per file.
    from plcops.st.parser import MAX_DIAGNOSTICS, parse_text

    result = parse_text("PROGRAM P\n" + "\x00" * 40_000 + "\nEND_PROGRAM\n")
    (error,) = result.diagnostics
    assert error.message == "unexpected character '\\x00' (40000 times)" and (error.line, error.column) == (2, 1)
    assert len(error.source_line or "") <= 160  # a window of the line, not the whole of it
    garbage = parse_text("PROGRAM P\n" + "`\n" * 500 + "END_PROGRAM\n")  # 500 stray characters, apart
    assert len(garbage.diagnostics) == MAX_DIAGNOSTICS + 1
    assert garbage.diagnostics[-1].message == f"{500 - MAX_DIAGNOSTICS} more syntax errors not shown"


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
