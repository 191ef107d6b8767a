"""Reading the SLO output contract from Prometheus: one instant query, standard library only.

The build's recording rules publish, per SLO, the series named in the catalog
(``slo:objective:ratio``, ``slo:sli_error:ratio_rate<window>``, ``slo:period_error_budget_remaining:ratio``,
burn rates), each labelled ``slo`` and ``service``. One query selecting all of them by ``__name__``
costs one round trip for every SLO. ``urllib`` rather than ``requests`` because the runtime shim must
not depend on the build tools' HTTP client.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aurum.contract import conventions as conv
from aurum.contract.conventions import METRIC_NAME_LABEL

__all__ = ["PrometheusError", "SLOSeries", "contract_series_names", "query_slo_series"]


class PrometheusError(RuntimeError):
    """Prometheus could not be asked, or answered with an error."""


def contract_series_names(windows: tuple[str, ...]) -> tuple[str, ...]:
    """The output-contract series the runtime reads, with the SLI error ratio over ``windows``."""
    return (
        conv.SLO_OBJECTIVE,
        conv.SLO_PERIOD_BUDGET_REMAINING,
        conv.SLO_PERIOD_BURN_RATE,
        conv.SLO_CURRENT_BURN_RATE,
        *(conv.slo_error_ratio(window) for window in windows),
    )


@dataclass(slots=True)
class SLOSeries:
    """The latest value of each contract series of one SLO (keyed by series name)."""

    slo: str
    service: str
    values: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    """The series' other labels: the SLO's own and, for an SLO measured per group, its group's."""


def _instant_query(base_url: str, query: str, timeout: float) -> list[dict[str, Any]]:
    url = f"{base_url.rstrip('/')}/api/v1/query?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        # Prometheus explains bad queries in the JSON body of a 400/422.
        try:
            detail = json.load(exc).get("error", exc.reason)
        except (ValueError, AttributeError):
            detail = exc.reason
        msg = f"Prometheus at {base_url} answered {exc.code}: {detail}"
        raise PrometheusError(msg) from exc
    except (OSError, ValueError) as exc:
        msg = f"Prometheus at {base_url} could not be queried: {exc}"
        raise PrometheusError(msg) from exc
    if not isinstance(body, dict) or body.get("status") != "success":
        msg = f"Prometheus at {base_url} answered: {body.get('error') if isinstance(body, dict) else body!r}"
        raise PrometheusError(msg)
    data = body.get("data") or {}
    if data.get("resultType") != "vector":
        msg = f"Prometheus at {base_url} answered a {data.get('resultType')!r}, not an instant vector"
        raise PrometheusError(msg)
    result: list[dict[str, Any]] = data.get("result", [])
    return result


SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]
"""SLO name, service and the series' other labels (an SLO per group has one key per group)."""


def query_slo_series(
    base_url: str, windows: tuple[str, ...], *, timeout: float = 2.0
) -> dict[SeriesKey, SLOSeries]:
    """The contract series of every SLO Prometheus knows, by SLO name and service (its identity: one
    name can be an SLO of two services) and other labels (its groups)."""
    names = "|".join(contract_series_names(windows))
    result = _instant_query(base_url, f'{{{METRIC_NAME_LABEL}=~"{names}"}}', timeout)
    by_slo: dict[SeriesKey, SLOSeries] = {}
    values: defaultdict[SeriesKey, dict[str, float]] = defaultdict(dict)
    own = {METRIC_NAME_LABEL, conv.SLO_LABEL, conv.SERVICE_LABEL}
    for item in result:
        labels = item.get("metric", {})
        name = labels.get(conv.SLO_LABEL)
        if name is None:
            continue
        others = tuple(sorted((k, v) for k, v in labels.items() if k not in own))
        slo = (name, labels.get(conv.SERVICE_LABEL, ""), others)
        by_slo.setdefault(slo, SLOSeries(slo[0], slo[1], labels=dict(others)))
        try:
            values[slo][labels[METRIC_NAME_LABEL]] = float(item["value"][1])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    for slo, series in by_slo.items():
        series.values = values[slo]
    return by_slo
