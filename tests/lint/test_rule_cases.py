"""Every rule against its fixture file in ``tests/lint/cases/`` (see ``rule_cases.py`` for the format)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plcops.lint.config import LintConfig, load_lint_config
from plcops.lint.engine import SYNTAX_ERROR, lint_paths
from plcops.lint.rules import catalogue
from tests.lint.rule_cases import CASES, RuleCase, expected_in, load_cases

ALL_CASES = load_cases()


def _params(cases: list[RuleCase]) -> list[object]:
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else [])
        for case in cases
    ]


def _write(case: RuleCase, root: Path) -> None:
    for name, text in case.files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def _config(case: RuleCase, root: Path) -> LintConfig:
    if case.config is not None:
        return load_lint_config(case.config, catalogue(), root / "plcops.toml")
    config = LintConfig(select=[case.rule], root=root)
    if case.options:
        config.options[case.rule] = dict(case.options)
    return config


def _found(report, root: Path) -> list[tuple[str, int, int, str, str]]:
    return sorted(
        (Path(f.path).relative_to(root).as_posix(), f.line, f.column, f.code, f.message) for f in report.findings
    )


@pytest.mark.parametrize("case", _params(ALL_CASES))
def test_rule_case(case: RuleCase, tmp_path: Path) -> None:
    _write(case, tmp_path)
    report = lint_paths([tmp_path], _config(case, tmp_path), jobs=1)
    found = _found(report, tmp_path)
    if case.rule != SYNTAX_ERROR:
        assert [f for f in found if f[3] == SYNTAX_ERROR] == [], "the case must be valid ST"
    expected = case.expected()
    assert [(e.path, e.line, e.column, e.code) for e in expected] == [f[:4] for f in found], "\n".join(
        f"{path}:{line}:{column}: {code} {message}" for path, line, column, code, message in found
    )
    for want, got in zip(expected, found, strict=True):
        assert want.fragment in got[4], f"message {got[4]!r} lacks {want.fragment!r}"


FIX_CASES = [case for case in ALL_CASES if case.fixed is not None]


@pytest.mark.parametrize("case", _params(FIX_CASES))
def test_rule_fix(case: RuleCase, tmp_path: Path) -> None:
    _write(case, tmp_path)
    config = _config(case, tmp_path)
    report = lint_paths([tmp_path], config, jobs=1, fix=True, unsafe_fixes=case.unsafe)
    assert report.fixed > 0
    assert (tmp_path / case.main).read_text(encoding="utf-8") == case.fixed
    # The result re-lints clean for this rule, and fixing again changes nothing.
    again = lint_paths([tmp_path], config, jobs=1, fix=True, unsafe_fixes=case.unsafe)
    assert again.fixed == 0
    assert [f for f in again.findings if f.code == case.rule and f.fix is not None] == []
    assert (tmp_path / case.main).read_text(encoding="utf-8") == case.fixed


def test_every_rule_has_failing_and_passing_cases() -> None:
    by_rule: dict[str, list[RuleCase]] = {}
    for case in ALL_CASES:
        by_rule.setdefault(case.rule, []).append(case)
    missing = []
    for rule in catalogue():
        cases = by_rule.get(rule.code, [])
        failing = [c for c in cases if c.expected()]
        passing = [c for c in cases if not c.expected()]
        if not failing or (not passing and rule.code != SYNTAX_ERROR):
            missing.append(f"{rule.code}: {len(failing)} failing, {len(passing)} passing cases")
        if rule.fix and not any(c.fixed is not None for c in cases):
            missing.append(f"{rule.code}: offers a {rule.fix} fix but no case shows the fixed text")
    assert missing == []
    assert {path.stem for path in CASES.glob("*.toml")} <= {rule.code for rule in catalogue()}


def test_caret_parsing() -> None:
    text = "a := b;\n// ^ PLC001 never\n   (* ^^ PLC002 *)\nc;\n"
    assert [(e.line, e.column, e.code, e.fragment) for e in expected_in("x.st", text)] == [
        (1, 4, "PLC001", "never"),
        (1, 7, "PLC002", ""),
    ]
