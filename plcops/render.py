"""Pages and files made from the jinja2 templates in ``templates/``: the HTML reports (ST coverage, HIL
timing diagrams) today; project scaffolds and CI pipelines as those land.

The templates are data, not code: a team restyles a report by editing its template. In a source checkout
they are read from ``templates/`` at the top of the repository; an installed wheel carries them as
``plcops/templates`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

_PACKAGE = Path(__file__).resolve().parent


def template_folder() -> Path:
    """Where the templates are: inside the installed package, else the repository's ``templates/``."""
    installed = _PACKAGE / "templates"
    return installed if installed.is_dir() else _PACKAGE.parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_folder()),
        # HTML and SVG are escaped (signal names, ST source and messages are user text); scaffolds are not.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "svg", "xml"), default=False),
        undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not an empty cell in a report
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> str:
    """The template ``name`` (a path under ``templates/``, such as ``reports/coverage_file.html``) filled
    with ``context``."""
    return _environment().get_template(name).render(**context)
