"""Metric families of a saved exposition (``curl …/metrics > node.prom``), by prometheus_client's parsers.

Prometheus' text format and OpenMetrics are told apart by OpenMetrics' mandatory ``# EOF`` last line.
The exposition is one target's: the job it is scraped as is the importer's to say (``--job``), and
the families' label values are exactly those of its samples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from prometheus_client.metrics_core import Metric as Family
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus

from aurum.monitoring.interop.observed import Observed, series_of

__all__ = ["ExpositionError", "is_openmetrics", "observed_families"]


class ExpositionError(ValueError):
    """An exposition neither parser accepts; the message names the file and the line."""


def is_openmetrics(text: str) -> bool:
    return text.rstrip().endswith("# EOF")


_COUNTER_TYPE = re.compile(r"^#\s+TYPE\s+(\S+)\s+counter\s*$", re.MULTILINE)


def _legacy_counters(text: str) -> set[str]:
    """Counters the text format names without ``_total``: prometheus_client's parser adds the suffix
    to their samples, but Prometheus stores them under the name the ``# TYPE`` line gives."""
    return {name for name in _COUNTER_TYPE.findall(text) if not name.endswith("_total")}


def _stored_name(family: Family, legacy: set[str]) -> str:
    """The name the family's series are stored under, for counters and infos (see :class:`Observed`)."""
    if family.type == "counter":
        return family.name if family.name in legacy else f"{family.name}_total"
    if family.type == "info":
        return f"{family.name}_info"
    return family.name


def _observed(family: Family, jobs: Iterable[str], legacy: set[str]) -> Observed:
    observed = Observed(
        _stored_name(family, legacy), family.type, family.documentation, family.unit or "", jobs=set(jobs)
    )
    parts = series_of(observed.name, family.type)
    for sample in family.samples:
        if sample.name.endswith("_created"):
            continue
        observed.see(sample.labels, part=parts.get(sample.name))
    return observed


def _line_of(text: str, error: ValueError) -> str:
    """``line N: `` of the line the parser quotes (a part of) in ``error``, when it can be found."""
    message = str(error)
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line and line in message:
            return f"line {number}: "
    for quoted in re.findall(r"'([^']{3,})'", message):
        found = [number for number, line in enumerate(lines, start=1) if quoted in line]
        if len(found) == 1:
            return f"line {found[0]}: "
    return ""


def observed_families(text: str, shown: str, jobs: Iterable[str] = ()) -> list[Observed]:
    """Every family of the exposition ``text`` (named ``shown`` in errors), scraped as ``jobs``."""
    openmetrics = is_openmetrics(text)
    parse = parse_openmetrics if openmetrics else parse_prometheus
    try:
        families = list(parse(text))
    except ValueError as error:
        kind = "OpenMetrics" if openmetrics else "Prometheus text format"
        raise ExpositionError(
            f"{shown}: {_line_of(text, error)}not a valid {kind} exposition ({error})"
        ) from None
    if not families:
        raise ExpositionError(f"{shown}: holds no metric family")
    legacy = set() if openmetrics else _legacy_counters(text)
    return [_observed(family, jobs, legacy) for family in families]
