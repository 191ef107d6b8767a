"""What a valid query gets wrong about the series it reads: bugs that parse, run and mislead.

Each rule walks promql-parser's syntax tree and asks the catalogs what a metric is:

- ``rate()``/``increase()`` of a gauge: a counter function over a value that goes down is nonsense;
- a threshold compared with a raw counter: its value only ever grows since the process started;
- ``histogram_quantile`` over an input without ``le``: there are no buckets to interpolate between;
- a range shorter than four (declared) scrape intervals: ``rate()`` needs two samples, and one failed
  scrape leaves fewer (why Grafana's ``$__rate_interval`` is at least four scrape intervals);
- a matcher that can never match: a value or pattern outside a label's closed set or outside the
  pattern its values follow (``status="5xx"`` where ``status`` is a numeric code), or a ``job`` that
  does not export the metric (a catalog's ``jobs``: ``node_cpu_seconds_total{job="nodes"}`` selects
  nothing when only ``node`` exports it).

A metric no catalog declares has no known type and no value rules: nothing is guessed about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import promql_parser as pp

from aurum.contract import conventions as conv
from aurum.contract import prometheus
from aurum.contract.catalogs import current_catalogs
from aurum.contract.durations import format_duration
from aurum.contract.matching import label_matches, prometheus_regex_problem
from aurum.contract.metrics import Label, MetricType
from aurum.contract.project import current_project
from aurum.monitoring.validate.disjoint import matcher_pattern, patterns_intersect
from aurum.monitoring.validate.series import KnownSeries, output_labels, selector_name

__all__ = ["FOREIGN_JOB", "semantic_problems"]

_COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase"})
_CHANGE_FUNCTIONS = frozenset({"rate", "increase", "delta", "deriv", "predict_linear"})
"""Functions estimating a change over the range: unreliable with fewer than four samples in it."""
_COMPARISONS = frozenset({">", "<", ">=", "<=", "==", "!="})
_KEEP_VALUE = frozenset({"sum", "max", "min", "avg", "topk", "bottomk", "quantile", "limitk"})
"""Aggregations whose result is still a counter's raw value (unlike count or group)."""
_MIN_SAMPLES = 4
FOREIGN_JOB = "job exporting it (the catalogs declare: "
"""In the problem of a ``job`` the catalogs do not list for a metric: like a metric no catalog
declares, what a catalog does not know yet (a vendored mixin's exporter not imported), so it follows
the undeclared-metrics policy."""


def _metric_type(node: pp.VectorSelector) -> tuple[str, MetricType] | None:
    """The selected series' name and type, when a catalog declares it; histogram series are counters,
    and so are a summary's ``_count`` and ``_sum``, while its quantiles are gauges."""
    name = selector_name(node)
    metric = current_catalogs().lookup(name) if name else None
    if name is None or metric is None:
        return None
    if metric.type is MetricType.HISTOGRAM:
        return name, MetricType.COUNTER  # _bucket, _count and _sum only ever grow
    if metric.type is MetricType.SUMMARY:
        return name, MetricType.GAUGE if name == metric.name else MetricType.COUNTER
    return name, metric.type


def _selector(node: Any) -> pp.VectorSelector | None:
    if isinstance(node, pp.MatrixSelector):
        return node.vector_selector
    if isinstance(node, pp.SubqueryExpr | pp.ParenExpr):
        return _selector(node.expr)
    return node if isinstance(node, pp.VectorSelector) else None


def _counter_of_gauge(node: pp.Call) -> list[str]:
    if node.func.name not in _COUNTER_FUNCTIONS or not node.args:
        return []
    selector = _selector(node.args[0])
    found = _metric_type(selector) if selector is not None else None
    if found is None or found[1] is not MetricType.GAUGE:
        return []
    name = found[0]
    return [
        f"{node.func.name}() of {name}, a gauge: it is meant for counters; "
        f"use delta() or deriv() for the change of a gauge"
    ]


def _raw_counter(node: Any) -> str | None:
    """The counter whose raw, ever-growing value ``node`` yields, if it does."""
    if isinstance(node, pp.ParenExpr):
        return _raw_counter(node.expr)
    if isinstance(node, pp.VectorSelector):
        found = _metric_type(node)
        return found[0] if found is not None and found[1] is MetricType.COUNTER else None
    if isinstance(node, pp.AggregateExpr):
        return _raw_counter(node.expr) if str(node.op) in _KEEP_VALUE else None
    if isinstance(node, pp.BinaryExpr) and str(node.op) in ("*", "/", "+", "-"):
        literal = (pp.NumberLiteral,)
        if isinstance(node.rhs, literal):
            return _raw_counter(node.lhs)
        if isinstance(node.lhs, literal):
            return _raw_counter(node.rhs)
    return None


