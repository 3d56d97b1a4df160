"""The layering rules of docs/architecture.md, checked on the source: the language core imports nothing
above it, and protocol libraries stay inside hil/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


FORBIDDEN = {
    "plcops/st": (
        "plcops.project",
        "plcops.cli",
        "plcops.lint",
        "plcops.diff",
        "plcops.sim",
        "plcops.testing",
        "plcops.render",
        "hil",
        "typer",
        "jinja2",
    ),
    "plcops/project": ("plcops.cli", "plcops.lint", "plcops.diff", "plcops.sim", "plcops.testing", "hil", "typer"),
    "plcops/diff": ("plcops.cli", "plcops.lint", "plcops.sim", "plcops.testing", "hil", "typer"),
    "plcops/lint": ("plcops.cli", "plcops.diff", "plcops.sim", "plcops.testing", "hil", "typer"),
    "plcops/sim": ("plcops.cli", "plcops.lint", "plcops.diff", "plcops.testing", "hil", "typer"),
}


def test_templates_are_filled_in_one_place() -> None:
    # Reports, scaffolds and pipelines go through plcops.render, so every page is a template in templates/.
    for module in [*modules_under("plcops"), *modules_under("hil")]:
        if module.name != "render.py":
            assert "jinja2" not in imported_modules(module), f"{module.relative_to(ROOT)} imports jinja2"


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downward(layer: str) -> None:
    for module in modules_under(layer):
        for name in imported_modules(module):
            assert not name.startswith(FORBIDDEN[layer]), f"{module.relative_to(ROOT)} imports {name}"


def test_protocol_libraries_only_in_hil() -> None:
    for module in modules_under("plcops"):
        for name in imported_modules(module):
            assert not name.startswith(("pymodbus", "serial")), f"{module.relative_to(ROOT)} imports {name}"
