"""Which names mark a secret: field and dictionary keys, header and query-parameter names, entry names.

One classification for every place a name can stand next to a value (a keyword, a dictionary key, the
first item of a ``(name, value)`` pair, the ``name`` of a ``{"name": ..., "value": ...}`` entry, a
query parameter), so that the same spelling is a secret everywhere.
"""

from __future__ import annotations

import re

from aurum.observability.logs._values import propagate_interrupt, safe_text

__all__ = ["ENTRY_NAME_KEYS", "ENTRY_VALUE_KEYS", "is_auth_key", "is_secret_key", "normalised_name"]

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
        "signature",  # signed URLs: X-Amz-Signature, Azure SAS sig
        "sig",
    }
)
# Multi-word names that only mean a secret as a whole (api_key, not api or key alone).
_SECRET_COMPOUNDS = ("api_key", "set_cookie", "private_key", "secret_key", "access_key", "client_secret")

# Keys of name/value entries ({"name": "DB_PASSWORD", "value": "..."} in Kubernetes env lists, AWS
# {"Key": ..., "Value": ...} tags and parameters, HAR headers): when the name names a secret, the
# sibling value keys are redacted. Compared lower-cased.
ENTRY_NAME_KEYS = frozenset({"name", "key", "field", "param", "parameter", "header", "variable"})
ENTRY_VALUE_KEYS = frozenset({"value", "values", "val", "data", "stringvalue", "string_value"})

_key_cache: dict[object, bool] = {}
_KEY_CACHE_LIMIT = 4096

# camelCase and PascalCase word boundaries ("dbPassword", "APIKey" -> "API_Key"), made snake_case
# before lower-casing so that the same whole-segment rule applies to every spelling.
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def normalised_name(key: object) -> str:
    """``key`` as lower snake_case text (``X-Api-Key`` -> ``x_api_key``, ``dbPassword`` -> ``db_password``)."""
    text = key.decode("latin-1") if isinstance(key, (bytes, bytearray)) else safe_text(key)
    snake = _CAMEL_BOUNDARY.sub("_", text)
    return snake.lower().replace("-", "_").replace(".", "_").replace(" ", "_")


def _classify(key: object) -> bool:
    normalised = normalised_name(key)
    if any(compound in normalised for compound in _SECRET_COMPOUNDS):
        return True
    return any(segment in _SECRET_WORDS for segment in normalised.split("_"))


def is_secret_key(key: object) -> bool:
    """Whether a value stored under ``key`` is a secret (cached: log keys are a small set)."""
    try:
        return _key_cache[key]
    except KeyError:
        pass
    except BaseException as error:  # unhashable, or a __hash__/__eq__ that raises: classify without caching
        propagate_interrupt(error)
        return _classify(key)
    secret = _classify(key)
    if len(_key_cache) < _KEY_CACHE_LIMIT:
        _key_cache[key] = secret
    return secret


def is_auth_key(key: object) -> bool:
    """Whether ``key`` names an HTTP client's ``auth`` (``auth``, ``basic_auth``, ``proxyAuth``): its
    value is a ``(user, password)`` pair or ``user:password`` text, as requests and httpx take it."""
    return normalised_name(key).split("_")[-1] == "auth"
