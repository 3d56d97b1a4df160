"""``plcops import`` and ``plcops export``: vendor projects in and out of the canonical text tree.

The canonical tree of a plcops project::

    plcops.toml                  [project] and [import] (what the tree was imported from)
    src/<folders>/<Name>.st      one POU, DUT, GVL, interface or CONFIGURATION per file
    src/<folders>/<Name>.st.vendor   what the vendor file held besides ST (see plcops.project.sidecar)
    vendor/...                   vendor files plcops does not read as ST (the .plcproj, task objects,
                                 visualisations, the PLCopen project skeleton), kept byte for byte

Import → export gives back the vendor files unchanged, and import → export → import gives the same tree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from plcops.project import plcopen_tree, twincat_tree
from plcops.project.sidecar import SIDECAR_SUFFIX, Sidecar, read_sidecar
from plcops.project.sources import ST_SUFFIXES, read_bytes
from plcops.project.twincat import TWINCAT_SUFFIXES
from plcops.project.workspace import FileSet, inside, refuse_if_dirty, safe_name
from plcops.project.xmlscan import read_xml
from plcops.st import ast
from plcops.st.diagnostics import Diagnostic, DiagnosticError
from plcops.st.parser import parse_text
from plcops.st.source import decode_source

MANAGED_FOLDERS = ("src", "vendor")

# Written into an imported project (when it has none): git with core.autocrlf would change the line ends
# of the sidecars and vendor files, and export would no longer give the original files back byte for
# byte. The .st files stay text: export reads them either way.
GITATTRIBUTES = """\
# plcops: vendor data is kept byte for byte (its line ends are the vendor tool's)
*.vendor -text
/vendor/** -text
"""


@dataclass(slots=True)
class TransferReport:
    """What an import or export did.

    Attributes:
        written: files written.
        notes: things the user should know (files kept as vendor data, objects skipped).
    """

    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- import


def _st_path(folder: str, stem: str, taken: FileSet) -> str:
    relative = str(PurePosixPath("src", folder, f"{safe_name(stem)}.st"))
    return relative if relative not in taken.files else str(PurePosixPath("src", folder, f"{safe_name(stem)}_2.st"))


def _add_unit(files: FileSet, relative: str, st_text: str, sidecar: Sidecar | None) -> str:
    path = files.add(relative, st_text.encode("utf-8"))
    if sidecar is not None:
        files.add(path + SIDECAR_SUFFIX, sidecar.dumps())
    return path


def _import_twincat_file(files: FileSet, path: Path, relative_folder: str, relative_file: str) -> str:
    st_text, sidecar, name = twincat_tree.import_file(str(path), read_bytes(path))
    sidecar.meta["file"] = relative_file  # export writes the original file name back
    # A GVL's name is its file's name in the ST tree (GVL_Main.x names <GVL Name="GVL_Main">, whatever the
    # TwinCAT file is called); other objects name themselves in their ST.
    stem = name if sidecar.meta.get("tag") == "GVL" and name else path.stem
    return _add_unit(files, _st_path(relative_folder, stem, files), st_text, sidecar)


def _compile_items(project_file: Path) -> list[str]:
    """The source files a .plcproj compiles (``<Compile Include="POUs\\MAIN.TcPOU">``), with '/' separators."""
    document = read_xml(project_file)
    items = [
        element.attributes.get("Include", "") for element in document.root.iter() if element.local_name == "Compile"
    ]
    return [item.replace("\\", "/") for item in items if item]


def _import_twincat_project(files: FileSet, project_file: Path, report: TransferReport) -> dict[str, str]:
    root = project_file.parent
    compiled = _compile_items(project_file)
    for item in compiled:
        source = inside(root, item)
        folder = str(PurePosixPath(item).parent)
        if PurePosixPath(item).suffix.lower() in TWINCAT_SUFFIXES and source.is_file():
            _import_twincat_file(files, source, "" if folder == "." else folder, item)
        elif source.is_file():
            files.add(str(PurePosixPath("vendor", item)), source.read_bytes())
            report.notes.append(f"{item}: not ST, kept as vendor data")
        else:
            report.notes.append(f"{item}: listed in {project_file.name} but missing")
    files.add(str(PurePosixPath("vendor", project_file.name)), project_file.read_bytes())
    return {"format": "twincat", "project_file": f"vendor/{project_file.name}"}


def _split_st_file(files: FileSet, path: Path, folder: str, report: TransferReport) -> None:
    """One ST file per top-level item; a file that does not parse is kept whole (never lose text)."""
    text = decode_source(read_bytes(path)).text.replace("\r\n", "\n")
    result = parse_text(text, str(path))
    items = result.unit.items if result.unit is not None else []
    if result.diagnostics or len(items) <= 1:
        if result.diagnostics:
            report.notes.append(f"{path}: has syntax errors, imported as one file")
        _add_unit(files, _st_path(folder, path.stem, files), text, None)
        return
    start = 0
    for index, item in enumerate(items):
        end = max([item.span.end, *(m.span.end for m in getattr(item, "members", []))])
        if index == len(items) - 1:
            end = len(text)
        else:
            newline = text.find("\n", end)
            end = len(text) if newline < 0 else newline + 1
        _add_unit(files, _st_path(folder, _item_name(item, path.stem), files), text[start:end], None)
        start = end


def _item_name(item: ast.Node, fallback: str) -> str:
    if isinstance(item, ast.TypeBlock) and item.decls:
        return item.decls[0].name.text
    name = getattr(item, "name", None)
    return name.text if isinstance(name, ast.Identifier) else fallback


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _runtime(origin: dict[str, str]) -> str:
    """The runtime a tree was imported for: TwinCAT files, Beremiz's PLCopen (tc6_0201), else CODESYS's."""
    formats = origin.get("format", "").split("+")
    if "twincat" in formats:
        return "twincat"
    if "plcopen-beremiz" in formats:
        return "beremiz"
    if "plcopen" in formats:
        return "codesys"
    return "generic"


def _config_text(name: str, origin: dict[str, str]) -> bytes:
    lines = [
        "# plcops project, created by 'plcops import'.",
        "[project]",
        f"name = {_toml_string(name)}",
        'sources = ["src"]',
        "",
        "[target]",
        f"runtime = {_toml_string(_runtime(origin))}",
        "",
        "[import]",
        *(f"{key} = {_toml_string(value)}" for key, value in sorted(origin.items())),
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def import_project(source: Path, out: Path, *, force: bool = False) -> TransferReport:
    """Import a TwinCAT project (``.plcproj`` or its folder), TwinCAT files, PLCopen XML or ``.st`` files.

    Raises:
        DiagnosticError: unreadable or malformed input, or an output folder with uncommitted work.
    """
    report = TransferReport()
    if not source.exists():
        raise DiagnosticError(Diagnostic(str(source), 1, 1, "no such file or folder"))
    refuse_if_dirty(out, force)
    files = FileSet()
    origin: dict[str, str] = {"source": str(source)}
    projects = (
        [source]
        if source.suffix.lower() == ".plcproj"
        else sorted(source.rglob("*.plcproj"))
        if source.is_dir()
        else []
    )
    if len(projects) > 1:
        names = ", ".join(str(p) for p in projects)
        raise DiagnosticError(Diagnostic(str(source), 1, 1, f"several PLC projects found ({names}): import one"))
    if projects:
        origin.update(_import_twincat_project(files, projects[0], report))
        name = projects[0].stem
    else:
        candidates = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        base = source if source.is_dir() else source.parent
        formats: set[str] = set()
        for path in candidates:
            suffix = path.suffix.lower()
            folder = str(PurePosixPath(path.parent.relative_to(base).as_posix()))
            folder = "" if folder == "." else folder
            if suffix in TWINCAT_SUFFIXES:
                _import_twincat_file(files, path, folder, str(PurePosixPath(path.relative_to(base).as_posix())))
                formats.add("twincat")
            elif suffix in ST_SUFFIXES:
                _split_st_file(files, path, folder, report)
                formats.add("st")
            elif suffix == ".xml" and plcopen_tree.is_plcopen(path):
                plcopen_tree.import_file(files, path, report.notes)
                # tc6_0201 is what Beremiz and the OpenPLC editor write; CODESYS and TwinCAT write tc6_0200.
                formats.add("plcopen-beremiz" if b"tc6_0201" in path.read_bytes()[:4096] else "plcopen")
        if not files.files:
            raise DiagnosticError(Diagnostic(str(source), 1, 1, "no ST, TwinCAT or PLCopen files found"))
        origin["format"] = "+".join(sorted(formats))
        name = source.stem if source.is_file() else source.name
    if not (out / "plcops.toml").exists():
        files.add("plcops.toml", _config_text(name, origin))
    if not (out / ".gitattributes").exists():
        files.add(".gitattributes", GITATTRIBUTES.encode("utf-8"))
    _note_syntax_errors(files, out, report)
    report.written = files.write(out, replace=MANAGED_FOLDERS)
    return report


def _note_syntax_errors(files: FileSet, out: Path, report: TransferReport) -> None:
    """Say which imported ST does not parse: vendor IDEs save work in progress, and plcops keeps it as it
    is (it exports unchanged), but edits to it cannot be exported until it parses."""
    for relative, data in sorted(files.files.items()):
        if not relative.endswith(".st"):
            continue
        result = parse_text(data.decode("utf-8", "surrogateescape"), str(out / relative))
        if result.diagnostics:
            first = result.diagnostics[0]
            report.notes.append(
                f"{first.path}:{first.line}:{first.column}: {first.message} (imported as it is: it exports"
                " unchanged, but edits to it export only once it parses)"
            )


# ---------------------------------------------------------------------------------------------- export


def _units(project: Path) -> list[Path]:
    return sorted((project / "src").rglob("*.st")) if (project / "src").is_dir() else []


def _unit_text(path: Path) -> str:
    return decode_source(read_bytes(path)).text


def _export_twincat(project: Path, out: Path, report: TransferReport) -> FileSet:
    files = FileSet()
    compiled: list[str] = []
    for unit in _units(project):
        sidecar = read_sidecar(unit)
        relative = unit.relative_to(project / "src").as_posix()
        if sidecar is not None and sidecar.format != "twincat":
            sidecar = None
        text = _unit_text(unit)
        if twincat_tree.is_configuration(text):
            report.notes.append(f"{unit}: TwinCAT keeps tasks in its system configuration; CONFIGURATION not exported")
            continue
        suffix, data = twincat_tree.export_object(text, str(unit), sidecar, unit.stem)
        if sidecar is not None and sidecar.meta.get("file"):
            target = str(sidecar.meta["file"])
        else:
            target = str(PurePosixPath(relative).with_suffix(suffix))
        files.add(target, data)
        compiled.append(target)
    vendor = project / "vendor"
    project_file = None
    if vendor.is_dir():
        for path in sorted(vendor.rglob("*")):
            if path.is_file() and path.suffix.lower() not in (".plcopen",):
                relative = path.relative_to(vendor).as_posix()
                if path.suffix.lower() == ".plcproj":
                    project_file = relative
                files.add(relative, path.read_bytes())
    if project_file is not None:
        files.files[project_file] = twincat_tree.update_project_file(files.files[project_file], compiled)
    return files


def export_project(project: Path, fmt: str, out: Path, *, force: bool = False) -> TransferReport:
    """Export a plcops project as TwinCAT files (``out`` is a folder) or PLCopen XML (``out`` is a file).

    Raises:
        DiagnosticError: syntax errors in the ST, ST that cannot be written in the format, or an output
            location with uncommitted work.
    """
    report = TransferReport()
    if not (project / "src").is_dir():
        raise DiagnosticError(Diagnostic(str(project), 1, 1, "not a plcops project (no src folder)"))
    if fmt == "twincat":
        refuse_if_dirty(out, force)
        files = _export_twincat(project, out, report)
        report.written = files.write(out)
    elif fmt == "plcopen":
        if out.exists() and out.is_dir():
            raise DiagnosticError(Diagnostic(str(out), 1, 1, "--out for PLCopen is a file, not a folder"))
        refuse_if_dirty(out, force)
        data = plcopen_tree.export_project(project, _units(project), _unit_text, report.notes)
        files = FileSet({out.name: data})
        report.written = files.write(out.parent)
    else:
        raise DiagnosticError(Diagnostic(str(project), 1, 1, f"unknown export format {fmt!r}: use plcopen or twincat"))
    return report


def tree_digest(folder: Path) -> str:
    """A digest of every file in a folder (paths and bytes): equal digests mean identical trees."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


UnitReader = Callable[[Path], str]
