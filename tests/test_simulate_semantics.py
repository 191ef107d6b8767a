"""The replay models Prometheus 2.x (ranges include their start) and 3.x (left-open ranges), and the
rules' ranges make the two compute the same windows, so the generated tests hold for either."""

from __future__ import annotations

from pathlib import Path

import pytest

from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.promtool_tests import _scenarios
from aurum.monitoring.compile.simulate import BaseSeries, Semantics
from aurum.monitoring.compile.slo_rules import span_before
from aurum.monitoring.compile.workload import workload_for
from aurum.monitoring.io.declarations import load_slos

REPO = Path(__file__).resolve().parent.parent
MINUTE = 60


def _tiles(minutes: int) -> BaseSeries:
    return BaseSeries.from_increments([0] + [1] * minutes, [0] + [1] * minutes)


@pytest.mark.parametrize("window", [300, 3_600])
def test_a_range_of_a_whole_window_holds_one_sample_more_under_2x(window: int) -> None:
    """``[1h]`` over samples a minute apart: 61 of them under 2.x (both ends), 60 under 3.x."""
    index = 120
    counts = {}
    for semantics in Semantics:
        first, last = _tiles(200).under(semantics).selected(index, window)
        counts[semantics] = last - first + 1
    assert counts == {Semantics.V2: window // MINUTE + 1, Semantics.V3: window // MINUTE}


@pytest.mark.parametrize("window", [300, 1_800, 3_600, 21_600])
def test_the_rules_half_tile_ranges_hold_the_same_tiles_under_both(window: int) -> None:
    ranged = span_before(window, MINUTE)
    selected = {s: _tiles(400).under(s).selected(390, ranged) for s in Semantics}
    assert selected[Semantics.V2] == selected[Semantics.V3] == (390 - window // MINUTE + 1, 390)


def test_every_generated_scenario_replays_alike_under_both_semantics() -> None:
    """Every window and every alert state of every generated scenario of the bundled SLOs, at every
    evaluation: what 2.x computes, 3.x computes too (so no assertion is left out for disagreeing)."""
    compared = 0
    for declared in load_slos(REPO):
        slo = declared.obj
        workload = workload_for(slo)
        if workload is None:
            continue
        for scenario in _scenarios(slo, workload):
            assert scenario.replay.base.semantics is Semantics.V2
            assert scenario.other.base.semantics is Semantics.V3
            for minute in scenario.replay.evaluations(0, scenario.end):
                for window in slo_names.windows(slo):
                    assert scenario.replay.ratio(window, minute) == scenario.other.ratio(window, minute)
                for tier in scenario.tiers:
                    assert scenario.replay.firing(tier, minute) == scenario.other.firing(tier, minute)
                compared += 1
    # A floor against a vacuous pass (no scenario, no evaluation): the bundled SLOs give 7,790
    # evaluations since the slow burns end two hours after their tier fired.
    assert compared > 5_000
