"""The metric name prefix, read once from ``AURUM_METRICS_PREFIX`` (default ``aurum_``)."""

from __future__ import annotations

import os
import re

__all__ = ["METRICS_PREFIX"]

_PREFIX_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$")


def _metrics_prefix() -> str:
    prefix = os.environ.get("AURUM_METRICS_PREFIX", "aurum_")
    if not _PREFIX_RE.match(prefix):
        msg = f"AURUM_METRICS_PREFIX={prefix!r} is not a valid Prometheus metric name prefix"
        raise ValueError(msg)
    return prefix


METRICS_PREFIX = _metrics_prefix()
"""Read once at import: the names must not change while a process is running."""
