"""Prometheus' regular-expression syntax, checked with Google's RE2.

Prometheus compiles a matcher's regex with Go's ``regexp``, whose syntax is RE2's: no lookaround,
no backreferences, no possessive quantifiers. Python's ``re`` accepts all of those, so a pattern
checked with it alone reaches promtool (or a running Prometheus) before it is refused. RE2 itself
(the ``google-re2`` bindings) decides instead, on the pattern anchored the way Prometheus anchors it.
"""

from __future__ import annotations

import re2

__all__ = ["prometheus_regex_problem"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the refusal is reported as a declaration error, not logged to stderr


def prometheus_regex_problem(pattern: str) -> str | None:
    """Why Prometheus would refuse ``pattern`` as a label-matcher regex, if it would."""
    try:
        re2.compile(f"^(?:{pattern})$", options=_OPTIONS)  # Prometheus' own anchoring
    except re2.error as error:
        reason = error.args[0] if error.args else error
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        return f"{pattern!r} is not a regular expression Prometheus accepts (RE2 syntax: {text})"
    return None
