"""Small PromQL string builders. Every expression they build is parsed again before it is written."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from aurum.monitoring.model import Selector
from aurum.monitoring.model.selectors import quote

__all__ = ["exact_number", "le_regex", "quote", "selector", "selector_for"]


def selector(name: str, matchers: Iterable[tuple[str, str, str]] = ()) -> str:
    """``name{label op "value", ...}``; just ``name`` without matchers."""
    inner = ", ".join(f"{label}{op}{quote(value)}" for label, op, value in matchers)
    return f"{name}{{{inner}}}" if inner else name


def selector_for(sel: Selector, series: str | None = None, extra: Iterable[tuple[str, str, str]] = ()) -> str:
    """The selector of a catalog selector, optionally on one series of the family (``_bucket``)."""
    matchers = [(m.label, m.op, m.value) for m in sel.matchers]
    return selector(series or sel.metric.name, [*matchers, *extra])


def le_regex(threshold: Decimal) -> str:
    """A regex for the ``le`` label of a bucket, whatever way the client rendered the float.

    prometheus_client writes ``1.0`` and ``0.5``, Go clients ``1`` and ``0.5``, and some exporters
    pad with zeros (``0.50``); all of them must select the same bucket. ``[.]`` avoids backslashes
    that would need escaping twice, once for PromQL and once for YAML.
    """
    text = format(threshold.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}([.]0*)?" if not fraction else f"{whole}[.]{fraction}0*"


def exact_number(value: Decimal | Fraction | int) -> str:
    """A number as PromQL source without float noise: ``0.999``, ``14.4``, or ``(14 / 15)``.

    Decimals that terminate are written out exactly; others (28-day periods give thirds) as the
    division PromQL will evaluate, instead of a rounded literal.
    """
    fraction = Fraction(value)
    denominator = fraction.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return f"({fraction.numerator} / {fraction.denominator})"
    digits = 0
    while (fraction * 10**digits).denominator != 1:
        digits += 1
    return format(Decimal(fraction.numerator) / Decimal(fraction.denominator), f".{digits}f")
