"""Rule groups in a Mimir or Cortex ruler, through its configuration API, with plan, apply and prune.

API (https://grafana.com/docs/mimir/latest/references/http-api/#ruler): ``GET
/prometheus/config/v1/rules`` lists every namespace's groups as YAML, ``POST …/rules/{namespace}``
stores one group (202), ``DELETE …/rules/{namespace}/{group}`` removes one; the tenant is the
``X-Scope-OrgID`` header.

Each rule file becomes a namespace named ``<prefix><file stem>`` (``aurum-obs-api-availability``).
Ownership is the prefix: namespaces without it are never read for the plan nor pruned. A rule group
has no field to carry a fingerprint (Mimir rejects unknown fields), so a group changed in the ruler by
hand shows as an update with its diff rather than as a conflict.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import yaml

from aurum.monitoring.deploy.plan import Action, ItemKind, Outcome, Plan, PlanItem
from aurum.monitoring.deploy.report import Progress
from aurum.monitoring.deploy.session import DeployError, HttpClient, error_message

__all__ = ["MimirClient", "apply_mimir", "desired_groups", "plan_mimir"]

PREFIX = "/prometheus/config/v1/rules"

Group = dict[str, Any]
Groups = dict[tuple[str, str], Group]
"""``(namespace, group name) -> group``."""


class MimirClient:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _fail(self, method: str, path: str, status: int, message: str) -> DeployError:
        hint = " (check --tenant and MIMIR_TOKEN)" if status in {401, 403} else ""
        return DeployError(self.http.scrub(f"{method} {path}: the ruler answered {status}: {message}{hint}"))

    def groups(self) -> Groups:
        """Every group of the tenant; an empty ruler answers 404."""
        try:
            response = self.http.request("GET", PREFIX)
        except DeployError as error:
            raise DeployError(f"the Mimir ruler is unreachable: {error}") from None
        if response.status_code == 404:
            return {}
        if response.status_code != 200:
            raise self._fail("GET", PREFIX, response.status_code, error_message(response))
        listed = yaml.safe_load(response.text) or {}
        return {(namespace, group["name"]): group for namespace, groups in listed.items() for group in groups}

    def set_group(self, namespace: str, group: Group) -> None:
        path = f"{PREFIX}/{quote(namespace, safe='')}"
        body = yaml.safe_dump(group, sort_keys=False, allow_unicode=True, width=1 << 16).encode()
        response = self.http.request("POST", path, data=body, headers={"Content-Type": "application/yaml"})
        if response.status_code not in {200, 202}:
            raise self._fail("POST", path, response.status_code, error_message(response))

    def delete_group(self, namespace: str, name: str) -> bool:
        path = f"{PREFIX}/{quote(namespace, safe='')}/{quote(name, safe='')}"
        response = self.http.request("DELETE", path)
        if response.status_code == 404:
            return False
        if response.status_code not in {200, 202}:
            raise self._fail("DELETE", path, response.status_code, error_message(response))
        return True


def desired_groups(files: Mapping[str, bytes], prefix: str) -> Groups:
    groups: Groups = {}
    for name, body in sorted(files.items()):
        namespace = prefix + PurePath(name).stem
        for group in (yaml.safe_load(body) or {}).get("groups") or []:
            groups[(namespace, group["name"])] = group
    return groups


def _normal(value: Any) -> Any:
    """Without empty fields, which the ruler may leave out or add when it answers."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _text(group: Group | None) -> list[str]:
    return yaml.safe_dump(_normal(group), sort_keys=False, width=1 << 16).splitlines() if group else []


def plan_mimir(wanted: Groups, current: Groups, prefix: str, *, prune: bool) -> Plan:
    items: list[PlanItem] = []
    for (namespace, name), group in sorted(wanted.items()):
        there = current.get((namespace, name))
        key = f"{namespace}/{name}"
        if there is None:
            items.append(PlanItem(ItemKind.RULE_GROUP, key, Action.CREATE, where=namespace))
        elif _normal(there) == _normal(group):
            items.append(PlanItem(ItemKind.RULE_GROUP, key, Action.UNCHANGED, where=namespace))
        else:
            diff = difflib.unified_diff(
                _text(there), _text(group), f"ruler {key}", f"declared {key}", n=2, lineterm=""
            )
            items.append(PlanItem(ItemKind.RULE_GROUP, key, Action.UPDATE, where=namespace, diff=tuple(diff)))
    orphans = sorted(key for key in current if key[0].startswith(prefix) and key not in wanted)
    if orphans and not prune:
        return Plan(
            "Mimir ruler",
            tuple(items),
            (f"{len(orphans)} managed rule groups are no longer declared; --prune deletes them.",),
        )
    for namespace, name in orphans:
        if wanted:
            items.append(
                PlanItem(
                    ItemKind.RULE_GROUP,
                    f"{namespace}/{name}",
                    Action.DELETE,
                    where=namespace,
                    reason="no longer declared",
                )
            )
        else:
            reason = "nothing is declared at all: refusing to delete every managed rule group"
            items.append(
                PlanItem(
                    ItemKind.RULE_GROUP,
                    f"{namespace}/{name}",
                    Action.CONFLICT,
                    where=namespace,
                    reason=reason,
                    forceable=True,
                )
            )
    return Plan("Mimir ruler", tuple(items))


def apply_mimir(
    plan: Plan, wanted: Groups, client: MimirClient, *, force: bool, progress: Progress | None = None
) -> list[Outcome]:
    """Apply, then read the ruler back: a group counts as deployed only once the ruler holds it as sent."""
    steps = [item for item in plan.items if item.applies(force)]
    refused = [
        Outcome(i, False, f"left untouched: {i.reason}")
        for i in plan.items
        if i.action is Action.CONFLICT and not i.applies(force)
    ]
    outcomes: list[Outcome] = []
    for index, item in enumerate(steps, start=1):
        namespace, name = item.where, item.name.removeprefix(f"{item.where}/")
        try:
            if (namespace, name) in wanted:
                client.set_group(namespace, wanted[(namespace, name)])
                outcome = Outcome(item, True)
            else:
                outcome = Outcome(item, True, "" if client.delete_group(namespace, name) else "already gone")
        except DeployError as error:
            outcome = Outcome(item, False, str(error))
        outcomes.append(outcome)
        if progress:
            progress(index, len(steps), item, outcome)
    if outcomes:
        outcomes = _verify(outcomes, wanted, client)
    return outcomes + refused


def _verify(outcomes: list[Outcome], wanted: Groups, client: MimirClient) -> list[Outcome]:
    """What the ruler holds decides: a write reported ok must be there as sent, and a write whose
    answer never came whole (every attempt dropped or broken off) that is there as sent did land."""
    try:
        now = client.groups()
    except DeployError as error:
        return [Outcome(o.item, False, f"could not be confirmed: {error}") if o.ok else o for o in outcomes]

    def held_as_sent(item: PlanItem) -> bool:
        key = (item.where, item.name.removeprefix(f"{item.where}/"))
        expected, held = wanted.get(key), now.get(key)
        return bool(_normal(expected) == _normal(held))  # both None for a deleted group

    def checked(o: Outcome) -> Outcome:
        if not o.ok:
            landed = held_as_sent(o.item)
            return (
                Outcome(o.item, True, f"done, though the ruler's answer was lost ({o.detail})")
                if landed
                else o
            )
        return o if held_as_sent(o.item) else Outcome(o.item, False, "the ruler does not hold what was sent")

    return [checked(o) for o in outcomes]
