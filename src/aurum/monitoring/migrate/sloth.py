"""Sloth specifications -> drafts: ``prometheus/v1`` files and ``sloth.slok.dev/v1`` resources.

Sloth (https://sloth.dev) reads one or several ``prometheus/v1`` documents per file, or Kubernetes
``PrometheusServiceLevel`` resources (the same fields in camelCase under ``spec``). Its period is not
in the specification but on its command line (``--default-slo-period``, ``--slo-period-windows``),
so it is an argument here too. What maps one to one: service, labels (the service's and the SLO's,
on every series and alert), name, objective, description, ``sli.events`` and ``sli.raw`` queries,
the alerting name, labels and annotations, ``page_alert``/``ticket_alert`` labels, annotations and
``disable``, the period and the alert windows (factor = budget share x period / long window, as
Sloth computes it). What differs on purpose is named in the README (alert names get their tier,
the period window is event-weighted). What is refused: SLI and SLO plugins, labels the compiler
sets (``tier``, ``severity`` on the series...), unknown fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import TypeAdapter, ValidationError

from aurum.contract.conventions import RESERVED_LABELS, SEVERITY_LABEL, SUMMARY_ANNOTATION
from aurum.monitoring.migrate.draft import (
    AlertDraft,
    BurnWindowDraft,
    MetricUse,
    Problem,
    PromQLDraft,
    RatioDraft,
    SLODraft,
    TierDraft,
)
from aurum.monitoring.migrate.queries import QueryError, counter_selector, metric_uses, with_placeholder
from aurum.monitoring.model.alerting import AlertName

__all__ = ["SLOTH_K8S_API", "SLOTH_VERSION", "SlothWindows", "sloth_drafts", "sloth_windows"]

SLOTH_VERSION = "prometheus/v1"
SLOTH_K8S_API = "sloth.slok.dev/v1"
_SEVERITY = SEVERITY_LABEL
# Sloth's own field names (they happen to spell some of ours: they are Sloth's, not conventions).
# Sloth takes any Prometheus name for an alert; the declaration's own rule is checked while reading,
# so the refusal names the Sloth field rather than the declaration the import would have written.
_ALERT_NAME: TypeAdapter[str] = TypeAdapter(AlertName)
_SLO_FIELDS = frozenset(["name", "objective", "description", "labels", "sli", "alerting", "plugins"])
_TIERS = ("page", "ticket")
# Sloth's own alert templates name its labels; the same series here carry slo and service.
_SLOTH_TEMPLATE_LABELS = {"sloth_service": "service", "sloth_slo": "slo"}
_SLOTH_TEMPLATE_RE = re.compile(r"{{\s*\$labels\.(sloth_service|sloth_slo)\s*}}")

# Field names of the two dialects: (prometheus/v1, sloth.slok.dev/v1).
_KEYS = {
    "error_query": ("error_query", "errorQuery"),
    "total_query": ("total_query", "totalQuery"),
    "error_ratio_query": ("error_ratio_query", "errorRatioQuery"),
    "page_alert": ("page_alert", "pageAlert"),
    "ticket_alert": ("ticket_alert", "ticketAlert"),
    "slo_plugins": ("slo_plugins", "sloPlugins"),
}


class SlothWindows:
    """Sloth's ``AlertWindows``: the period and the page and ticket windows (quick and slow)."""

    def __init__(self, period_days: int, tiers: tuple[TierDraft, ...] | None) -> None:
        self.period_days = period_days
        self.tiers = tiers  # None: the default table, which is Sloth's google-30d/28d table


def _days(value: object, file: str, field: str, problems: list[Problem]) -> int | None:
    match = re.fullmatch(r"(\d+)(d|w)", str(value))
    if not match:
        problems.append(
            Problem(file, "", field, f"{value!r}: a period here is whole days, such as 30d or 28d")
        )
        return None
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


