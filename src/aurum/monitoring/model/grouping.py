"""SLOs per group (``SLO(..., group_by=("tenant_id",))``): which labels an SLI can be split by, and
how many groups that can make.

A group label must be a label of every series the SLI reads (checked against the catalogs), so that
bad and total events of one group are counted from the same series; it cannot be a label the
compiler sets, nor a histogram's ``le``. Raw PromQL SLIs cannot be grouped: their queries aggregate as
their authors wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aurum.contract.catalogs import current_catalogs
from aurum.contract.conventions import BUCKET_LABEL, RESERVED_LABELS
from aurum.monitoring.model.selectors import Selector
from aurum.monitoring.model.sli import SLI, FreshnessSLI, LatencySLI, PromQLSLI, RatioSLI

__all__ = ["GroupCount", "check_group_by", "group_count", "sli_selectors"]


def sli_selectors(sli: SLI) -> tuple[Selector, ...]:
    """Every selector the SLI reads (none for raw PromQL)."""
    if isinstance(sli, RatioSLI):
        return tuple(s for s in (sli.bad, sli.good, sli.total) if s is not None)
    if isinstance(sli, LatencySLI):
        return (sli.histogram,)
    if isinstance(sli, FreshnessSLI):
        return (sli.gauge,)
    return ()


def check_group_by(sli: SLI, group_by: Sequence[str]) -> tuple[str, ...]:
    """``group_by`` when every label can split ``sli``; ``ValueError`` naming the first that cannot."""
    if not group_by:
        return ()
    if isinstance(sli, PromQLSLI):
        msg = "a raw PromQL SLI cannot be grouped: aggregate by the labels in its queries instead"
        raise ValueError(msg)
    if len(set(group_by)) != len(group_by):
        msg = f"labels repeat in {list(group_by)}"
        raise ValueError(msg)
    catalogs = current_catalogs()
    for name in group_by:
        if name in RESERVED_LABELS or name == BUCKET_LABEL:
            msg = f"{name!r} is set by the compiler (or is the histogram's le) and cannot group an SLO"
            raise ValueError(msg)
        for selector in sli_selectors(sli):
            if catalogs.label(selector.metric, name) is None:
                labels = ", ".join(sorted(catalogs.label_names(selector.metric))) or "none"
                msg = f"{selector.metric.name} has no label {name!r} to group by (labels: {labels})"
                raise ValueError(msg)
    return tuple(group_by)


@dataclass(frozen=True, slots=True)
class GroupCount:
    """The most groups a grouped SLO can have: a number from closed label sets, or unbounded."""

    groups: int | None
    """None: some group label is open (its values are whatever the application sends)."""
    open_labels: tuple[str, ...] = ()


def group_count(sli: SLI, group_by: Sequence[str]) -> GroupCount:
    """The product of the group labels' closed sets (the smallest over the SLI's metrics)."""
    catalogs = current_catalogs()
    total, open_labels = 1, []
    for name in group_by:
        sizes = []
        for selector in sli_selectors(sli):
            label = catalogs.label(selector.metric, name)
            if label is not None and label.allowed:
                sizes.append(len(label.allowed))
        if sizes:
            total *= min(sizes)
        else:
            open_labels.append(name)
    return GroupCount(None if open_labels else total, tuple(open_labels))
