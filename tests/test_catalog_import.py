"""``aurum-obs catalog import`` from saved expositions written here (Prometheus text and OpenMetrics).

The imported file is deterministic, runs, loads as a catalog and is usable in an SLO; a bad
exposition is refused naming the file and the line, leaving the previous file as it was. Imports
from a real Prometheus are in ``tests/e2e/test_catalog_import_live.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aurum.monitoring.cli import main
from aurum.monitoring.io.catalogs import repository_catalogs
from aurum.monitoring.pipeline import render

EXPOSITIONS = Path(__file__).parent / "fixtures" / "expositions"

OPENMETRICS_CATALOG = '''\
"""Metrics imported by `aurum-obs catalog import` from the exposition billing.om, scraped as job billing.

Review before merging: describe each label, turn examples into closed sets (allowed=...)
where the values are fixed, and delete what no declaration needs. Importing again rewrites
this file.
"""

from aurum.observability.catalog import Label, Metric, MetricType


BILLING_BUILD_INFO = Metric(
    base_name="billing_build_info",
    type=MetricType.GAUGE,
    help="The billing service's version.",
    unit="",
    labels=(Label("version", "", examples=("1.4.2",)),),
    jobs=("billing",),
)

BILLING_REFUNDS_TOTAL = Metric(
    base_name="billing_refunds_total",
    type=MetricType.COUNTER,
    help="Refunds issued, by provider.",
    unit="",
    labels=(Label("provider", "", examples=("adyen", "stripe")),),
    jobs=("billing",),
)

BILLING_SETTLE_SECONDS = Metric(
    base_name="billing_settle_seconds",
    type=MetricType.HISTOGRAM,
    help="Time to settle a refund.",
    unit="seconds",
    labels=(),
    buckets=(0.25, 2.5),
    jobs=("billing",),
)
'''


def _import(*args: str) -> int:
    return main(["catalog", "import", *args])


def test_an_openmetrics_exposition_becomes_this_catalog_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "catalog" / "billing.py"
    assert (
        _import("--exposition", str(EXPOSITIONS / "billing.om"), "--job", "billing", "--out", str(out)) == 0
    )
    assert out.read_text() == OPENMETRICS_CATALOG
    assert capsys.readouterr().out == f"wrote {out}: 3 metrics (1 counter, 1 gauge, 1 histogram)\n"


def test_the_summary_line_counts_each_type_in_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "two.prom"
    families = [
        f"# TYPE {name}_seconds summary\n{name}_seconds_count 1\n{name}_seconds_sum 1\n" for name in "ab"
    ]
    page.write_text("".join(families) + "# TYPE c_total counter\nc_total 1\n")
    out = tmp_path / "catalog" / "two.py"
    assert _import("--exposition", str(page), "--out", str(out)) == 0
    assert capsys.readouterr().out == f"wrote {out}: 3 metrics (1 counter, 2 summaries)\n"


def test_a_text_exposition_keeps_types_labels_buckets_and_says_what_it_could_not_import(
    tmp_path: Path,
) -> None:
    out = tmp_path / "catalog" / "billing.py"
    assert _import("--exposition", str(EXPOSITIONS / "billing.prom"), "--out", str(out)) == 0
    text = out.read_text()
    assert (
        "BILLING_CHARGE_DURATION_SECONDS = Metric(\n"
        '    base_name="billing_charge_duration_seconds",\n'
        "    type=MetricType.HISTOGRAM,\n"
        '    help="Time to settle a charge with the provider, in seconds.",\n'
        '    unit="",\n'
        '    labels=(Label("provider", "", examples=("stripe",)),),\n'
        "    buckets=(0.1, 0.5, 1.0),\n"
        ")\n"
    ) in text
    assert '        Label("outcome", "", examples=("declined", "error", "ok")),\n' in text
    # Untyped: its type is unknown (a gauge would make the lint call rate() of it a bug).
    assert (
        'BILLING_BUILD_INFO = Metric(\n    base_name="billing_build_info",\n    type=MetricType.UNKNOWN,\n'
        in text
    )
    assert (
        "BILLING_REQUEST_SECONDS = Metric(\n"
        '    base_name="billing_request_seconds",\n'
        "    type=MetricType.SUMMARY,\n"
        '    help="Request latency quantiles.",\n'
        '    unit="",\n'
        "    labels=(),\n"  # quantile is the summary's own, as le is a histogram's
        ")\n"
    ) in text
    assert text.endswith("# Not imported:\n# - billing_retries: counter names end in _total\n")
    assert "jobs=" not in text  # no --job: any job may export them


def test_importing_again_rewrites_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "catalog" / "billing.py"
    arguments = ("--exposition", str(EXPOSITIONS / "billing.prom"), "--job", "billing", "--out", str(out))
    assert _import(*arguments) == 0
    first, modified = out.read_bytes(), out.stat().st_mtime_ns
    assert _import(*arguments) == 0
    assert out.read_bytes() == first
    assert out.stat().st_mtime_ns == modified
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"unchanged: {out}: 5 metrics")


def test_examples_are_bounded_and_a_name_filter_applies(tmp_path: Path) -> None:
    out = tmp_path / "catalog" / "charges.py"
    arguments = ("--exposition", str(EXPOSITIONS / "billing.prom"), "--metric", "billing_charges_total")
    assert _import(*arguments, "--examples", "2", "--out", str(out)) == 0
    text = out.read_text()
    assert text.count("= Metric(") == 1
    assert 'Label("outcome", "", examples=("declined", "error"))' in text
    histogram = tmp_path / "catalog" / "duration.py"
    arguments = (
        "--exposition",
        str(EXPOSITIONS / "billing.prom"),
        "--metric",
        "billing_charge_duration_seconds",
    )
    assert _import(*arguments, "--out", str(histogram)) == 0
    assert "    type=MetricType.HISTOGRAM,\n" in histogram.read_text()


def test_the_imported_catalog_loads_and_is_usable_in_an_slo(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    out = root / "catalog" / "billing.py"
    assert (
        _import("--exposition", str(EXPOSITIONS / "billing.prom"), "--job", "billing", "--out", str(out)) == 0
    )
    (root / "slos").mkdir()
    (root / "slos" / "billing.py").write_text(
        "from aurum.monitoring import SLO, LatencySLI, RatioSLI, select\n"
        "from catalog.billing import BILLING_CHARGE_DURATION_SECONDS, BILLING_CHARGES_TOTAL\n"
        "\n"
        "CHARGES = SLO(\n"
        '    name="billing-charges",\n'
        '    service="billing",\n'
        '    description="Share of charges that do not fail.",\n'
        "    objective=99,\n"
        '    sli=RatioSLI(bad=select(BILLING_CHARGES_TOTAL, outcome="error"), total=select(BILLING_CHARGES_TOTAL)),\n'
        ")\n"
        "LATENCY = SLO(\n"
        '    name="billing-latency",\n'
        '    service="billing",\n'
        '    description="Share of charges settled within half a second.",\n'
        "    objective=99,\n"
        "    sli=LatencySLI(histogram=select(BILLING_CHARGE_DURATION_SECONDS), threshold=0.5),\n"
        ")\n"
    )
    with repository_catalogs(root) as catalogs:
        assert catalogs.lookup("billing_queue_depth") is not None
    artifacts = render(root)
    assert artifacts.slos == 2
    rules = artifacts.files[next(p for p in artifacts.files if p.name == "billing-latency.yaml")].decode()
    assert "last_over_time(billing_charge_duration_seconds_bucket{le=~" in rules


def test_a_broken_exposition_is_refused_naming_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "node.prom"
    lines = (EXPOSITIONS / "billing.prom").read_text().splitlines()
    lines[8] = 'billing_charge_duration_seconds_bucket{provider="stripe",le="0.1" 100'
    broken.write_text("\n".join(lines) + "\n")
    out = tmp_path / "catalog" / "node.py"
    out.parent.mkdir()
    out.write_text("# the previous import\n")
    assert _import("--exposition", str(broken), "--out", str(out)) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {broken}: line 9: not a valid Prometheus text format exposition (")
    assert "Traceback" not in error
    assert out.read_text() == "# the previous import\n"


def test_a_prometheus_that_is_not_a_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        _import("--prometheus", "localhost:9090", "--out", "catalog/x.py")
    assert exited.value.code == 2
    assert "'localhost:9090' is not an http(s) URL" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--exposition", "missing.prom", "--out", "catalog/x.py"], "missing.prom: cannot be read"),
        (["--exposition", "EXPOSITION", "--out", "catalog/x.yaml"], "a catalog file is catalog/<name>.py"),
        (
            ["--exposition", "EXPOSITION", "--metric", "nothing_.*", "--out", "catalog/x.py"],
            "nothing to import",
        ),
    ],
)
def test_bad_arguments_are_exit_2_with_nothing_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXPOSITIONS / "billing.prom", tmp_path / "EXPOSITION")
    assert _import(*arguments) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "catalog").exists()