def sloth_windows(document: object, file: str, problems: list[Problem]) -> SlothWindows | None:
    """Sloth's ``--slo-period-windows`` file: ``kind: AlertWindows`` with ``spec.sloPeriod``."""
    if not isinstance(document, dict) or document.get("kind") != "AlertWindows":
        problems.append(Problem(file, "", "kind", "a windows file is a Sloth AlertWindows document"))
        return None
    spec = document.get("spec") or {}
    days = _days(spec.get("sloPeriod"), file, "spec.sloPeriod", problems)
    tiers: list[TierDraft] = []
    for tier in _TIERS:
        windows = []
        for speed in ("quick", "slow"):
            window = (spec.get(tier) or {}).get(speed) or {}
            try:
                windows.append(
                    BurnWindowDraft(
                        long=str(window["longWindow"]),
                        short=str(window["shortWindow"]),
                        budget_percent=Decimal(str(window["errorBudgetPercent"])),
                    )
                )
            except (KeyError, InvalidOperation):
                problems.append(
                    Problem(
                        file, "", f"spec.{tier}.{speed}", "needs errorBudgetPercent, shortWindow, longWindow"
                    )
                )
        tiers.append(TierDraft(tier, windows=tuple(windows)))
    return None if days is None else SlothWindows(days, tuple(tiers))


class _Reader:
    def __init__(
        self, file: str, k8s: bool, problems: list[Problem], renames: Mapping[str, str] | None = None
    ) -> None:
        self.file, self.k8s, self.problems = file, k8s, problems
        self.renames = dict(renames or {})  # --rename-label: a label the compiler owns, renamed
        self.prefix = "spec." if k8s else ""

    def key(self, name: str) -> str:
        return _KEYS[name][1] if self.k8s else _KEYS[name][0]

    def refuse(self, slo: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, slo, self.prefix + field, message))

    def strings(self, value: object, slo: str, field: str) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            self.refuse(slo, field, "must be a mapping of names to values")
            return {}
        return {str(k): "" if v is None else str(v) for k, v in value.items()}

    def labels(self, value: object, slo: str, field: str, severity: bool = False) -> dict[str, str]:
        """Labels, less those the compiler sets itself (refused by name); ``severity`` kept if allowed."""
        labels = {
            self.renames.get(name, name): text for name, text in self.strings(value, slo, field).items()
        }
        for name in sorted(labels):
            if name in RESERVED_LABELS and not (severity and name == _SEVERITY):
                self.refuse(
                    slo,
                    f"{field}.{name}",
                    f"label {name!r} is one the compiler sets itself ({', '.join(sorted(RESERVED_LABELS))}); "
                    f"rename it in the specification, or import with --rename-label {name}=<new name>",
                )
                del labels[name]
        return labels

    def closed(self, value: Mapping[str, Any], allowed: Set[str], slo: str, field: str) -> None:
        for unknown in sorted(set(value) - allowed):
            self.refuse(
                slo, f"{field}{unknown}", "not a field this import knows; nothing it means is lost silently"
            )


def _template_labels(annotations: dict[str, str]) -> dict[str, str]:
    return {
        name: _SLOTH_TEMPLATE_RE.sub(
            lambda m: "{{ $labels." + _SLOTH_TEMPLATE_LABELS[m.group(1)] + " }}", text
        )
        for name, text in annotations.items()
    }


def _sentence(annotations: dict[str, str]) -> dict[str, str]:
    # The lint wants a summary that is a sentence; Sloth's examples leave the final period out.
    summary = annotations.get(SUMMARY_ANNOTATION)
    if summary and not summary.rstrip().endswith((".", "!", "?")):
        return {**annotations, SUMMARY_ANNOTATION: summary.rstrip() + "."}
    return annotations


def _tier(
    reader: _Reader, slo: str, name: str, spec: object, windows: TierDraft | None
) -> tuple[TierDraft, bool]:
    field = f"slos[{slo}].alerting.{reader.key(name + '_alert')}"
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        reader.refuse(slo, field, "must be a mapping")
        spec = {}
    reader.closed(spec, {"disable", "labels", "annotations"}, slo, field + ".")
    labels = reader.labels(spec.get("labels"), slo, field + ".labels", severity=True)
    severity = labels.pop(_SEVERITY, None)
    annotations = _sentence(
        _template_labels(reader.strings(spec.get("annotations"), slo, field + ".annotations"))
    )
    tier = TierDraft(
        name,
        windows=None if windows is None else windows.windows,
        severity=severity,
        labels=labels,
        annotations=annotations,
    )
    return tier, bool(spec.get("disable"))


