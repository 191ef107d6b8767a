"""SLOs per group (``group_by``): checked against the catalog, every series and alert per group value,
generated tests with one group burning beside a healthy one, a variable per group label on the SLO
dashboards, and the build's statement of the series it costs."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from aurum.monitoring import SLO, PromQLSLI, RatioSLI, regex, select
from aurum.monitoring.cli import main
from aurum.monitoring.model.grouping import group_count
from aurum.monitoring.pipeline import render
from aurum.observability.catalog import CACHE_OPERATIONS_TOTAL, HTTP_REQUESTS_TOTAL
from tests.team_repos import grouped_repo

RULES = PurePosixPath("prometheus/rules/tenant-availability.yaml")
TESTS = PurePosixPath("prometheus/tests/tenant-availability.test.yaml")
RATIO = RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL))


def _slo(**fields: Any) -> SLO:
    return SLO(**{"name": "x", "service": "y", "description": "X.", "objective": 99, "sli": RATIO, **fields})


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return render(grouped_repo(tmp_path_factory.mktemp("grouped") / "repo"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"group_by": ("route",)}, "has no label 'route' to group by"),
        ({"group_by": ("slo",)}, "is set by the compiler"),
        ({"group_by": ("tenant_id", "tenant_id")}, "labels repeat"),
        ({"group_by": ("tenant_id",), "labels": {"tenant_id": "acme"}}, "one of the SLO's own labels"),
        ({"group_by": ("x",), "sli": PromQLSLI(error_ratio="vector(0) + 0 * up[{window}]")}, "raw PromQL"),
    ],
)
def test_a_group_label_the_sli_cannot_be_split_by_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _slo(**fields)


def test_the_base_series_are_recorded_per_group_and_every_read_keeps_the_groups(rendered: Any) -> None:
    document = yaml.safe_load(rendered.files[RULES])
    rules = {r.get("record") or r["alert"]: r["expr"] for g in document["groups"] for r in g["rules"]}
    bad, total = rules["slo:sli_bad_events:increase1m"], rules["slo:sli_total_events:increase1m"]
    assert total.startswith("sum by (tenant_id) (\n")
    # A group without a bad event has zero bad events, by its own total (vector(0) has no tenant).
    assert bad.startswith("sum by (tenant_id) (\n") and bad.endswith(f" or 0 * {total}")
    assert "vector(0)" not in bad + total
    # No other rule aggregates: the groups stay apart in every window, burn rate and alert.
    aggregating = sorted(name for name, expr in rules.items() if "sum(" in expr or " by (" in expr)
    assert aggregating == ["slo:sli_bad_events:increase1m", "slo:sli_total_events:increase1m"]


def test_the_generated_tests_have_one_group_burning_and_one_healthy(rendered: Any) -> None:
    tests = yaml.safe_load(rendered.files[TESTS])["tests"]
    two = [t for t in tests if t["name"].startswith("two groups")]
    assert len(two) == 1, [t["name"] for t in tests]
    test = two[0]
    assert (
        "tenant_id=acme-corp in a full outage pages" in test["name"]
        and "tenant_id=globex healthy" in test["name"]
    )
    fed = {s["series"].split('tenant_id="')[1].split('"')[0] for s in test["input_series"]}
    assert fed == {"acme-corp", "globex"}
    fired = [a for check in test["alert_rule_test"] for a in check["exp_alerts"]]
    assert fired, "the burning group pages"
    assert {a["exp_labels"]["tenant_id"] for a in fired} == {"acme-corp"}
    checked = {
        s["labels"].split('tenant_id="')[1].split('"')[0]
        for t in test["promql_expr_test"]
        for s in t["exp_samples"]
        if "tenant_id" in s["labels"]
    }
    assert checked == {"acme-corp", "globex"}, "both groups' windows are checked"
    for other in tests:  # every other scenario is one group's, with the group on every expected series
        for check in other["promql_expr_test"]:
            for sample in check["exp_samples"]:
                if (
                    "objective" not in sample["labels"]
                    and "error_budget" not in sample["labels"]
                    and "time_period" not in sample["labels"]
                    and "slo:info" not in sample["labels"]
                ):
                    assert 'tenant_id="' in sample["labels"], (other["name"], sample)


@pytest.mark.slow
def test_promtool_proves_the_grouped_tests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = grouped_repo(tmp_path / "repo")
    assert main(["build", "--root", str(root), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert (
        "series: tenant-availability per tenant_id: 17 recorded series and up to 2 alerts per tenant_id value"
        in out
    )
    assert "unbounded: tenant_id is open, so the runtime's cardinality guard caps it" in out


def test_closed_label_sets_bound_the_groups() -> None:
    sli = RatioSLI(bad=select(CACHE_OPERATIONS_TOTAL, result="miss"), total=select(CACHE_OPERATIONS_TOTAL))
    assert group_count(sli, ("result",)).groups == 3
    assert group_count(sli, ("result", "cache_type")).groups is None
    assert group_count(sli, ("result", "cache_type")).open_labels == ("cache_type",)


def test_the_slo_dashboards_get_a_variable_per_group_label(rendered: Any) -> None:
    for uid in ("aurum-slo-overview", "aurum-slo-detail"):
        board = json.loads(rendered.files[PurePosixPath(f"grafana/dashboards/aurum-slos/{uid}.json")])
        variables = {v["name"]: v for v in board["templating"]["list"]}
        assert variables["tenant_id"]["query"] == "label_values(slo:sli_total_events:rate5m, tenant_id)"
        assert variables["tenant_id"]["includeAll"] and variables["tenant_id"]["allValue"] == ".*"
        text = json.dumps(board)
        assert "slo:period_error_budget_remaining:ratio{" in text
        reads = text.split("slo:period_error_budget_remaining:ratio{")[1:]
        grouped = [r for r in reads if r.startswith(('slo=\\"$slo\\"', 'slo=\\"tenant'))]
        assert grouped and all('tenant_id=~\\"$tenant_id\\"' in r.split("}")[0] for r in grouped), grouped
