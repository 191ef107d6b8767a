"""The typed model every declaration is written in: frozen pydantic objects, validated on construction."""

from aurum.monitoring.model.alerting import (
    DEFAULT_SEVERITIES,
    PAGE,
    TICKET,
    AlertPolicy,
    AlertTier,
    BurnWindow,
)
from aurum.monitoring.model.duration import Duration, format_duration, parse_duration
from aurum.monitoring.model.selectors import Matcher, Selector, not_equal, not_regex, regex, select
from aurum.monitoring.model.sli import SLI, FreshnessSLI, LatencySLI, PromQLSLI, RatioSLI
from aurum.monitoring.model.slo import SLO

__all__ = [
    "DEFAULT_SEVERITIES",
    "PAGE",
    "SLI",
    "SLO",
    "TICKET",
    "AlertPolicy",
    "AlertTier",
    "BurnWindow",
    "Duration",
    "FreshnessSLI",
    "LatencySLI",
    "Matcher",
    "PromQLSLI",
    "RatioSLI",
    "Selector",
    "format_duration",
    "not_equal",
    "not_regex",
    "parse_duration",
    "regex",
    "select",
]
