"""Foreign SLI queries: the window placeholder, the shape of a ratio of counters, the metrics read.

Sloth and OpenSLO-on-Prometheus write a query per window with Go's ``{{.window}}``. A query of the
shape ``sum(rate(<counter>{...}[{{.window}}]))`` is a catalog selector here, so the SLO gets typed
matchers and generated promtool tests; any other query stays raw PromQL (``PromQLSLI``), with the
same meaning. Either way every metric it reads is reported with the labels it matches on, so the
import can declare it in a catalog (the lint refuses undeclared metrics).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import promql_parser as pp
import re2
from prometheus_client import Histogram

from aurum.contract.conventions import BUCKET_LABEL, METRIC_NAME_LABEL
from aurum.contract.prometheus import JOB, SCRAPE_LABELS
from aurum.monitoring.migrate.draft import MatcherDraft, MetricUse, SelectorDraft
from aurum.monitoring.model.sli import WINDOW_PLACEHOLDER

__all__ = [
    "DEFAULT_BUCKETS",
    "HISTOGRAM_SUFFIXES",
    "QueryError",
    "counter_selector",
    "merge_uses",
    "metric_uses",
    "selector_matchers",
    "with_placeholder",
]

_GO_WINDOW = re.compile(r"{{\s*\.window\s*}}")
_GO_TEMPLATE = re.compile(r"{{.*?}}")
_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
_SCRAPED = {label.name for label in SCRAPE_LABELS}
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")
DEFAULT_BUCKETS = tuple(bound for bound in Histogram.DEFAULT_BUCKETS if bound != float("inf"))
"""A histogram's buckets when its queries name none: prometheus_client's defaults, to be reviewed."""
# Values tried as examples for a label matched by a regex, after the regex's own alternatives.
_CANDIDATES = ("200", "500", "ok", "error", "success", "failure", "true", "false", "x")


class QueryError(ValueError):
    """A query this repository cannot take as it is."""


def with_placeholder(query: str) -> str:
    """``rate(x[{{.window}}])`` -> ``rate(x[{window}])``, once it is checked to parse as PromQL."""
    converted = _GO_WINDOW.sub(WINDOW_PLACEHOLDER, query.strip())
    other = _GO_TEMPLATE.search(converted)
    if other is not None:
        msg = f"template {other.group(0)} is not the window ({{{{.window}}}}), the only one an SLI query may use"
        raise QueryError(msg)
    if WINDOW_PLACEHOLDER not in converted:
        msg = "the query has no {{.window}} placeholder, so every window would read the same range"
        raise QueryError(msg)
    _parse(converted)
    return converted


def _parse(query: str) -> pp.Expr:
    try:
        return pp.parse(query.replace(WINDOW_PLACEHOLDER, "5m"))
    except ValueError as error:
        msg = f"not valid PromQL: {error}"
        raise QueryError(msg) from error


def selector_matchers(selector: pp.VectorSelector) -> tuple[MatcherDraft, ...]:
    return tuple(
        sorted(
            (MatcherDraft(m.name, _OPS[str(m.op)], str(m.value)) for m in selector.matchers.matchers),
            key=lambda m: (m.label, m.op, m.value),
        )
    )


def counter_selector(query: str) -> SelectorDraft | None:
    """The counter selector of ``sum(rate(<name>_total{...}[{window}]))``, else None (raw PromQL)."""
    tree = _parse(query)
    if not isinstance(tree, pp.AggregateExpr) or str(tree.op) != "sum" or tree.modifier or tree.param:
        return None
    call = tree.expr
    if not isinstance(call, pp.Call) or call.func.name != "rate" or len(call.args) != 1:
        return None
    matrix = call.args[0]
    if not isinstance(matrix, pp.MatrixSelector) or "[" + WINDOW_PLACEHOLDER + "]" not in query.replace(
        " ", ""
    ):
        return None
    vector = matrix.vector_selector
    if not vector.name or not vector.name.endswith("_total") or vector.offset or vector.at:
        return None
    if vector.matchers.or_matchers or any(m.name == METRIC_NAME_LABEL for m in vector.matchers.matchers):
        return None
    return SelectorDraft(vector.name, selector_matchers(vector))


def _selectors(query: str) -> list[pp.VectorSelector]:
    found: list[pp.VectorSelector] = []

    def visit(node: object) -> None:
        if isinstance(node, pp.VectorSelector):
            found.append(node)

    pp.walk(_parse(query), visit)
    return found


def _satisfying(matchers: Iterable[MatcherDraft]) -> tuple[str, ...]:
    """Values meeting each positive matcher, and one missing a regex when one is negated.

    The generated tests invent series from a label's examples: they need a value each selector
    matches, and for a ratio one the bad-events selector does not.
    """
    values: list[str] = []
    for matcher in matchers:
        if matcher.op == "=":
            values.append(matcher.value)
            continue
        pattern = re2.compile(f"^(?:{matcher.value})$")
        alternatives = [
            alt.strip("()^$").replace(".", "0").replace("\\", "")
            for alt in matcher.value.strip("()").split("|")
        ]
        hits = [value for value in [*alternatives, *_CANDIDATES] if value and pattern.match(value)]
        misses = [value for value in _CANDIDATES if not pattern.match(value)]
        wanted = hits if matcher.op == "=~" else misses
        values += wanted[:1]
        values += (misses if matcher.op == "=~" else hits)[:1]
    return tuple(dict.fromkeys(values))


def metric_uses(query: str) -> list[MetricUse]:
    """Every metric ``query`` reads, by its family name, with its matched labels' example values."""
    uses: list[MetricUse] = []
    for selector in _selectors(query):
        if not selector.name:
            continue
        matchers = selector_matchers(selector)
        jobs = tuple(m.value for m in matchers if m.label == JOB.name and m.op == "=")
        labels: dict[str, list[MatcherDraft]] = {}
        for matcher in matchers:
            if matcher.label not in _SCRAPED and matcher.label != BUCKET_LABEL:
                labels.setdefault(matcher.label, []).append(matcher)
        examples = {label: _satisfying(found) for label, found in labels.items()}
        if selector.name.endswith(HISTOGRAM_SUFFIXES) and not selector.name.endswith("_total"):
            bounds = tuple(m.value for m in matchers if m.label == BUCKET_LABEL and m.op == "=")
            examples[BUCKET_LABEL] = bounds
        uses.append(MetricUse(selector.name, examples, jobs))
    return uses


def merge_uses(uses: Iterable[MetricUse]) -> list[MetricUse]:
    """One use per metric name: labels and jobs united, values in first-seen order."""
    merged: dict[str, MetricUse] = {}
    for use in uses:
        before = merged.get(use.name)
        if before is None:
            merged[use.name] = use
            continue
        labels = {name: tuple(values) for name, values in before.labels.items()}
        for name, values in use.labels.items():
            labels[name] = tuple(dict.fromkeys((*labels.get(name, ()), *values)))
        merged[use.name] = MetricUse(use.name, labels, tuple(dict.fromkeys((*before.jobs, *use.jobs))))
    return [merged[name] for name in sorted(merged)]
