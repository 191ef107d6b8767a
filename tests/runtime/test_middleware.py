"""The ASGI middleware: per-request metrics, request id, tenant, context, server span, errors."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from aurum.observability.catalog import UNMATCHED_ROUTE
from aurum.observability.enhanced_logging import StructuredLoggingMiddleware, get_logger
from aurum.observability.middleware import ObservabilityMiddleware, _new_request_id
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.testing import sample_value

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def make_app() -> FastAPI:
    app = FastAPI()
    api = APIRouter(prefix="/api")

    @api.get("/scenarios/{scenario_id}")
    async def get_scenario(scenario_id: str) -> dict[str, str]:
        get_logger("aurum.api.scenarios").info("fetching", scenario_id=scenario_id)
        return {"id": scenario_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    @app.get("/metrics")
    async def own_metrics() -> str:
        return "skipped"

    app.include_router(api)
    app.add_middleware(StructuredLoggingMiddleware)
    return app


async def _get(app: Any, path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.get(path, headers=headers)


def get(app: Any, path: str, **headers: str) -> httpx.Response:
    return asyncio.run(_get(app, path, **headers))


def requests_total(metrics, **labels: str) -> float | None:
    return sample_value(metrics, "aurum_http_requests_total", **labels)


def test_requests_are_counted_by_route_template_not_raw_path(metrics, spans):
    app = make_app()
    for scenario_id in ("a", "b", "c"):
        assert get(app, f"/api/scenarios/{scenario_id}").status_code == 200
    labels = {"method": "GET", "path": "/api/scenarios/{scenario_id}", "status": "200", "tenant_id": ""}
    assert requests_total(metrics, **labels) == 3
    latency = {"method": "GET", "path": "/api/scenarios/{scenario_id}"}
    assert sample_value(metrics, "aurum_http_request_duration_seconds_count", **latency) == 3


def test_unmatched_paths_fold_into_one_value(metrics, spans):
    app = make_app()
    for path in ("/x", "/y/z", "/wp-admin.php"):
        assert get(app, path).status_code == 404
    assert requests_total(metrics, method="GET", path=UNMATCHED_ROUTE, status="404", tenant_id="") == 3


def test_request_id_is_taken_or_generated_and_echoed(metrics, spans, logs):
    app = make_app()
    taken = get(app, "/api/scenarios/a", **{"X-Request-ID": "req-given-1"})
    generated = get(app, "/api/scenarios/a")
    rejected = get(app, "/api/scenarios/a", **{"X-Request-ID": "bad id with spaces"})
    assert taken.headers["x-request-id"] == "req-given-1"
    assert generated.headers["x-request-id"].startswith("req-")
    assert rejected.headers["x-request-id"] not in ("bad id with spaces", generated.headers["x-request-id"])
    fetch_logs = [record for record in logs if record["message"] == "fetching"]
    assert [record["request_id"] for record in fetch_logs] == [
        "req-given-1",
        generated.headers["x-request-id"],
        rejected.headers["x-request-id"],
    ]


def _ids_after_fork(connection: Any) -> None:
    connection.send([_new_request_id() for _ in range(3)])
    connection.close()


def test_generated_request_ids_differ_between_forked_workers():
    # Request ids come from Python's generator, which must not hand two forked workers (gunicorn's
    # model) the same sequence: CPython reseeds it in every child after fork.
    context = multiprocessing.get_context("fork")
    ids: list[str] = []
    for _ in range(2):
        parent, child = context.Pipe()
        worker = context.Process(target=_ids_after_fork, args=(child,))
        worker.start()
        ids.extend(parent.recv())
        worker.join(timeout=30)
    assert all(re.fullmatch(r"req-[0-9a-f]{16}", request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)


def test_tenant_header_labels_metrics_and_logs(metrics, spans, logs):
    get(make_app(), "/api/scenarios/a", **{"X-Tenant-ID": "acme-corp"})
    labels = {
        "method": "GET",
        "path": "/api/scenarios/{scenario_id}",
        "status": "200",
        "tenant_id": "acme-corp",
    }
    assert requests_total(metrics, **labels) == 1
    assert all(record["tenant_id"] == "acme-corp" for record in logs if record["logger"].startswith("aurum"))


def test_credentials_in_request_id_or_tenant_headers_never_reach_logs_metrics_or_spans(metrics, spans, logs):
    # Both values are bound to the log context once per request as safe to write unredacted, so the
    # middleware must vet them: an id redaction would cut is replaced, a tenant is redacted.
    response = get(
        make_app(),
        "/api/scenarios/a",
        **{"X-Request-ID": "token:s3cr3tvalue", "X-Tenant-ID": "Bearer abc.def-123"},
    )
    generated = response.headers["x-request-id"]
    assert re.fullmatch(r"req-[0-9a-f]{16}", generated)
    lines = [record for record in logs if record["logger"].startswith("aurum")]
    assert {record["request_id"] for record in lines} == {generated}
    assert {record["tenant_id"] for record in lines} == {"Bearer [REDACTED]"}
    assert not any("s3cr3tvalue" in str(record) or "abc.def-123" in str(record) for record in logs)
    labels = {"method": "GET", "path": "/api/scenarios/{scenario_id}", "status": "200"}
    assert requests_total(metrics, tenant_id="Bearer [REDACTED]", **labels) == 1
    (span,) = spans.finished()
    assert span.attributes["aurum.tenant.id"] == "Bearer [REDACTED]"
    assert span.attributes["aurum.request_id"] == generated


def test_access_log_line(metrics, spans, logs, log_validator):
    get(make_app(), "/api/scenarios/a", **{"X-Request-ID": "req-77"})
    (access,) = [record for record in logs if record["message"] == "request completed"]
    assert access["path"] == "/api/scenarios/{scenario_id}"
    assert access["url_path"] == "/api/scenarios/a"
    assert access["status"] == 200
    assert access["request_id"] == "req-77"
    log_validator.validate(access)


def test_server_span_continues_traceparent_and_carries_route_and_status(metrics, spans, logs):
    get(make_app(), "/api/scenarios/a", traceparent=TRACEPARENT, **{"X-Request-ID": "req-5"})
    span = spans.by_name("GET /api/scenarios/{scenario_id}")
    assert span.kind is SpanKind.SERVER
    assert span.context.trace_id == 0x0AF7651916CD43DD8448EB211C80319C
    assert span.parent.span_id == 0xB7AD6B7169203331
    assert span.attributes["http.route"] == "/api/scenarios/{scenario_id}"
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["aurum.request_id"] == "req-5"
    fetching = next(record for record in logs if record["message"] == "fetching")
    assert fetching["trace_id"] == "0af7651916cd43dd8448eb211c80319c"


def test_unhandled_exception_counts_as_500_and_propagates(metrics, spans, logs):
    app = make_app()

    async def direct() -> None:
        transport = httpx.ASGITransport(app=app)  # raise_app_exceptions=True: see what the server sees
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.get("/boom")

    with pytest.raises(RuntimeError, match="kaboom"):
        asyncio.run(direct())
    assert requests_total(metrics, method="GET", path="/boom", status="500", tenant_id="") == 1
    span = spans.by_name("GET /boom")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "RuntimeError"
    failed = next(record for record in logs if record["message"] == "request failed")
    assert failed["level"] == "ERROR"
    assert failed["error_type"] == "RuntimeError"


def test_own_metrics_and_health_paths_are_skipped(metrics, spans, logs):
    assert get(make_app(), "/metrics").status_code == 200
    assert requests_total(metrics, method="GET", path="/metrics", status="200", tenant_id="") is None
    assert spans.finished() == ()
    assert not [record for record in logs if record["message"] == "request completed"]


def test_pure_asgi_on_plain_starlette_with_mounts(metrics, spans):
    async def hello(request: Any) -> PlainTextResponse:
        return PlainTextResponse("hi")

    inner = Starlette(routes=[Route("/items/{item_id}", hello)])

    async def static(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"css"})

    app = Starlette(routes=[Route("/hello", hello), Mount("/v2", inner), Mount("/static", static)])
    wrapped = ObservabilityMiddleware(app)
    for path in ("/hello", "/v2/items/9", "/static/site.css"):
        assert get(wrapped, path).status_code == 200
    for template in ("/hello", "/v2/items/{item_id}", "/static/{path}"):
        assert requests_total(metrics, method="GET", path=template, status="200", tenant_id="") == 1, template


def test_unknown_methods_are_folded_to_other(metrics, spans):
    app = make_app()

    async def call() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.request("BREW", "/api/scenarios/a")

    asyncio.run(call())
    assert (
        requests_total(
            metrics, method="OTHER", path="/api/scenarios/{scenario_id}", status="405", tenant_id=""
        )
        == 1
    )


def test_non_http_scopes_pass_straight_through():
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    asyncio.run(ObservabilityMiddleware(app)({"type": "lifespan"}, None, None))  # type: ignore[arg-type]  # never called for a lifespan scope
    assert seen == ["lifespan"]


def test_metrics_and_access_log_can_be_turned_off(metrics, spans, logs):
    app = Starlette(routes=[Route("/x", lambda request: PlainTextResponse("x"))])
    settings = ObservabilitySettings(metrics_enabled=False, log_requests=False, tracing_enabled=False)
    get(ObservabilityMiddleware(app, settings=settings), "/x")
    assert requests_total(metrics, method="GET", path="/x", status="200", tenant_id="") is None
    assert not [record for record in logs if record["message"] == "request completed"]
    assert spans.finished() == ()


# -- what a request counts as when it does not complete ------------------------------------------
def call_directly(app: Any) -> None:
    """One GET through the middleware as the server would make it, exceptions included."""
    scope = {"type": "http", "method": "GET", "path": "/stream", "headers": [], "root_path": ""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        return None

    asyncio.run(ObservabilityMiddleware(app)(scope, receive, send))


async def cancelled_before_responding(scope: Any, receive: Any, send: Any) -> None:
    raise asyncio.CancelledError


def failing_after_200(failure: BaseException) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise failure

    return app


def access_log(logs: Any) -> dict[str, Any]:
    (line,) = [record for record in logs if record["logger"] == "aurum.observability.http"]
    return line


def test_a_request_cancelled_before_any_response_counts_as_499_not_500(metrics, spans, logs, log_validator):
    with pytest.raises(asyncio.CancelledError):
        call_directly(cancelled_before_responding)
    labels = {"method": "GET", "path": UNMATCHED_ROUTE, "tenant_id": ""}
    assert requests_total(metrics, status="499", **labels) == 1
    assert requests_total(metrics, status="500", **labels) == 0  # created beside the 499 at 0, never counted
    line = access_log(logs)
    assert (line["level"], line["message"], line["status"]) == ("WARNING", "request cancelled", 499)
    assert line["error_type"] == "asyncio.exceptions.CancelledError"
    log_validator.validate(line)
    (span,) = spans.finished()
    assert span.status.status_code is not StatusCode.ERROR
    assert "http.response.status_code" not in span.attributes  # nothing was sent


def test_an_exception_after_a_200_started_counts_the_200_that_was_sent(metrics, spans, logs):
    with pytest.raises(RuntimeError, match="stream broke"):
        call_directly(failing_after_200(RuntimeError("stream broke")))
    labels = {"method": "GET", "path": UNMATCHED_ROUTE, "tenant_id": ""}
    assert requests_total(metrics, status="200", **labels) == 1
    assert requests_total(metrics, status="500", **labels) == 0  # created beside the 200 at 0, never counted
    line = access_log(logs)
    assert (line["level"], line["message"], line["status"]) == ("ERROR", "request failed", 200)
    assert line["error_type"] == "RuntimeError"
    (span,) = spans.finished()
    assert span.attributes["http.response.status_code"] == 200
    assert span.status.status_code is StatusCode.ERROR


def test_a_cancellation_after_a_200_started_counts_the_200_at_warning(metrics, spans, logs):
    with pytest.raises(asyncio.CancelledError):
        call_directly(failing_after_200(asyncio.CancelledError()))
    labels = {"method": "GET", "path": UNMATCHED_ROUTE, "tenant_id": ""}
    assert requests_total(metrics, status="200", **labels) == 1
    assert requests_total(metrics, status="499", **labels) is None
    line = access_log(logs)
    assert (line["level"], line["message"], line["status"]) == ("WARNING", "request cancelled", 200)
