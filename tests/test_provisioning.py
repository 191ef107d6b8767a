"""Grafana file provisioning of the build: mounting ``build/grafana`` shows every dashboard reading a
Prometheus at once, with no data source to add by hand."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from aurum.monitoring.pipeline import Artifacts


def test_the_data_source_is_provisioned_as_the_default_prometheus(
    bundled_build: tuple[Path, Artifacts],
) -> None:
    grafana = bundled_build[0] / "grafana"
    document = yaml.safe_load((grafana / "provisioning" / "datasources.yaml").read_text())
    assert document["apiVersion"] == 1
    [source] = document["datasources"]
    assert (source["type"], source["access"], source["isDefault"]) == ("prometheus", "proxy", True)
    # Grafana expands $NAME from its environment in provisioning values: one file for every Prometheus.
    assert source["url"] == "$AURUM_PROMETHEUS_URL"


def test_every_dashboard_selects_the_default_prometheus(bundled_build: tuple[Path, Artifacts]) -> None:
    """Each dashboard's ``datasource`` variable is of type prometheus with no value of its own, so
    Grafana selects the default data source of that type, the provisioned one; every query uses it."""
    for path in sorted((bundled_build[0] / "grafana" / "dashboards").glob("*/*.json")):
        dashboard = json.loads(path.read_text())
        [variable] = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
        assert (variable["query"], variable["current"]) == ("prometheus", {}), path.name
        stack = list(dashboard["panels"])
        while stack:
            panel = stack.pop()
            stack += panel.get("panels", [])
            for target in panel.get("targets", []):
                assert target["datasource"] == {"type": "prometheus", "uid": f"${{{variable['name']}}}"}, (
                    path.name
                )
