"""Per-request cost of the middleware on a direct ASGI call, against the bare Starlette app and against
starlette_exporter and prometheus-fastapi-instrumentator on the same app, in one run.

    python benchmarks/runtime/bench_middleware.py
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from measure import NullStream, compare_async, table
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from aurum.observability import Observability, runtime
from aurum.observability.logs._setup import SINK, configure_logging
from aurum.observability.middleware import ObservabilityMiddleware
from aurum.observability.settings import ObservabilitySettings

if TYPE_CHECKING:
    from starlette.requests import Request


async def item(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def bare() -> Starlette:
    return Starlette(routes=[Route("/api/scenarios/{scenario_id}", item)])


SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/api/scenarios/s-1",
    "raw_path": b"/api/scenarios/s-1",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"bench"), (b"x-tenant-id", b"acme-corp"), (b"user-agent", b"bench")],
    "client": ("127.0.0.1", 50000),
    "server": ("bench", 80),
}


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: dict[str, Any]) -> None:
    return None


def caller(app: Any) -> Any:
    async def call() -> None:
        await app(dict(SCOPE), receive, send)

    return call


def main() -> None:
    configure_logging(ObservabilitySettings(), stream=NullStream())  # type: ignore[arg-type]
    metrics_only = ObservabilitySettings(log_requests=False, tracing_enabled=False)
    with_log = ObservabilitySettings(log_requests=True, tracing_enabled=False)
    full = ObservabilitySettings(log_requests=True, tracing_enabled=True)
    # An application's own Observability: the middleware makes it active for each request.
    own = Observability(metrics_only, log_stream=NullStream())  # type: ignore[arg-type]

    from prometheus_fastapi_instrumentator import Instrumentator
    from starlette_exporter import PrometheusMiddleware

    exporter_app = bare()
    exporter_app.add_middleware(PrometheusMiddleware)
    instrumented = bare()
    Instrumentator().instrument(instrumented)

    variants = {
        "bare Starlette": caller(bare()),
        "aurum: metrics + request context": caller(ObservabilityMiddleware(bare(), settings=metrics_only)),
        "aurum: the same, observability= given": caller(ObservabilityMiddleware(bare(), observability=own)),
        "aurum: + JSON access log": caller(ObservabilityMiddleware(bare(), settings=with_log)),
        "aurum: + server span (default)": caller(ObservabilityMiddleware(bare(), settings=full)),
        "starlette_exporter": caller(exporter_app),
        "prometheus-fastapi-instrumentator": caller(instrumented),
    }
    medians = compare_async(variants)
    print(
        table(
            "Middleware, direct ASGI call (median µs per request)",
            medians,
            baseline="bare Starlette",
            mode="added",
        )
    )
    base = medians["bare Starlette"]
    ours = medians["aurum: metrics + request context"] - base
    print()
    for peer in ("starlette_exporter", "prometheus-fastapi-instrumentator"):
        # The like-for-like comparison: request metrics, no access log, no span.
        print(f"metrics + request context add {ours / (medians[peer] - base):.2f}x what {peer} adds")
    store = runtime.tracing().store
    held = len(store) if store else 0
    print(f"\n(trace store held {held} traces; log lines went to {type(SINK.stream).__name__})")


if __name__ == "__main__":
    main()
