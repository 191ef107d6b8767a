"""Normalised dashboard JSON: what Grafana imports is exactly what reviewers read.

grafanalib writes ``schemaVersion`` 12 (Grafana 4) while emitting panels of Grafana 8 and later, dozens
of ``null`` fields and keys Grafana dropped long ago (``rows``, ``span``, ``style``...). Grafana would
run its migrations on such a file and store something else than the reviewed JSON; after
normalisation it has nothing to migrate.

Every dashboard, whatever produced it, also loses ``id`` and ``version``: Grafana assigns both, and
leaving them out lets a deploy compare content.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SCHEMA_VERSION", "normalise", "normalise_grafanalib"]

SCHEMA_VERSION = 39
"""The schema Grafana 10.4 and 11.0-11.2 write; later versions read it without changes."""

_ASSIGNED_BY_GRAFANA = ("id", "version")
_LEGACY_DASHBOARD = ("__inputs", "gnetId", "hideControls", "sharedCrosshair", "style")
_LEGACY_PANEL = (
    "cacheTimeout",
    "editable",
    "error",
    "height",
    "hideTimeOverride",
    "maxDataPoints",
    "maxPerRow",
    "minSpan",
    "repeatDirection",
    "span",
    "transparent",
)
_LEGACY_TABLE = ("color", "columns", "fontSize", "mappings", "styles")
"""grafanalib's Table also writes Grafana 7 table options beside the field config that replaced them."""
_LEGACY_TARGET = ("intervalFactor", "metric", "query", "step", "target")
_LEGACY_VARIABLE = ("tagValuesQuery", "tags", "tagsQuery", "useTags")
_INTERVAL_ONLY = ("auto", "auto_count", "auto_min")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value if item is not None]
    return value


def normalise(dashboard: dict[str, Any]) -> dict[str, Any]:
    """Any dashboard (Jsonnet, a vendored mixin): no nulls, no ``id`` or ``version``, a schema version.

    Its own ``schemaVersion`` is kept: Grafana must still migrate a dashboard written for an older one.
    """
    out: dict[str, Any] = _without_nulls(dashboard)
    for key in _ASSIGNED_BY_GRAFANA:
        out.pop(key, None)
    out.setdefault("schemaVersion", SCHEMA_VERSION)
    return out


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    out = {key: value for key, value in panel.items() if key not in _LEGACY_PANEL}
    if out.get("type") == "table":
        out = {key: value for key, value in out.items() if key not in _LEGACY_TABLE}
    if not out.get("interval"):
        out.pop("interval", None)
    out["targets"] = [
        {key: value for key, value in target.items() if key not in _LEGACY_TARGET}
        for target in out.get("targets", [])
    ]
    if "panels" in out:
        out["panels"] = [_panel(child) for child in out["panels"]]
    if out.get("type") == "row":
        out.pop("targets")
        out.pop("fieldConfig", None)
    return out


def _variable(variable: dict[str, Any]) -> dict[str, Any]:
    out = {key: value for key, value in variable.items() if key not in _LEGACY_VARIABLE}
    if out.get("type") != "interval":
        out = {key: value for key, value in out.items() if key not in _INTERVAL_ONLY}
    current = {key: value for key, value in out.get("current", {}).items() if key not in _LEGACY_VARIABLE}
    out["current"] = current if "value" in current else {}
    return out


def normalise_grafanalib(dashboard: dict[str, Any]) -> dict[str, Any]:
    """A grafanalib dashboard in today's schema, without the keys Grafana no longer reads."""
    out = normalise(dashboard)
    for key in _LEGACY_DASHBOARD:
        out.pop(key, None)
    if not out.get("rows"):
        out.pop("rows", None)
    out["schemaVersion"] = SCHEMA_VERSION
    out["panels"] = [_panel(panel) for panel in out.get("panels", [])]
    templating = out.get("templating", {})
    templating["list"] = [_variable(variable) for variable in templating.get("list", [])]
    timepicker = out.get("timepicker", {})
    timepicker.pop("time_options", None)
    return out
