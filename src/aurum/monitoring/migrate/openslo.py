"""OpenSLO v1 documents -> drafts: SLO, SLI, Service, AlertPolicy, AlertCondition, DataSource.

What maps one to one: an ``SLO`` (its ``service``, ``description``, ``metadata.labels``) with an
inline ``indicator`` or an ``indicatorRef`` to an ``SLI``; a ``ratioMetric`` of good or bad events
over total events (``counter: true`` on a Prometheus counter selector, or any query carrying
``{{.window}}`` as Sloth writes them), or ``rawType``'s precomputed ratio (success or failure); a
``thresholdMetric`` (the share of time the query meets the objective's ``op``/``value``); the
``Occurrences`` budgeting method; one rolling ``timeWindow`` of whole days; every objective
(``target`` or ``targetPercent``; several objectives become one SLO each); and an ``AlertPolicy``
with an ``AlertCondition`` of kind ``burnrate`` (threshold over ``lookbackWindow``, ``alertAfter``)
as one alert tier. Prometheus is the only data source.

What differs on purpose: a burn-rate condition has one window in OpenSLO, where every tier here
confirms with a short window (a twelfth of the long one, at least 5m, as the SRE workbook's table
does); an SLO without alert policies gets the default page and ticket tiers. What is refused, named
by file, SLO and field: ``Timeslices`` and ``RatioTimeslices`` budgeting (the model has no
per-slice objective), calendar windows, other data sources, other condition kinds.

The ``aurum-obs/...`` annotations of ``metadata.annotations`` carry what OpenSLO has no field for
(the short window, a tier's labels), so that ``aurum-obs export openslo`` round-trips.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import promql_parser as pp

from aurum.contract.conventions import BUCKET_LABEL
from aurum.contract.durations import format_duration, parse_duration
from aurum.monitoring.migrate.draft import (
    AlertDraft,
    BurnWindowDraft,
    FreshnessDraft,
    LatencyDraft,
    MetricUse,
    Problem,
    PromQLDraft,
    RatioDraft,
    SelectorDraft,
    SLIDraft,
    SLODraft,
    TierDraft,
)
from aurum.monitoring.migrate.queries import (
    QueryError,
    counter_selector,
    metric_uses,
    selector_matchers,
    with_placeholder,
)
from aurum.monitoring.model.sli import WINDOW_PLACEHOLDER

__all__ = ["ANNOTATION_PREFIX", "OPENSLO_API", "openslo_drafts"]

OPENSLO_API = "openslo/v1"
ANNOTATION_PREFIX = "aurum-obs/"
_KINDS = {"SLO", "SLI", "Service", "AlertPolicy", "AlertCondition", "DataSource", "AlertNotificationTarget"}
# Good when `query <op> value`; an error is the opposite comparison.
_ERROR_OP = {"lte": ">", "lt": ">=", "gte": "<", "gt": "<="}
_SHORTEST = 300  # the base series' 5m: no window is shorter


def _dict(value: object) -> dict[str, Any]:
    """A mapping of the document, or empty: what is missing from it is then named where it is needed."""
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _json(
    context: _Context, slo: str, field: str, extra: Mapping[str, str], *, key: str, default: Any
) -> Any:
    """An ``aurum-obs/<key>`` annotation's JSON value (written by the export), or ``default``."""
    if key not in extra:
        return default
    try:
        value = json.loads(extra[key])
    except json.JSONDecodeError as error:
        context.refuse(slo, f"{field}.{ANNOTATION_PREFIX}{key}", f"not JSON: {error}")
        return default
    if type(value) is not type(default):
        context.refuse(slo, f"{field}.{ANNOTATION_PREFIX}{key}", f"must be a JSON {type(default).__name__}")
        return default
    return value


def spec_service(document: Mapping[str, Any]) -> str:
    return str(_dict(document.get("spec")).get("service") or "")


