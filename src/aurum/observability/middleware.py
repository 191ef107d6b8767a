"""Pure ASGI middleware: request metrics, request context for logs, the server span, the access log.

``app.add_middleware(StructuredLoggingMiddleware)`` is all an application adds
(``observability=obs`` to record into an :class:`~aurum.observability.Observability` of its own). Pure ASGI rather than
``BaseHTTPMiddleware``: no extra task per request, streaming untouched, and no dependency on
Starlette at all, so it also wraps any other ASGI framework.

Per request it:

* takes ``X-Request-ID`` when it looks like an id (else generates one) and echoes it in the response;
* takes ``X-Tenant-ID``, redacted (the metrics label is bounded by the cardinality guard);
* binds ``request_id``/``tenant_id`` to the log context and continues a W3C ``traceparent``;
* records ``aurum_http_requests_total`` and ``aurum_http_request_duration_seconds`` by route
  template, read from the router's ``scope["route"]`` after routing (never the raw path; requests
  that matched no route share one label value);
* counts a request at the status it sent; before any response, an exception counts as 500 and a
  cancellation (the client went away) as 499, logged at WARNING. Exceptions are always re-raised;
* skips its own metrics and health paths entirely.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any

from opentelemetry import context as context_api
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from aurum.observability import runtime
from aurum.observability._active import ACTIVE
from aurum.observability.catalog import UNMATCHED_ROUTE
from aurum.observability.logs._context import reset_context, set_request_context
from aurum.observability.logs._redaction import redact_string
from aurum.observability.logs._setup import ensure_configured, make_logger
from aurum.observability.tracing._span_scope import error_type, mark_failed

if TYPE_CHECKING:
    from contextvars import Token

    from opentelemetry.context import Context

    from aurum.observability._observability import Observability
    from aurum.observability.settings import ObservabilitySettings

__all__ = [
    "CLIENT_CLOSED_REQUEST",
    "DEFAULT_SKIP_PATHS",
    "ObservabilityMiddleware",
    "StructuredLoggingMiddleware",
    "route_template",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_SKIP_PATHS = frozenset(
    {
        "/v1/observability/metrics",
        "/v1/observability/health",
        "/metrics",
        "/health",
        "/healthz",
        "/livez",
        "/readyz",
    }
)
# Anything else becomes OTHER, as the HTTP semantic conventions do: methods are client-controlled.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
_MAX_TENANT_BYTES = 128
_READ_HEADERS = frozenset({b"x-request-id", b"x-tenant-id", b"traceparent", b"tracestate", b"baggage"})
_now = time.perf_counter


def route_template(scope: Scope, root_path_before: str) -> str:
    """The template of the route that handled the request, with any mount prefixes before it.

    ``root_path_before`` is ``scope["root_path"]`` as it was before routing: every mount on the way
    appends its path to ``root_path``, which is how prefixes of mounted applications are recovered.
    """
    root_path: str = scope.get("root_path", "")
    prefix = root_path[len(root_path_before) :] if root_path.startswith(root_path_before) else ""
    route = scope.get("route")
    # FastAPI >= 0.16x keeps included routers nested: scope["route"] is then the route as declared
    # in its APIRouter (without the prefixes), and the full template is in its routing context.
    fastapi_state = scope.get("fastapi")
    effective = fastapi_state.get("effective_route_context") if isinstance(fastapi_state, dict) else None
    template = getattr(effective, "path_format", None)
    if not isinstance(template, str):
        template = getattr(route, "path_format", None)
    if isinstance(template, str) and not (hasattr(route, "routes") and template.endswith("/{path}")):
        return prefix + template
    if prefix:
        # Served by a mounted app that is not a router (static files, a WSGI bridge, ...): the mount
        # path is the template, whatever path the app served below it.
        return prefix + "/{path}"
    return UNMATCHED_ROUTE


def _new_request_id() -> str:
    # A correlation id, not a secret: Python's generator (reseeded in every forked worker) is half
    # the cost of os.urandom's system call, and 64 random bits keep collisions out of reach.
    return "req-" + random.randbytes(8).hex()


def _taken_request_id(sent: bytes | None) -> str | None:
    """The client's ``X-Request-ID`` if it looks like an id and carries nothing redaction would cut
    (``token:abc`` does): the id is then bound to the log context as safe to write unredacted."""
    if sent is None or _REQUEST_ID.fullmatch(sent) is None:
        return None
    text = sent.decode("ascii")
    return text if redact_string(text) is text else None


def _read_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[bytes | None, str | None, dict[str, str] | None]:
    """The request id as sent (unchecked), the tenant (redacted), and the trace propagation headers."""
    request_id = None
    tenant = None
    traced: dict[str, str] | None = None
    for name, value in headers:
        if name not in _READ_HEADERS:  # one set lookup for the many headers we never read
            continue
        if name == b"x-request-id":
            request_id = value
        elif name == b"x-tenant-id":
            # Redacted once here, for the metrics label, the span and every log line of the request.
            tenant = redact_string(value[:_MAX_TENANT_BYTES].decode("latin-1").strip())
        else:
            traced = traced or {}
            traced[name.decode("latin-1")] = value.decode("latin-1")
    return request_id, tenant, traced


CLIENT_CLOSED_REQUEST = 499
"""nginx's status for a request the client gave up on before any response: never sent, only counted."""


