"""``aurum-obs import sloth``: Sloth specifications become declarations that build as they are.

The specifications under ``tests/fixtures/sloth`` are written here in the shapes of Sloth's
documented examples (getting started, several SLOs and documents in one file, a raw SLI, custom
alert names and labels, disabled alerts, a 28-day period and custom windows, a Kubernetes resource).
Each is imported into a fresh repository, which is then built with promtool: the generated unit
tests of every typed SLI run. The alerts are compared with what Sloth generates for the same
specification: Sloth's page alert fires when ``ratio_rate5m > 14.4 * budget and ratio_rate1h > 14.4 *
budget`` or ``ratio_rate30m > 6 * budget and ratio_rate6h > 6 * budget``; its ticket alert on 2h/1d at
3 and 6h/3d at 1 (factor = budget share x period / long window, ``internal/alert/window.go``), with
the alerting labels, the tier's labels and annotations, and the SLO's labels on every alert.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import promql_parser as pp
import pytest
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.io.project import load_project
from aurum.monitoring.pipeline import build
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache

SPECS = Path(__file__).parent / "fixtures" / "sloth"
PYPROJECT = """[tool.aurum-obs]
owner = "myteam"

[tool.aurum-obs.lint]
severities = ["critical", "warning", "pageteam", "slack"]
"""
ACCEPTED = [
    "getting-started.yml",
    "multifile.yml",
    "raw-home-wifi.yml",
    "no-alerts.yml",
    "k8s-getting-started.yml",
]

# What Sloth generates with its default (google-30d) windows: (short, long, factor) by tier.
SLOTH_30D = {
    "page": {("5m", "1h", Fraction("14.4")), ("30m", "6h", Fraction(6))},
    "ticket": {("2h", "1d", Fraction(3)), ("6h", "3d", Fraction(1))},
}
# Sloth's google-28d windows: the same budget shares over 28 days.
SLOTH_28D = {
    "page": {("5m", "1h", Fraction("13.44")), ("30m", "6h", Fraction("5.6"))},
    "ticket": {("2h", "1d", Fraction("2.8")), ("6h", "3d", Fraction(14, 15))},
}


def _repo(tmp: Path) -> Path:
    root = tmp / "team"
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def _import(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.chdir(SPECS)  # the files are named as the user names them
    return main(["import", "sloth", *args, "--root", str(root)])


def _build(root: Path, promtool: Promtool, cache: ProofCache) -> Path:
    out = root / "build"
    build(root, out, promtool, log=lambda _: None, cache=cache, project=load_project(root).settings)
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, promtool: Promtool, proof_cache: ProofCache) -> Path:
    """Every accepted specification imported into one repository, built once with its proofs."""
    root = _repo(tmp_path_factory.mktemp("sloth"))
    with pytest.MonkeyPatch.context() as patch:
        assert _import(root, *ACCEPTED, monkeypatch=patch) == 0
    return _build(root, promtool, proof_cache)


def _rules(out: Path, stem: str) -> list[dict[str, Any]]:
    document = yaml.safe_load((out / "prometheus" / "rules" / f"{stem}.yaml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def _alerts(out: Path, stem: str) -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule for rule in _rules(out, stem) if "alert" in rule}


def _number(node: object) -> Fraction:
    if isinstance(node, pp.NumberLiteral):
        return Fraction(str(node.val))
    if isinstance(node, pp.ParenExpr):
        return _number(node.expr)
    assert isinstance(node, pp.BinaryExpr), node
    left, right = _number(node.lhs), _number(node.rhs)
    return {"*": left * right, "/": left / right}[str(node.op)]


def _window_threshold(node: object) -> tuple[str, Fraction]:
    """``ratio_rate<W> / budget > f`` or ``ratio_rate<W> > (f * budget)``: W and the ratio's threshold."""
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    assert isinstance(node, pp.BinaryExpr) and str(node.op) == ">", node
    scale, series = Fraction(1), node.lhs
    if isinstance(series, pp.BinaryExpr) and str(series.op) == "/":
        scale, series = _number(series.rhs), series.lhs
    assert isinstance(series, pp.VectorSelector) and series.name.startswith("slo:sli_error:ratio_rate")
    return series.name.removeprefix("slo:sli_error:ratio_rate"), _number(node.rhs) * scale


