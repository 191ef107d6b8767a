"""Redaction of the shapes a secret takes beyond ``key: value``: URL keys, query parameters, an HTTP
client's ``auth`` pair, name/value entry lists, and the server's own access log line."""

from __future__ import annotations

import contextvars
import json
import threading
import time
import urllib.request
from typing import Any

import pytest
import uvicorn

from aurum.observability.enhanced_logging import get_logger
from aurum.observability.logs._redaction import REDACTED, redact, redact_string
from aurum.observability.testing import capture_logs


def test_a_url_with_a_password_used_as_a_dictionary_key_is_cut_like_any_string(logs):
    get_logger("x").info(
        "pools", pools={"postgres://app:hunter2@db:5432/a": 3, 7: "seven"}, **{"redis://:s3cr3t@cache/0": 1}
    )
    record = logs[-1]
    assert record["pools"] == {"postgres://app:[REDACTED]@db:5432/a": 3, "7": "seven"}
    assert record["redis://:[REDACTED]@cache/0"] == 1
    assert "hunter2" not in json.dumps(record)
    assert "s3cr3t" not in json.dumps(record)


def test_keys_that_become_the_same_text_are_all_kept():
    redacted = redact({"urls": {"https://a:one@h/": 1, "https://a:two@h/": 2}})["urls"]
    assert redacted == {"https://a:[REDACTED]@h/": 1, "https://a:[REDACTED]@h/ #2": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /x?authorization=Bearer%20abc123&page=2", f"GET /x?authorization={REDACTED}&page=2"),
        ("/cb?code=1&token=t0k", f"/cb?code=1&token={REDACTED}"),
        ("/cb?api_key=k3y", f"/cb?api_key={REDACTED}"),
        # The parameter's name percent-encoded, and a credential percent-encoded under any name.
        ("/cb?api%5Fkey=k3y&x=1", f"/cb?api%5Fkey={REDACTED}&x=1"),
        ("/cb?next=Bearer%20abc123", f"/cb?next={REDACTED}"),
        ("/cb?next=Bearer+abc123", f"/cb?next={REDACTED}"),
        ("https://s3/b/o?X-Amz-Credential=AK%2F1&X-Amz-Signature=f00d", f"https://s3/b/o?X-Amz-Credential={REDACTED}&X-Amz-Signature={REDACTED}"),
        # Ordinary parameters, and the words used in prose, are left alone.
        ("/search?q=token+limits&page=2", "/search?q=token+limits&page=2"),
        ("tokens_used=5 page=2", "tokens_used=5 page=2"),
    ],
)  # fmt: skip
def test_sensitive_query_parameters_in_any_url_or_line(text, expected):
    assert redact_string(text) == expected


def test_an_auth_pair_keeps_the_user_and_loses_the_password(logs):
    get_logger("x").info(
        "calling",
        auth=("bob", "hunter2"),
        proxy_auth=["svc", b"s3cr3t"],
        basic_auth="alice:pa55",
        nested={"httpAuth": ("carol", "pw")},
    )
    record = logs[-1]
    assert record["auth"] == ["bob", REDACTED]
    assert record["proxy_auth"] == ["svc", REDACTED]
    assert record["basic_auth"] == f"alice:{REDACTED}"
    assert record["nested"] == {"httpAuth": ["carol", REDACTED]}


def test_name_value_entries_are_redacted_by_the_name_in_their_sibling(logs):
    env = [
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "HOME", "value": "/root"},
    ]
    tags = [{"Key": "stripeApiKey", "Value": "sk_live_1"}, {"Key": "team", "Value": "core"}]
    get_logger("x").info("pod", env=env, tags=tags)
    record = logs[-1]
    assert record["env"][0] == {"name": "DB_PASSWORD", "value": REDACTED}
    assert record["env"][1] == {"name": "HOME", "value": "/root"}
    assert record["tags"] == [{"Key": "stripeApiKey", "Value": REDACTED}, {"Key": "team", "Value": "core"}]


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def test_the_servers_access_log_line_goes_through_redaction():
    """uvicorn's real access logger (log_config=None, as the docs say): its line carries the raw query."""
    config = uvicorn.Config(_app, host="127.0.0.1", port=0, log_config=None, access_log=True, lifespan="off")
    server = uvicorn.Server(config)
    with capture_logs() as logs:
        # The server thread runs in this context, so its lines reach the captured sink.
        thread = threading.Thread(target=contextvars.copy_context().run, args=(server.run,), daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        query = "authorization=Bearer%20S3KR1Tabc&token=S3KR1Tdef&api%5Fkey=S3KR1Tghi&page=2"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/things?{query}") as response:
            assert response.status == 204
        server.should_exit = True
        thread.join(10)
    access = [record for record in logs if record["logger"] == "uvicorn.access"]
    assert len(access) == 1
    assert access[0]["message"].endswith(
        f'"GET /v1/things?authorization={REDACTED}&token={REDACTED}&api%5Fkey={REDACTED}&page=2 HTTP/1.1" 204'
    )
    assert "S3KR1T" not in json.dumps(list(logs))
