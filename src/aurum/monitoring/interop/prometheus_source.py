"""Metric families of a running Prometheus, from its HTTP API.

``/api/v1/metadata`` gives each family's type, help and unit (as the targets exposed them);
``/api/v1/series`` the series that exist, with their label values, filtered by metric name and job;
``up`` of each job tells the labels scraping itself adds (relabelling's ``cluster``, ``namespace``),
which become :class:`TargetLabels` instead of labels of every metric. Requests go through one
requests session with urllib3's retries (connection errors, 429 and 5xx, with backoff).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from aurum.contract.conventions import METRIC_NAME_LABEL
from aurum.contract.metrics import Label, TargetLabels
from aurum.contract.prometheus import TARGET_LABELS, UP
from aurum.monitoring.interop.observed import NO_METADATA, Observed, series_of
from aurum.monitoring.model.selectors import quote

__all__ = ["PrometheusSource", "SourceError"]

_METRIC_NAME = METRIC_NAME_LABEL


class SourceError(Exception):
    """Prometheus could not be asked, or did not answer as its API documents."""


def _session(retries: int) -> requests.Session:
    session = requests.Session()
    retry = Retry(
        total=retries,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def _selector(name_pattern: str | None, job: str | None) -> str:
    # The pattern names families; a histogram's or a summary's series add a suffix to the name.
    names = f"(?:{name_pattern})(?:_bucket|_count|_sum)?" if name_pattern else ".+"
    matchers = [f"{_METRIC_NAME}=~{quote(names)}"]
    if job is not None:
        matchers.append(f"job={quote(job)}")
    return "{" + ", ".join(matchers) + "}"


class PrometheusSource:
    """The metrics a Prometheus at ``url`` holds, optionally of one job or matching a name pattern."""

    def __init__(self, url: str, *, timeout: float = 10.0, retries: int = 3) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._session = _session(retries)

    def _get(self, path: str, params: Mapping[str, str]) -> Any:
        try:
            response = self._session.get(f"{self.url}{path}", params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise SourceError(f"{self.url}{path}: {error}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict) or body.get("status") != "success":
            detail = body.get("error") if isinstance(body, dict) else response.text[:200]
            raise SourceError(f"{self.url}{path}: HTTP {response.status_code}: {detail}")
        return body["data"]

    def _series(self, selector: str) -> list[dict[str, str]]:
        data = self._get("/api/v1/series", {"match[]": selector})
        return [dict(labels) for labels in data]

    def target_labels(self, job: str | None) -> list[TargetLabels]:
        """The labels each job's targets carry beyond ``job`` and ``instance``, by set of names."""
        seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        selector = f"{UP.base_name}{{job={quote(job)}}}" if job is not None else UP.base_name
        for series in self._series(selector):
            values = seen[series.get("job", "")]
            for name, value in series.items():
                if name not in (_METRIC_NAME, *TARGET_LABELS):
                    values[name].add(value)
        by_names: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for name, values in sorted(seen.items()):
            if values:
                by_names[tuple(sorted(values))].append(name)
        groups = []
        for names, jobs in sorted(by_names.items()):
            labels = tuple(
                Label(label, "", examples=tuple(sorted(set().union(*(seen[j][label] for j in jobs)))[:5]))
                for label in names
            )
            groups.append(TargetLabels(labels=labels, jobs=tuple(jobs)))
        return groups

    def families(self, *, job: str | None = None, name_pattern: str | None = None) -> list[Observed]:
        """Every family with a series matching the filters, and (type :data:`NO_METADATA`) the
        series names no metadata describes, such as recorded series."""
        series = self._series(_selector(name_pattern, job))
        by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
        for labels in series:
            by_name[labels.pop(_METRIC_NAME)].append(labels)
        metadata: dict[str, list[dict[str, str]]] = self._get("/api/v1/metadata", {})
        families: list[Observed] = []
        claimed: set[str] = set()
        for name, entries in sorted(metadata.items()):
            # Targets may disagree about a family; the smallest entry is chosen so the file is stable.
            entry = min(entries, key=lambda e: (e.get("type", ""), e.get("help", ""), e.get("unit", "")))
            kind = entry.get("type", "unknown")
            stored = _stored_name(name, kind, by_name)
            parts = series_of(stored, kind)
            if not any(part in by_name for part in parts):
                continue  # filtered out, or no longer scraped
            family = Observed(stored, kind, entry.get("help", ""), entry.get("unit", ""))
            for part, label in parts.items():
                for labels in by_name.get(part, ()):
                    family.see(labels, part=label)
            claimed |= {*parts, f"{name}_created"}
            families.append(family)
        families += [Observed(name, NO_METADATA) for name in sorted(set(by_name) - claimed)]
        if name_pattern:
            families = [family for family in families if re.fullmatch(name_pattern, family.name)]
        return families


def _stored_name(name: str, kind: str, present: Mapping[str, Sequence[object]]) -> str:
    """A counter's (or an info's) series name: OpenMetrics' metadata names it without the suffix."""
    suffix = {"counter": "_total", "info": "_info"}.get(kind)
    if suffix and not name.endswith(suffix) and f"{name}{suffix}" in present:
        return f"{name}{suffix}"
    return name