def _conditions(expr: str, budget: Fraction) -> set[tuple[str, str, Fraction]]:
    """Each ``short and long`` pair of an alert expression as (short, long, burn factor)."""
    pairs: set[tuple[str, str, Fraction]] = set()

    def visit(node: object) -> None:
        if isinstance(node, pp.BinaryExpr) and str(node.op) == "and":
            (short, low), (long, high) = _window_threshold(node.lhs), _window_threshold(node.rhs)
            assert low == high, expr
            pairs.add((short, long, low / budget))
        elif isinstance(node, pp.BinaryExpr):
            visit(node.lhs)
            visit(node.rhs)
        elif isinstance(node, pp.ParenExpr):
            visit(node.expr)

    visit(pp.parse(expr))
    return pairs


def test_imported_specifications_build_with_their_generated_proofs(imported: Path) -> None:
    tests = sorted(path.name for path in (imported / "prometheus" / "tests").iterdir())
    # Typed ratio SLIs (counters) get generated unit tests, which the build ran with promtool.
    for stem in (
        "requests-availability.checkout",
        "payments-success",
        "requests-availability.search",
        "requests-availability.orders",
        "http-availability",
        "grpc-availability",
    ):
        assert f"{stem}.test.yaml" in tests
    # Raw PromQL (a histogram's _count in a query, an error ratio) has rules but no generated tests.
    assert (imported / "prometheus" / "rules" / "requests-availability.myservice.yaml").is_file()
    assert (imported / "prometheus" / "rules" / "wifi-client-satisfaction.yaml").is_file()
    assert "requests-availability.myservice.test.yaml" not in tests


def test_getting_started_alerts_are_sloths(imported: Path) -> None:
    alerts = _alerts(imported, "requests-availability.myservice")
    assert sorted(alerts) == ["MyServiceHighErrorRatePage", "MyServiceHighErrorRateTicket"]
    page, ticket = alerts["MyServiceHighErrorRatePage"], alerts["MyServiceHighErrorRateTicket"]
    budget = Fraction("0.001")
    assert _conditions(page["expr"], budget) == SLOTH_30D["page"]
    assert _conditions(ticket["expr"], budget) == SLOTH_30D["ticket"]
    # Sloth: the alerting labels, the tier's labels, and the spec's labels (on its series) on each alert.
    assert (
        page["labels"].items()
        >= {
            "category": "availability",
            "routing_key": "myteam",
            "severity": "pageteam",
        }.items()
    )
    assert (
        ticket["labels"].items()
        >= {
            "category": "availability",
            "slack_channel": "#alerts-myteam",
            "severity": "slack",
        }.items()
    )
    assert "routing_key" not in ticket["labels"] and "slack_channel" not in page["labels"]
    for alert in (page, ticket):
        assert alert["labels"].items() >= {"owner": "myteam", "repo": "myorg/myservice"}.items()
        assert alert["annotations"]["summary"] == "High error rate on 'myservice' requests responses."
    records = {
        rule["record"]: rule
        for rule in _rules(imported, "requests-availability.myservice")
        if "record" in rule
    }
    bad = records["slo:sli_bad_events:increase1m"]["expr"]
    assert 'http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[5m]' in bad


def test_several_slos_and_documents_in_one_file(imported: Path) -> None:
    checkout = _alerts(imported, "requests-availability.checkout")
    assert sorted(checkout) == ["CheckoutHighErrorRatePage", "CheckoutHighErrorRateTicket"]
    assert (
        checkout["CheckoutHighErrorRatePage"]["labels"].items()
        >= {"routing_key": "payments", "owner": "payments"}.items()
    )
    assert checkout["CheckoutHighErrorRatePage"]["labels"]["severity"] == "critical"  # Sloth sets none
    payments = _alerts(imported, "payments-success")
    assert (
        _conditions(payments["CheckoutPaymentsFailingPage"]["expr"], Fraction("0.005")) == SLOTH_30D["page"]
    )
    assert (
        payments["CheckoutPaymentsFailingTicket"]["labels"].items()
        >= {
            "category": "business",
            "owner": "payments",
        }.items()
    )
    search = _alerts(imported, "requests-availability.search")
    assert _conditions(search["SearchHighErrorRatePage"]["expr"], Fraction("0.0001")) == SLOTH_30D["page"]
    assert (
        search["SearchHighErrorRatePage"]["annotations"]["runbook_url"] == "https://runbooks.example/search"
    )
    assert (
        search["SearchHighErrorRateTicket"]["annotations"]["runbook_url"] != "https://runbooks.example/search"
    )


