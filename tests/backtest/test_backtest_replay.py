"""The replay's own judgement, without Prometheus: a burn exactly at a tier's threshold is reported
as undecided (Prometheus' floats could go either way), a burn clearly above it fires."""

from __future__ import annotations

from decimal import Decimal

from aurum.monitoring import SLO, AlertPolicy, RatioSLI, regex, select
from aurum.monitoring.backtest.render import Extras, render
from aurum.monitoring.backtest.replay import History, replay
from aurum.monitoring.model import AlertTier, BurnWindow
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

# One tier, 10 % of a 30-day budget in 1h (confirmed over 5m): a burn factor of 10 % x 30d / 1h = 72,
# so it fires above an error ratio of 72 x 0.1 % = 7.2 %.
TIER = AlertTier(name="page", windows=(BurnWindow(long="1h", short="5m", budget_percent=Decimal(10)),))
SLO_ = SLO(
    name="checkout",
    service="shop",
    description="Share of checkout requests answered without a server error.",
    objective=Decimal("99.9"),
    sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
    alerting=AlertPolicy(tiers=(TIER,)),
)
MINUTES = 180


def _constant(bad: float, total: float) -> History:
    return History(0, 60, (0.0,) + (bad,) * MINUTES, (0.0,) + (total,) * MINUTES)


def test_a_burn_exactly_at_the_threshold_is_undecided_and_not_fired() -> None:
    result = replay(SLO_, _constant(72, 1000))
    (tier,) = result.tiers
    assert tier.firings == ()
    assert tier.undecided  # every evaluation once both windows hold 7.2 % errors exactly
    assert "page: " in render([(result, Extras())], markdown=False)
    assert "evaluations within float noise of a threshold" in render([(result, Extras())], markdown=False)


def test_a_burn_clearly_above_the_threshold_fires_without_doubt() -> None:
    result = replay(SLO_, _constant(73, 1000))
    (tier,) = result.tiers
    assert len(tier.firings) == 1 and not tier.firings[0].noisy
    assert tier.undecided == ()
    assert tier.firings[0].start == 60  # from the first evaluation with events, to the end
    assert tier.firings[0].end == MINUTES * 60


def test_a_history_without_any_sample_reports_its_gap_and_no_alert() -> None:
    """Nothing was scraped (a new SLO, a wrong selector): the tiles are empty, no tier fires, no
    incident, and the whole history is reported as one gap."""
    history = History(0, 60, (None,) * MINUTES, (None,) * MINUTES, (False,) * MINUTES)
    result = replay(SLO_, history)
    assert [tier.firings for tier in result.tiers] == [()]
    assert result.incidents == ()
    assert history.gaps() == [(0, (MINUTES - 1) * 60)]
    text = render([(result, Extras())], markdown=False)
    assert "No incident in this history." in text and "1970-01-01 00:00 for 3h00m" in text
