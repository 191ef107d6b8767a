"""The cardinality guard: a hard cap on the distinct label sets each metric may create.

One unbounded label value (a raw URL, a request id passed as tenant) can create millions of series
and take Prometheus down. The guard admits label sets until a metric's cap is reached; after that a
*new* label set has its open label values replaced by ``OVERFLOW_LABEL_VALUE`` (from the catalog)
and every such fold is counted, so the loss is visible instead of silent. ``tenant_id`` has its
own, smaller cap because tenants are the label most likely to grow with the business.

Bounded labels keep their value on overflow: closed sets from the catalog (``result``, ``state``, ...)
and the HTTP ``method`` and ``status``, which the middleware normalises to a small set. That keeps the
overflow series few and, more importantly, keeps SLO queries such as ``status=~"5.."`` right even for
folded traffic.

The guard is consulted only when a caller's label-set cache misses, so it may take a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from aurum.observability.catalog import OVERFLOW_LABEL_VALUE, Metric

__all__ = ["BOUNDED_LABELS", "TENANT_LABEL", "CardinalityGuard"]

TENANT_LABEL = "tenant_id"
BOUNDED_LABELS = frozenset({"method", "status"})
"""Open labels (in catalog terms) whose values are nevertheless bounded by construction."""

OverflowCounter = Callable[[str, str], None]
"""Called with (exposed metric name, reason) each time a label set is folded."""


def _check_caps(max_label_sets: int, max_tenants: int) -> None:
    if max_label_sets < 1 or max_tenants < 1:
        msg = "cardinality caps must be at least 1"
        raise ValueError(msg)


class CardinalityGuard:
    """Admits label sets of one metric, folding the excess (see the module docstring)."""

    __slots__ = (
        "_allowed",
        "_keep",
        "_lock",
        "_max_label_sets",
        "_max_tenants",
        "_on_overflow",
        "_seen",
        "_tenant_index",
        "_tenants",
        "metric",
        "name",
    )

    def __init__(
        self,
        metric: Metric,
        *,
        name: str,
        max_label_sets: int,
        max_tenants: int,
        on_overflow: OverflowCounter,
    ) -> None:
        _check_caps(max_label_sets, max_tenants)
        self.metric = metric
        self.name = name
        self._max_label_sets = max_label_sets
        self._max_tenants = max_tenants
        self._on_overflow = on_overflow
        self._lock = threading.Lock()
        self._seen: set[tuple[str, ...]] = set()
        self._tenants: set[str] = set()
        names = metric.label_names
        self._tenant_index = names.index(TENANT_LABEL) if TENANT_LABEL in names else -1
        self._allowed = tuple(frozenset(label.allowed) for label in metric.labels)
        self._keep = tuple(bool(label.allowed) or label.name in BOUNDED_LABELS for label in metric.labels)

    def set_limits(self, *, max_label_sets: int, max_tenants: int) -> None:
        """New caps from now on: label sets and tenants already admitted stay; new ones are judged
        against the new caps (``configure()`` applies changed settings this way)."""
        _check_caps(max_label_sets, max_tenants)
        with self._lock:
            self._max_label_sets = max_label_sets
            self._max_tenants = max_tenants

    def admit(self, values: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        """The label values to record for ``values``, and whether they were folded.

        Raises ``ValueError`` for a value outside a closed label's allowed set: that is a bug in the
        caller, not traffic to absorb.
        """
        self._check_closed(values)
        with self._lock:
            folded = False
            if self._tenant_index >= 0:
                values, folded = self._admit_tenant(values)
            if values in self._seen:
                return values, folded
            if len(self._seen) < self._max_label_sets:
                self._seen.add(values)
                return values, folded
            values = tuple(
                value if keep else OVERFLOW_LABEL_VALUE
                for value, keep in zip(values, self._keep, strict=True)
            )
            # Folded sets are bounded by the kept labels' values; remembering them keeps the fast path.
            self._seen.add(values)
        self._on_overflow(self.name, "label_sets")
        return values, True

    def reserve(self, values: tuple[str, ...]) -> bool:
        """Room for ``values`` (already admitted label values with one closed label changed), taken
        only if there is some: the series a counter creates ahead of its first event never fold and
        never count as an overflow."""
        with self._lock:
            if values in self._seen:
                return True
            if len(self._seen) < self._max_label_sets:
                self._seen.add(values)
                return True
            return False

    def _admit_tenant(self, values: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        tenant = values[self._tenant_index]
        if tenant in self._tenants or tenant == OVERFLOW_LABEL_VALUE:
            return values, False
        if len(self._tenants) < self._max_tenants:
            self._tenants.add(tenant)
            return values, False
        self._on_overflow(self.name, TENANT_LABEL)
        index = self._tenant_index
        return (*values[:index], OVERFLOW_LABEL_VALUE, *values[index + 1 :]), True

    def _check_closed(self, values: tuple[str, ...]) -> None:
        if len(values) != len(self._allowed):
            msg = f"{self.name} takes labels {self.metric.label_names}, got {len(values)} values"
            raise ValueError(msg)
        for value, allowed, label in zip(values, self._allowed, self.metric.labels, strict=True):
            if allowed and value not in allowed:
                msg = f"{self.name}: {label.name}={value!r} is not one of {sorted(allowed)}"
                raise ValueError(msg)
