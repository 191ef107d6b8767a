"""The stand-ins reproduce the documented behaviour the deploy relies on (see their docstrings for the
documentation each follows); if one drifted from Grafana or Mimir, the deploy tests would prove nothing."""

from __future__ import annotations

import pytest
import requests
import yaml

from aurum.monitoring.deploy.standins import Faults, MimirStandin, serve

from .conftest import TOKEN, Grafana, dashboard

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _save(grafana: Grafana, model: dict, folder: str = "", *, overwrite: bool = False) -> requests.Response:
    body = {"dashboard": model, "folderUid": folder, "overwrite": overwrite, "message": "test"}
    return requests.post(f"{grafana.url}/api/dashboards/db", json=body, headers=AUTH, timeout=5)


def _get(grafana: Grafana, path: str, **params: object) -> requests.Response:
    return requests.get(f"{grafana.url}{path}", params=params, headers=AUTH, timeout=5)


def test_health_needs_no_token_and_everything_else_does(grafana: Grafana) -> None:
    assert requests.get(f"{grafana.url}/api/health", timeout=5).json()["database"] == "ok"
    for headers in [{}, {"Authorization": "Bearer wrong"}]:
        response = requests.get(f"{grafana.url}/api/search", headers=headers, timeout=5)
        assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


def test_versions_increment_and_a_stale_version_is_a_412(grafana: Grafana) -> None:
    created = _save(grafana, dashboard("d", "D"))
    assert created.status_code == 200 and created.json()["version"] == 1
    assert _save(grafana, {**dashboard("d", "D"), "version": 1}).json()["version"] == 2
    stale = _save(grafana, {**dashboard("d", "D"), "version": 1})
    assert (stale.status_code, stale.json()["status"]) == (412, "version-mismatch")
    forced = _save(grafana, {**dashboard("d", "D"), "version": 1}, overwrite=True)
    assert forced.json()["version"] == 3
    read = _get(grafana, "/api/dashboards/uid/d").json()
    assert read["dashboard"]["version"] == 3 and read["meta"]["provisioned"] is False
    assert [v for v, _ in grafana.store.dashboards["d"].history] == [1, 2, 3]


def test_same_title_in_a_folder_is_412_name_exists_and_overwrite_takes_the_other_over(
    grafana: Grafana,
) -> None:
    grafana.store.create_folder("f", "F")
    _save(grafana, dashboard("theirs", "Same"), "f")
    clash = _save(grafana, dashboard("ours", "Same"), "f")
    assert (clash.status_code, clash.json()["status"]) == (412, "name-exists")
    assert _save(grafana, dashboard("elsewhere", "Same")).status_code == 200  # another folder is fine
    taken = _save(grafana, dashboard("ours", "Same", expr="ours"), "f", overwrite=True)
    assert taken.json()["uid"] == "theirs"  # what the deploy's own collision check exists to prevent
    assert grafana.store.dashboards["theirs"].model["panels"][0]["targets"][0]["expr"] == "ours"


def test_provisioned_dashboards_cannot_be_saved_or_deleted(grafana: Grafana) -> None:
    grafana.store.seed(dashboard("p", "P"), provisioned=True)
    assert _get(grafana, "/api/dashboards/uid/p").json()["meta"]["provisioned"] is True
    saved = _save(grafana, {**dashboard("p", "P"), "version": 1}, overwrite=True)
    assert (saved.status_code, saved.json()["message"]) == (400, "Cannot save provisioned dashboard")
    deleted = requests.delete(f"{grafana.url}/api/dashboards/uid/p", headers=AUTH, timeout=5)
    assert deleted.status_code == 400


def test_not_found_answers(grafana: Grafana) -> None:
    assert _get(grafana, "/api/dashboards/uid/nope").status_code == 404
    assert _get(grafana, "/api/folders/nope").status_code == 404
    assert (
        requests.delete(f"{grafana.url}/api/dashboards/uid/nope", headers=AUTH, timeout=5).status_code == 404
    )


def test_folders_existing_uid_is_409_and_updates_are_version_checked(grafana: Grafana) -> None:
    url = f"{grafana.url}/api/folders"
    assert requests.post(url, json={"uid": "f", "title": "F"}, headers=AUTH, timeout=5).status_code == 200
    assert requests.post(url, json={"uid": "f", "title": "Other"}, headers=AUTH, timeout=5).status_code == 409
    stale = requests.put(f"{url}/f", json={"title": "G", "version": 7}, headers=AUTH, timeout=5)
    assert (stale.status_code, stale.json()["status"]) == (412, "version-mismatch")
    assert (
        requests.put(f"{url}/f", json={"title": "G", "version": 1}, headers=AUTH, timeout=5).json()["version"]
        == 2
    )


def test_search_filters_by_tag_folder_and_query_and_pages(grafana: Grafana) -> None:
    grafana.store.create_folder("f", "F")
    _save(grafana, dashboard("a", "Alpha", tags=("x", "y")), "f")
    _save(grafana, dashboard("b", "Beta", tags=("x",)))
    _save(grafana, dashboard("c", "Gamma alpha", tags=("y",)), "f")
    uids = lambda **params: [hit["uid"] for hit in _get(grafana, "/api/search", **params).json()]  # noqa: E731
    assert uids(tag="x") == ["a", "b"]
    assert uids(tag=["x", "y"]) == ["a"]
    assert uids(folderUIDs="f") == ["a", "c"]
    assert uids(query="ALPHA") == ["a", "c"]
    assert uids(limit=2, page=2) == ["c"]


def test_faults_are_injected_in_order_and_recorded(grafana: Grafana) -> None:
    grafana.faults.add("status", times=2, status=500, path="/api/search")
    grafana.faults.add("status", status=401)
    statuses = [_get(grafana, "/api/search").status_code for _ in range(4)]
    assert statuses == [500, 500, 401, 200]
    grafana.faults.add("drop")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{grafana.url}/api/search", headers=AUTH, timeout=5)
    grafana.faults.add("slow", delay=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(f"{grafana.url}/api/search", headers=AUTH, timeout=0.2)
    assert [s.outcome for s in grafana.faults.seen][:5] == ["500", "500", "401", "200", "dropped"]


def test_the_mimir_ruler_stores_groups_per_tenant_and_namespace() -> None:
    app = MimirStandin()
    with serve(app, Faults()) as url:
        rules = f"{url}/prometheus/config/v1/rules"
        assert requests.get(rules, timeout=5).status_code == 401  # no X-Scope-OrgID
        tenant = {"X-Scope-OrgID": "team-a"}
        assert requests.get(rules, headers=tenant, timeout=5).status_code == 404  # nothing yet
        group = yaml.safe_dump({"name": "g", "rules": [{"record": "r", "expr": "up"}]})
        assert requests.post(f"{rules}/ns", data=group, headers=tenant, timeout=5).status_code == 202
        bad = yaml.safe_dump({"name": "bad", "rules": [{"record": "r"}]})
        assert requests.post(f"{rules}/ns", data=bad, headers=tenant, timeout=5).status_code == 400
        listed = yaml.safe_load(requests.get(rules, headers=tenant, timeout=5).text)
        assert listed == {"ns": [{"name": "g", "rules": [{"record": "r", "expr": "up"}]}]}
        assert requests.get(rules, headers={"X-Scope-OrgID": "team-b"}, timeout=5).status_code == 404
        assert requests.delete(f"{rules}/ns/g", headers=tenant, timeout=5).status_code == 202
        assert requests.delete(f"{rules}/ns/g", headers=tenant, timeout=5).status_code == 404
