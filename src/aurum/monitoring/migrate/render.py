"""Drafts -> declaration files: ``slos/<service>.py`` and ``catalog/<service>.py``, deterministic.

One SLO file per service, its SLOs in the order of the specifications; one catalog file per service
for the metrics its queries read that no catalog declares yet (a metric two services read is declared
once, by the first in name order, and imported by the other). Nothing depends on when the import ran.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import aurum.observability.catalog as builtin_catalog
from aurum.contract.catalogs import current_catalogs
from aurum.contract.conventions import BUCKET_LABEL
from aurum.contract.metrics import Label, Metric, MetricType
from aurum.monitoring.interop.catalog_file import metric_source, variable_name
from aurum.monitoring.migrate.draft import (
    AlertDraft,
    FreshnessDraft,
    LatencyDraft,
    MetricUse,
    PromQLDraft,
    SelectorDraft,
    SLIDraft,
    SLODraft,
    TierDraft,
)
from aurum.monitoring.migrate.pysource import (
    LINE_LENGTH,
    Call,
    Dict,
    Expr,
    Raw,
    Tuple,
    assignment,
    string,
    text,
)
from aurum.monitoring.migrate.queries import DEFAULT_BUCKETS, HISTOGRAM_SUFFIXES, merge_uses

__all__ = ["Rendered", "module_name", "render"]

_DEFAULT_WINDOWS = {"page": "PAGE", "ticket": "TICKET"}


@dataclass(frozen=True)
class Rendered:
    """Relative path -> file text."""

    files: dict[str, str]


def module_name(service: str) -> str:
    """``my-service`` -> ``my_service``: a Python module name (catalog files are imported)."""
    name = re.sub(r"[^a-z0-9_]", "_", service.lower())
    return name if name[:1].isalpha() else f"s_{name}"


def _family(use: MetricUse) -> tuple[str, MetricType]:
    if use.name.endswith("_total"):
        return use.name, MetricType.COUNTER
    for suffix in HISTOGRAM_SUFFIXES:
        if use.name.endswith(suffix):
            return use.name.removesuffix(suffix), MetricType.HISTOGRAM
    return use.name, MetricType.GAUGE


def _metric(family: str, kind: MetricType, uses: Sequence[MetricUse], readers: Sequence[str]) -> Metric:
    labels: dict[str, tuple[str, ...]] = {}
    for use in uses:
        for name, values in use.labels.items():
            labels[name] = tuple(dict.fromkeys((*labels.get(name, ()), *values)))
    bounds = sorted({float(v) for v in labels.pop(BUCKET_LABEL, ()) if v not in {"+Inf", "Inf", "inf"}})
    return Metric(
        base_name=family,
        type=kind,
        help=f"Read by the SLOs {', '.join(readers)}; describe it here.",
        unit="",
        labels=tuple(Label(name, "", examples=labels[name]) for name in sorted(labels)),
        buckets=(tuple(bounds) or DEFAULT_BUCKETS) if kind is MetricType.HISTOGRAM else (),
        jobs=tuple(sorted({job for use in uses for job in use.jobs})),
    )


def _builtin_key(metric_name: str) -> str | None:
    declared = current_catalogs().lookup(metric_name)
    if declared is None:
        return None
    for key, value in vars(builtin_catalog).items():
        if value is declared:
            return key
    return ""  # declared by a built-in catalog, under no name this module exports


def _decimal(value: Decimal) -> str:
    """``Decimal("1E+1")`` -> ``10``, ``Decimal("99.900")`` -> ``99.9``: plain digits, no exponent."""
    return format(value.normalize(), "f")


def _variable(family: str, module: str) -> str:
    """The Python name of an imported metric; catalogs share one namespace of names (Jsonnet's keys)."""
    variable = variable_name(family)
    return f"{module.upper()}_{variable}" if variable in current_catalogs().by_key() else variable


def _selector(selector: SelectorDraft, variable: str) -> Call:
    kwargs: list[tuple[str, Expr]] = []
    for matcher in selector.matchers:
        helper = {"=~": "regex", "!~": "not_regex", "!=": "not_equal"}.get(matcher.op)
        value = string(matcher.value)
        kwargs.append((matcher.label, value if helper is None else Call(helper, (value,))))
    return Call("select", (Raw(variable),), kwargs)


def _labels(labels: dict[str, str]) -> Dict:
    return Dict([(string(k), string(v)) for k, v in sorted(labels.items())])


def _tier(tier: TierDraft) -> Expr:
    default = _DEFAULT_WINDOWS.get(tier.name, "")
    if (
        tier.windows is None
        and tier.severity is None
        and not tier.labels
        and not tier.annotations
        and not tier.alert_name
    ):
        return Raw(default)
    windows: Expr = Raw(f"{default}.windows")
    if tier.windows is not None:
        windows = Tuple(
            [
                Call(
                    "BurnWindow",
                    kwargs=[
                        ("long", string(w.long)),
                        ("short", string(w.short)),
                        ("budget_percent", Call("Decimal", (string(_decimal(w.budget_percent)),))),
                    ],
                )
                for w in tier.windows
            ]
        )
    kwargs: list[tuple[str, Expr]] = [("name", string(tier.name)), ("windows", windows)]
    if tier.severity is not None:
        kwargs.append(("severity", string(tier.severity)))
    if tier.for_ is not None:
        kwargs.append(("for_", string(tier.for_)))
    if tier.alert_name:
        kwargs.append(("alert_name", string(tier.alert_name)))
    if tier.labels:
        kwargs.append(("labels", _labels(tier.labels)))
    if tier.annotations:
        kwargs.append(("annotations", _labels(tier.annotations)))
    return Call("AlertTier", kwargs=kwargs)


def _policy(alerting: AlertDraft) -> Call | None:
    kwargs: list[tuple[str, Expr]] = []
    if alerting.name:
        kwargs.append(("name", string(alerting.name)))
    if alerting.labels:
        kwargs.append(("labels", _labels(alerting.labels)))
    if alerting.annotations:
        kwargs.append(("annotations", _labels(alerting.annotations)))
    tiers = [_tier(tier) for tier in alerting.tiers]
    if tiers != [Raw("PAGE"), Raw("TICKET")]:
        kwargs.append(("tiers", Tuple(tiers)))
    if alerting.disabled:
        inner = ", ".join(string(name).code for name in sorted(alerting.disabled))
        kwargs.append(("disabled", Raw(f"frozenset({{{inner}}})")))
    return Call("AlertPolicy", kwargs=kwargs) if kwargs else None


def _sli(sli: SLIDraft, variable_of: Callable[[str], str]) -> Call:
    if isinstance(sli, LatencyDraft):
        histogram = _selector(sli.histogram, variable_of(sli.histogram.metric + "_bucket"))
        return Call(
            "LatencySLI", kwargs=[("histogram", histogram), ("threshold", Raw(_decimal(sli.threshold)))]
        )
    if isinstance(sli, FreshnessDraft):
        gauge = _selector(sli.gauge, variable_of(sli.gauge.metric))
        return Call("FreshnessSLI", kwargs=[("gauge", gauge), ("max_age", string(sli.max_age))])
    if isinstance(sli, PromQLDraft):
        parts = [("errors", sli.errors), ("total", sli.total), ("error_ratio", sli.error_ratio)]
        return Call("PromQLSLI", kwargs=[(key, text(q)) for key, q in parts if q is not None])
    kwargs: list[tuple[str, Expr]] = []
    for key, selector in (("bad", sli.bad), ("good", sli.good), ("total", sli.total)):
        if selector is not None:
            kwargs.append((key, _selector(selector, variable_of(selector.metric))))
    return Call("RatioSLI", kwargs=kwargs)


def _slo(draft: SLODraft, variable_of: Callable[[str], str]) -> Call:
    kwargs: list[tuple[str, Expr]] = [
        ("name", string(draft.name)),
        ("service", string(draft.service)),
        ("description", string(draft.description)),
        ("objective", Raw(_decimal(draft.objective))),
    ]
    if draft.period_days != 30:
        kwargs.append(("period_days", Raw(str(draft.period_days))))
    kwargs.append(("sli", _sli(draft.sli, variable_of)))
    if draft.labels:
        kwargs.append(("labels", _labels(draft.labels)))
    policy = _policy(draft.alerting)
    if policy is not None:
        kwargs.append(("alerting", policy))
    if draft.runbook_url is not None:
        kwargs.append(("runbook_url", string(draft.runbook_url)))
    return Call("SLO", kwargs=kwargs)


def _names_used(code: str, names: Sequence[str]) -> list[str]:
    return [name for name in names if re.search(rf"\b{name}\b", code)]


def _import(module: str, names: Sequence[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")"


def _catalog_names(declared: Sequence[str], metrics: dict[str, Metric]) -> list[str]:
    labelled = any(metrics[family].labels for family in declared)
    return ["Label", "Metric", "MetricType"] if labelled else ["Metric", "MetricType"]


def render(drafts: Sequence[SLODraft], tool: str) -> Rendered:
    """The files declaring ``drafts``; ``tool`` is the command named in their headers."""
    services = sorted({draft.service for draft in drafts})
    # Which service's catalog file declares each metric family not declared anywhere yet.
    families: dict[str, tuple[MetricType, list[MetricUse], list[str], str]] = {}
    for service in services:
        for draft in (d for d in drafts if d.service == service):
            for use in merge_uses(draft.metrics):
                if _builtin_key(use.name) is not None:
                    continue
                family, kind = _family(use)
                entry = families.setdefault(family, (kind, [], [], module_name(service)))
                entry[1].append(use)
                if draft.name not in entry[2]:
                    entry[2].append(draft.name)
    metrics = {
        family: _metric(family, kind, uses, readers) for family, (kind, uses, readers, _m) in families.items()
    }
    home = {family: entry[3] for family, entry in families.items()}

    files: dict[str, str] = {}
    for module in sorted(set(home.values())):
        declared = sorted(family for family in metrics if home[family] == module)
        blocks = [
            f'"""Metrics the imported SLOs read, written by `{tool}`.\n\n'
            "Review before merging: describe each metric and label, turn examples into closed sets\n"
            "(allowed=...) where the values are fixed, and check a histogram's buckets.\n"
            '"""\n\n' + _import("aurum.observability.catalog", _catalog_names(declared, metrics)),
            *(metric_source(_variable(family, module), metrics[family]) for family in declared),
        ]
        files[f"catalog/{module}.py"] = "\n\n".join(blocks) + "\n"

    for service in services:
        module = module_name(service)
        mine = [d for d in drafts if d.service == service]
        imports: dict[str, set[str]] = {}

        def variable_of(metric_name: str, imports: dict[str, set[str]] = imports) -> str:
            key = _builtin_key(metric_name)
            if key:
                imports.setdefault("aurum.observability.catalog", set()).add(key)
                return key
            family = _family(MetricUse(metric_name, {}))[0]
            variable = _variable(family, home[family])
            imports.setdefault(f"catalog.{home[family]}", set()).add(variable)
            return variable

        body = [assignment(variable_name(d.name), _slo(d, variable_of)) for d in mine]
        code = "\n\n".join(body)
        monitoring = _names_used(
            code,
            [
                "PAGE",
                "SLO",
                "TICKET",
                "AlertPolicy",
                "AlertTier",
                "BurnWindow",
                "FreshnessSLI",
                "LatencySLI",
                "PromQLSLI",
                "RatioSLI",
            ],
        ) + _names_used(code, ["not_equal", "not_regex", "regex", "select"])
        lines = []
        if "Decimal(" in code:
            lines += ["from decimal import Decimal", ""]
        third = [
            _import(mod, sorted(names))
            for mod, names in sorted(imports.items())
            if mod.startswith("catalog.")
        ]
        ours = [_import("aurum.monitoring", monitoring)]
        ours += [
            _import(mod, sorted(names))
            for mod, names in sorted(imports.items())
            if not mod.startswith("catalog.")
        ]
        # In the team's repository, aurum is a dependency and catalog/ its own package: isort's order.
        lines += sorted(ours)
        if third:
            lines += ["", *third]
        origins = "".join(f"- {origin}\n" for origin in sorted({d.origin for d in mine}))
        header = (
            f'"""SLOs of the service {service!r}, written by `{tool}` from:\n\n{origins}\n'
            "Importing again rewrites this file; edit the specification, or stop importing and edit this.\n"
            '"""\n'
        )
        files[f"slos/{module}.py"] = header + "\n" + "\n".join(lines) + "\n\n" + code + "\n"
    return Rendered(files)
