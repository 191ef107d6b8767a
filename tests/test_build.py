"""The build of the bundled declarations: golden output, determinism, the output contract, exit codes."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.pipeline import Artifacts, render
from aurum.observability import catalog

GOLDEN = Path(__file__).parent / "golden"
SLOS = [
    "api-availability",
    "api-latency",
    "cache-hit-rate",
    "data-freshness",
    "scenario-creation",
    "scenario-runs",
]


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


def test_build_matches_the_reviewed_golden_files(bundled_build: tuple[Path, Artifacts]) -> None:
    out, _ = bundled_build
    built, golden = _files(out), _files(GOLDEN)
    assert sorted(built) == sorted(golden), "run 'make golden' and review the diff"
    changed = [name for name in built if built[name] != golden[name]]
    assert not changed, f"differs from tests/golden (run 'make golden' and review): {changed}"


def test_rendering_twice_is_byte_identical(repo_root: Path, bundled_build: tuple[Path, Artifacts]) -> None:
    assert render(repo_root).files == bundled_build[1].files  # the session's build rendered it first


def test_no_float_noise_in_any_output(bundled_build: tuple[Path, Artifacts]) -> None:
    noise = re.compile(r"\d\.\d*(?:0{6,}|9{6,})\d")
    for name, content in _files(bundled_build[0]).items():
        assert not noise.search(content.decode()), name


def _rules(out: Path, slo: str) -> list[dict[str, object]]:
    document = yaml.safe_load((out / "prometheus" / "rules" / f"{slo}.yaml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


@pytest.mark.parametrize("slo", SLOS)
def test_every_slo_records_the_output_contract(bundled_build: tuple[Path, Artifacts], slo: str) -> None:
    rules = _rules(bundled_build[0], slo)
    records = {rule["record"]: rule for rule in rules if "record" in rule}
    windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
    expected = [catalog.slo_error_ratio(w) for w in windows] + [
        catalog.SLO_OBJECTIVE,
        catalog.SLO_ERROR_BUDGET,
        catalog.SLO_TIME_PERIOD,
        catalog.SLO_CURRENT_BURN_RATE,
        catalog.SLO_PERIOD_BURN_RATE,
        catalog.SLO_PERIOD_BUDGET_REMAINING,
        catalog.SLO_INFO,
    ]
    assert set(expected) <= set(records)
    service = (
        "aurum-scenarios"
        if slo.startswith("scenario")
        else "aurum-data"
        if slo == "data-freshness"
        else "aurum-api"
    )
    for record in records.values():
        assert record["labels"]["slo"] == slo
        assert record["labels"]["service"] == service
    info = records[catalog.SLO_INFO]["labels"]
    assert {"objective", "period", "description"} <= set(info)


def test_period_window_is_event_weighted_over_recorded_rollups(bundled_build: tuple[Path, Artifacts]) -> None:
    document = yaml.safe_load((bundled_build[0] / "prometheus/rules/api-availability.yaml").read_text())
    groups = {group["name"]: group for group in document["groups"]}
    long = groups["aurum-slo-api-availability-long"]
    assert long["interval"] == "5m"
    rules = {rule["record"]: rule["expr"] for rule in long["rules"]}
    # Rollups sum five recorded one-minute tiles; the period sums rollups: never raw series over
    # 30 days, never an average of ratios.
    assert (
        rules["slo:sli_bad_events:increase5m"]
        == 'sum_over_time(slo:sli_bad_events:increase1m{slo="api-availability", service="aurum-api"}[5m] offset 30s)'
    )
    period = rules[catalog.slo_error_ratio("30d")]
    assert "sum_over_time(slo:sli_bad_events:increase5m" in period
    assert "sum_over_time(slo:sli_total_events:increase5m" in period
    assert "avg_over_time" not in period
    everything = [r["expr"] for g in document["groups"] for r in g["rules"]]
    raw = [expr for expr in everything if "aurum_http_requests_total" in expr]
    # Raw series are read only by the tiles, and never further back than the gap tolerance.
    assert raw and all(
        "[35m] offset 1m" in expr and "[30d]" not in expr and "[1d]" not in expr for expr in raw
    )
    assert all(g["interval"] == "1m" for g in document["groups"] if g["name"].endswith("-sli"))


@pytest.mark.parametrize("slo", SLOS)
def test_alerts_carry_labels_and_annotations(bundled_build: tuple[Path, Artifacts], slo: str) -> None:
    alerts = [rule for rule in _rules(bundled_build[0], slo) if "alert" in rule]
    assert alerts
    for alert in alerts:
        assert re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", alert["alert"]), alert["alert"]
        assert {"slo", "service", "severity"} <= set(alert["labels"])
        annotations = alert["annotations"]
        assert re.fullmatch(r"[A-Z][^{}]*\.", annotations["summary"])
        assert "{{ $value" in annotations["description"]
        assert annotations["runbook_url"].startswith("https://")


def test_cache_hit_rate_tickets_only(bundled_build: tuple[Path, Artifacts]) -> None:
    alerts = {rule["alert"]: rule for rule in _rules(bundled_build[0], "cache-hit-rate") if "alert" in rule}
    assert list(alerts) == ["CacheHitRateErrorBudgetBurnTicket"]
    assert alerts["CacheHitRateErrorBudgetBurnTicket"]["labels"]["severity"] == "warning"


def _fake_promtool(tmp_path: Path, failing: str) -> Path:
    """A promtool that runs the real one but fails the ``failing`` subcommand (check or test)."""
    script = tmp_path / "promtool"
    script.write_text(
        f'#!/bin/sh\nif [ "$1" = "{failing}" ]; then echo "injected failure"; exit 1; fi\nexec promtool "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.parametrize("failing", ["check", "test"])
def test_validation_failure_exits_1_and_keeps_the_previous_build(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], failing: str
) -> None:
    out = tmp_path / "build"
    out.mkdir()
    (out / "slos.json").write_text("the last good build")  # a build's file: replaceable
    status = main(
        [
            "build",
            "--root",
            str(repo_root),
            "--out",
            str(out),
            "--promtool",
            str(_fake_promtool(tmp_path, failing)),
        ]
    )
    assert status == 1
    assert "injected failure" in capsys.readouterr().err
    assert _files(out) == {"slos.json": b"the last good build"}
    assert not list(tmp_path.glob(".build.*"))


def test_missing_promtool_is_a_clear_error(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "build",
                "--root",
                str(repo_root),
                "--out",
                str(tmp_path / "b"),
                "--promtool",
                "no-such-promtool",
            ]
        )
        == 1
    )
    assert "install the distribution's 'prometheus' package" in capsys.readouterr().err