def _threshold_on_counter(node: pp.BinaryExpr) -> list[str]:
    if str(node.op) not in _COMPARISONS:
        return []
    sides = [(node.lhs, node.rhs), (node.rhs, node.lhs)]
    for side, other in sides:
        counter = _raw_counter(side)
        if counter is not None and isinstance(other, pp.NumberLiteral):
            return [
                f"compares {counter}, a counter, with {other.val:g}: its raw value grows since the "
                f"process started; compare its rate() or increase()"
            ]
    return []


def _quantile_without_buckets(node: pp.Call, known: KnownSeries) -> list[str]:
    if node.func.name != "histogram_quantile" or len(node.args) < 2:
        return []
    labels = output_labels(node.args[1], known)
    if labels is None or conv.BUCKET_LABEL in labels:
        return []
    kept = ", ".join(sorted(labels)) or "none"
    return [
        f"histogram_quantile over series without the {conv.BUCKET_LABEL!r} label (labels: {kept}): "
        f"keep it, as in sum by (..., {conv.BUCKET_LABEL})"
    ]


def _short_range(node: pp.Call) -> list[str]:
    if node.func.name not in _CHANGE_FUNCTIONS or not node.args:
        return []
    argument = node.args[0]
    if not isinstance(argument, pp.MatrixSelector | pp.SubqueryExpr) or argument.range is None:
        return []
    seconds = int(argument.range.total_seconds())
    scrape = current_project().lint.scrape_seconds
    if scrape is None or seconds >= _MIN_SAMPLES * scrape:
        return []
    return [
        f"{node.func.name}() over [{format_duration(seconds)}]: shorter than {_MIN_SAMPLES} scrape intervals "
        f"({format_duration(_MIN_SAMPLES * scrape)} at the declared {format_duration(scrape)}), "
        "one missed scrape leaves too few samples"
    ]


def _never_matches(label: Label, op: str, value: str) -> str | None:
    """Why a positive matcher on ``label`` can select nothing, if it cannot."""
    if "$" in value:  # a Grafana variable: its values are not known here
        return None
    pattern = re.escape(value) if op == "MatchOp.Equal" else value
    if (
        label.allowed
        and op == "MatchOp.Re"
        and not any(label_matches("=~", pattern, allowed) for allowed in label.allowed)
    ):
        return f"{value!r} matches none of {', '.join(label.allowed)}"
    if label.pattern and not patterns_intersect(pattern, label.pattern):
        shown = value if op == "MatchOp.Equal" else f"=~{value!r}"
        return f"{shown!r} can never match: its values follow {label.pattern!r} ({label.description.rstrip('.')})"
    return None


def _foreign_job(jobs: tuple[str, ...], op: str, value: str) -> str | None:
    """Why a positive ``job`` matcher selects no series of a metric only ``jobs`` export, if it cannot."""
    if not jobs or "$" in value:  # any job may export it, or a Grafana variable
        return None
    if op == "MatchOp.Equal" and value not in jobs:
        return f"{value!r} is not a {FOREIGN_JOB}{', '.join(jobs)})"
    if op == "MatchOp.Re" and not any(label_matches("=~", value, job) for job in jobs):
        return f"=~{value!r} matches no {FOREIGN_JOB}{', '.join(jobs)})"
    return None


def _impossible_matchers(node: pp.VectorSelector) -> list[str]:
    name = selector_name(node)
    catalogs = current_catalogs()
    metric = catalogs.lookup(name) if name else None
    if metric is None:
        return []
    problems = []
    for matcher in node.matchers.matchers:
        label = catalogs.label(metric, matcher.name)
        op = str(matcher.op)
        if label is None or matcher_pattern(matcher) is None:
            continue
        if op == "MatchOp.Re" and prometheus_regex_problem(str(matcher.value)) is not None:
            continue  # reported as an invalid regex where regexes are checked
        try:
            why = (
                _foreign_job(catalogs.jobs(metric), op, str(matcher.value))
                if matcher.name == prometheus.JOB.name
                else None
            ) or _never_matches(label, op, str(matcher.value))
        except re.error:  # a pattern RE2 takes and Python's re (interegular's parser) does not
            why = None
        if why is not None:
            problems.append(f"{name}: label {matcher.name!r}: {why}")
    return problems


def semantic_problems(tree: Any, known: KnownSeries) -> list[str]:
    """Every problem of the parsed query ``tree`` the rules above find, in the order met."""
    problems: list[str] = []
    calls: list[Callable[[pp.Call], list[str]]] = [
        _counter_of_gauge,
        lambda call: _quantile_without_buckets(call, known),
        _short_range,
    ]

    def visit(node: Any) -> None:
        if isinstance(node, pp.Call):
            for rule in calls:
                problems.extend(rule(node))
        elif isinstance(node, pp.BinaryExpr):
            problems.extend(_threshold_on_counter(node))
        elif isinstance(node, pp.VectorSelector):
            problems.extend(_impossible_matchers(node))

    pp.walk(tree, visit)
    return problems