def test_raw_sli_is_the_error_ratio_query_per_window(imported: Path) -> None:
    rules = _rules(imported, "wifi-client-satisfaction")
    ratio = {rule["record"]: rule["expr"] for rule in rules if "record" in rule}
    # The query at 5m, sampled every minute, is the tile; windows average it (time-weighted, as Sloth's raw
    # SLI is an average of ratios), where Sloth runs the query once per window.
    assert (
        "sum(sum_over_time(unifipoller_client_satisfaction_ratio[5m]))"
        in ratio["slo:sli_bad_events:increase1m"]
    )
    assert "slo:sli_bad_events:increase1m" in ratio["slo:sli_error:ratio_rate1h"]
    alerts = _alerts(imported, "wifi-client-satisfaction")
    assert sorted(alerts) == ["WifiClientSatisfactionTicket"]  # page_alert.disable
    ticket = alerts["WifiClientSatisfactionTicket"]
    assert _conditions(ticket["expr"], Fraction("0.05")) == SLOTH_30D["ticket"]
    assert (
        ticket["labels"].items()
        >= {"severity": "warning", "cluster": "valhalla", "component": "ubiquiti"}.items()
    )


def test_disabled_alerts_are_not_generated(imported: Path) -> None:
    assert _alerts(imported, "http-availability") == {}
    grpc = _alerts(imported, "grpc-availability")
    assert sorted(grpc) == ["MyAppGrpcErrorsPage"]
    assert _conditions(grpc["MyAppGrpcErrorsPage"]["expr"], Fraction("0.001")) == SLOTH_30D["page"]
    records = {
        rule["record"]: rule["expr"] for rule in _rules(imported, "grpc-availability") if "record" in rule
    }
    assert 'grpc_code!="OK"' in records["slo:sli_bad_events:increase1m"]


def test_kubernetes_resource_maps_like_the_spec(imported: Path) -> None:
    alerts = _alerts(imported, "requests-availability.orders")
    page, ticket = alerts["OrdersHighErrorRatePage"], alerts["OrdersHighErrorRateTicket"]
    assert _conditions(page["expr"], Fraction("0.001")) == SLOTH_30D["page"]
    assert (
        page["labels"].items()
        >= {"severity": "critical", "routing_key": "myteam", "category": "availability"}.items()
    )
    assert (
        ticket["labels"].items()
        >= {"severity": "warning", "slack_channel": "#alerts-myteam", "owner": "myteam"}.items()
    )
    assert page["annotations"]["summary"] == "High error rate on orders requests."


def test_28_day_period_and_custom_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, promtool: Promtool, proof_cache: ProofCache
) -> None:
    root = _repo(tmp_path)
    assert _import(root, "period-28d.yml", "--default-slo-period", "28d", monkeypatch=monkeypatch) == 0
    out = _build(root, promtool, proof_cache)
    alerts = _alerts(out, "writes-availability")
    assert _conditions(alerts["LedgerWritesFailingPage"]["expr"], Fraction("0.001")) == SLOTH_28D["page"]
    assert _conditions(alerts["LedgerWritesFailingTicket"]["expr"], Fraction("0.001")) == SLOTH_28D["ticket"]
    assert (out / "prometheus" / "tests" / "writes-availability.long.test.yaml").is_file()
    period = [
        rule for rule in _rules(out, "writes-availability") if rule.get("record") == "slo:time_period:days"
    ]
    assert period[0]["expr"] == "vector(28)"

    custom = _repo(tmp_path / "custom")
    args = ["period-28d.yml", "--slo-period-windows", "windows-custom-30d.yaml"]
    assert _import(custom, *args, monkeypatch=monkeypatch) == 0
    alerts = _alerts(_build(custom, promtool, proof_cache), "writes-availability")
    # Sloth's factors for these windows: 1% of 30d in 30m = 14.4, 2% in 3h = 4.8, 5% in 12h = 3, 5% in 36h = 1.
    assert _conditions(alerts["LedgerWritesFailingPage"]["expr"], Fraction("0.001")) == {
        ("5m", "30m", Fraction("14.4")),
        ("15m", "3h", Fraction("4.8")),
    }
    assert _conditions(alerts["LedgerWritesFailingTicket"]["expr"], Fraction("0.001")) == {
        ("1h", "12h", Fraction(3)),
        ("3h", "36h", Fraction(1)),
    }


