"""``python -m plcops``."""

from __future__ import annotations

from plcops.cli import main

main()
