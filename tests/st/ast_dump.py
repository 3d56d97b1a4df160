"""A JSON-friendly dump of an AST, used by the golden fixture tests (``tests/st/goldens/*.json``).

Regenerate the goldens after an intended AST change with ``python -m tests.st.ast_dump``; review the diff:
a golden that changed without a reason is a regression. Never edit a golden by hand.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from plcops.st import ast, parse_text

FIXTURES = Path(__file__).parent / "fixtures"
GOLDENS = Path(__file__).parent / "goldens"


def dump(value: Any) -> Any:
    """Nodes become ``{"node": class, field: ..., "span": [start, end]}``; trivia keep their texts."""
    if isinstance(value, ast.Trivia):
        slots = {
            name: [item.text for item in getattr(value, name)]
            for name in ("leading", "trailing", "header", "dangling", "interior")
        }
        return {name: texts for name, texts in slots.items() if texts}
    if isinstance(value, (ast.Node, ast.Comment, ast.Pragma)):
        out: dict[str, Any] = {"node": type(value).__name__}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if field.name == "trivia" and isinstance(value, ast.CompilationUnit):
                continue  # every comment already appears where it is attached
            if field.name == "span":
                out["span"] = f"{item.start}-{item.end}"
            elif item is not None and item != [] and not (field.name == "trivia" and item is None):
                out[field.name] = dump(item)
        return out
    if isinstance(value, list):
        return [dump(item) for item in value]
    return value


def golden_text(fixture: Path) -> str:
    result = parse_text(fixture.read_text(encoding="utf-8"), fixture.name)
    document = {"generated": "by python -m tests.st.ast_dump; do not edit", "unit": dump(result.unit)}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    GOLDENS.mkdir(exist_ok=True)
    for fixture in sorted(FIXTURES.glob("*.st")):
        target = GOLDENS / f"{fixture.stem}.json"
        target.write_text(golden_text(fixture), encoding="utf-8")
        print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
