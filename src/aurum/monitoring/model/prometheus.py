"""Series Prometheus writes itself (``up``, ``ALERTS``), as declarations import them.

They live in :mod:`aurum.contract.prometheus`, beside the other catalogs; this module keeps the
model's import path.
"""

from __future__ import annotations

from aurum.contract.prometheus import ALERTS, PROMETHEUS_SERIES, TARGET_LABELS, UP

__all__ = ["ALERTS", "PROMETHEUS_SERIES", "TARGET_LABELS", "UP"]
