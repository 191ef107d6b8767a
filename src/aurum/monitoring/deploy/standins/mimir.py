"""A stand-in Mimir/Cortex ruler configuration API on loopback.

Followed documentation: Grafana Mimir HTTP API, "Ruler" section
(https://grafana.com/docs/mimir/latest/references/http-api/#ruler), which Cortex shares
(https://cortexmetrics.io/docs/api/#ruler), and Mimir's ``pkg/ruler/api.go``:

- every request carries the tenant in ``X-Scope-OrgID``; without it the auth middleware answers 401
  ``no org id``;
- ``GET /prometheus/config/v1/rules`` and ``GET …/rules/{namespace}`` answer YAML, a map from namespace
  to its list of rule groups, or 404 ``no rule groups found`` when there is none;
- ``GET …/rules/{namespace}/{groupName}`` answers one group as YAML, or 404;
- ``POST …/rules/{namespace}`` with one rule group as YAML (``Content-Type: application/yaml``) creates
  or replaces the group of that name and answers 202 ``{"status": "success"}``; a group that does not
  parse or validate is a 400;
- ``DELETE …/rules/{namespace}/{groupName}`` and ``DELETE …/rules/{namespace}`` answer 202, or 404.

Faults are injected by :func:`aurum.monitoring.deploy.standins.server.serve`.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import unquote

import yaml

from aurum.monitoring.deploy.standins.server import Reply, Request

__all__ = ["PREFIX", "MimirStandin"]

PREFIX = "/prometheus/config/v1/rules"

Groups = dict[str, dict[str, dict[str, Any]]]
"""namespace -> group name -> group."""


def _yaml(status: int, document: object) -> Reply:
    return Reply(status, yaml.safe_dump(document, sort_keys=False).encode(), "application/yaml")


def _text(status: int, text: str) -> Reply:
    return Reply(status, f"{text}\n".encode(), "text/plain; charset=utf-8")


def _problems(group: object) -> list[str]:
    """What rulefmt's validation would reject; a subset, enough to catch a malformed request."""
    if not isinstance(group, dict) or not group.get("name"):
        return ["rule group name must not be empty"]
    problems = []
    for index, rule in enumerate(group.get("rules") or []):
        kinds = [key for key in ("record", "alert") if rule.get(key)]
        if len(kinds) != 1:
            problems.append(f"rule {index}: exactly one of 'record' and 'alert' must be set")
        if not str(rule.get("expr") or "").strip():
            problems.append(f"rule {index}: field 'expr' must be set in rule")
    return problems


class MimirStandin:
    """Rule groups per tenant; ``tenants`` is open for tests to inspect."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.tenants: dict[str, Groups] = {}

    def handle(self, request: Request) -> Reply:
        if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
            return _text(401, "unauthorized")
        tenant = request.headers.get("x-scope-orgid")
        if not tenant:
            return _text(401, "no org id")
        if not request.path.startswith(PREFIX):
            return _text(404, "404 page not found")
        parts = [unquote(p) for p in request.path[len(PREFIX) :].strip("/").split("/") if p]
        with self.lock:
            return self._route(request, self.tenants.setdefault(tenant, {}), parts)

    def _route(self, request: Request, groups: Groups, parts: list[str]) -> Reply:  # noqa: PLR0911 - one return per route
        match request.method, parts:
            case "GET", []:
                return self._list(groups, sorted(groups))
            case "GET", [namespace]:
                return self._list(groups, [namespace])
            case "GET", [namespace, name]:
                group = groups.get(namespace, {}).get(name)
                return _yaml(200, group) if group else _text(404, "group does not exist")
            case "POST", [namespace]:
                try:
                    group = yaml.safe_load(request.body)
                except yaml.YAMLError:
                    return _text(400, "unable to decoded rule group")
                problems = _problems(group)
                if problems:
                    return _text(400, ", ".join(problems))
                groups.setdefault(namespace, {})[group["name"]] = group
                return Reply(202, b'{"status":"success","data":null,"errorType":"","error":""}')
            case "DELETE", [namespace, name]:
                if name not in groups.get(namespace, {}):
                    return _text(404, "group does not exist")
                del groups[namespace][name]
                if not groups[namespace]:
                    del groups[namespace]
                return Reply(202, b'{"status":"success"}')
            case "DELETE", [namespace]:
                if namespace not in groups:
                    return _text(404, "namespace does not exist")
                del groups[namespace]
                return Reply(202, b'{"status":"success"}')
        return _text(405, "method not allowed")

    @staticmethod
    def _list(groups: Groups, namespaces: list[str]) -> Reply:
        found = {ns: [groups[ns][name] for name in sorted(groups[ns])] for ns in namespaces if groups.get(ns)}
        return _yaml(200, found) if found else _text(404, "no rule groups found")
