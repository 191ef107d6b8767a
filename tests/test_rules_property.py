"""Hypothesis-generated SLOs (objectives, periods, tiers, SLI kinds) compile to rules promtool accepts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aurum.monitoring import (
    SLO,
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
from aurum.monitoring.compile.rules import rule_file
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.io.render import dump_yaml
from aurum.monitoring.validate.promql import parse_error
from aurum.monitoring.validate.promtool import Promtool
from aurum.observability.catalog import (
    CACHE_OPERATIONS_TOTAL,
    DATA_LAST_UPDATED_TIMESTAMP_SECONDS,
    HTTP_REQUEST_DURATION_SECONDS,
    HTTP_REQUESTS_TOTAL,
)

SLIS = st.sampled_from(
    [
        RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
        RatioSLI(
            good=select(CACHE_OPERATIONS_TOTAL, result="hit"),
            total=select(CACHE_OPERATIONS_TOTAL, result=regex("hit|miss")),
        ),
        LatencySLI(histogram=select(HTTP_REQUEST_DURATION_SECONDS, method="GET"), threshold=Decimal("0.25")),
        LatencySLI(histogram=select(HTTP_REQUEST_DURATION_SECONDS), threshold=Decimal(1)),
        FreshnessSLI(gauge=select(DATA_LAST_UPDATED_TIMESTAMP_SECONDS, dataset="curves"), max_age="2h"),
        PromQLSLI(
            errors='sum(rate(up_errors_total{job="x"}[{window}]))', total="sum(rate(up_total[{window}]))"
        ),
        PromQLSLI(error_ratio="1 - avg_over_time(up[{window}])"),
    ]
)
MINUTES = st.sampled_from([1, 2, 5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 720, 1440, 2880, 4320])


@st.composite
def windows(draw: st.DrawFn) -> BurnWindow:
    short, long = sorted(draw(st.lists(MINUTES, min_size=2, max_size=2, unique=True)))
    percent = draw(st.decimals(min_value=Decimal("0.5"), max_value=Decimal(50), places=1))
    return BurnWindow(long=f"{long}m", short=f"{short}m", budget_percent=percent)


@st.composite
def policies(draw: st.DrawFn) -> AlertPolicy:
    names = draw(
        st.lists(st.sampled_from(["page", "ticket", "urgent", "notice"]), min_size=0, max_size=3, unique=True)
    )
    tiers = tuple(
        AlertTier(
            name=name,
            severity=draw(st.sampled_from(["critical", "warning", "info"])),
            windows=tuple(draw(st.lists(windows(), min_size=1, max_size=3))),
            for_=draw(st.sampled_from([None, "1m", "5m", "15m"])),
        )
        for name in names
    )
    disabled = draw(st.sets(st.sampled_from(names))) if names else set()
    return AlertPolicy(tiers=tiers, disabled=frozenset(disabled))


@st.composite
def slos(draw: st.DrawFn) -> SLO:
    objective = draw(st.decimals(min_value=Decimal(50), max_value=Decimal("99.999"), places=3))
    try:
        return SLO(
            name=draw(st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)),
            service="svc",
            description="generated",
            objective=objective,
            period_days=draw(st.integers(min_value=3, max_value=90)),
            sli=draw(SLIS),
            labels=draw(
                st.dictionaries(st.sampled_from(["team", "tier_name", "env"]), st.sampled_from(["a", "b-1"]))
            ),
            alerting=draw(policies()),
        )
    except ValidationError:
        assume(False)  # unreachable tiers and the like: refused by design, covered elsewhere
        raise


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)
@given(slo=slos())
def test_generated_slos_compile_to_valid_rules(slo: SLO, tmp_path_factory: pytest.TempPathFactory) -> None:
    promtool = Promtool.find()
    groups = compile_slo(slo)
    for group in groups:
        for rule in group.rules:
            assert parse_error(rule.expr) is None, rule.expr
    content = dump_yaml(rule_file(groups))
    assert not re.search(rb"\d\.\d*(?:0{6,}|9{6,})\d", content), "float noise in rendered rules"
    path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    path.write_bytes(content)
    checked = promtool.check_rules([path])
    assert checked.ok, checked.output
    document = yaml.safe_load(content)
    alerts = [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]
    assert len(alerts) == len(slo.alerting.enabled_tiers)