def _status_recorded(sent: int | None, failure: BaseException | None) -> int:
    """What the request counts as: the status actually sent, once a response has started; before that,
    500 for an error and 499 for a cancellation (``CancelledError`` and other non-``Exception``s)."""
    if sent is not None:
        return sent
    if failure is None or isinstance(failure, Exception):
        # No response and no exception: the app broke the ASGI contract, which the server answers
        # with a 500 of its own.
        return 500
    return CLIENT_CLOSED_REQUEST


class ObservabilityMiddleware:
    """See the module docstring; ``StructuredLoggingMiddleware`` is the spec's name for it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        observability: Observability | None = None,
        settings: ObservabilitySettings | None = None,
        skip_paths: Iterable[str] | None = None,
    ) -> None:
        """``observability``: what requests are recorded into, and made active for the handler, so
        the spec's helpers called there record into it too (default: the Observability in force at
        each request). ``settings``: fixed switches (metrics, access log, span) for this middleware
        alone instead of the observability's current ones."""
        self.app = app
        self._observability = observability
        self._switches = settings
        obs = observability if observability is not None else runtime.current()
        switches = settings if settings is not None else obs.settings
        ensure_configured(switches)
        self._skip = frozenset(DEFAULT_SKIP_PATHS if skip_paths is None else skip_paths)
        if switches.tracing_enabled:
            # Built now, not on the first request, so that every request sees the same global
            # tracer provider (FastAPI, for one, enables its own telemetry when one is set).
            obs.tracing  # noqa: B018 - the property builds the pipeline
        self._log = make_logger("aurum.observability.http")
        # An application is being served: its SLO check and performance sampling run from now on.
        (observability if observability is not None else runtime.default()).start_background()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._skip:
            await self.app(scope, receive, send)
            return
        started = _now()
        obs = self._observability
        active = None
        if obs is None:
            obs = runtime.current()
        else:
            active = ACTIVE.set(obs)
        switches = self._switches if self._switches is not None else obs.settings
        request_id, tenant, traced_headers = _read_headers(scope["headers"])
        request_id_text = _taken_request_id(request_id)
        if request_id_text is None:
            request_id_text = _new_request_id()
            request_id = request_id_text.encode("ascii")
        method: str = scope["method"]
        log_token = set_request_context(request_id_text, tenant)
        span, span_token = (
            self._start_span(obs.tracing.tracer, scope, method, traced_headers, request_id_text, tenant)
            if switches.tracing_enabled
            else (None, None)
        )
        root_path_before: str = scope.get("root_path", "")
        sent: int | None = None  # the status of the response start message, once one is sent

        async def send_with_request_id(message: Message) -> None:
            nonlocal sent
            if message["type"] == "http.response.start":
                headers = message.get("headers")
                message["headers"] = [*(headers or ()), (b"x-request-id", request_id)]
                await send(message)
                sent = message["status"]
                return
            await send(message)

        failure: BaseException | None = None
        try:
            await self.app(scope, receive, send_with_request_id)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            seconds = _now() - started
            status = _status_recorded(sent, failure)
            route = route_template(scope, root_path_before)
            if switches.metrics_enabled:
                obs.metrics.record_http_request(
                    method if method in _KNOWN_METHODS else "OTHER", route, status, tenant or "", seconds
                )
            if switches.log_requests:
                self._access_log(
                    scope, method=method, route=route, status=status, seconds=seconds, failure=failure
                )
            if span is not None:
                self._end_span(
                    span, span_token, method=method, route=route, sent=sent, status=status, failure=failure
                )
            reset_context(log_token)
            if active is not None:
                ACTIVE.reset(active)

    @staticmethod
    def _start_span(  # noqa: PLR0917 - once per request; the request's parts, read once
        tracer: trace.Tracer,
        scope: Scope,
        method: str,
        traced_headers: dict[str, str] | None,
        request_id: str,
        tenant: str | None,
    ) -> tuple[trace.Span, Token[Context] | None]:
        """The request's server span, and the context token when this middleware opened it."""
        current = trace.get_current_span()
        if current.is_recording() and getattr(current, "kind", None) is SpanKind.SERVER:
            # An outer layer (FastAPI's native telemetry, OpenTelemetry's ASGI instrumentation)
            # already opened the server span: one per request, so annotate that one instead.
            current.set_attribute("aurum.request_id", request_id)
            if tenant:
                current.set_attribute("aurum.tenant.id", tenant)
            return current, None
        parent = propagate.extract(traced_headers) if traced_headers else None
        attributes: dict[str, Any] = {
            "http.request.method": method,
            "url.path": scope["path"],
            "url.scheme": scope.get("scheme", "http"),
            "network.protocol.version": scope.get("http_version", "1.1"),
            "aurum.request_id": request_id,
        }
        if tenant:
            attributes["aurum.tenant.id"] = tenant
        client = scope.get("client")
        if client:
            attributes["client.address"] = client[0]
        span = tracer.start_span(method, context=parent, kind=SpanKind.SERVER, attributes=attributes)
        return span, context_api.attach(trace.set_span_in_context(span, parent))

    @staticmethod
    def _end_span(
        span: trace.Span,
        token: Token[Context] | None,
        *,
        method: str,
        route: str,
        sent: int | None,
        status: int,
        failure: BaseException | None,
    ) -> None:
        if token is None:
            return  # not ours to finish: whoever opened it records status and route
        try:
            if span.is_recording():
                if sent is not None:
                    # Only a status that went out: a cancelled request's 499 was never sent.
                    span.set_attribute("http.response.status_code", sent)
                if route != UNMATCHED_ROUTE:
                    span.set_attribute("http.route", route)
                    span.update_name(f"{method} {route}")
                if isinstance(failure, Exception):
                    mark_failed(span, failure)
                elif failure is None and status >= 500:
                    # Server spans are errors on 5xx only; a 4xx is the client's error (semconv).
                    span.set_attribute("error.type", str(status))
                    span.set_status(Status(StatusCode.ERROR))
        finally:
            span.end()
            context_api.detach(token)

    def _access_log(
        self,
        scope: Scope,
        *,
        method: str,
        route: str,
        status: int,
        seconds: float,
        failure: BaseException | None,
    ) -> None:
        fields = {
            "component": "http",
            "method": method,
            "path": route,
            "url_path": scope["path"],
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
        }
        if isinstance(failure, Exception):
            self._log.error("request failed", exc_info=failure, **fields)
        elif failure is not None:
            # The client went away (or the server is shutting down): not an error of the application.
            self._log.warning("request cancelled", error_type=error_type(failure), **fields)
        elif status >= 500:
            self._log.error("request completed", **fields)
        else:
            self._log.info("request completed", **fields)


StructuredLoggingMiddleware = ObservabilityMiddleware
