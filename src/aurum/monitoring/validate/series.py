"""Which series exist and which labels they carry: the catalog, Prometheus' own, and the build's records.

A recorded series has the labels its expression yields plus the rule's static labels. The labels an
expression yields follow PromQL's rules (``sum by (path)`` keeps ``path``, ``histogram_quantile``
drops ``le``, ``on(...)`` keeps the matching labels, ``group_left(...)`` adds the included ones);
None means they cannot be known, and then no label of that series is questioned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import promql_parser as pp

from aurum.contract import conventions as conv
from aurum.contract.catalogs import current_catalogs
from aurum.contract.prometheus import ALERTS

__all__ = [
    "KnownSeries",
    "Labels",
    "catalog_series",
    "known_series",
    "output_labels",
    "varying_labels",
]

Labels = frozenset[str] | None
KnownSeries = Mapping[str, Labels]

_KEEP_INPUT_LABELS = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
_FROM_MATCHERS = frozenset({"absent", "absent_over_time"})
_ADD_LABEL = frozenset({"label_replace", "label_join"})


def catalog_series() -> dict[str, Labels]:
    """Every series name the catalogs in effect declare (Prometheus' own included), with its labels.

    Scraped series also carry the target labels (``job``, ``instance``, and the ones declared).
    """
    return dict(current_catalogs().series())


def selector_name(node: pp.VectorSelector) -> str | None:
    """The metric a selector reads: its name, or an equality matcher on ``__name__``."""
    if node.name:
        return str(node.name)
    for matcher in node.matchers.matchers:
        if matcher.name == conv.METRIC_NAME_LABEL and str(matcher.op) in ("=", "MatchOp.Equal"):
            return str(matcher.value)
    return None


def _union(*sets: Labels) -> Labels:
    if any(labels is None for labels in sets):
        return None
    return frozenset().union(*(labels for labels in sets if labels is not None))


def _is_scalar(node: Any) -> bool:
    if isinstance(node, pp.NumberLiteral):
        return True
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr):
        return _is_scalar(node.expr)
    if isinstance(node, pp.Call):
        return str(node.func.return_type).endswith("Scalar")
    if isinstance(node, pp.BinaryExpr):
        return _is_scalar(node.lhs) and _is_scalar(node.rhs)
    return False


def _call(node: pp.Call, known: KnownSeries) -> Labels:
    name = node.func.name
    vectors = [arg for arg in node.args if not isinstance(arg, pp.NumberLiteral | pp.StringLiteral)]
    if name == "histogram_quantile":
        inner = output_labels(node.args[1], known)
        return None if inner is None else inner - {conv.BUCKET_LABEL}
    if name in _FROM_MATCHERS:
        # Prometheus takes the labels of absent()'s equality matchers only from a plain selector:
        # absent(up{job="api"} == 1) yields a series without any label.
        argument = node.args[0]
        selector = argument.vector_selector if isinstance(argument, pp.MatrixSelector) else argument
        if not isinstance(selector, pp.VectorSelector):
            return frozenset()
        return frozenset(
            m.name for m in selector.matchers.matchers if str(m.op) in ("=", "MatchOp.Equal")
        ) - {conv.METRIC_NAME_LABEL}
    if name in _ADD_LABEL:
        return _union(output_labels(node.args[0], known), frozenset({str(node.args[1].val)}))
    if not vectors or _is_scalar(node):
        return frozenset()
    return output_labels(vectors[0], known)


def _aggregate(node: pp.AggregateExpr, known: KnownSeries) -> Labels:
    inner = output_labels(node.expr, known)
    op = str(node.op)
    if op in _KEEP_INPUT_LABELS:
        return inner
    modifier = node.modifier
    grouped: Labels = frozenset()
    if modifier is not None and str(modifier.type).endswith("By"):
        grouped = frozenset(modifier.labels)
    elif modifier is not None:
        grouped = None if inner is None else inner - frozenset(modifier.labels)
    if op == "count_values" and grouped is not None and isinstance(node.param, pp.StringLiteral):
        grouped |= {str(node.param.val)}
    return grouped


def _matched(node: pp.BinaryExpr, lhs: Labels, rhs: Labels) -> Labels:
    """Labels of a vector-vector operation, following Prometheus' ``resultMetric``."""
    modifier = node.modifier
    if str(node.op) == "or":
        return _union(lhs, rhs)
    if str(node.op) in ("and", "unless") or modifier is None:
        return lhs
    card, included = str(modifier.card), frozenset(modifier.group_labels or ())
    if card.endswith(("ManyToOne", "OneToMany")):
        return _union(lhs if card.endswith("ManyToOne") else rhs, included)
    matching = modifier.matching
    if lhs is None or matching is None:
        return lhs
    named = frozenset(matching.labels)
    return lhs & named if str(matching.type).endswith("Include") else lhs - named


def _binary(node: pp.BinaryExpr, known: KnownSeries) -> Labels:
    if _is_scalar(node.lhs) or _is_scalar(node.rhs):
        return output_labels(node.rhs if _is_scalar(node.lhs) else node.lhs, known)
    return _matched(node, output_labels(node.lhs, known), output_labels(node.rhs, known))


def _selector(node: pp.VectorSelector, known: KnownSeries) -> Labels:
    name = selector_name(node)
    return known.get(name) if name else None


_RULES: dict[type, Callable[[Any, KnownSeries], Labels]] = {
    pp.VectorSelector: _selector,
    pp.MatrixSelector: lambda node, known: output_labels(node.vector_selector, known),
    pp.SubqueryExpr: lambda node, known: output_labels(node.expr, known),
    pp.ParenExpr: lambda node, known: output_labels(node.expr, known),
    pp.UnaryExpr: lambda node, known: output_labels(node.expr, known),
    pp.NumberLiteral: lambda node, known: frozenset(),
    pp.StringLiteral: lambda node, known: frozenset(),
    pp.Call: _call,
    pp.AggregateExpr: _aggregate,
    pp.BinaryExpr: _binary,
}


def output_labels(node: Any, known: KnownSeries) -> Labels:
    """The label names (``__name__`` aside) of the series ``node`` yields; None when unknowable."""
    rule = _RULES.get(type(node))
    return rule(node, known) if rule is not None else None


def varying_labels(expr: str, known: KnownSeries) -> Labels:
    """The labels of ``expr``'s output that can differ between its series; None when unknowable.

    A label every selector pins with ``=`` has one value (``absent(up{job="api"})`` yields only
    ``job="api"``), so it does not vary.
    """
    try:
        tree = pp.parse(expr)
    except ValueError:
        return None
    labels = output_labels(tree, known)
    if labels is None:
        return None
    selectors: list[pp.VectorSelector] = []
    pp.walk(tree, lambda node: selectors.append(node) if isinstance(node, pp.VectorSelector) else None)

    def pinned(label: str) -> bool:
        return bool(selectors) and all(
            any(m.name == label and str(m.op) == "MatchOp.Equal" for m in s.matchers.matchers)
            for s in selectors
        )

    return frozenset(label for label in labels if not pinned(label))


def _parsed(rule: Mapping[str, Any]) -> Any:
    try:
        return pp.parse(rule["expr"])
    except ValueError:
        return None  # reported where the expression is checked


def _rule_labels(node: Any, rule: Mapping[str, Any], known: KnownSeries) -> Labels:
    inferred = None if node is None else output_labels(node, known)
    return _union(inferred, frozenset(rule.get("labels") or {}))


def known_series(rules: Iterable[Mapping[str, Any]]) -> dict[str, Labels]:
    """The catalog's series plus every series the rules record, and ``ALERTS`` with every alert label."""
    parsed = [(rule, _parsed(rule)) for rule in rules]
    base = catalog_series()
    known = dict(base)
    # A record may read another one, in any file: repeat until no label set changes.
    for _ in range(len(parsed) + 1):
        recorded: dict[str, Labels] = {}
        for rule, node in parsed:
            if "record" in rule:
                labels = _rule_labels(node, rule, known)
                name = rule["record"]
                recorded[name] = _union(recorded[name], labels) if name in recorded else labels
        updated = {**base, **recorded}
        if updated == known:
            break
        known = updated
    alert_labels: Labels = frozenset({*ALERTS.label_names, conv.ALERTNAME_LABEL, conv.ALERTSTATE_LABEL})
    for rule, node in parsed:
        if "alert" in rule:
            alert_labels = _union(alert_labels, _rule_labels(node, rule, known))
    known[ALERTS.name] = alert_labels
    return known
