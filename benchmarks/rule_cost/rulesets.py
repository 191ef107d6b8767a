"""The three rule sets measured: ours as the build compiles them, and the two usual shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aurum.contract.conventions import SLOGroup
from aurum.monitoring import SLO, AlertPolicy, RatioSLI, regex, select
from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.rules import rule_file
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.model import format_duration
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
AVERAGE_RATIO = "slo_avg:sli_error:ratio_rate"
RAW_RATIO = "slo_raw:sli_error:ratio_rate"


def slos(tenants: list[str], period_days: int) -> list[SLO]:
    return [
        SLO(
            name=tenant,
            service="bench",
            description=f"Availability for {tenant}.",
            objective=99.9,
            period_days=period_days,
            sli=RatioSLI(
                bad=select(HTTP_REQUESTS_TOTAL, tenant_id=tenant, status=regex("5..")),
                total=select(HTTP_REQUESTS_TOTAL, tenant_id=tenant),
            ),
            # Only the SLI windows are measured; with no tiers the windows are the standard ones
            # and the period, exactly those the default tiers use, at any period length.
            alerting=AlertPolicy(tiers=()),
        )
        for tenant in tenants
    ]


def ours(objects: list[SLO]) -> dict[str, Any]:
    """Our SLI and period groups as compiled (metadata and alerts are the same in every shape)."""
    groups = [
        group
        for slo in objects
        for group in compile_slo(slo)
        if group.name in (slo_names.group_name(slo, SLOGroup.SLI), slo_names.group_name(slo, SLOGroup.LONG))
    ]
    return rule_file(tuple(groups))


def _selectors(slo: SLO) -> tuple[str, str]:
    tenant = f'tenant_id="{slo.name}"'
    return f'aurum_http_requests_total{{status=~"5..",{tenant}}}', f"aurum_http_requests_total{{{tenant}}}"


def _window_rules(slo: SLO, prefix: str) -> list[dict[str, Any]]:
    bad, total = _selectors(slo)
    labels = {"service": slo.service, "slo": slo.name}
    return [
        {
            "record": f"{prefix}{w}",
            "expr": f"sum(rate({bad}[{w}])) / sum(rate({total}[{w}]))",
            "labels": labels,
        }
        for w in WINDOWS
    ]


def _shape(
    objects: list[SLO], name: str, record: str, period_expr: Callable[[SLO, str], str]
) -> dict[str, Any]:
    """Per SLO, a group of window rules over raw series and a group recording the period's ratio."""
    groups = []
    for slo in objects:
        period = format_duration(slo.period_seconds)
        labels = {"service": slo.service, "slo": slo.name}
        groups.append({"name": f"{name}-{slo.name}-sli", "rules": _window_rules(slo, record)})
        groups.append(
            {
                "name": f"{name}-{slo.name}-period",
                "rules": [
                    {"record": f"{record}{period}", "expr": period_expr(slo, period), "labels": labels}
                ],
            }
        )
    return {"groups": groups}


def _average_over_period(slo: SLO, period: str) -> str:
    five = f'{AVERAGE_RATIO}5m{{slo="{slo.name}"}}'
    return f"sum_over_time({five}[{period}]) / count_over_time({five}[{period}])"


def _increase_over_period(slo: SLO, period: str) -> str:
    bad, total = _selectors(slo)
    return f"sum(increase({bad}[{period}])) / sum(increase({total}[{period}]))"


def average_of_ratios(objects: list[SLO]) -> dict[str, Any]:
    """Every window a rate over raw series; the period an average of 5-minute ratios (Sloth's shape)."""
    return _shape(objects, "avg", AVERAGE_RATIO, _average_over_period)


def raw_full_window(objects: list[SLO]) -> dict[str, Any]:
    """Every window, the period included, an increase over raw series: exact but scans everything."""
    return _shape(objects, "raw", RAW_RATIO, _increase_over_period)
