"""The SLO model: exact objectives, the SRE workbook's burn factors, validation on construction."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from pydantic import ValidationError

from aurum.monitoring import (
    PAGE,
    SLO,
    TICKET,
    AlertPolicy,
    AlertTier,
    BurnWindow,
    FreshnessSLI,
    LatencySLI,
    PromQLSLI,
    RatioSLI,
    regex,
    select,
)
from aurum.monitoring.compile.promql import exact_number, le_regex
from aurum.monitoring.model import format_duration, parse_duration
from aurum.observability.catalog import (
    BUSINESS_TRANSACTIONS_TOTAL,
    DATA_LAST_UPDATED_TIMESTAMP_SECONDS,
    HTTP_REQUEST_DURATION_SECONDS,
    HTTP_REQUESTS_TOTAL,
)

AVAILABILITY = RatioSLI(
    bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)
)


def slo(**overrides: object) -> SLO:
    fields: dict[str, object] = {
        "name": "api-availability",
        "service": "aurum-api",
        "description": "Requests without a 5xx.",
        "objective": 99.9,
        "sli": AVAILABILITY,
    }
    return SLO(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("objective", "ratio", "budget"),
    [
        (99.9, "0.999", "0.001"),
        (99.95, "0.9995", "0.0005"),
        (95, "0.95", "0.05"),
        ("99.990", "0.9999", "0.0001"),
    ],
)
def test_objective_stays_an_exact_decimal(objective: object, ratio: str, budget: str) -> None:
    built = slo(objective=objective)
    assert exact_number(built.objective_ratio) == ratio
    assert exact_number(built.error_budget) == budget


def test_objective_is_validated_as_a_percentage() -> None:
    for bad in (0, 100, 100.5, -1, "nan"):
        with pytest.raises(ValidationError, match="objective"):
            slo(objective=bad)


def test_period_defaults_to_30_whole_days() -> None:
    assert slo().period_days == 30
    with pytest.raises(ValidationError, match="period_days"):
        slo(period_days=1.5)


@pytest.mark.parametrize(
    ("days", "factors"),
    [
        (30, [Fraction("14.4"), Fraction(6), Fraction(3), Fraction(1)]),
        (28, [Fraction("13.44"), Fraction("5.6"), Fraction("2.8"), Fraction(14, 15)]),
    ],
)
def test_default_tiers_are_the_sre_workbook_table(days: int, factors: list[Fraction]) -> None:
    built = slo(period_days=days)
    windows = [w for tier in built.alerting.tiers for w in tier.windows]
    assert [w.burn_factor(built.period_seconds) for w in windows] == factors
    assert [(format_duration(w.long), format_duration(w.short)) for w in windows] == [
        ("1h", "5m"),
        ("6h", "30m"),
        ("1d", "2h"),
        ("3d", "6h"),
    ]


def test_28_day_factor_renders_exactly_without_float_noise() -> None:
    assert exact_number(Fraction(14, 15)) == "(14 / 15)"
    assert exact_number(Fraction("13.44")) == "13.44"


def test_severity_defaults_by_tier_name_and_can_be_set() -> None:
    assert (PAGE.severity, TICKET.severity) == ("critical", "warning")
    custom = AlertTier(name="page", severity="P1", windows=PAGE.windows)
    assert custom.severity == "P1"
    with pytest.raises(ValidationError, match="set a severity"):
        AlertTier(name="urgent", windows=PAGE.windows)


def test_tiers_are_configurable_and_can_be_disabled() -> None:
    fast = AlertTier(
        name="urgent",
        severity="critical",
        windows=(BurnWindow(long="30m", short="2m", budget_percent=1),),
        for_="2m",
    )
    built = slo(alerting=AlertPolicy(tiers=(fast, PAGE, TICKET), disabled=frozenset({"ticket"})))
    assert [tier.name for tier in built.alerting.enabled_tiers] == ["urgent", "page"]
    assert fast.for_ == 120


def test_unreachable_tier_is_an_error_that_says_so() -> None:
    with pytest.raises(ValidationError, match=r"can never reach the threshold") as error:
        slo(objective=90)
    assert error.value.errors()[0]["loc"] == ("alerting",)
    assert slo(objective=90, alerting=AlertPolicy(disabled=frozenset({"page"}))).error_budget == Decimal(
        "0.1"
    )


def test_latency_threshold_must_be_a_bucket() -> None:
    with pytest.raises(ValidationError, match="not a bucket"):
        LatencySLI(histogram=select(HTTP_REQUEST_DURATION_SECONDS), threshold=0.3)
    assert LatencySLI(histogram=select(HTTP_REQUEST_DURATION_SECONDS), threshold="0.50").threshold == Decimal(
        "0.5"
    )


@pytest.mark.parametrize(
    ("threshold", "matches", "rejects"),
    [
        ("0.5", ["0.5", "0.50", "0.500"], ["0.05", "5", "0.51", "10.5"]),
        ("1", ["1", "1.0", "1.00"], ["10", "0.1", "1.5", "11"]),
        ("2.5", ["2.5", "2.50"], ["25", "2.05"]),
        ("10", ["10", "10.0"], ["1", "100", "1.0"]),
    ],
)
def test_le_matcher_accepts_every_rendering_of_the_bucket(
    threshold: str, matches: list[str], rejects: list[str]
) -> None:
    pattern = le_regex(Decimal(threshold))
    assert all(re.fullmatch(pattern, text) for text in matches)
    assert not any(re.fullmatch(pattern, text) for text in rejects)


def test_selectors_are_checked_against_the_catalog() -> None:
    with pytest.raises(ValidationError, match="has no label 'stauts'"):
        select(HTTP_REQUESTS_TOTAL, stauts="500")
    with pytest.raises(ValidationError, match="never 'failed'"):
        select(BUSINESS_TRANSACTIONS_TOTAL, status="failed")
    with pytest.raises(ValidationError, match="must select a counter"):
        RatioSLI(bad=select(HTTP_REQUEST_DURATION_SECONDS), total=select(HTTP_REQUESTS_TOTAL))


def test_ratio_needs_exactly_one_of_bad_and_good() -> None:
    total = select(HTTP_REQUESTS_TOTAL)
    with pytest.raises(ValidationError, match="exactly one"):
        RatioSLI(total=total)
    with pytest.raises(ValidationError, match="exactly one"):
        RatioSLI(bad=total, good=total, total=total)


def test_freshness_is_time_based_and_parses_durations() -> None:
    sli = FreshnessSLI(gauge=select(DATA_LAST_UPDATED_TIMESTAMP_SECONDS), max_age="1h")
    assert sli.max_age == 3600
    assert not sli.event_based
    assert AVAILABILITY.event_based


def test_promql_escape_hatch_needs_the_window_placeholder() -> None:
    assert PromQLSLI(errors="sum(rate(x[{window}]))", total="sum(rate(y[{window}]))").event_based
    assert not PromQLSLI(error_ratio="avg(z[{window}])").event_based
    with pytest.raises(ValidationError, match="placeholder"):
        PromQLSLI(errors="sum(rate(x[5m]))", total="sum(rate(y[{window}]))")
    with pytest.raises(ValidationError, match="either both"):
        PromQLSLI(errors="sum(rate(x[{window}]))")


@pytest.mark.parametrize(
    ("text", "seconds"), [("5m", 300), ("1h30m", 5400), ("3d", 259200), ("1w", 604800), (90, 90)]
)
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "1y", "10ms", "-5m", "0m", "1 hour", True])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_models_are_frozen() -> None:
    built = slo()
    with pytest.raises(ValidationError):
        built.objective = Decimal(50)  # type: ignore[misc]  # mypy knows it is frozen; this proves pydantic does too


@pytest.mark.parametrize(
    ("long", "short", "message"),
    [
        ("1h", "30s", "the short window (30s) is shorter than a tile (1m), the resolution of SLO windows"),
        ("1h", "90s", "the short window (90s) is not a whole number of 1m"),
        ("86460s", "1h", "the long window (1441m) is not a whole number of 5m"),
    ],
)
def test_windows_between_tiles_are_refused_at_declaration(long: str, short: str, message: str) -> None:
    """A window is a whole number of one-minute tiles (5-minute rollups from a day on), or refused."""
    with pytest.raises(ValidationError, match=re.escape(message)):
        BurnWindow(long=long, short=short, budget_percent=2)
