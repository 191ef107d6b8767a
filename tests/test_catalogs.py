"""Catalogs as declarations: a repository's ``catalog/*.py`` is as good as the built-in catalog.

The team repository under ``tests/fixtures/team-repo`` (a billing service: its own catalog, SLOs of
every SLI kind, alerts with tests, a Python and a Jsonnet dashboard) is copied to a temporary
directory, outside this repository, for each test.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from aurum.contract.catalogs import BUILTIN_CATALOGS, current_catalogs, using_catalogs
from aurum.contract.metrics import Label, Metric, MetricType
from aurum.monitoring import UP, select
from aurum.monitoring.cli import main
from aurum.monitoring.io.catalogs import repository_catalogs
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.pipeline import render
from aurum.observability import catalog

TEAM_REPO = Path(__file__).parent / "fixtures" / "team-repo"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def team_root(tmp_path: Path) -> Path:
    root = tmp_path / "billing-monitoring"
    shutil.copytree(TEAM_REPO, root, ignore=shutil.ignore_patterns("__pycache__", "build"))
    return root


def _problems(root: Path) -> str:
    with pytest.raises(DeclarationError) as caught:
        render(root)
    return str(caught.value)


def _installed(tmp_path: Path) -> Path:
    """A fresh virtual environment with this package installed as a wheel would be (not editable),
    built from a copy of the sources so that nothing is written into this tree."""
    source = tmp_path / "source"
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-c", str(REPO / "constraints.txt"), f"{source}[build]"],
        check=True,
        timeout=600,
    )  # fmt: skip
    return environment / "bin"


def test_team_repository_builds_lints_and_passes_its_tests_with_the_console_script(
    team_root: Path, tmp_path: Path
) -> None:
    """Only the installed package, in an environment of its own: the aurum-obs script run in a
    directory of the team's, with a home (so a proof cache) of its own: promtool really runs."""
    bin_dir = _installed(tmp_path)
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import aurum.monitoring; print(aurum.monitoring.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=team_root,
    ).stdout
    assert str(tmp_path / "venv") in where
    done = subprocess.run(
        [str(bin_dir / "aurum-obs"), "build", "--root", ".", "--jobs", "1"],
        cwd=team_root,
        env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "compiled 4 SLOs" in done.stdout
    assert "promtool check rules --lint=all --lint-fatal: 6 files OK" in done.stdout
    assert "promtool test rules: 7 files OK (0 cached)" in done.stdout
    rules = team_root / "build" / "prometheus" / "rules"
    assert 'billing_charges_total{outcome="error"}' in (rules / "billing-charges.yaml").read_text()
    assert "billing_charge_duration_seconds_bucket" in (rules / "billing-latency.yaml").read_text()
    assert "- record: provider:billing_charges:rate5m\n" in (rules / "records.billing.yaml").read_text()
    overview = team_root / "build" / "grafana" / "dashboards" / "billing" / "billing-overview.json"
    assert '"expr": "provider:billing_charges:rate5m"' in overview.read_text()
    ledgers = team_root / "build" / "grafana" / "dashboards" / "billing" / "billing-ledgers.json"
    assert "billing_ledger_closed_timestamp_seconds" in ledgers.read_text()


def test_without_its_catalog_the_team_repository_is_refused_as_in_the_issue(team_root: Path) -> None:
    shutil.rmtree(team_root / "catalog")
    assert "No module named 'catalog.billing'" in _problems(team_root)


def test_a_metric_no_catalog_declares_is_refused_naming_the_declaration(team_root: Path) -> None:
    source = team_root / "slos" / "billing.py"
    source.write_text(
        source.read_text().replace(
            "from catalog.billing import",
            "from aurum.observability.catalog import Label, Metric, MetricType\n"
            'CHARGES_TOTAL = Metric(base_name="billing_charges_total", type=MetricType.COUNTER, help="h",'
            ' unit="u", labels=(Label("outcome", "o"),))\n'
            "from catalog.billing import CHARGE_DURATION_SECONDS, LEDGER_CLOSED_TIMESTAMP_SECONDS\n"
            "if False: from catalog.billing import",
        )
    )
    problems = _problems(team_root)
    assert "slos/billing.py" in problems
    assert (
        "SLO 'billing-charges': field 'sli.bad': billing_charges_total is not declared by any catalog"
        in problems
    )


def test_a_raw_promql_sli_on_an_undeclared_metric_is_refused_by_the_lint(team_root: Path) -> None:
    source = team_root / "slos" / "billing.py"
    source.write_text(
        source.read_text().replace('billing_charges_total{outcome="declined"}', "billing_refunds_total")
    )
    problems = _problems(team_root)
    assert "billing_refunds_total is neither a catalog metric nor recorded by the build" in problems


def test_one_metric_declared_with_two_shapes_names_both_places(team_root: Path) -> None:
    (team_root / "catalog" / "payments.py").write_text(
        "from aurum.observability.catalog import Label, Metric, MetricType\n"
        "\n"
        "CHARGES = Metric(\n"
        '    base_name="billing_charges_total",\n'
        "    type=MetricType.COUNTER,\n"
        '    help="Charges.",\n'
        '    unit="charges",\n'
        '    labels=(Label("provider", "Provider."),),\n'
        ")\n"
    )
    problems = _problems(team_root)
    assert problems.startswith("catalog/payments.py:3: Metric 'billing_charges_total': field '(shape)': ")
    assert "declared as a counter with labels (provider)" in problems
    assert (
        "but catalog/billing.py:15 declares it as a counter with labels (provider, outcome={ok|declined|error})"
        in (problems)
    )


def test_one_metric_declared_twice_with_the_same_shape_is_one_metric(team_root: Path) -> None:
    billing = (team_root / "catalog" / "billing.py").read_text()
    (team_root / "catalog" / "copy.py").write_text(billing.replace("Charges attempted", "Charges tried"))
    with repository_catalogs(team_root) as catalogs:
        names = [metric.name for metric in catalogs.metrics]
        assert names.count("billing_charges_total") == 1
        declaration = catalogs.declaration("billing_charges_total")
        assert declaration is not None
        assert declaration.place == "catalog/billing.py:15"
    render(team_root)


def test_a_built_in_metric_redeclared_with_another_shape_is_refused(team_root: Path) -> None:
    (team_root / "catalog" / "up.py").write_text(
        "from aurum.observability.catalog import Label, Metric, MetricType\n"
        'UP = Metric(base_name="up", type=MetricType.GAUGE, help="h", unit="", labels=(Label("job", "j"),))\n'
    )
    problems = _problems(team_root)
    assert problems.startswith("catalog/up.py:2: Metric 'up'")
    assert "but aurum.contract.prometheus declares it as a gauge with labels (job, instance)" in problems


def test_a_broken_catalog_file_is_named_with_its_line(team_root: Path) -> None:
    (team_root / "catalog" / "broken.py").write_text(
        "from aurum.observability.catalog import Metric, MetricType\n"
        "\n"
        'REFUNDS = Metric(base_name="billing_refunds", type=MetricType.COUNTER, help="h", unit="u", labels=())\n'
    )
    assert _problems(team_root) == (
        "catalog/broken.py:3: Metric REFUNDS: field '(code)': ValueError: billing_refunds: counter names end in _total"
    )


def test_target_labels_declared_globally_reach_up(team_root: Path) -> None:
    source = team_root / "catalog" / "billing.py"
    source.write_text(source.read_text().replace("CLUSTER = TargetLabels", "_CLUSTER = TargetLabels"))
    problems = _problems(team_root)
    assert problems.startswith("alerts/billing.py:")
    assert (
        "Alert 'BillingTargetDown': field 'expr': up has no label 'cluster' (labels: instance, job, namespace)"
        in (problems)
    )


def test_target_labels_of_one_job_reach_only_that_jobs_metrics(team_root: Path) -> None:
    with repository_catalogs(team_root) as catalogs, using_catalogs(catalogs):
        from catalog.billing import CHARGES_TOTAL, LEDGER_CLOSED_TIMESTAMP_SECONDS  # type: ignore[import-not-found]  # the build's scoped package

        assert {"cluster", "namespace", "job", "instance"} <= catalogs.label_names(CHARGES_TOTAL)
        assert "namespace" in catalogs.label_names(UP)  # every job has up
        assert "namespace" not in catalogs.label_names(LEDGER_CLOSED_TIMESTAMP_SECONDS)
        assert "cluster" in catalogs.label_names(LEDGER_CLOSED_TIMESTAMP_SECONDS)
        select(CHARGES_TOTAL, namespace="billing", cluster="eu-1")
        with pytest.raises(ValueError, match="has no label 'namespace'"):
            select(LEDGER_CLOSED_TIMESTAMP_SECONDS, namespace="billing")
        job = catalogs.label(CHARGES_TOTAL, "job")
        assert job is not None
        assert job.examples == ("billing",)


def test_the_lookup_answers_name_type_labels_closed_sets_and_series(team_root: Path) -> None:
    with repository_catalogs(team_root) as catalogs:
        duration = catalogs.lookup("billing_charge_duration_seconds_bucket")
        assert duration is not None
        assert duration.type is MetricType.HISTOGRAM
        assert catalogs.lookup("billing_charge_duration_seconds") is duration
        assert catalogs.lookup("billing_charge_duration_seconds_total") is None
        series = catalogs.series()
        assert "le" in series["billing_charge_duration_seconds_bucket"]
        assert "le" not in series["billing_charge_duration_seconds_count"]
        assert "billing_charge_duration_seconds" not in series  # a histogram has no series of that name
        charges = catalogs.lookup("billing_charges_total")
        assert charges is not None
        outcome = catalogs.label(charges, "outcome")
        assert outcome is not None
        assert outcome.allowed == ("ok", "declined", "error")
        assert catalogs.lookup(catalog.HTTP_REQUESTS_TOTAL.name) is catalog.HTTP_REQUESTS_TOTAL
        assert "CHARGES_TOTAL" in catalogs.by_key()


def test_a_declared_metric_is_its_name_and_shape_not_the_object() -> None:
    copy = Metric(
        base_name="up",
        type=MetricType.GAUGE,
        help="another help text",
        unit="",
        labels=(Label("job", "j"), Label("instance", "i")),
    )
    assert BUILTIN_CATALOGS.declares(copy)
    other = Metric(base_name="up", type=MetricType.GAUGE, help="h", unit="", labels=(Label("job", "j"),))
    assert not BUILTIN_CATALOGS.declares(other)


def test_the_catalog_package_exists_only_while_a_build_runs(team_root: Path, tmp_path: Path) -> None:
    render(team_root)
    assert "catalog" not in sys.modules
    assert "catalog.billing" not in sys.modules
    assert current_catalogs() is BUILTIN_CATALOGS
    other = tmp_path / "other"
    (other / "catalog").mkdir(parents=True)
    (other / "catalog" / "billing.py").write_text("X = 1\n")
    with repository_catalogs(other) as catalogs:
        assert importlib.import_module("catalog.billing").X == 1
        assert catalogs.lookup("billing_charges_total") is None


def test_the_report_reads_a_team_repositorys_slos_with_its_catalog(
    team_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its SLOs load (exit 1 is the unreachable Prometheus, not a declaration error's 2)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    arguments = ["report", "--prometheus", f"http://127.0.0.1:{port}", "--root", str(team_root)]
    assert main([*arguments, "--out", str(team_root / "report")]) == 1
    assert "catalog" not in capsys.readouterr().err


BILLING_API_SLO = """\
from aurum.monitoring import SLO, RatioSLI, regex, select
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

BILLING_API = SLO(
    name="billing-api",
    service="billing",
    description="Share of billing API requests without a server error.",
    objective=99,
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, path=regex("/api/billing/.+"), status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL, path=regex("/api/billing/.+")),
    ),
)
"""


def test_a_team_catalog_gives_a_built_in_metric_the_label_values_its_tests_need(team_root: Path) -> None:
    (team_root / "slos" / "api.py").write_text(BILLING_API_SLO)
    assert "cannot generate promtool tests: no series of aurum_http_requests_total" in _problems(team_root)
    (team_root / "catalog" / "routes.py").write_text(
        "from aurum.observability.catalog import HTTP_REQUESTS_TOTAL\n"
        "\n"
        'BILLING_ROUTES = HTTP_REQUESTS_TOTAL.with_examples(path=("/api/billing/charges",))\n'
    )
    artifacts = render(team_root)
    tests = next(path for path in artifacts.files if path.name == "billing-api.test.yaml")
    assert 'path="/api/billing/charges"' in artifacts.files[tests].decode()


def test_a_closed_set_cannot_be_extended_by_examples() -> None:
    with pytest.raises(ValueError, match="label 'result' is a closed set"):
        catalog.CACHE_OPERATIONS_TOTAL.with_examples(result=("stale",))


def test_one_python_name_for_two_metrics_is_refused_for_jsonnet(team_root: Path) -> None:
    (team_root / "catalog" / "refunds.py").write_text(
        "from aurum.observability.catalog import Metric, MetricType\n"
        "\n"
        'CHARGES_TOTAL = Metric(base_name="refunds_total", type=MetricType.COUNTER, help="h", unit="u", labels=())\n'
    )
    problems = _problems(team_root)
    assert problems.startswith("catalog/refunds.py:3: Metric 'refunds_total': field '(variable)': ")
    assert (
        "CHARGES_TOTAL names refunds_total here, but catalog/billing.py:15 gives that name to billing_charges_total"
        in (problems)
    )


GO_CATALOG = """\
from aurum.observability.catalog import Metric, MetricType

GC_DURATION_SECONDS = Metric(
    base_name="go_gc_duration_seconds",
    type=MetricType.SUMMARY,
    help="A summary of the pause duration of garbage collection cycles.",
    unit="seconds",
    labels=(),
)
"""


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ('max by (job) (go_gc_duration_seconds{quantile="0.5"})', None),
        (
            "sum by (job) (rate(go_gc_duration_seconds_sum[5m])) / sum by (job) (rate(go_gc_duration_seconds_count[5m]))",
            None,
        ),
        ("rate(go_gc_duration_seconds[5m])", "rate() of go_gc_duration_seconds, a gauge"),
        (
            'go_gc_duration_seconds_count{quantile="0.5"}',
            "go_gc_duration_seconds_count has no label 'quantile'",
        ),
    ],
)
def test_a_summarys_quantiles_are_gauges_and_its_count_and_sum_counters(
    tmp_path: Path, expr: str, problem: str | None
) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "go.py").write_text(GO_CATALOG)
    (tmp_path / "recording_rules").mkdir()
    (tmp_path / "recording_rules" / "go.py").write_text(
        f"from aurum.monitoring import Record\n\nGC = Record(record='job:go_gc:seconds', expr={expr!r})\n"
    )
    if problem is None:
        render(tmp_path)
    else:
        assert problem in _problems(tmp_path)