def _sli(reader: _Reader, slo: str, sli: object) -> tuple[RatioDraft | PromQLDraft | None, list[MetricUse]]:
    field = f"slos[{slo}].sli"
    if not isinstance(sli, dict):
        reader.refuse(slo, field, "must be a mapping with events or raw")
        return None, []
    if "plugin" in sli:
        reader.refuse(
            slo,
            field + ".plugin",
            f"SLI plugin {((sli.get('plugin') or {}).get('id'))!r} is Go code run by Sloth; "
            "write its queries as sli.events or sli.raw first",
        )
        return None, []
    reader.closed(sli, {"events", "raw"}, slo, field + ".")
    if ("events" in sli) == ("raw" in sli):
        reader.refuse(slo, field, "give exactly one of events and raw")
        return None, []
    kind = "events" if "events" in sli else "raw"
    spec = sli[kind] or {}
    if not isinstance(spec, dict):
        reader.refuse(slo, f"{field}.{kind}", "must be a mapping of queries")
        return None, []
    names = ("error_query", "total_query") if kind == "events" else ("error_ratio_query",)
    reader.closed(spec, {reader.key(n) for n in names}, slo, f"{field}.{kind}.")
    queries: dict[str, str] = {}
    for name in names:
        key = reader.key(name)
        text = spec.get(key)
        if not isinstance(text, str) or not text.strip():
            reader.refuse(slo, f"{field}.{kind}.{key}", "missing: a PromQL query with {{.window}}")
            continue
        try:
            queries[name] = with_placeholder(text)
        except QueryError as error:
            reader.refuse(slo, f"{field}.{kind}.{key}", str(error))
    if len(queries) != len(names):
        return None, []
    return _events_or_raw(queries), [use for query in queries.values() for use in metric_uses(query)]


def _events_or_raw(queries: dict[str, str]) -> RatioDraft | PromQLDraft:
    """A ratio of counters when both event queries are ``sum(rate(<counter>[...]))``, else raw PromQL."""
    if "error_ratio_query" in queries:
        return PromQLDraft(error_ratio=queries["error_ratio_query"])
    bad, total = counter_selector(queries["error_query"]), counter_selector(queries["total_query"])
    if bad is not None and total is not None:
        return RatioDraft(total=total, bad=bad)
    return PromQLDraft(errors=queries["error_query"], total=queries["total_query"])


