"""Secrets never reach a log line: by key at any depth, and by credential shape inside strings."""

from __future__ import annotations

import base64
import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aurum.observability.enhanced_logging import get_logger
from aurum.observability.redaction import REDACTED, is_secret_key, redact, redact_string
from aurum.observability.testing import capture_logs

SECRET_KEYS = [
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "authorization",
    "cookie",
    "set-cookie",
    "Set-Cookie",
    "X-Api-Key",
    "db_password",
    "access_token",
    "client_secret",
    "AUTHORIZATION",
]
PLAIN_KEYS = ["user", "scenario_id", "tokens_used", "tokenizer", "keyboard", "path", "cookies_enabled_count"]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secret_keys(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", PLAIN_KEYS)
def test_plain_keys(key):
    assert not is_secret_key(key)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer [REDACTED]"),
        ("Basic dXNlcjpwYXNzd29yZA==", "Basic [REDACTED]"),
        ("postgres://bob:hunter2@db:5432/aurum", "postgres://bob:[REDACTED]@db:5432/aurum"),
        ("https://x.io/cb?a=1&access_token=abc123&b=2", "https://x.io/cb?a=1&access_token=[REDACTED]&b=2"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "jwt [REDACTED]"),
        ("password=hunter2 user=bob", "password=[REDACTED] user=bob"),
        # Ordinary prose is left alone.
        ("Basic authentication failed", "Basic authentication failed"),
        ("Invalid token provided", "Invalid token provided"),
        ("ssh://git@github.com/org/repo", "ssh://git@github.com/org/repo"),
    ],
)
def test_credentials_inside_strings(text, expected):
    assert redact_string(text) == expected


def test_caller_objects_are_not_mutated():
    payload = {"user": {"password": "p", "name": "n"}, "items": [{"token": "t"}]}
    before = json.dumps(payload, sort_keys=True)
    event = {"payload": payload}
    redacted = redact(event)
    assert json.dumps(payload, sort_keys=True) == before
    assert redacted["payload"] == {
        "user": {"password": REDACTED, "name": "n"},
        "items": [{"token": REDACTED}],
    }


def test_a_cycle_cannot_smuggle_a_secret_past_redaction():
    cycle: dict[str, object] = {"password": "hunter2"}
    cycle["again"] = cycle
    with capture_logs() as logs:
        get_logger("x").info("cyclic", data=cycle)
    assert "hunter2" not in json.dumps(logs[-1])


# -- property: generated nested payloads ---------------------------------------------------------
# Secret values carry a marker no other generated text can contain, so "not in the line" is exact.
MARKER = "S3KR1T"
secret_values = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.~+/", min_size=4, max_size=24
).map(lambda tail: f"{MARKER}{tail}")
plain_text = st.text(alphabet=string.ascii_lowercase + " ", max_size=12)
plain_keys = st.sampled_from(PLAIN_KEYS)
scalars = st.one_of(plain_text, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))


def _nest(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    secret_entry = st.tuples(st.sampled_from(SECRET_KEYS), st.one_of(secret_values, children))
    plain_entry = st.tuples(plain_keys, children)
    return st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.lists(st.one_of(secret_entry, plain_entry), max_size=4).map(dict),
    )


def _leaky_strings(secret: str) -> list[str]:
    return [f"Bearer {secret}", f"https://svc:{secret}@db.internal/x", f"callback?token={secret}&x=1"]


payloads = st.recursive(scalars, _nest, max_leaves=25)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(payload=payloads, secret=secret_values, shape=st.integers(min_value=0, max_value=2))
def test_generated_payloads_never_leak_a_secret_value(payload, secret, shape):
    with capture_logs() as logs:
        get_logger("aurum.property").info(
            "payload",
            data=payload,
            api_key=secret,
            note=_leaky_strings(secret)[shape],
            nested={"headers": {"Authorization": f"Bearer {secret}", "Cookie": secret}},
        )
    line = json.dumps(logs[-1])
    assert MARKER not in line


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    user=st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
    password=st.binary(min_size=6, max_size=24),
)
def test_basic_credentials_with_base64_shape_are_redacted(user, password):
    encoded = base64.b64encode(user.encode() + b":" + password).decode()
    # The documented limit: a Basic credential that is a plain lower-case word is prose, not base64.
    if encoded.isalpha() and (encoded.islower() or encoded.isupper()):
        return
    assert encoded not in redact_string(f"Authorization: Basic {encoded}")
