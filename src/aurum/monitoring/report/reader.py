"""Just the Prometheus HTTP API the report reads: range queries, instant queries, raw samples.

Requests go through :class:`aurum.monitoring.deploy.session.HttpClient` (requests with urllib3's
retries); every failure is a :class:`ReadError` naming the query and Prometheus's own explanation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aurum.monitoring.deploy.session import DeployError, HttpClient, RetryPolicy, error_message

__all__ = ["PrometheusReader", "ReadError", "Samples"]


class ReadError(RuntimeError):
    """Prometheus could not be reached, or refused a query."""


@dataclass(frozen=True, slots=True)
class Samples:
    labels: Mapping[str, str]
    points: tuple[tuple[float, float], ...]
    """``(unix time, value)``, oldest first."""


class PrometheusReader:
    def __init__(self, url: str, *, timeout: float = 30.0, retries: int = 3) -> None:
        self.url = url.rstrip("/")
        self.http = HttpClient(self.url, policy=RetryPolicy(retries=retries, backoff=0.5, timeout=timeout))

    def _get(self, path: str, params: dict[str, str]) -> Any:
        try:
            response = self.http.request("GET", path, params=params)
        except DeployError as error:
            raise ReadError(f"Prometheus at {self.url} could not be reached: {error}") from None
        if response.status_code != 200:
            raise ReadError(
                f"{params.get('query')}: Prometheus answered {response.status_code}: {error_message(response)}"
            )
        body = response.json()
        if body.get("status") != "success":
            raise ReadError(f"{params.get('query')}: {body.get('error')}")
        return body["data"]

    @staticmethod
    def _samples(result: list[dict[str, Any]], key: str) -> list[Samples]:
        found = []
        for series in result:
            points = series.get(key) or ([series["value"]] if "value" in series else [])
            found.append(Samples(series.get("metric", {}), tuple((float(t), float(v)) for t, v in points)))
        return found

    def range(self, expr: str, start: float, end: float, step: int) -> list[Samples]:
        """``expr`` evaluated every ``step`` seconds from ``start`` to ``end``."""
        params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": str(step)}
        data = self._get("/api/v1/query_range", params)
        return self._samples(data["result"], "values")

    def raw(self, expr: str, start: float, end: float) -> list[Samples]:
        """Every stored sample of the series ``expr`` selects between ``start`` and ``end``."""
        seconds = max(int(end - start), 1)
        data = self._get("/api/v1/query", {"query": f"{expr}[{seconds}s]", "time": f"{end:.3f}"})
        return self._samples(data["result"], "values")

    def at(self, expr: str, time: float) -> float | None:
        """The single value of ``expr`` at ``time``, or ``None`` when it has none."""
        data = self._get("/api/v1/query", {"query": expr, "time": f"{time:.3f}"})
        result = data["result"]
        if data["resultType"] == "scalar":
            return float(result[1])
        return float(result[0]["value"][1]) if result else None

    def close(self) -> None:
        self.http.close()
