"""Secret redaction, applied to every log record before it is rendered.

Two rules, at any nesting depth of dicts, lists, tuples and sets:

* a value whose **key** names a secret (``password``, ``token``, ``api_key``, ``authorization``,
  ``cookie``, ``set-cookie``, ... or a compound such as ``db_password`` or ``X-Api-Key``) is replaced
  whole, whatever its type;
* inside any **string**, credentials are cut out: ``Bearer``/``Basic``/``Token`` schemes, passwords
  in URLs (``scheme://user:pass@host``), ``password=...``-style query parameters, and JWTs.

Containers are copied only when something in them changes, so the caller's objects are never
mutated and a record without secrets costs one pass of cheap checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["REDACTED", "is_secret_key", "redact", "redact_string"]

REDACTED = "[REDACTED]"
_MAX_DEPTH = 32

# Whole-segment words: "token" redacts access_token and token, not tokens_used or tokenizer.
_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "authorization",
        "cookie",
        "credential",
        "credentials",
        "apikey",
        "passphrase",
    }
)
# Multi-word names that only mean a secret as a whole (api_key, not api or key alone).
_SECRET_COMPOUNDS = ("api_key", "set_cookie", "private_key", "secret_key", "access_key", "client_secret")

_key_cache: dict[object, bool] = {}
_KEY_CACHE_LIMIT = 4096


def _classify(key: object) -> bool:
    normalised = str(key).lower().replace("-", "_").replace(".", "_").replace(" ", "_")
    if any(compound in normalised for compound in _SECRET_COMPOUNDS):
        return True
    return any(segment in _SECRET_WORDS for segment in normalised.split("_"))


def is_secret_key(key: object) -> bool:
    """Whether a value stored under ``key`` is a secret (cached: log keys are a small set)."""
    try:
        return _key_cache[key]
    except KeyError:
        pass
    except TypeError:  # unhashable key: classify without caching
        return _classify(key)
    secret = _classify(key)
    if len(_key_cache) < _KEY_CACHE_LIMIT:
        _key_cache[key] = secret
    return secret


# "Bearer" is followed by a credential; the other schemes are also ordinary words ("Basic
# authentication failed"), so there the credential must look like one: a digit, '+', '/', '=' or a
# lower-to-upper case change inside the word, as base64 almost always has.
_SCHEME = (
    r"(?P<scheme>\bbearer\s+)[A-Za-z0-9\-._~+/]+=*"
    r"|(?P<scheme2>\b(?:basic|token|digest|apikey)\s+)(?=(?-i:[A-Za-z\-._~]*(?:[0-9+/=]|[a-z][A-Z])))[A-Za-z0-9\-._~+/]+=*"
)
# The password may hold an unencoded '/' (invalid, but seen in logs): stop only at whitespace or '@'.
_URL_PASSWORD = r"(?P<userinfo>[a-z][a-z0-9+.\-]*://[^/\s:@]*:)[^\s@]+@"
_PARAM = (
    r"(?P<param>\b(?:password|passwd|pwd|secret|token|api_key|apikey|access_token|refresh_token"
    r"|client_secret|auth)\s*[=:]\s*)[^&\s,;\"']+"
)
_JWT = r"\beyJ[A-Za-z0-9_\-]+\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"
_CREDENTIALS = re.compile("|".join((_SCHEME, _URL_PASSWORD, _PARAM, _JWT)), re.IGNORECASE)


def _replace(match: re.Match[str]) -> str:
    for group in ("scheme", "scheme2", "userinfo", "param"):
        prefix = match.group(group)
        if prefix is not None:
            return prefix + (REDACTED + "@" if group == "userinfo" else REDACTED)
    return REDACTED


# Every credential pattern above contains one of these (lower-cased) words. Substring tests are ~10x
# cheaper than the full pattern, so the pattern runs only on strings that could hold a credential.
_TRIGGERS = (
    "bearer", "basic", "token", "digest", "apikey", "api_key", "://", "eyj", "passw", "pwd", "secret", "auth",
)  # fmt: skip
# Strings known to hold no credential (log messages, logger names, components repeat on every line).
# Only clean strings are remembered, so no secret is kept; cleared when full to stay bounded.
_clean: set[str] = set()
_CLEAN_LIMIT = 4096
_CLEAN_MAX_LENGTH = 256


def _may_hold_credential(text: str) -> bool:
    lowered = text.lower()
    for trigger in _TRIGGERS:  # noqa: SIM110 - any() over a generator costs twice as much here
        if trigger in lowered:
            return True
    return False


def redact_string(text: str) -> str:
    """``text`` with credentials cut out (the same object when there are none)."""
    if text in _clean:
        return text
    if not _may_hold_credential(text) or _CREDENTIALS.search(text) is None:
        if len(text) <= _CLEAN_MAX_LENGTH:
            if len(_clean) >= _CLEAN_LIMIT:
                _clean.clear()
            _clean.add(text)
        return text
    return _CREDENTIALS.sub(_replace, text)


def _redact_value(value: Any, depth: int, path: set[int]) -> Any:  # noqa: PLR0911 - one return per kind
    if isinstance(value, str):
        return redact_string(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if depth >= _MAX_DEPTH:
        # Deeper than any honest log payload; refusing to look is safer than leaking.
        return REDACTED
    if not isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return value
    if id(value) in path:
        # A container inside itself: handing the original back would let the renderer walk its
        # unredacted contents, so the cycle is cut here.
        return "<cycle>"
    path.add(id(value))
    try:
        if isinstance(value, Mapping):
            return _redact_mapping(value, depth + 1, path)
        items = [_redact_value(item, depth + 1, path) for item in value]
    finally:
        path.discard(id(value))
    if all(new is old for new, old in zip(items, value, strict=True)):
        return value
    return items if isinstance(value, list) else tuple(items)


def _redact_mapping(mapping: Mapping[Any, Any], depth: int, path: set[int]) -> Mapping[Any, Any]:
    changed: dict[Any, Any] | None = None
    for key, value in mapping.items():
        new = REDACTED if is_secret_key(key) else _redact_value(value, depth, path)
        if new is not value:
            if changed is None:
                changed = dict(mapping)
            changed[key] = new
    return mapping if changed is None else changed


# Fields the shim writes itself from values it generated or validated (ids of a restricted alphabet,
# timestamps, names from code): they cannot hold a credential, so they skip the scan.
_OWN_FIELDS = frozenset({"timestamp", "level", "logger", "trace_id", "span_id", "duration_ms"})


def redact(event: dict[str, Any]) -> dict[str, Any]:
    """Redact a log record in place at its top level (nested containers are copied, never mutated)."""
    for key, value in event.items():
        if key in _OWN_FIELDS:
            continue
        if is_secret_key(key):
            event[key] = REDACTED
        elif isinstance(value, str):
            event[key] = redact_string(value)
        elif not isinstance(value, (int, float, bool)) and value is not None:
            new = _redact_value(value, 0, set())
            if new is not value:
                event[key] = new
    return event