def _slo(
    reader: _Reader, service: str, labels: dict[str, str], spec: object, windows: SlothWindows
) -> SLODraft | None:
    if not isinstance(spec, dict):
        reader.refuse("", "slos", "each SLO is a mapping")
        return None
    name = str(spec.get("name") or "")
    if not name:
        reader.refuse("", "slos[].name", "missing")
        return None
    reader.closed(
        spec,
        _SLO_FIELDS,
        name,
        f"slos[{name}].",
    )
    if spec.get("plugins"):
        reader.refuse(
            name,
            f"slos[{name}].plugins",
            "SLO plugins are Go code run by Sloth; they have no declaration here",
        )
    try:
        objective = Decimal(str(spec.get("objective")))
        if not objective.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        reader.refuse(name, f"slos[{name}].objective", f"{spec.get('objective')!r} is not a percentage")
        return None
    description = str(spec.get("description") or f"{name} of {service}, imported from Sloth.")
    slo_labels = {**labels, **reader.labels(spec.get("labels"), name, f"slos[{name}].labels")}
    sli, uses = _sli(reader, name, spec.get("sli"))
    alerting = spec.get("alerting") or {}
    field = f"slos[{name}].alerting"
    if not isinstance(alerting, dict):
        reader.refuse(name, field, "must be a mapping")
        alerting = {}
    reader.closed(
        alerting,
        {"name", "labels", "annotations", reader.key("page_alert"), reader.key("ticket_alert")},
        name,
        field + ".",
    )
    policy_labels = reader.labels(alerting.get("labels"), name, field + ".labels", severity=True)
    severity = policy_labels.pop(_SEVERITY, None)
    defaults = dict(zip(_TIERS, windows.tiers or (None, None), strict=True))
    tiers, disabled = [], set()
    for tier_name in _TIERS:
        tier, off = _tier(
            reader, name, tier_name, alerting.get(reader.key(tier_name + "_alert")), defaults[tier_name]
        )
        if tier.severity is None and severity is not None:
            tier = TierDraft(tier.name, tier.windows, severity, None, tier.labels, tier.annotations)
        tiers.append(tier)
        if off:
            disabled.add(tier_name)
    alert_name = str(alerting["name"]) if alerting.get("name") else None
    if alert_name is not None:
        try:
            _ALERT_NAME.validate_python(alert_name)
        except ValidationError as error:
            message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
            reader.refuse(name, field + ".name", f"{message}; rename the alert (routes match on it)")
    policy = AlertDraft(
        name=alert_name,
        labels=policy_labels,
        annotations=_sentence(
            _template_labels(reader.strings(alerting.get("annotations"), name, field + ".annotations"))
        ),
        tiers=tuple(tiers),
        disabled=frozenset(disabled),
    )
    if sli is None:
        return None
    return SLODraft(
        origin=reader.file,
        name=name,
        service=service,
        description=description,
        objective=objective,
        sli=sli,
        period_days=windows.period_days,
        labels=slo_labels,
        alerting=policy,
        metrics=tuple(uses),
    )


def sloth_drafts(
    documents: list[object],
    file: str,
    windows: SlothWindows,
    problems: list[Problem],
    renames: Mapping[str, str] | None = None,
) -> list[SLODraft]:
    """The SLOs of every Sloth document of ``file``; what cannot be expressed goes to ``problems``."""
    drafts: list[SLODraft] = []
    for index, document in enumerate(documents):
        if document is None:
            continue
        if not isinstance(document, dict):
            problems.append(Problem(file, "", f"(document {index + 1})", "not a Sloth specification"))
            continue
        k8s = document.get("apiVersion") == SLOTH_K8S_API
        if k8s and document.get("kind") != "PrometheusServiceLevel":
            problems.append(
                Problem(
                    file,
                    "",
                    "kind",
                    f"{document.get('kind')!r}: only PrometheusServiceLevel is an SLO resource",
                )
            )
            continue
        if not k8s and document.get("version") != SLOTH_VERSION:
            # Sloth also reads OpenSLO documents (openslo/v1alpha); say which importer reads them.
            api = str(document.get("apiVersion") or "")
            hint = (
                f"; apiVersion {api!r} is OpenSLO: aurum-obs import openslo reads v1"
                if api.startswith("openslo/")
                else ""
            )
            problems.append(
                Problem(
                    file,
                    "",
                    "version",
                    f"{document.get('version')!r}: expected {SLOTH_VERSION!r} (or apiVersion {SLOTH_K8S_API!r}){hint}",
                )
            )
            continue
        reader = _Reader(file, k8s, problems, renames)
        spec = document.get("spec") if k8s else document
        if not isinstance(spec, dict):
            reader.refuse("", "", "missing spec")
            continue
        allowed = {"service", "labels", "slos", reader.key("slo_plugins")} | (set() if k8s else {"version"})
        reader.closed(spec, allowed, "", "")
        if spec.get(reader.key("slo_plugins")):
            reader.refuse(
                "",
                reader.key("slo_plugins"),
                "SLO plugins are Go code run by Sloth; they have no declaration here",
            )
        service = str(spec.get("service") or "")
        if not service:
            reader.refuse("", "service", "missing")
            continue
        labels = reader.labels(spec.get("labels"), "", "labels")
        for slo in spec.get("slos") or []:
            draft = _slo(reader, service, labels, slo, windows)
            if draft is not None:
                drafts.append(draft)
    return drafts
