"""The HTTP session: urllib3's Retry on the adapter, a timeout on every request, and a token that
shows nowhere."""

from __future__ import annotations

import pickle

import pytest
import requests
from urllib3.util.retry import Retry

from aurum.monitoring.deploy.session import BearerToken, DeployError, HttpClient, RetryPolicy

SECRET = "glsa_very_secret_value"


def test_retries_are_urllib3s_on_the_adapter() -> None:
    client = HttpClient("http://grafana.example", token=SECRET, policy=RetryPolicy(retries=5, backoff=0.2))
    retry = client.session.get_adapter("https://grafana.example").max_retries
    assert isinstance(retry, Retry)
    assert (retry.total, retry.connect, retry.read, retry.status) == (5, 5, 5, 5)
    assert retry.backoff_factor == 0.2
    assert {429, 500, 502, 503, 504} <= set(retry.status_forcelist or ())
    assert {"GET", "POST", "PUT", "DELETE"} <= set(retry.allowed_methods or ())
    assert retry.respect_retry_after_header


def test_the_token_is_sent_as_bearer_and_hidden_everywhere_else() -> None:
    auth = BearerToken(SECRET)

    request = requests.Request("GET", "http://grafana.example/api/health").prepare()
    assert auth(request).headers["Authorization"] == f"Bearer {SECRET}"
    client = HttpClient("http://grafana.example", token=SECRET)
    for shown in (repr(auth), str(auth), repr(client.session.__dict__), repr(vars(client))):
        assert SECRET not in shown
    assert SECRET not in client.scrub(f"a message quoting {SECRET}")


def test_errors_name_what_failed_without_the_token() -> None:
    client = HttpClient(
        f"http://127.0.0.1:1/{SECRET}", token=SECRET, policy=RetryPolicy(retries=1, backoff=0.01)
    )
    with pytest.raises(DeployError) as raised:
        client.request("GET", "/api/health")
    message = str(raised.value)
    assert message.startswith("GET http://127.0.0.1:1/<token>/api/health:") and "after 2 attempts" in message
    assert SECRET not in message and raised.value.__cause__ is None and raised.value.__suppress_context__
    assert SECRET.encode() not in pickle.dumps(raised.value)
