"""Regenerate the shipped parse tables after editing ``grammar/st.lark``: ``python -m plcops.st.build_tables``."""

from __future__ import annotations

import sys

from plcops.st.tables import write_shipped_tables

if __name__ == "__main__":
    print(f"wrote {write_shipped_tables()}", file=sys.stderr)