def test_unexpressible_parts_are_named_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    before = sorted(path.relative_to(root) for path in root.rglob("*"))
    assert _import(root, "getting-started.yml", "refused.yml", monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert sorted(path.relative_to(root) for path in root.rglob("*")) == before  # not even the good file
    assert "refused.yml: document: field 'labels.tier': label 'tier' is one the compiler sets" in err
    assert (
        "refused.yml: SLO 'plugin-availability': field 'slos[plugin-availability].sli.plugin': SLI plugin"
        in err
    )
    assert "refused.yml: SLO 'odd-availability': field 'slos[odd-availability].plugins': SLO plugins" in err
    assert "field 'slos[odd-availability].sli.events.extra_query': not a field this import knows" in err
    assert "nothing was written." in err
    assert "Traceback" not in err


def test_a_severity_the_repository_does_not_route_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    assert _import(root, "getting-started.yml", monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert (
        "getting-started.yml: SLO 'requests-availability': field 'alerting.page alert labels.severity': 'pageteam'"
        in err
    )
    assert "[tool.aurum-obs.lint] severities" in err
    assert not (root / "slos").exists()


def test_import_is_deterministic_formatted_and_keeps_hand_written_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    assert _import(root, "multifile.yml", "raw-home-wifi.yml", monkeypatch=monkeypatch) == 0
    first = {path: path.read_bytes() for path in sorted(root.rglob("*.py"))}
    capsys.readouterr()
    assert _import(root, "multifile.yml", "raw-home-wifi.yml", monkeypatch=monkeypatch) == 0
    assert "unchanged slos/checkout.py" in capsys.readouterr().out
    assert {path: path.read_bytes() for path in sorted(root.rglob("*.py"))} == first
    ruff = [sys.executable, "-m", "ruff"]
    for command in (["format", "--check"], ["check", "--select", "E,F,W,I"]):
        done = subprocess.run(
            [*ruff, *command, "--isolated", "--line-length", "110", "."],
            cwd=root,
            check=False,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    (root / "slos" / "orders.py").write_text("# hand-written\n")
    assert _import(root, "k8s-getting-started.yml", monkeypatch=monkeypatch) == 2
    assert (
        "slos/orders.py: document: field '(file)': exists and was not written by an import"
        in capsys.readouterr().err
    )
    assert (root / "slos" / "orders.py").read_text() == "# hand-written\n"
    assert not (root / "catalog" / "orders.py").exists()
    shutil.rmtree(root / "slos")


def test_a_label_the_compiler_owns_is_imported_under_a_new_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, promtool: Promtool, proof_cache: ProofCache
) -> None:
    """Sloth's getting-started labels its series ``tier: "2"``; ``tier`` is the alert tier here."""
    spec = tmp_path / "getting-started-tier.yml"
    text = (SPECS / "getting-started.yml").read_text()
    spec.write_text(text.replace('  repo: "myorg/myservice"\n', '  repo: "myorg/myservice"\n  tier: "2"\n'))
    root = _repo(tmp_path)
    assert _import(root, str(spec), monkeypatch=monkeypatch) == 2
    assert not (root / "slos").exists()
    assert _import(root, str(spec), "--rename-label", "tier=service_tier", monkeypatch=monkeypatch) == 0
    alerts = _alerts(_build(root, promtool, proof_cache), "requests-availability")
    page = alerts["MyServiceHighErrorRatePage"]
    assert page["labels"]["service_tier"] == "2"
    assert page["labels"]["tier"] == "page"
