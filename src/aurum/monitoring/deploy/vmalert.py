"""Deploying rule files to vmalert (VictoriaMetrics): write atomically, reload, confirm, roll back.

The files go into a directory vmalert's ``-rule`` glob matches, written as for Prometheus (a hidden
temporary file renamed over the old one, the same header). Two things differ, and both are why this
is not the Prometheus client with another URL:

- ``POST /-/reload`` only *asks* for a reload: vmalert answers 200 at once and re-reads the files in
  the background (https://docs.victoriametrics.com/vmalert.html#web, "/-/reload"). Whether the reload
  happened and succeeded is only visible in its own metrics, ``vmalert_config_last_reload_total``
  (counts attempts) and ``vmalert_config_last_reload_successful``; so the deploy reads the counter
  before asking, waits for it to move, then reads the verdict. A refused reload leaves vmalert
  running the previous rules, and its log names the file, the group and the rule.
- vmalert parses with MetricsQL and its own template functions, so a file promtool accepts can still
  be refused (``{{ $value | toTime }}`` is one: Prometheus has that function, vmalert 1.79 does not).

After a successful reload, ``GET /api/v1/rules`` must show every declared group, from its file, with
exactly its rules: names, queries, ``for``, labels and annotations, not merely as many of them. On any
failure the previous files are put back and vmalert is reloaded again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

from aurum.monitoring.deploy.plan import Outcome, Plan
from aurum.monitoring.deploy.prometheus import deploy_with_reload
from aurum.monitoring.deploy.prometheus_rules import declared_rule
from aurum.monitoring.deploy.session import DeployError, HttpClient, error_message

__all__ = ["VmalertClient", "deploy_to_vmalert", "expected_rules"]

RELOAD_WITHIN = 10.0
CONFIRM_WITHIN = 10.0

Rule = tuple[Any, ...]
"""One rule as compared: kind, name, query, ``for`` in seconds, labels, annotations (sorted pairs)."""
Groups = dict[tuple[str, str], tuple[Rule, ...]]
"""``(file name, group name) -> its rules, sorted`` (vmalert does not keep the file's order)."""


def _rule(kind: str, name: str, query: str, *, duration: int, labels: Any, annotations: Any) -> Rule:
    return (
        kind,
        name,
        query,
        duration,
        tuple(sorted((labels or {}).items())),
        tuple(sorted((annotations or {}).items())),
    )


def expected_rules(files: Mapping[str, bytes]) -> Groups:
    """What vmalert must show for the files (bodies without the header)."""
    expected: Groups = {}
    for name, body in files.items():
        for group in (yaml.safe_load(body) or {}).get("groups") or []:
            rules = [declared_rule(rule) for rule in group.get("rules") or []]
            expected[(name, group["name"])] = tuple(sorted(rules))
    return expected


class VmalertClient:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def preflight(self) -> None:
        try:
            response = self.http.request("GET", "/health")
        except DeployError as error:
            raise DeployError(f"vmalert is unreachable: {error}") from None
        if response.status_code != 200:
            raise DeployError(f"vmalert at {self.http.base_url} is not healthy ({response.status_code})")

    def _reloads(self) -> tuple[float, float]:
        """``(reload attempts so far, whether the last one succeeded)`` from vmalert's own metrics."""
        response = self.http.request("GET", "/metrics")
        if response.status_code != 200:
            raise DeployError(f"GET /metrics answered {response.status_code}: {error_message(response)}")
        values = {
            sample.name: sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }
        try:
            return values["vmalert_config_last_reload_total"], values["vmalert_config_last_reload_successful"]
        except KeyError:
            raise DeployError(
                f"{self.http.base_url}/metrics has no vmalert_config_last_reload_* metrics: is it vmalert?"
            ) from None

    def reload(self) -> str | None:
        """None once vmalert has re-read its rule files without error, else why not."""
        before, _ = self._reloads()
        response = self.http.request("POST", "/-/reload")
        if response.status_code != 200:
            return f"reload answered {response.status_code}: {error_message(response)}"
        deadline = time.monotonic() + RELOAD_WITHIN
        while True:
            attempts, successful = self._reloads()
            if attempts > before:
                break
            if time.monotonic() > deadline:
                return f"vmalert did not reload within {RELOAD_WITHIN:g}s of POST /-/reload"
            self.http.policy.limits.wait(0.1, "wait for vmalert's reload")
        if successful != 1:
            return (
                "vmalert refused the rule files (vmalert_config_last_reload_successful 0; "
                "its log names the file, group and rule) and keeps evaluating the previous ones"
            )
        return None

    def loaded(self) -> tuple[Groups, dict[tuple[str, str], str]]:
        """Every group vmalert evaluates, and the path of the file it read each from."""
        response = self.http.request("GET", "/api/v1/rules")
        if response.status_code != 200:
            raise DeployError(f"GET /api/v1/rules answered {response.status_code}: {error_message(response)}")
        groups: Groups = {}
        paths = {}
        for group in response.json()["data"]["groups"] or []:  # null when none is loaded
            key = (PurePath(group["file"]).name, group["name"])
            paths[key] = group["file"]
            groups[key] = tuple(
                sorted(
                    _rule(
                        rule["type"],
                        rule["name"],
                        rule["query"],
                        duration=int(rule.get("duration") or 0),
                        labels=rule.get("labels"),
                        annotations=rule.get("annotations"),
                    )
                    for rule in group.get("rules") or []
                )
            )
        return groups, paths


def _elsewhere(path: str, directory: Path) -> bool:
    """A group read from a same-named file in another directory is not what was deployed. vmalert
    reports the path as its ``-rule`` glob spelled it, so only an absolute one can be compared."""
    return PurePath(path).is_absolute() and Path(path).parent.resolve() != directory.resolve()


def _confirm(client: VmalertClient, expected: Groups, directory: Path, gone: set[str]) -> str | None:
    """None once vmalert evaluates exactly the expected groups from ``directory``, else what differs."""
    deadline = time.monotonic() + CONFIRM_WITHIN
    while True:
        loaded, paths = client.loaded()
        missing = [f"{group} ({file})" for (file, group) in expected if (file, group) not in loaded]
        different = [
            f"{group} ({file})"
            for (file, group), rules in expected.items()
            if (file, group) in loaded and loaded[(file, group)] != rules
        ]
        foreign = [
            f"{group} ({paths[(file, group)]})"
            for (file, group) in expected
            if (file, group) in paths and _elsewhere(paths[(file, group)], directory)
        ]
        stale = [f"{group} ({file})" for (file, group) in loaded if file in gone]
        if not (missing or different or foreign or stale):
            return None
        if time.monotonic() > deadline:
            problems = [f"not loaded: {', '.join(missing)}"] if missing else []
            problems += (
                [f"loaded with other rules than deployed: {', '.join(different)}"] if different else []
            )
            problems += [f"loaded from another directory: {', '.join(foreign)}"] if foreign else []
            problems += [f"still loaded after its file was removed: {', '.join(stale)}"] if stale else []
            hint = " (does vmalert's -rule glob match this directory?)" if missing or foreign else ""
            return "; ".join(problems) + hint
        client.http.policy.limits.wait(0.2, "check what vmalert loaded")


def deploy_to_vmalert(
    plan: Plan,
    contents: Mapping[str, bytes],
    bodies: Mapping[str, bytes],
    directory: Path,
    client: VmalertClient,
    *,
    force: bool,
) -> list[Outcome]:
    """Apply the plan, reload, confirm; on failure restore, reload again, and report every item failed."""
    expected = expected_rules(bodies)
    return deploy_with_reload(
        plan,
        contents,
        directory,
        client.reload,
        lambda gone: _confirm(client, expected, directory, gone),
        force=force,
        limits=client.http.policy.limits,
    )
