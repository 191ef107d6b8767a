"""Build-time side of aurum-observability: the names a declaration needs.

``from aurum.monitoring import SLO, RatioSLI, select, regex`` is all an SLO file under ``slos/``
imports besides the metric catalog.
"""

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

__all__ = [
    "PAGE",
    "SLO",
    "TICKET",
    "AlertPolicy",
    "AlertTier",
    "BurnWindow",
    "FreshnessSLI",
    "LatencySLI",
    "PromQLSLI",
    "RatioSLI",
    "Selector",
    "not_equal",
    "not_regex",
    "regex",
    "select",
]
