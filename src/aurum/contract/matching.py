"""PromQL's label-matcher semantics, defined once for the runtime and the build.

The runtime evaluates SLIs from the process's own samples with the manifest's matchers
(:class:`aurum.contract.slo_manifest.Matcher`) and the build's selectors
(:class:`aurum.monitoring.model.Matcher`) state what their PromQL will select with them; both must
agree with Prometheus, so both call :func:`label_matches`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

__all__ = ["MatchOp", "label_matches"]

MatchOp = Literal["=", "!=", "=~", "!~"]

# Matchers are a handful of fixed patterns evaluated against every sample: compile each once.
_compile = lru_cache(maxsize=1024)(re.compile)


def label_matches(op: MatchOp, pattern: str, value: str) -> bool:
    """Whether a label whose value is ``value`` (``""`` when absent) satisfies ``op pattern``.

    As in PromQL, regular expressions are fully anchored: ``5..`` matches ``503``, not ``5034``.
    """
    if op == "=":
        return value == pattern
    if op == "!=":
        return value != pattern
    found = _compile(pattern).fullmatch(value) is not None
    return found if op == "=~" else not found
