"""PromQL's label-matcher semantics, defined once for the runtime and the build.

The runtime evaluates SLIs from the process's own samples with the manifest's matchers
(:class:`aurum.contract.slo_manifest.Matcher`) and the build's selectors
(:class:`aurum.monitoring.model.Matcher`) state what their PromQL will select with them; both must
agree with Prometheus, so both call :func:`label_matches`.

Prometheus compiles a matcher's regex with Go's ``regexp`` as ``^(?:PATTERN)$``. Its syntax and
semantics are RE2's, not Python's ``re``: ``\\d``, ``\\w`` and ``\\s`` are ASCII only, ``$`` is the end
of the text (never before a final newline), POSIX classes such as ``[[:digit:]]``, ``\\pL`` and
``\\Q...\\E`` exist, lookaround and backreferences do not. RE2 itself (the ``google-re2`` bindings)
therefore both checks and evaluates every pattern, anchored the way Prometheus anchors it. Matching
is also linear in the value's length, so no label value can stall a check (Python's backtracking
``re`` takes exponential time on ``(a+)+b`` against a long run of ``a``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

import re2

__all__ = ["MatchOp", "label_matches", "prometheus_regex_problem"]

MatchOp = Literal["=", "!=", "=~", "!~"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refusal is reported as a declaration error, not logged to stderr


def _anchored(pattern: str) -> bytes:
    # Bytes in and out: the bindings' str path re-maps character offsets, five times slower.
    return f"^(?:{pattern})$".encode()


def _outside_classes(pattern: str) -> Iterator[str]:
    """The escapes (``\\X``) and ``(`` openings of ``pattern`` outside ``[...]`` and ``\\Q...\\E``."""
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escape = pattern[index : index + 2]
            if escape == "\\Q":
                end = pattern.find("\\E", index + 2)
                index = len(pattern) if end < 0 else end + 2
                continue
            if not in_class:
                yield escape
            index += 2
            continue
        if in_class:
            if pattern.startswith("[:", index):  # [:alpha:] inside a class
                end = pattern.find(":]", index + 2)
                index = index + 1 if end < 0 else end + 2
                continue
            in_class = char != "]"
        elif char == "[":
            in_class, index = True, index + 1
            index += pattern.startswith("^", index)
            index += pattern.startswith("]", index)  # a leading ] is literal
            continue
        elif char == "(":
            yield pattern[index : index + 4]
        index += 1


def _go_refuses(pattern: str) -> str | None:
    # Where Go's regexp/syntax (Prometheus 2.42 is built with Go 1.19) is stricter than C++ RE2.
    for token in _outside_classes(pattern):
        if token == "\\C":
            return "invalid escape sequence: \\C"
        if token.startswith("(?<") and not token.startswith(("(?<=", "(?<!")):
            return "invalid or unsupported Perl syntax: (?< (write a named group (?P<name>...))"
    return None


def prometheus_regex_problem(pattern: str) -> str | None:
    """Why Prometheus would refuse ``pattern`` as a label-matcher regex, if it would.

    Prometheus parses the pattern alone (to find literal prefixes) and compiles it anchored, so both
    must be valid: ``x)|(y`` is refused though ``^(?:x)|(y)$`` would compile.
    """
    try:
        for text in (pattern.encode(), _anchored(pattern)):
            re2.compile(text, options=_OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        why = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    except UnicodeEncodeError:
        why = "it is not valid UTF-8 text"
    else:
        found = _go_refuses(pattern)
        if found is None:
            return None
        why = found
    return f"{pattern!r} is not a regular expression Prometheus accepts (RE2 syntax: {why})"


@lru_cache(maxsize=1024)  # a handful of fixed patterns, evaluated against every sample
def _compiled(pattern: str) -> re2._Regexp:
    return re2.compile(_anchored(pattern), options=_OPTIONS)


def _utf8(value: str) -> bytes:
    try:
        return value.encode()
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8; Go reads an invalid sequence as U+FFFD, and so does this.
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()


@lru_cache(maxsize=8192)  # label values repeat (status codes, routes): most checks are a lookup
def _regex_matches(pattern: str, value: str) -> bool:
    return _compiled(pattern).search(_utf8(value)) is not None


def label_matches(op: MatchOp, pattern: str, value: str) -> bool:
    """Whether a label whose value is ``value`` (``""`` when absent) satisfies ``op pattern``.

    As in PromQL, regular expressions are fully anchored: ``5..`` matches ``503``, not ``5034``.
    A pattern Prometheus refuses raises ``re2.error``; both models refuse one on construction.
    """
    if op == "=":
        return value == pattern
    if op == "!=":
        return value != pattern
    found = _regex_matches(pattern, value)
    return found if op == "=~" else not found
