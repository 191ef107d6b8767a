"""A small run of benchmarks/rule_cost (2 SLOs, 4 hours of history) so the benchmark cannot rot."""

from __future__ import annotations

import math

import pytest

from benchmarks.rule_cost import run


@pytest.mark.slow
def test_rule_cost_benchmark_runs_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    results = run.main(
        [
            "--sizes",
            "2",
            "--days",
            "2",
            "--hours",
            "4",
            "--rounds",
            "2",
            "--interval",
            "2s",
            "--settle",
            "4",
            "--steady",
        ]
    )
    ours, _average, raw = results[2]
    assert [r.name for r in results[2]] == ["ours", "average of ratios", "raw full window"]
    for result in results[2]:
        assert result.seconds > 0, result
        assert result.series > 0, result
        assert math.isfinite(result.rel_error), result
    # With a steady error ratio (no bursts: over 4 hours an error burst at the history's first minutes
    # would weigh its 5-minute ramp heavily), both event-weighted shapes agree with the exact ratio
    # computed from the synthetic counters. The full 30-day run with bursts is in the README.
    assert ours.rel_error < 0.01, ours
    assert raw.rel_error < 0.01, raw
    # Every window's error distribution is measured; ours are exact counts of one-minute tiles, and
    # the tile rules, evaluated over the raw counters, record what the benchmark backfilled.
    assert ours.windows["1h"].p95 < 0.02, ours.windows
    assert ours.tiles is not None
    assert ours.tiles[0] > 0
    assert ours.tiles[1] == 0
    assert "| ours |" in capsys.readouterr().out
