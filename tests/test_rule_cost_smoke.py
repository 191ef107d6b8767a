"""A small run of benchmarks/rule_cost (2 SLOs, 4 hours of history) so the benchmark cannot rot."""

from __future__ import annotations

import math

import pytest

from benchmarks.rule_cost import run


@pytest.mark.slow
def test_rule_cost_benchmark_runs_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    results = run.main(
        ["--sizes", "2", "--days", "2", "--hours", "4", "--rounds", "2", "--interval", "2s", "--settle", "4"]
    )
    ours, _average, raw = results[2]
    assert [r.name for r in results[2]] == ["ours", "average of ratios", "raw full window"]
    for result in results[2]:
        assert result.seconds > 0, result
        assert result.series > 0, result
        assert math.isfinite(result.rel_error), result
    # Both are event-weighted, so they agree with the exact ratio computed from the synthetic counters
    # up to the 5-minute ramps at the history's edges: a few percent of 4 hours at most (the full
    # 30-day run in the README measures 0.002 %).
    assert ours.rel_error < 0.05, ours
    assert raw.rel_error < 0.01, raw
    assert "| ours |" in capsys.readouterr().out
