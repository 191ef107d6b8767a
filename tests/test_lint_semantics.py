"""Lint rules for bugs that parse and run: one bad declaration refused and one fine one accepted each.

The queries read a team catalog (catalog/shop.py) declaring a counter, a gauge and a histogram, a
label with a closed set and one whose values follow a pattern. Alerts come from a vendored mixin, so
its style and missing tests are warnings by policy, while these rules, about correctness, stay errors.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from aurum.contract.project import DEFAULT_PROJECT, ProjectSettings
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.io.project import load_project
from aurum.monitoring.pipeline import render

CATALOG = """\
from aurum.observability.catalog import Label, Metric, MetricType

STATUS = Label("status", "Numeric HTTP status code.", examples=("200", "500"), pattern="[1-5][0-9][0-9]")
CHANNEL = Label("channel", "Sales channel.", allowed=("web", "app"))

ORDERS_TOTAL = Metric(
    base_name="shop_orders_total",
    type=MetricType.COUNTER,
    help="Orders placed.",
    unit="orders",
    labels=(STATUS, CHANNEL),
    jobs=("shop",),
)
QUEUE_DEPTH = Metric(
    base_name="shop_queue_depth",
    type=MetricType.GAUGE,
    help="Orders waiting.",
    unit="orders",
    labels=(Label("queue", "Queue name.", examples=("orders",)),),
    jobs=("shop",),
)
# Exposed untyped, like node exporter's node_vmstat_pgmajfault (which only grows).
PAGE_FAULTS = Metric(
    base_name="shop_page_faults",
    type=MetricType.UNKNOWN,
    help="Major page faults.",
    unit="faults",
    labels=(),
    jobs=("shop",),
)
REQUEST_SECONDS = Metric(
    base_name="shop_request_duration_seconds",
    type=MetricType.HISTOGRAM,
    help="Request latency.",
    unit="seconds",
    labels=(Label("route", "Route template.", examples=("/cart",)),),
    buckets=(0.1, 0.5, 1.0),
    jobs=("shop",),
)
"""

RECORD = "recording_rules/shop.jsonnet: Record 'shop:checked'"
ALERT = "alerts/shop.jsonnet: Alert 'ShopChecked'"


def _record(expr: str) -> dict[str, str]:
    rule = f"{{ groups: [{{ name: 'shop', rules: [{{ record: 'shop:checked', expr: {expr!r} }}] }}] }}\n"
    return {"recording_rules/shop.jsonnet": rule}


def _alert(expr: str, description: str = "{{ $value }} orders.", severity: str = "warning") -> dict[str, str]:
    mixin = f"""\
        {{
          prometheusAlerts+:: {{ groups+: [{{ name: 'shop', rules: [{{
            alert: 'ShopChecked', expr: {expr!r}, labels: {{ severity: {severity!r} }},
            annotations: {{ summary: 'Orders.', description: {description!r}, runbook_url: 'https://r.example.com/x' }},
          }}] }}] }},
        }}
    """
    return {
        "vendor/github.com/example/shop-mixin/mixin.libsonnet": textwrap.dedent(mixin),
        "alerts/shop.jsonnet": "(import 'github.com/example/shop-mixin/mixin.libsonnet').prometheusAlerts\n",
    }


def _lint(tmp_path: Path, files: dict[str, str], table: str = "") -> list[str]:
    """The findings of the repository made of ``files``; [] when it renders."""
    for name, text in {"catalog/shop.py": CATALOG, **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    project: ProjectSettings = DEFAULT_PROJECT
    if table:
        (tmp_path / "pyproject.toml").write_text(
            f'[tool.aurum-obs]\nowner = "shop"\n{textwrap.dedent(table)}'
        )
        project = load_project(tmp_path).settings
    try:
        render(tmp_path, project=project)
    except DeclarationError as error:
        return str(error).removeprefix("error: ").splitlines()
    return []


SCRAPE_30S = "[tool.aurum-obs.lint]\nscrape-interval = '30s'\n"
SEVERITIES = "[tool.aurum-obs.lint]\nseverities = ['page', 'ticket']\n"

# (rule, bad files, the finding, fine files, pyproject table)
CASES = [
    (
        "rate of a gauge",
        _record("rate(shop_queue_depth[5m])"),
        f"{RECORD}: field 'expr': rate() of shop_queue_depth, a gauge: it is meant for counters; use delta() "
        "or deriv() for the change of a gauge",
        _record("deriv(shop_queue_depth[5m])"),
        "",
    ),
    (
        "increase of a gauge",
        _record("sum(increase(shop_queue_depth[1h]))"),
        f"{RECORD}: field 'expr': increase() of shop_queue_depth, a gauge: it is meant for counters; use "
        "delta() or deriv() for the change of a gauge",
        _record("sum(increase(shop_orders_total[1h]))"),
        "",
    ),
    (
        "threshold on a raw counter",
        _record("sum by (channel) (shop_orders_total) > 100"),
        f"{RECORD}: field 'expr': compares shop_orders_total, a counter, with 100: its raw value grows since "
        "the process started; compare its rate() or increase()",
        _record("sum by (channel) (rate(shop_orders_total[5m])) > 100"),
        "",
    ),
    (
        "histogram_quantile without le",
        _record("histogram_quantile(0.9, sum by (route) (rate(shop_request_duration_seconds_bucket[5m])))"),
        f"{RECORD}: field 'expr': histogram_quantile over series without the 'le' label (labels: route): "
        "keep it, as in sum by (..., le)",
        _record(
            "histogram_quantile(0.9, sum by (route, le) (rate(shop_request_duration_seconds_bucket[5m])))"
        ),
        "",
    ),
    (
        "regex outside a closed set",
        _record('shop_orders_total{channel=~"store|kiosk"}'),
        f"{RECORD}: field 'expr': shop_orders_total: label 'channel': 'store|kiosk' matches none of web, app",
        _record('shop_orders_total{channel=~"web|app"}'),
        "",
    ),
    (
        "value that can never match a numeric status",
        _record('shop_orders_total{status="5xx"}'),
        f"{RECORD}: field 'expr': shop_orders_total: label 'status': '5xx' can never match: its values follow "
        "'[1-5][0-9][0-9]' (Numeric HTTP status code)",
        _record('shop_orders_total{status=~"5.."}'),
        "",
    ),
    (
        "pattern that can never match a numeric status",
        _record('shop_orders_total{status=~"5xx|server_error"}'),
        f"{RECORD}: field 'expr': shop_orders_total: label 'status': \"=~'5xx|server_error'\" can never match: "
        "its values follow '[1-5][0-9][0-9]' (Numeric HTTP status code)",
        _record('shop_orders_total{status=~"5[0-9]{2}"}'),
        "",
    ),
    (
        "a job that does not export the metric",
        _record('sum(rate(shop_orders_total{job="checkout"}[5m]))'),
        f"{RECORD}: field 'expr': shop_orders_total: label 'job': 'checkout' is not a job exporting it "
        "(the catalogs declare: shop)",
        _record('sum(rate(shop_orders_total{job="shop"}[5m]))'),
        "",
    ),
    (
        "a job pattern that matches no job exporting the metric",
        _record('sum(rate(shop_orders_total{job=~"checkout|cart"}[5m]))'),
        f"{RECORD}: field 'expr': shop_orders_total: label 'job': =~'checkout|cart' matches no job exporting "
        "it (the catalogs declare: shop)",
        _record('sum(rate(shop_orders_total{job=~"shop|checkout"}[5m]))'),
        "",
    ),
    (
        "range under four declared scrape intervals",
        _record("rate(shop_orders_total[1m])"),
        f"{RECORD}: field 'expr': rate() over [1m]: shorter than 4 scrape intervals (2m at the declared 30s), "
        "one missed scrape leaves too few samples",
        _record("rate(shop_orders_total[2m])"),
        SCRAPE_30S,
    ),
    (
        "label template the aggregation drops",
        _alert("sum by (job) (rate(shop_orders_total[5m])) > 1", "{{ $labels.channel }} fails."),
        f"{ALERT}: field 'annotations.description': {{{{ $labels.channel }}}} is always empty: the "
        "expression's series have no label 'channel' (labels: job)",
        _alert("sum by (job) (rate(shop_orders_total[5m])) > 1", "{{ $labels.job }} fails."),
        "",
    ),
    (
        "severity outside the declared ones",
        _alert("sum(rate(shop_orders_total[5m])) > 1", severity="page"),
        f"{ALERT}: field 'labels.severity': 'page' is not a declared severity (critical, warning, info)",
        _alert("sum(rate(shop_orders_total[5m])) > 1", severity="critical"),
        "",
    ),
    (
        "severity outside the severities a team declares",
        _alert("sum(rate(shop_orders_total[5m])) > 1", severity="critical"),
        f"{ALERT}: field 'labels.severity': 'critical' is not a declared severity (page, ticket)",
        _alert("sum(rate(shop_orders_total[5m])) > 1", severity="page"),
        SEVERITIES,
    ),
]


@pytest.mark.parametrize(
    ("bad", "finding", "table"), [(c[1], c[2], c[4]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_bad_case_is_refused(tmp_path: Path, bad: dict[str, str], finding: str, table: str) -> None:
    assert _lint(tmp_path, bad, table) == [finding]


@pytest.mark.parametrize(("fine", "table"), [(c[3], c[4]) for c in CASES], ids=[c[0] for c in CASES])
def test_the_fine_case_passes(tmp_path: Path, fine: dict[str, str], table: str) -> None:
    assert _lint(tmp_path, fine, table) == []


def test_a_metric_no_catalog_declares_has_no_type_to_judge(tmp_path: Path) -> None:
    # The type rules ask the catalogs; an undeclared metric is reported as such, and only that.
    assert _lint(tmp_path, _record("rate(other_depth[1m]) > 5"), SCRAPE_30S) == [
        f"{RECORD}: field 'expr': other_depth is neither a catalog metric nor recorded by the build",
        f"{RECORD}: field 'expr': rate() over [1m]: shorter than 4 scrape intervals (2m at the declared 30s), "
        "one missed scrape leaves too few samples",
    ]


def test_a_metric_two_catalogs_declare_is_exported_by_the_jobs_of_both(tmp_path: Path) -> None:
    # Go's runtime metrics come from every exporter: each import declares them for its own job.
    other = CATALOG.split("QUEUE_DEPTH", maxsplit=1)[0].replace('jobs=("shop",)', 'jobs=("billing",)')
    files = {
        "catalog/billing.py": other,
        **_record('shop_orders_total{job="billing"} or shop_orders_total{job="shop"}'),
    }
    assert _lint(tmp_path, files) == []
    files = {**files, **_record('shop_orders_total{job="cart"}')}
    assert _lint(tmp_path, files) == [
        f"{RECORD}: field 'expr': shop_orders_total: label 'job': 'cart' is not a job exporting it "
        "(the catalogs declare: billing, shop)"
    ]


def test_a_job_a_vendored_mixin_reads_that_no_catalog_lists_follows_the_undeclared_policy(
    tmp_path: Path,
) -> None:
    # As etcd-mixin's process_resident_memory_bytes{job=~".*etcd.*"} where only Prometheus' and
    # Alertmanager's pages were imported: the catalog does not know yet, like an undeclared metric.
    assert _lint(tmp_path, _alert('sum(rate(shop_orders_total{job="checkout"}[5m])) > 1')) == []
    waived = render(tmp_path).waived
    assert [(w.tree, w.finding.category, w.finding.message) for w in waived if w.finding.field == "expr"] == [
        (
            "vendor/github.com/example/shop-mixin/",
            "undeclared-metrics",
            "shop_orders_total: label 'job': 'checkout' is not a job exporting it (the catalogs declare: shop)",
        )
    ]


def test_a_metric_any_job_may_export_takes_any_job(tmp_path: Path) -> None:
    files = {
        "catalog/shop.py": CATALOG.replace('jobs=("shop",)', "jobs=()"),
        **_record('shop_orders_total{job="cart"}'),
    }
    assert _lint(tmp_path, files) == []


def test_job_patterns_are_matched_as_prometheus_matches_them(tmp_path: Path) -> None:
    # RE2, as Prometheus: [[:alpha:]] is a POSIX class there, a class of '[', ':', 'a'... then ']'
    # in Python's re, which would call the matcher impossible.
    assert _lint(tmp_path, _record('shop_orders_total{job=~"[[:alpha:]]+"}')) == []
    assert _lint(tmp_path, _record('shop_orders_total{job=~"[[:digit:]]+"}')) == [
        f"{RECORD}: field 'expr': shop_orders_total: label 'job': =~'[[:digit:]]+' matches no job exporting "
        "it (the catalogs declare: shop)"
    ]


def test_ranges_are_not_judged_without_a_declared_scrape_interval(tmp_path: Path) -> None:
    assert _lint(tmp_path, _record("rate(shop_orders_total[1m])")) == []


def test_a_metric_of_unknown_type_is_judged_by_no_type_rule(tmp_path: Path) -> None:
    assert _lint(tmp_path, _record("rate(shop_page_faults[5m]) > 10 or shop_page_faults > 1000")) == []
