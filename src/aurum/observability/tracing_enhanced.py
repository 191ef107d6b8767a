"""The spec's tracing helpers: scenario, database and cache operations as spans.

Each returns a :class:`~aurum.observability.tracing._span_scope.SpanScope`, usable as ``with`` or ``async with``.
Attributes follow the current OpenTelemetry semantic conventions where they define one
(``db.system.name``, ``db.operation.name``, ``db.collection.name``, ``db.namespace``,
``db.query.text``, ``error.type``); Aurum's own attributes live under the ``aurum.`` namespace, as the
conventions ask of custom attributes.

The database and cache helpers also record the catalog metrics that their SLOs and dashboards read
(``aurum_db_query_duration_seconds``, ``aurum_cache_operations_total``), so one ``async with`` gives
the span, the metric and, for slow queries, a warning log line.
"""

from __future__ import annotations

from typing import Any, Literal

from opentelemetry.trace import SpanKind

from aurum.observability import runtime
from aurum.observability.logs._setup import make_logger
from aurum.observability.tracing._span_scope import SpanScope

__all__ = [
    "CacheOperationScope",
    "DatabaseQueryScope",
    "trace_cache_operation",
    "trace_database_query",
    "trace_operation",
    "trace_scenario_operation",
]

_slow_query_log = make_logger("aurum.observability.db")
_PRIMITIVES = (str, bool, int, float)


def _attribute(value: Any) -> Any:
    """OpenTelemetry accepts primitives (and sequences of them); anything else is sent as text."""
    return value if isinstance(value, _PRIMITIVES) else str(value)


def trace_operation(name: str, *, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any) -> SpanScope:
    """A span called ``name`` with the given attributes (``None`` values are left out)."""
    attrs = {key: _attribute(value) for key, value in attributes.items() if value is not None}
    return SpanScope(runtime.tracing().tracer, name, kind=kind, attributes=attrs)


def trace_scenario_operation(
    operation: str,
    scenario_id: str | None = None,
    tenant_id: str | None = None,
    **attributes: Any,
) -> SpanScope:
    """Span ``scenario.<operation>``; extra keywords become ``aurum.scenario.<key>`` (e.g. ``run_id``)."""
    attrs: dict[str, Any] = {"aurum.scenario.operation": operation}
    if scenario_id is not None:
        attrs["aurum.scenario.id"] = str(scenario_id)
    if tenant_id is not None:
        attrs["aurum.tenant.id"] = str(tenant_id)
    for key, value in attributes.items():
        if value is not None:
            attrs[f"aurum.scenario.{key}"] = _attribute(value)
    return SpanScope(runtime.tracing().tracer, f"scenario.{operation}", attributes=attrs)


class DatabaseQueryScope(SpanScope):
    """A database client span that also observes the query-latency histogram and logs slow queries."""

    __slots__ = ("_operation", "_table")

    def __init__(self, operation: str, table: str | None, attributes: dict[str, Any]) -> None:
        # Semantic conventions name a query span "{db.operation.name} {db.collection.name}".
        name = f"{operation} {table}" if table else operation
        super().__init__(runtime.tracing().tracer, name, kind=SpanKind.CLIENT, attributes=attributes)
        self._operation = operation
        self._table = table or "unknown"

    def _finish(self, exc: BaseException | None, seconds: float) -> None:
        runtime.metrics().db_query_duration.labels(self._operation, self._table).observe(seconds)
        threshold_ms = runtime.get_settings().slow_query_threshold_ms
        if seconds * 1000 >= threshold_ms:
            _slow_query_log.warning(
                "slow database query",
                component="database",
                operation=self._operation,
                table=self._table,
                duration_ms=round(seconds * 1000, 3),
                threshold_ms=threshold_ms,
            )


def trace_database_query(
    operation: str,
    table: str | None = None,
    *,
    tenant_id: str | None = None,
    system: str = "postgresql",
    namespace: str | None = None,
    statement: str | None = None,
) -> DatabaseQueryScope:
    """A query span: ``operation`` is ``db.operation.name`` (insert, select, ...), ``table`` the collection.

    Pass ``statement`` only when it is parameterised: it is recorded as ``db.query.text`` verbatim.
    """
    attrs: dict[str, Any] = {"db.system.name": system, "db.operation.name": operation}
    if table:
        attrs["db.collection.name"] = table
    if namespace:
        attrs["db.namespace"] = namespace
    if statement:
        attrs["db.query.text"] = statement
    if tenant_id is not None:
        attrs["aurum.tenant.id"] = str(tenant_id)
    return DatabaseQueryScope(operation, table, attrs)


CacheResult = Literal["hit", "miss", "error"]


class CacheOperationScope(SpanScope):
    """A cache span; call :meth:`hit` or :meth:`miss` inside it to count the lookup's result.

    An exception leaving the block counts as ``error``; an operation whose result was never given
    (a ``set`` that succeeded) is traced but not counted, because the catalog's ``result`` label only
    knows hit, miss and error.
    """

    __slots__ = ("_cache_type", "_operation", "_result")

    def __init__(self, operation: str, cache_type: str, attributes: dict[str, Any]) -> None:
        super().__init__(runtime.tracing().tracer, f"cache.{operation}", attributes=attributes)
        self._operation = operation
        self._cache_type = cache_type
        self._result: CacheResult | None = None

    def hit(self) -> None:
        self.set_result("hit")

    def miss(self) -> None:
        self.set_result("miss")

    def set_result(self, result: CacheResult) -> None:
        self._result = result
        self._span.set_attribute("aurum.cache.hit", result == "hit")

    def _finish(self, exc: BaseException | None, seconds: float) -> None:
        result = "error" if isinstance(exc, Exception) else self._result
        if result is not None:
            runtime.metrics().cache_operations.labels(self._cache_type, self._operation, result).inc()


def trace_cache_operation(
    operation: str,
    cache_type: str = "default",
    key: str | None = None,
    *,
    tenant_id: str | None = None,
) -> CacheOperationScope:
    """A cache operation (``get``, ``set``, ``delete``) on the cache ``cache_type``."""
    attrs: dict[str, Any] = {"aurum.cache.operation": operation, "aurum.cache.type": cache_type}
    if key is not None:
        attrs["aurum.cache.key"] = str(key)
    if tenant_id is not None:
        attrs["aurum.tenant.id"] = str(tenant_id)
    return CacheOperationScope(operation, cache_type, attrs)
