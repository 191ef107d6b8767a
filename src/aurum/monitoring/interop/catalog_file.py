"""The catalog declaration file an import writes: deterministic Python, meant for a pull request.

Metrics are sorted by name, labels by name, examples by value; nothing in the file depends on when
the import ran, so importing again from the same system rewrites the same bytes and a review shows
only what changed. The file is run before it is written (see :func:`checked_source`): what it
declares is what the catalog loader will load.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Sequence

from aurum.contract.metrics import Label, Metric, TargetLabels
from aurum.monitoring.interop.observed import Imported

__all__ = ["catalog_source", "checked_source", "metric_source", "variable_name"]

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")
_LINE_LENGTH = 120
"""Lines are kept as ruff's formatter would keep them at this length: the file reads as code written by hand."""


def variable_name(metric_name: str) -> str:
    """``node_cpu_seconds_total`` -> ``NODE_CPU_SECONDS_TOTAL`` (``:`` and the like become ``_``)."""
    name = _NOT_IDENTIFIER.sub("_", metric_name).upper()
    return f"M_{name}" if name[0].isdigit() or keyword.iskeyword(name) else name


def _text(value: str) -> str:
    # JSON's string syntax is a subset of Python's, and always double-quoted: ruff's style.
    return json.dumps(value, ensure_ascii=False)


def _tuple(items: Sequence[str]) -> str:
    inner = ", ".join(items)
    return f"({inner},)" if len(items) == 1 else f"({inner})"


def _label(label: Label) -> str:
    return f"Label({_text(label.name)}, {_text(label.description)}, examples={_tuple([_text(v) for v in label.examples])})"


def _labels(labels: Sequence[Label], indent: str) -> str:
    if not labels:
        return "()"
    if len(labels) == 1 and len(one := f"{indent}    labels=({_label(labels[0])},),") <= _LINE_LENGTH:
        return one.removeprefix(f"{indent}    labels=").removesuffix(",")
    inner = "".join(f"{indent}    {_label(label)},\n" for label in labels)
    return f"(\n{inner}{indent})"


def metric_source(variable: str, metric: Metric) -> str:
    """The ``Metric(...)`` assignment of ``metric`` to ``variable``, as ruff formats it."""
    lines = [
        f"{variable} = Metric(",
        f"    base_name={_text(metric.base_name)},",
        f"    type=MetricType.{metric.type.name},",
        f"    help={_text(metric.help)},",
        f"    unit={_text(metric.unit)},",
        f"    labels={_labels(metric.labels, '    ')},",
    ]
    if metric.buckets:
        lines.append(f"    buckets={_tuple([repr(bound) for bound in metric.buckets])},")
    if metric.jobs:
        lines.append(f"    jobs={_tuple([_text(job) for job in metric.jobs])},")
    return "\n".join([*lines, ")"])


def _targets(index: int, targets: TargetLabels) -> str:
    jobs = f", jobs={_tuple([_text(job) for job in targets.jobs])}" if targets.jobs else ""
    return f"TARGET_LABELS_{index} = TargetLabels(labels={_labels(targets.labels, '')}{jobs})"


def catalog_source(imported: Imported, targets: Sequence[TargetLabels], origin: str) -> str:
    """The catalog file for ``imported`` metrics and ``targets``, saying where they came from."""
    header = (
        f'"""Metrics imported by `aurum-obs catalog import` from {origin}.\n'
        "\n"
        "Review before merging: describe each label, turn examples into closed sets (allowed=...)\n"
        "where the values are fixed, and delete what no declaration needs. Importing again rewrites\n"
        'this file.\n"""\n'
        "\n"
        "from aurum.observability.catalog import Label, Metric, MetricType"
        f"{', TargetLabels' if targets else ''}\n"
    )
    blocks = [header]
    blocks += [_targets(index, group) for index, group in enumerate(targets, start=1)]
    used: set[str] = set()
    for metric in imported.metrics:
        variable = variable_name(metric.base_name)
        while variable in used:  # node:cpu and node_cpu both read NODE_CPU
            variable += "_"
        used.add(variable)
        blocks.append(metric_source(variable, metric))
    if imported.skipped:
        listed = "".join(f"# - {skipped.name}: {skipped.reason}\n" for skipped in imported.skipped)
        blocks.append(f"# Not imported:\n{listed.rstrip()}")
    return "\n\n".join(blocks) + "\n"


def checked_source(source: str, imported: Imported, shown: str) -> str:
    """``source``, once running it declares exactly the ``imported`` metrics (a renderer bug otherwise)."""
    namespace: dict[str, object] = {}
    exec(compile(source, shown, "exec"), namespace)  # the file is ours, just rendered: prove it runs
    declared = tuple(value for value in namespace.values() if isinstance(value, Metric))
    if declared != imported.metrics:
        msg = f"{shown}: the rendered catalog does not declare the imported metrics"
        raise RuntimeError(msg)
    return source