def _kebab(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


class _Context:
    def __init__(
        self, file: str, problems: list[Problem], documents: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        self.file, self.problems, self.documents = file, problems, documents

    def refuse(self, slo: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, slo, field, message))

    def resolve(
        self, kind: str, value: Mapping[str, Any], ref_key: str, slo: str, field: str
    ) -> dict[str, Any] | None:
        """An inline document of ``kind`` or the one ``value[ref_key]`` names."""
        if not value:
            self.refuse(slo, field, f"an inline {kind}, or {ref_key} naming one")
            return None
        if ref_key in value:
            found = self.documents.get((kind, str(value[ref_key])))
            if found is None:
                self.refuse(
                    slo, f"{field}.{ref_key}", f"no {kind} named {value[ref_key]!r} in the files given"
                )
            return found
        if value.get("kind", kind) != kind:
            self.refuse(slo, f"{field}.kind", f"expected {kind}, found {value.get('kind')!r}")
            return None
        return dict(value)


def _source_query(context: _Context, slo: str, field: str, source: object) -> str | None:
    """The PromQL of a Prometheus metric source (inline type or a DataSource by name)."""
    if not isinstance(source, dict):
        context.refuse(slo, field, "needs a metricSource")
        return None
    metric_source = _dict(source.get("metricSource"))
    kind = metric_source.get("type")
    ref = metric_source.get("metricSourceRef")
    if ref is not None and kind is None:
        kind = _dict(_dict(context.documents.get(("DataSource", str(ref)))).get("spec")).get("type")
    if str(kind).lower() != "prometheus":
        context.refuse(
            slo, f"{field}.metricSource.type", f"{kind!r}: Prometheus is the only data source here"
        )
        return None
    spec = _dict(metric_source.get("spec"))
    query = spec.get("query") or spec.get("promql")
    if not isinstance(query, str) or not query.strip():
        context.refuse(slo, f"{field}.metricSource.spec.query", "missing: a PromQL query")
        return None
    return query.strip()


def _query(
    context: _Context, slo: str, field: str, source: object, counter: bool
) -> tuple[str, SelectorDraft | None] | None:
    """The ``{window}`` form of a metric source's query, and its counter selector when it is one."""
    query = _source_query(context, slo, field, source)
    if query is None:
        return None
    where = f"{field}.metricSource.spec.query"
    try:
        if "{{" in query:
            converted = with_placeholder(query)
            return converted, counter_selector(converted)
        tree = pp.parse(query)
    except (QueryError, ValueError) as error:
        context.refuse(slo, where, str(error))
        return None
    name = str(tree.name or "") if isinstance(tree, pp.VectorSelector) else ""
    if not counter or name.endswith(("_bucket", "_count")):
        # An instant value (raw ratio, threshold), or a histogram's series (latency when they pair up).
        return query, None
    if not name.endswith("_total"):
        context.refuse(
            slo,
            where,
            "with counter: true the query must select a counter (name ending in _total), or carry "
            "{{.window}} where its range goes",
        )
        return None
    windowed = f"sum(rate({query}[{WINDOW_PLACEHOLDER}]))"
    return windowed, counter_selector(windowed)


def _plain_selector(query: str) -> pp.VectorSelector | None:
    try:
        tree = pp.parse(query)
    except ValueError:
        return None
    if not isinstance(tree, pp.VectorSelector) or tree.offset or tree.at or tree.matchers.or_matchers:
        return None
    return tree


def _latency(good: str, total: str) -> LatencyDraft | None:
    """``<h>_bucket{le="0.5",...}`` over ``<h>_count{...}``: a latency SLI on the histogram ``<h>``."""
    bucket, count = _plain_selector(good), _plain_selector(total)
    if bucket is None or count is None or not (bucket.name or "").endswith("_bucket"):
        return None
    family = str(bucket.name).removesuffix("_bucket")
    matchers = selector_matchers(bucket)
    le = [m for m in matchers if m.label == BUCKET_LABEL]
    others = tuple(m for m in matchers if m.label != BUCKET_LABEL)
    if (
        count.name != f"{family}_count"
        or len(le) != 1
        or le[0].op != "="
        or selector_matchers(count) != others
    ):
        return None
    try:
        return LatencyDraft(SelectorDraft(family, others), Decimal(le[0].value))
    except InvalidOperation:
        return None


def _freshness(query: str, objective: Mapping[str, Any]) -> FreshnessDraft | None:
    """``time() - min(<gauge>{...})`` at most ``value`` seconds: a freshness SLI."""
    try:
        tree = pp.parse(query)
        seconds = int(str(objective.get("value")))
    except ValueError:
        return None
    if objective.get("op") != "lte" or not isinstance(tree, pp.BinaryExpr) or str(tree.op) != "-":
        return None
    clock, oldest = tree.lhs, tree.rhs
    if (
        not isinstance(clock, pp.Call)
        or clock.func.name != "time"
        or not isinstance(oldest, pp.AggregateExpr)
    ):
        return None
    gauge = oldest.expr
    if (
        str(oldest.op) != "min"
        or oldest.modifier
        or not isinstance(gauge, pp.VectorSelector)
        or not gauge.name
    ):
        return None
    return FreshnessDraft(SelectorDraft(gauge.name, selector_matchers(gauge)), format_duration(seconds))


_Found = tuple[SLIDraft | None, list[MetricUse]]


def _threshold(context: _Context, slo: str, metric: object, objective: Mapping[str, Any]) -> _Found:
    found = _query(context, slo, "spec.indicator.spec.thresholdMetric", metric, counter=False)
    op, value = objective.get("op"), objective.get("value")
    if op not in _ERROR_OP or value is None:
        context.refuse(
            slo, "spec.objectives.op", "a threshold objective needs op (lt, lte, gt, gte) and value"
        )
        return None, []
    if found is None:
        return None, []
    query = found[0]
    fresh = _freshness(query, objective)
    if fresh is not None:
        return fresh, metric_uses(query)
    error = f"avg_over_time((({query}) {_ERROR_OP[op]} bool {value})[{WINDOW_PLACEHOLDER}:])"
    return PromQLDraft(error_ratio=error), metric_uses(error)


def _raw(context: _Context, slo: str, ratio: Mapping[str, Any]) -> _Found:
    field = "spec.indicator.spec.ratioMetric"
    found = _query(context, slo, f"{field}.raw", ratio["raw"], counter=False)
    raw_type = ratio.get("rawType", "failure")
    if raw_type not in {"success", "failure"}:
        context.refuse(slo, f"{field}.rawType", f"{raw_type!r}: success or failure")
        return None, []
    if found is None:
        return None, []
    query = found[0]
    if WINDOW_PLACEHOLDER not in query:  # an instant ratio: averaged over the window
        query = f"avg_over_time(({query})[{WINDOW_PLACEHOLDER}:])"
    error = query if raw_type == "failure" else f"1 - ({query})"
    return PromQLDraft(error_ratio=error), metric_uses(error)


def _ratio(context: _Context, slo: str, ratio: Mapping[str, Any], keep_raw: bool) -> _Found:
    field = "spec.indicator.spec.ratioMetric"
    counter = bool(ratio.get("counter", False))
    part = "bad" if "bad" in ratio else "good"
    events = _query(context, slo, f"{field}.{part}", ratio.get(part), counter)
    total = _query(context, slo, f"{field}.total", ratio.get("total"), counter)
    if events is None or total is None:
        return None, []
    uses = metric_uses(events[0]) + metric_uses(total[0])
    latency = _latency(events[0], total[0]) if part == "good" and counter else None
    if latency is not None:
        return latency, uses
    if WINDOW_PLACEHOLDER not in events[0] or WINDOW_PLACEHOLDER not in total[0]:
        context.refuse(
            slo, field, "histogram series pair up only as <h>_bucket{le=...} over <h>_count, same labels"
        )
        return None, []
    if events[1] is not None and total[1] is not None and not keep_raw:
        return RatioDraft(total=total[1], **{part: events[1]}), uses
    if part == "good":
        return PromQLDraft(errors=f"({total[0]}) - ({events[0]})", total=total[0]), uses
    return PromQLDraft(errors=events[0], total=total[0]), uses


def _sli(context: _Context, slo: str, indicator: dict[str, Any], objective: Mapping[str, Any]) -> _Found:
    spec = _dict(indicator.get("spec"))
    if "thresholdMetric" in spec:
        return _threshold(context, slo, spec["thresholdMetric"], objective)
    ratio = spec.get("ratioMetric")
    if not isinstance(ratio, dict):
        context.refuse(slo, "spec.indicator.spec", "needs ratioMetric or thresholdMetric")
        return None, []
    if "raw" in ratio:
        return _raw(context, slo, ratio)
    # An exported raw PromQL SLI stays raw even where its queries look like a ratio of counters.
    return _ratio(context, slo, ratio, keep_raw=_annotations(indicator).get("sli") == "promql")


def _period(context: _Context, slo: str, spec: Mapping[str, Any]) -> int | None:
    windows = _list(spec.get("timeWindow"))
    if len(windows) != 1 or not isinstance(windows[0], dict):
        context.refuse(slo, "spec.timeWindow", "exactly one time window")
        return None
    window = _dict(windows[0])
    if "calendar" in window or window.get("isRolling") is False:
        context.refuse(
            slo, "spec.timeWindow[0].calendar", "calendar windows are not supported: the period rolls"
        )
        return None
    match = re.fullmatch(r"(\d+)([dw])", str(window.get("duration", "")))
    if not match:
        context.refuse(
            slo, "spec.timeWindow[0].duration", f"{window.get('duration')!r}: whole days or weeks (28d, 4w)"
        )
        return None
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


def _annotations(document: Mapping[str, Any]) -> dict[str, str]:
    raw = _dict(_dict(document.get("metadata")).get("annotations"))
    return {
        str(k).removeprefix(ANNOTATION_PREFIX): str(v)
        for k, v in raw.items()
        if str(k).startswith(ANNOTATION_PREFIX)
    }


def _tier(
    context: _Context, slo: str, index: int, policy: dict[str, Any], period_days: int
) -> TierDraft | None:
    field = f"spec.alertPolicies[{index}]"
    spec = _dict(policy.get("spec"))
    extra = _annotations(policy)
    windows: list[BurnWindowDraft] = []
    problems_before = len(context.problems)
    severity = None
    after = None
    for number, entry in enumerate(_list(spec.get("conditions"))):
        condition = context.resolve(
            "AlertCondition", _dict(entry), "conditionRef", slo, f"{field}.spec.conditions[{number}]"
        )
        if condition is None:
            continue
        where = f"{field}.spec.conditions[{number}].spec.condition"
        body = _dict(_dict(condition.get("spec")).get("condition"))
        if body.get("kind") != "burnrate":
            context.refuse(
                slo, f"{where}.kind", f"{body.get('kind')!r}: only burnrate conditions are alerts here"
            )
            continue
        if body.get("op", "gte") not in {"gte", "gt"}:
            context.refuse(slo, f"{where}.op", "a burn rate alerts when it is high: gte or gt")
            continue
        try:
            long = parse_duration(body.get("lookbackWindow"))
            rate = Fraction(str(body.get("threshold")))
        except (ValueError, TypeError) as error:
            context.refuse(slo, where, f"needs threshold and lookbackWindow ({error})")
            continue
        short_text = _annotations(condition).get("short-window")
        short = parse_duration(short_text) if short_text else max(_SHORTEST, (long // 12) // 60 * 60)
        exact = _annotations(condition).get("budget-percent")
        share = Fraction(exact) if exact else rate * long * 100 / (period_days * 86400)
        budget = Decimal(share.numerator) / Decimal(share.denominator)
        if Fraction(budget) != share:
            context.refuse(
                slo,
                f"{where}.threshold",
                f"burn rate {body.get('threshold')} over {body.get('lookbackWindow')} is not an exact share of the {period_days}d budget; "
                "give a threshold for which threshold x lookbackWindow / period is a decimal",
            )
            continue
        windows.append(BurnWindowDraft(format_duration(long), format_duration(short), budget.normalize()))
        severity = severity or _dict(condition.get("spec")).get("severity")
        after = after or body.get("alertAfter")
    if not windows and len(context.problems) == problems_before:
        context.refuse(slo, f"{field}.spec.conditions", "no burnrate condition to alert on")
        return None
    policy_name = str(_dict(policy.get("metadata")).get("name") or f"policy{index}")
    name = extra.get("tier") or (
        str(severity) if severity in {"page", "ticket"} else re.sub(r"[^a-z0-9]", "", policy_name.lower())
    )
    tier_severity = extra.get("severity") or (None if severity in {None, "page", "ticket"} else str(severity))
    labels = _json(context, slo, f"{field}.metadata.annotations", extra, key="labels", default={})
    annotations = _json(context, slo, f"{field}.metadata.annotations", extra, key="annotations", default={})
    alert_name = extra.get("alert-name") or (None if "tier" in extra else _camel(policy_name))
    return TierDraft(
        name, tuple(windows), tier_severity, alert_name, labels, annotations, after and str(after)
    )


def _indicator(context: _Context, slo: str, spec: Mapping[str, Any]) -> dict[str, Any] | None:
    if "indicator" in spec:
        return context.resolve("SLI", _dict(spec["indicator"]), "indicatorRef", slo, "spec.indicator")
    if "indicatorRef" in spec:
        return context.resolve("SLI", spec, "indicatorRef", slo, "spec")
    context.refuse(slo, "spec.indicator", "needs an inline indicator or an indicatorRef")
    return None


def _objective(context: _Context, slo: str, index: int, objective: Mapping[str, Any]) -> Decimal | None:
    try:
        value = Decimal(str(objective["targetPercent"])) if "targetPercent" in objective else None
        value = Decimal(str(objective["target"])) * 100 if value is None else value
        if not value.is_finite():
            raise InvalidOperation
        return value
    except (KeyError, InvalidOperation):
        context.refuse(slo, f"spec.objectives[{index}]", "needs target (0.999) or targetPercent (99.9)")
        return None


def _labels(context: _Context, slo: str, metadata: Mapping[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for name, value in _dict(metadata.get("labels")).items():
        values = value if isinstance(value, list) else [value]
        if len(values) != 1:
            context.refuse(slo, f"metadata.labels.{name}", "a label here has one value")
            continue
        labels[str(name)] = str(values[0])
    return labels


def _shaped(context: _Context, name: str, document: Mapping[str, Any]) -> bool:
    """Whether the SLO has a name; every part of the wrong shape is named on the way."""
    metadata, spec = _dict(document.get("metadata")), _dict(document.get("spec"))
    for part in ("metadata", "spec"):
        if not isinstance(document.get(part), dict):
            context.refuse(name, part, "missing or not a mapping")
    if not name:
        context.refuse(name, "metadata.name", "missing")
        return False
    for part in ("labels", "annotations"):
        if metadata.get(part) is not None and not isinstance(metadata.get(part), dict):
            context.refuse(name, f"metadata.{part}", "must be a mapping")
    if not spec_service(document):
        context.refuse(name, "spec.service", "missing: the service the SLO measures")
    for part in ("timeWindow", "objectives", "alertPolicies"):
        if spec.get(part) is not None and not isinstance(spec[part], list):
            context.refuse(name, f"spec.{part}", "must be a list")
    return True


def _slo(context: _Context, document: dict[str, Any]) -> list[SLODraft]:
    metadata = _dict(document.get("metadata"))
    name = str(metadata.get("name") or "")
    if not _shaped(context, name, document):
        return []
    spec = _dict(document.get("spec"))
    method = spec.get("budgetingMethod", "Occurrences")
    if method != "Occurrences":
        context.refuse(
            name,
            "spec.budgetingMethod",
            f"{method!r} is not supported: the budget here counts occurrences (events, or evaluations for a "
            "threshold), and has no per-slice objective",
        )
    period = _period(context, name, spec)
    indicator = _indicator(context, name, spec)
    objectives = [_dict(objective) for objective in _list(spec.get("objectives"))]
    if not objectives:
        context.refuse(name, "spec.objectives", "at least one objective")
    extra = _annotations(document)
    policies = []
    for index, entry in enumerate(_list(spec.get("alertPolicies"))):
        policy = context.resolve(
            "AlertPolicy", _dict(entry), "alertPolicyRef", name, f"spec.alertPolicies[{index}]"
        )
        # Every part is checked even when the SLO is refused already, so each problem is named at once.
        tier = None if policy is None else _tier(context, name, index, policy, period or 30)
        if tier is not None:
            policies.append(tier)
    found = [_sli(context, name, indicator, objective or {}) for objective in objectives] if indicator else []
    if method != "Occurrences" or period is None or indicator is None:
        return []
    alerting = AlertDraft(
        name=extra.get("alert-name"),
        labels=_json(context, name, "metadata.annotations", extra, key="alert-labels", default={}),
        annotations=_json(context, name, "metadata.annotations", extra, key="alert-annotations", default={}),
        tiers=tuple(policies) if policies else AlertDraft().tiers,
        disabled=frozenset(_json(context, name, "metadata.annotations", extra, key="disabled", default=[])),
    )
    drafts = []
    for index, objective in enumerate(objectives):
        target = _objective(context, name, index, objective or {})
        sli, uses = found[index]
        if target is None or sli is None:
            continue
        suffix = _kebab(str(objective.get("name") or objective.get("displayName") or index + 1))
        drafts.append(
            SLODraft(
                origin=context.file,
                name=name if len(objectives) == 1 else f"{name}-{suffix}",
                service=str(spec.get("service") or ""),
                description=str(
                    spec.get("description")
                    or metadata.get("displayName")
                    or f"{name}, imported from OpenSLO."
                ),
                objective=target.normalize(),
                sli=sli,
                period_days=period,
                labels=_labels(context, name, metadata),
                alerting=alerting,
                metrics=tuple(uses),
                runbook_url=extra.get("runbook-url"),
            )
        )
    return drafts


def openslo_drafts(files: list[tuple[str, list[object]]], problems: list[Problem]) -> list[SLODraft]:
    """The SLOs of every file; references resolve across all the files given."""
    documents: dict[tuple[str, str], dict[str, Any]] = {}
    slos: list[tuple[str, dict[str, Any]]] = []
    for file, loaded in files:
        for index, document in enumerate(loaded):
            if document is None:
                continue
            if not isinstance(document, dict) or document.get("apiVersion") != OPENSLO_API:
                version = document.get("apiVersion") if isinstance(document, dict) else None
                problems.append(
                    Problem(
                        file,
                        "",
                        f"(document {index + 1}).apiVersion",
                        f"{version!r}: expected {OPENSLO_API!r}",
                    )
                )
                continue
            kind = str(document.get("kind"))
            if kind not in _KINDS:
                problems.append(
                    Problem(file, "", f"(document {index + 1}).kind", f"{kind!r} is not an OpenSLO v1 kind")
                )
                continue
            name = str(_dict(document.get("metadata")).get("name") or "")
            documents[(kind, name)] = document
            if kind == "SLO":
                slos.append((file, document))
            if kind == "DataSource" and str(_dict(document.get("spec")).get("type")).lower() != "prometheus":
                problems.append(
                    Problem(
                        file, "", f"DataSource {name}.spec.type", "Prometheus is the only data source here"
                    )
                )
    drafts: list[SLODraft] = []
    for file, document in slos:
        drafts += _slo(_Context(file, problems, documents), document)
    return drafts
