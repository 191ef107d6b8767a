"""SLOs of the model -> the SLO manifest (``slos.json``), written through the runtime's own model.

The manifest model is :class:`aurum.contract.slo_manifest.SLOManifest`: what is written here is
validated exactly as the runtime will read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aurum.contract import slo_manifest as m
from aurum.monitoring.model import SLO, FreshnessSLI, LatencySLI, RatioSLI, Selector

__all__ = ["manifest", "manifest_entry"]


def _matchers(sel: Selector | None) -> m.Matchers | None:
    return (
        None if sel is None else tuple(m.Matcher(label=x.label, op=x.op, value=x.value) for x in sel.matchers)
    )


def _sli(slo: SLO) -> m.RatioSLI | m.LatencySLI | m.FreshnessSLI | m.PromqlSLI:
    sli = slo.sli
    if isinstance(sli, RatioSLI):
        counted = sli.bad or sli.good
        assert counted is not None  # guaranteed by RatioSLI's validator
        return m.RatioSLI(
            metric=counted.metric.name,
            total_metric=None if sli.total.metric is counted.metric else sli.total.metric.name,
            bad=_matchers(sli.bad),
            good=_matchers(sli.good),
            total=_matchers(sli.total) or (),
        )
    if isinstance(sli, LatencySLI):
        return m.LatencySLI(
            metric=sli.histogram.metric.name,
            threshold_seconds=sli.threshold,
            matchers=_matchers(sli.histogram) or (),
        )
    if isinstance(sli, FreshnessSLI):
        return m.FreshnessSLI(
            metric=sli.gauge.metric.name, max_age_seconds=sli.max_age, matchers=_matchers(sli.gauge) or ()
        )
    return m.PromqlSLI()


def manifest_entry(slo: SLO) -> m.SLODefinition:
    """One SLO as the runtime reads it."""
    return m.SLODefinition(
        name=slo.name,
        service=slo.service,
        objective=slo.objective_ratio,
        period_days=slo.period_days,
        description=slo.description,
        labels=slo.labels,
        sli=_sli(slo),
        group_by=slo.group_by,
    )


def manifest(slos: Sequence[SLO]) -> dict[str, Any]:
    """The document of ``slos.json``: every SLO, sorted by name."""
    return m.SLOManifest(
        slos=tuple(manifest_entry(slo) for slo in sorted(slos, key=lambda s: s.name))
    ).document()
