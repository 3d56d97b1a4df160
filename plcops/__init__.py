"""plcops: a GitOps-style DevOps toolchain for IEC 61131-3 PLC code."""

from __future__ import annotations

__version__ = "0.1.0"
