"""Build-time side of aurum-observability: the names a declaration needs.

``from aurum.monitoring import SLO, RatioSLI, select, regex`` is all an SLO file under ``slos/``
imports besides the metric catalog; alerts and recording rules add ``Alert``, ``AlertTest``,
``Fired``, ``Record``, ``series`` and ``bucket``. Dashboards import :mod:`aurum.monitoring.dashboards`.
A declaration that depends on the build's settings (an SLO target override) asks ``build_settings()``.
"""

from aurum.monitoring.build_context import build_settings
from aurum.monitoring.model import (
    PAGE,
    SLO,
    TICKET,
    AlertPolicy,
    AlertTier,
    BurnWindow,
    FreshnessSLI,
    LatencySLI,
    PromQLSLI,
    RatioSLI,
    Selector,
    not_equal,
    not_regex,
    regex,
    select,
)
from aurum.monitoring.model.prometheus import ALERTS, UP
from aurum.monitoring.model.rules import Alert, AlertTest, Fired, Record, Series, bucket, series

__all__ = [
    "ALERTS",
    "PAGE",
    "SLO",
    "TICKET",
    "UP",
    "Alert",
    "AlertPolicy",
    "AlertTest",
    "AlertTier",
    "BurnWindow",
    "Fired",
    "FreshnessSLI",
    "LatencySLI",
    "PromQLSLI",
    "RatioSLI",
    "Record",
    "Selector",
    "Series",
    "bucket",
    "build_settings",
    "not_equal",
    "not_regex",
    "regex",
    "select",
    "series",
]
