"""The rendered dashboards: every query parses and names known series, the layout, the Grafana contract."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from grafanalib.core import Stat, TimeSeries

from aurum.monitoring.compile.dashboards import compile_board, row_widths
from aurum.monitoring.compile.grafana_json import SCHEMA_VERSION
from aurum.monitoring.compile.panels import DATASOURCE
from aurum.monitoring.dashboards import PLATFORM_FOLDER, Board, Row, target
from aurum.monitoring.model.prometheus import PROMETHEUS_SERIES
from aurum.monitoring.pipeline import Artifacts
from aurum.monitoring.validate.promql import metric_names
from aurum.monitoring.validate.queries import expand_variables
from aurum.observability.catalog import METRICS

DASHBOARDS = {
    "aurum-slos/aurum-slo-overview": "SLO Overview",
    "aurum-slos/aurum-slo-detail": "SLO Detail",
    "aurum-platform/aurum-api-performance": "API Performance",
    "aurum-platform/aurum-business": "Business Metrics",
    "aurum-platform/aurum-infrastructure": "Infrastructure",
    "aurum-platform/aurum-alert-status": "Alert Status",
    "aurum-platform/aurum-data-freshness": "Data Freshness",
}


def _dashboards(out: Path) -> dict[str, dict[str, Any]]:
    root = out / "grafana" / "dashboards"
    return {
        str(path.relative_to(root).with_suffix("")): json.loads(path.read_text())
        for path in sorted(root.rglob("*.json"))
    }


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for panel in panels for p in (panel, *_panels(panel.get("panels", [])))]


def _recorded(out: Path) -> set[str]:
    return {
        rule["record"]
        for path in (out / "prometheus" / "rules").glob("*.yaml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    }


def test_every_dashboard_of_the_spec_is_rendered(bundled_build: tuple[Path, Artifacts]) -> None:
    dashboards = _dashboards(bundled_build[0])
    assert {name: d["title"] for name, d in dashboards.items()} == DASHBOARDS
    assert json.loads((bundled_build[0] / "grafana" / "folders.json").read_text()) == {
        "aurum-platform": "Aurum Platform",
        "aurum-slos": "Aurum SLOs",
    }


def test_every_promql_expression_parses_and_names_only_known_series(
    bundled_build: tuple[Path, Artifacts],
) -> None:
    out = bundled_build[0]
    known = {name for metric in (*METRICS, *PROMETHEUS_SERIES) for name in metric.series_names()}
    known |= _recorded(out)
    count = 0
    for name, dashboard in _dashboards(out).items():
        for panel in _panels(dashboard["panels"]):
            for query in panel.get("targets", []):
                expr = expand_variables(query["expr"])
                promql_parser.parse(expr)  # raises on invalid PromQL
                unknown = metric_names(expr) - known
                assert not unknown, f"{name}: panel {panel['title']!r} reads {unknown}"
                count += 1
    assert count > 80


@pytest.mark.parametrize("name", DASHBOARDS)
def test_dashboards_follow_the_grafana_contract(bundled_build: tuple[Path, Artifacts], name: str) -> None:
    dashboard = _dashboards(bundled_build[0])[name]
    assert dashboard["uid"] == name.split("/")[1]
    assert dashboard["title"] and dashboard["tags"]
    assert "id" not in dashboard and "version" not in dashboard
    assert dashboard["schemaVersion"] == SCHEMA_VERSION
    assert "null" not in json.dumps(dashboard)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    panels = _panels(dashboard["panels"])
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == DATASOURCE, panel["title"]
        assert all(t["datasource"] == DATASOURCE and t["refId"] for t in panel["targets"])
        assert panel["fieldConfig"]["defaults"]["unit"], f"{panel['title']} has no unit"
        assert "thresholds" in panel["fieldConfig"]["defaults"], f"{panel['title']} has no thresholds"
    for a, b in itertools.combinations(dashboard["panels"], 2):
        ga, gb = a["gridPos"], b["gridPos"]
        apart = (
            ga["x"] + ga["w"] <= gb["x"]
            or gb["x"] + gb["w"] <= ga["x"]
            or ga["y"] + ga["h"] <= gb["y"]
            or gb["y"] + gb["h"] <= ga["y"]
        )
        assert apart, f"{a['title']!r} overlaps {b['title']!r}"
        assert ga["x"] + ga["w"] <= 24


def test_the_slo_dashboards_are_generated_from_the_slos_and_link_to_each_other(
    bundled_build: tuple[Path, Artifacts],
) -> None:
    out, artifacts = bundled_build
    dashboards = _dashboards(out)
    overview, detail = dashboards["aurum-slos/aurum-slo-overview"], dashboards["aurum-slos/aurum-slo-detail"]
    slos = [entry["name"] for entry in json.loads((out / "slos.json").read_text())["slos"]]
    rows = [p["title"].split(":")[0] for p in overview["panels"] if p["type"] == "row"]
    assert rows == ["All SLOs", *slos]  # one row per SLO
    table = next(p for p in overview["panels"] if p["type"] == "table")
    assert table["options"]["sortBy"] == [{"desc": False, "displayName": "Budget remaining"}]
    slo = next(v for v in detail["templating"]["list"] if v["name"] == "slo")
    assert slo["query"] == "label_values(slo:info, slo)" and slo["current"]["value"] in slos
    assert {link["url"] for link in overview["links"]} >= {"/d/aurum-slo-detail"}
    assert {link["url"] for link in detail["links"]} >= {"/d/aurum-slo-overview"}
    drill_downs = {link["url"] for p in overview["panels"] for link in p.get("links", [])}
    assert "/d/aurum-slo-detail?var-slo=api-availability&${__url_time_range}" in drill_downs
    burn = [p for p in detail["panels"] if p["title"].startswith("Burn rate over")]
    assert [p["title"] for p in burn] == [
        "Burn rate over 1h and 5m (page)",
        "Burn rate over 6h and 30m (page)",
        "Burn rate over 1d and 2h (ticket)",
        "Burn rate over 3d and 6h (ticket)",
    ]
    # The page threshold is drawn for the SLOs that page only (cache-hit-rate tickets).
    assert "cache-hit-rate" not in burn[0]["targets"][2]["expr"]
    assert burn[0]["targets"][2]["expr"].endswith("* 0.48")  # 14.4 on a 30-day period
    assert artifacts.dashboards == len(DASHBOARDS)


def test_grafana_file_provisioning_covers_every_folder(bundled_build: tuple[Path, Artifacts]) -> None:
    grafana = bundled_build[0] / "grafana"
    provisioning = yaml.safe_load((grafana / "provisioning" / "dashboards.yaml").read_text())
    assert provisioning["apiVersion"] == 1
    folders = json.loads((grafana / "folders.json").read_text())
    providers = {p["folderUid"]: p for p in provisioning["providers"]}
    assert set(providers) == set(folders) == {p.name for p in (grafana / "dashboards").iterdir()}
    for uid, provider in providers.items():
        assert provider["type"] == "file" and provider["folder"] == folders[uid]
        assert provider["options"]["path"].endswith(f"/{uid}")


def _board(*rows: Row) -> Board:
    return Board(uid="layout", title="Layout", folder=PLATFORM_FOLDER, tags=("test",), rows=rows)


@pytest.mark.parametrize(
    ("spans", "widths"),
    [
        ((None,), [24]),
        ((None, None, None), [8, 8, 8]),
        ((None,) * 5, [5, 5, 5, 5, 4]),
        ((4, None, None), [8, 8, 8]),
        ((8, None), [16, 8]),
        ((12, 6, None), [24, 12, 24]),  # nothing left to share: the last panel gets a line of its own
    ],
)
def test_row_widths(spans: tuple[int | None, ...], widths: list[int]) -> None:
    row = Row(panels=tuple(Stat(title=str(i), span=span) for i, span in enumerate(spans)))
    assert row_widths(row) == widths


def test_the_layout_wraps_full_rows_and_never_overlaps() -> None:
    panels = tuple(TimeSeries(title=f"p{i}", span=5, targets=[target("up")]) for i in range(5))
    document = compile_board(_board(Row(title="Wide", panels=panels, height=6), Row(panels=panels[:1])))
    grids = [(p["title"], p["gridPos"]) for p in document["panels"]]
    assert grids[:4] == [
        ("Wide", {"h": 1, "w": 24, "x": 0, "y": 0}),
        ("p0", {"h": 6, "w": 10, "x": 0, "y": 1}),
        ("p1", {"h": 6, "w": 10, "x": 10, "y": 1}),
        ("p2", {"h": 6, "w": 10, "x": 0, "y": 7}),
    ]
    assert grids[-1] == ("p0", {"h": 8, "w": 10, "x": 0, "y": 19})
    assert [p["id"] for p in document["panels"]] == list(range(1, 8))


def test_grafanalib_output_is_normalised() -> None:
    document = compile_board(_board(Row(panels=(Stat(title="s", targets=[target("up")], thresholds=[]),))))
    panel = document["panels"][0]
    for legacy in ("rows", "style", "hideControls", "sharedCrosshair", "gnetId", "__inputs", "id", "version"):
        assert legacy not in document
    for legacy in ("span", "height", "minSpan", "error", "maxDataPoints", "cacheTimeout"):
        assert legacy not in panel
    assert set(panel["targets"][0]) == {
        "datasource",
        "expr",
        "format",
        "hide",
        "instant",
        "interval",
        "legendFormat",
        "refId",
    }
    assert "time_options" not in document["timepicker"]
