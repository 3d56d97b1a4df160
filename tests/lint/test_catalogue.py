"""The rule catalogue: every rule documented, referenced and listed in docs/rules.md."""

from __future__ import annotations

import re

import pytest

from plcops.lint.docs import render_rules_markdown
from plcops.lint.rule import Rule
from plcops.lint.rules import catalogue
from tests.conftest import ROOT

# The sections of a rule's docstring and the fenced ST blocks in them, as docs/rules.md renders them (verbatim).
_SECTIONS = re.compile(r"^Anti-pattern:(?P<anti_pattern>.*?)^Best practice:(?P<best_practice>.*)\Z", re.M | re.S)
_ST_BLOCK = re.compile(r"^```st\n((?:(?!```).*\n)+)```$", re.M)


def test_docs_rules_md_is_current() -> None:
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render_rules_markdown(), "regenerate with: python -m plcops.lint.docs docs/rules.md"


def test_at_least_forty_rules_with_unique_codes_and_names() -> None:
    rules = catalogue()
    assert len(rules) >= 40
    assert len({rule.code for rule in rules}) == len(rules)
    assert len({rule.name for rule in rules}) == len(rules)


@pytest.mark.parametrize("rule", catalogue(), ids=lambda rule: rule.code)
def test_rule_is_documented_and_referenced(rule: type[Rule]) -> None:
    assert re.fullmatch(r"PLC\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.summary().endswith(".")
    documentation = rule.documentation()
    assert "Why" in documentation, "the docstring says why the rule matters"
    assert all(re.fullmatch(r"SA\d{4}", ref) for ref in rule.sa)
    assert all(re.fullmatch(r"(N|CP|L)\d+", ref) for ref in rule.plcopen)
    assert rule.fix in (None, "safe", "unsafe")
    assert rule.groups, "every rule belongs to at least one group"


@pytest.mark.parametrize("rule", catalogue(), ids=lambda rule: rule.code)
def test_rule_shows_anti_pattern_and_best_practice_in_st(rule: type[Rule]) -> None:
    """Every rule shows, as ST code, both what it reports and what it accepts instead."""
    sections = _SECTIONS.search(rule.documentation())
    assert sections, "the docstring has an 'Anti-pattern:' section, then a 'Best practice:' section"
    for section in ("anti_pattern", "best_practice"):
        code = [block for block in _ST_BLOCK.findall(sections.group(section)) if block.strip()]
        assert code, f"the {section.replace('_', ' ')} section has a ```st code block"
