"""Just enough of Prometheus's HTTP API for the stack and its tests: queries, label values, alerts."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

__all__ = ["PrometheusAPI", "QueryError"]


class QueryError(RuntimeError):
    """Prometheus refused a query (its own error text), or could not be reached."""


class PrometheusAPI:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url, self._timeout = url.rstrip("/"), timeout

    def _get(self, path: str, params: list[tuple[str, str]]) -> Any:
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=self._timeout) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:
            # A bad query is a 400 or 422 whose JSON body says what is wrong with it.
            try:
                detail = json.load(error).get("error", error.reason)
            except ValueError:
                detail = error.reason
            msg = f"{path} {dict(params)}: {detail}"
            raise QueryError(msg) from None
        except (urllib.error.URLError, OSError) as error:
            msg = f"{path}: Prometheus at {self.url} could not be reached: {error}"
            raise QueryError(msg) from None
        if body.get("status") != "success":
            msg = f"{path} {dict(params)}: {body.get('error')}"
            raise QueryError(msg)
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector (or a scalar as one sample) ``expr`` evaluates to now."""
        data = self._get("/api/v1/query", [("query", expr)])
        if data["resultType"] in ("scalar", "string"):
            return [{"metric": {}, "value": data["result"]}]
        return list(data["result"])

    def value(self, expr: str) -> float | None:
        """The value of a query expected to give at most one sample; ``None`` when it gives none."""
        result = self.query(expr)
        if len(result) > 1:
            msg = f"{expr} gave {len(result)} samples, expected at most one"
            raise QueryError(msg)
        return float(result[0]["value"][1]) if result else None

    def label_values(self, label: str, match: str) -> list[str]:
        return list(self._get(f"/api/v1/label/{label}/values", [("match[]", match)]))

    def ui_prefix(self) -> str:
        """Where this Prometheus serves its pages: ``/classic`` for Debian's 2.42, whose new React UI is
        not packaged (``/alerts`` answers 404 there, and ``/`` redirects to ``/classic/graph``); ``""``
        for a Prometheus that serves them at the root."""
        for prefix in ("", "/classic"):
            try:
                with urllib.request.urlopen(f"{self.url}{prefix}/alerts", timeout=self._timeout) as response:
                    if response.status == 200:
                        return prefix
            except (urllib.error.URLError, OSError):
                continue
        msg = f"Prometheus at {self.url} serves its alerts page neither at /alerts nor at /classic/alerts"
        raise QueryError(msg)

    def target_health(self, job: str) -> list[str]:
        """The health (``up``, ``down``, ``unknown``) of each active target of ``job``."""
        targets = self._get("/api/v1/targets", [("state", "active")])["activeTargets"]
        return [t["health"] for t in targets if t["labels"].get("job") == job]
