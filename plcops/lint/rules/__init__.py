"""The rule catalogue: one module per rule, each defining a class named after its code.

Adding a rule is adding a module ``plcNNN_short_name.py`` here with a ``PLCNNN`` class, a fixture file in
``tests/lint/cases/`` and (automatically) an entry in ``docs/rules.md``.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from plcops.lint.rule import Rule


@cache
def catalogue() -> list[type[Rule]]:
    """Every rule class, ordered by code."""
    rules: list[type[Rule]] = []
    for module_info in pkgutil.iter_modules(__path__):
        if not module_info.name.startswith("plc"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        code = module_info.name.split("_", 1)[0].upper()
        rule = getattr(module, code, None)
        if not (isinstance(rule, type) and issubclass(rule, Rule)) or rule.code != code:
            raise RuntimeError(f"{module.__name__} must define class {code}(Rule) with code = {code!r}")
        rules.append(rule)
    return sorted(rules, key=lambda rule: rule.code)
