"""plcops.toml: discovery and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from plcops.project.config import find_config, load_config
from plcops.st.diagnostics import DiagnosticError
from tests.conftest import EXAMPLE


def test_example_project_config() -> None:
    config = load_config(find_config(EXAMPLE / "src" / "MAIN.st"))
    assert config.name == "filling_station"
    assert config.sources == ["src", "tests"]
    assert config.fmt.indent_pou_contents is False


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_config(None).fmt.indent == 4
    assert load_config(None).path is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fmt]\nidnent = 2\n", "[fmt] unknown setting 'idnent'"),
        ("[fmt]\nindent = 'two'\n", "[fmt] indent must be int"),
        ("[fmt]\nkeyword_case = 'title'\n", "keyword_case must be upper, lower or preserve"),
        ("[project\nname = 'x'\n", "invalid TOML"),
    ],
)
def test_invalid_settings_are_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plcops.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_config(path)
    assert message in caught.value.diagnostic.message


def test_toml_errors_carry_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plcops.toml"
    path.write_text("[project]\nname = 'x'\nsources = ['src' 'tests']\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_config(path)
    assert caught.value.diagnostic.line == 3
