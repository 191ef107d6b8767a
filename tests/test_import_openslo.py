"""``aurum-obs import openslo``: OpenSLO v1 documents become declarations that build as they are.

The documents under ``tests/fixtures/openslo`` are written here in the shapes of the OpenSLO v1
specification's examples: a Service, a DataSource, an SLI referenced by an SLO with two objectives
(``target`` and ``targetPercent``), an AlertPolicy referencing a burnrate AlertCondition; inline SLIs
of bad over total events, a raw ratio (``rawType: success``) and a threshold metric; and what is
refused (Timeslices, a calendar window, another data source, another condition kind).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from test_import_sloth import PYPROJECT, _alerts, _conditions, _rules

from aurum.monitoring.cli import main
from aurum.monitoring.io.project import load_project
from aurum.monitoring.pipeline import build
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache

DOCUMENTS = Path(__file__).parent / "fixtures" / "openslo"


def _import(root: Path, *files: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.chdir(DOCUMENTS)
    return main(["import", "openslo", *files, "--root", str(root)])


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, promtool: Promtool, proof_cache: ProofCache) -> Path:
    root = tmp_path_factory.mktemp("openslo") / "team"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    with pytest.MonkeyPatch.context() as patch:
        assert _import(root, "ratio.yaml", "inline.yaml", monkeypatch=patch) == 0
    out = root / "build"
    build(root, out, promtool, log=lambda _: None, cache=proof_cache, project=load_project(root).settings)
    return out


def _records(out: Path, stem: str) -> dict[str, Any]:
    return {rule["record"]: rule["expr"] for rule in _rules(out, stem) if "record" in rule}


def test_referenced_sli_with_two_objectives_is_two_slos(imported: Path) -> None:
    assert _records(imported, "web-availability-good")["slo:objective:ratio"] == "vector(0.99)"
    assert _records(imported, "web-availability-great")["slo:objective:ratio"] == "vector(0.999)"
    # good over total: the bad events are total minus good, from the catalog counter.
    rules = (imported / "prometheus" / "rules" / "web-availability-good.yaml").read_text()
    assert 'web_requests_total{code!~"5.."}' in rules
    tests = {path.name for path in (imported / "prometheus" / "tests").iterdir()}
    assert {"web-availability-good.test.yaml", "web-availability-great.test.yaml"} <= tests
    for stem, budget in (
        ("web-availability-good", Fraction("0.01")),
        ("web-availability-great", Fraction("0.001")),
    ):
        alert = _alerts(imported, stem)["WebFastBurn"]
        # threshold 6 over lookbackWindow 6h, confirmed by a twelfth of it (30m), alertAfter as for.
        assert _conditions(alert["expr"], budget) == {("30m", "6h", Fraction(6))}
        assert alert["for"] == "2m"
        assert alert["labels"]["team"] == "frontend"
        assert alert["labels"]["severity"] == "critical"  # severity: page


def test_inline_sli_and_policy(imported: Path) -> None:
    records = _records(imported, "api-errors")
    assert 'api_requests_total{code=~"5.."}' in records["slo:sli_bad_events:increase1m"]
    alerts = _alerts(imported, "api-errors")
    assert sorted(alerts) == ["ApiTicket"]
    assert _conditions(alerts["ApiTicket"]["expr"], Fraction("0.001")) == {("6h", "3d", Fraction(1))}
    assert alerts["ApiTicket"]["labels"]["severity"] == "warning"  # severity: ticket


def test_raw_ratio_and_threshold_metrics(imported: Path) -> None:
    cache = _records(imported, "cache-satisfaction")
    assert (
        "1 - (avg_over_time((avg(cache_client_satisfaction_ratio))[5m:]))"
        in cache["slo:sli_bad_events:increase1m"]
    )
    assert cache["slo:time_period:days"] == "vector(28)"  # 4w
    alert = _alerts(imported, "cache-satisfaction")["CacheTicket"]
    assert _conditions(alert["expr"], Fraction("0.05")) == {("14h", "7d", Fraction(1))}
    assert alert["labels"]["severity"] == "warning"
    queue = _records(imported, "queue-lag")
    assert "((max(api_queue_lag_seconds)) > bool 60)[5m:]" in queue["slo:sli_bad_events:increase1m"]
    assert sorted(_alerts(imported, "queue-lag")) == [
        "QueueLagErrorBudgetBurnPage",
        "QueueLagErrorBudgetBurnTicket",
    ]


def test_unsupported_parts_are_named_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, "ratio.yaml", "refused.yaml", monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert "refused.yaml: SLO 'slices': field 'spec.budgetingMethod': 'Timeslices' is not supported" in err
    assert (
        "refused.yaml: SLO 'slices': field 'spec.timeWindow[0].calendar': calendar windows are not supported"
        in err
    )
    assert "field 'spec.alertPolicies[0].spec.conditions[0].spec.condition.kind': 'nodata'" in err
    assert "field 'spec.indicator.spec.ratioMetric.good.metricSource.type': 'Datadog'" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
