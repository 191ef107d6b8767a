"""The log record: fields, formats, levels, the stdlib bridge, robustness and log_operation."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import math
import re

import pytest

from aurum.observability.enhanced_logging import bound_context, configure_logging, get_logger, log_operation
from aurum.observability.log_schema import LOG_RECORD_SCHEMA
from aurum.observability.logging_setup import SINK
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.tracing_enhanced import trace_operation

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def test_record_has_the_spec_fields_then_caller_context(logs, log_validator):
    with bound_context(request_id="req-1", tenant_id="acme"):
        get_logger("aurum.api").warning("slow", component="api", operation="list", duration_ms=12.5, rows=3)
    record = logs[-1]
    assert list(record) == [
        "timestamp",
        "level",
        "message",
        "logger",
        "request_id",
        "tenant_id",
        "component",
        "operation",
        "duration_ms",
        "rows",
    ]
    assert TIMESTAMP.match(record["timestamp"])
    assert record["level"] == "WARNING"
    log_validator.validate(record)


def test_trace_and_span_ids_only_while_a_span_is_active(logs, spans, log_validator):
    log = get_logger("aurum.test")
    log.info("outside")
    with trace_operation("work") as scope:
        log.info("inside")
    outside, inside = logs[-2:]
    assert "trace_id" not in outside
    context = scope.span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    log_validator.validate(inside)


def test_explicit_keywords_win_over_bound_context(logs):
    with bound_context(tenant_id="from-context"):
        get_logger("x").info("m", tenant_id="explicit")
    assert logs[-1]["tenant_id"] == "explicit"


def test_stdlib_logging_from_third_party_code_is_the_same_json(logs, log_validator):
    with bound_context(request_id="req-9"):
        logging.getLogger("thirdparty.client").warning("retrying %s", "GET /x", extra={"attempt": 2})
    record = logs[-1]
    assert record["message"] == "retrying GET /x"
    assert record["logger"] == "thirdparty.client"
    assert record["level"] == "WARNING"
    assert record["request_id"] == "req-9"
    assert record["attempt"] == 2
    log_validator.validate(record)


def test_stdlib_exception_gets_error_fields(logs):
    try:
        raise KeyError("k")
    except KeyError:
        logging.getLogger("lib").exception("failed")
    record = logs[-1]
    assert record["error_type"] == "KeyError"
    assert "Traceback" in record["stack"]


def test_level_comes_from_the_settings_and_the_stdlib_hierarchy():
    stream = io.StringIO()
    configure_logging(ObservabilitySettings(log_level="WARNING"), stream=stream)
    try:
        log = get_logger("aurum.levels")
        log.info("dropped")
        log.warning("kept")
        logging.getLogger("aurum.levels").setLevel(logging.DEBUG)
        log.debug("per-logger level")
        logging.getLogger("other").info("dropped too")
    finally:
        logging.getLogger("aurum.levels").setLevel(logging.NOTSET)
        configure_logging(ObservabilitySettings())
    messages = [json.loads(line)["message"] for line in stream.getvalue().splitlines()]
    assert messages == ["kept", "per-logger level"]


def test_console_format_is_human_readable():
    stream = io.StringIO()
    configure_logging(ObservabilitySettings(log_format="console"), stream=stream)
    try:
        get_logger("aurum.console").info("hello", user="ann")
    finally:
        configure_logging(ObservabilitySettings())
    line = stream.getvalue().strip()
    assert re.match(
        r"^\d{4}-\d\d-\d\dT[\d:.]+Z \[INFO +\] hello  logger=\"aurum.console\" user=\"ann\"$", line
    )


def test_configure_replaces_plain_root_stream_handlers_but_keeps_others():
    root = logging.getLogger()
    plain = logging.StreamHandler(io.StringIO())
    custom = logging.NullHandler()
    root.addHandler(plain)
    root.addHandler(custom)
    try:
        configure_logging(ObservabilitySettings())
        assert plain not in root.handlers
        assert custom in root.handlers
    finally:
        root.removeHandler(custom)


def test_positional_arguments_are_formatted(logs):
    get_logger("x").info("%d scenarios for %s", 3, "acme")
    assert logs[-1]["message"] == "3 scenarios for acme"


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def test_values_json_cannot_encode_never_break_a_log_call(logs, log_validator):
    cycle: dict[str, object] = {}
    cycle["self"] = cycle
    log = get_logger("robust")
    log.info(
        "odd values",
        obj=object(),
        broken=Unprintable(),
        cycle=cycle,
        nan=math.nan,
        raw=b"\xff\x00bytes",
        tags={"b", "a"},
        keyed={1: "one", (2, 3): "pair"},
    )
    record = logs[-1]
    assert record["message"] == "odd values"
    assert record["broken"] == "<unrepresentable Unprintable>"
    assert record["cycle"] == {"self": "<cycle>"}
    assert record["nan"] == "nan"
    assert record["keyed"] == {"1": "one", "(2, 3)": "pair"}
    assert record["obj"].startswith("<object object")
    log_validator.validate(record)


def test_log_operation_sync_success(logs):
    log = get_logger("ops")
    with log_operation(log, "import_curves", component="worker", batch=7) as bound:
        bound.info("halfway")
    started, halfway, completed = logs[-3:]
    assert started["message"] == "import_curves started"
    assert halfway["operation"] == "import_curves"
    assert halfway["batch"] == 7
    assert completed["message"] == "import_curves completed"
    assert completed["component"] == "worker"
    assert completed["duration_ms"] >= 0


def test_log_operation_async_failure_logs_error_and_reraises(logs, log_validator):
    log = get_logger("ops")

    async def failing() -> None:
        async with log_operation(log, "create_scenario", component="scenario"):
            raise ValueError("bad curve")

    with pytest.raises(ValueError, match="bad curve"):
        asyncio.run(failing())
    failed = logs[-1]
    assert failed["level"] == "ERROR"
    assert failed["message"] == "create_scenario failed"
    assert failed["error_type"] == "ValueError"
    assert failed["error_message"] == "bad curve"
    assert 'raise ValueError("bad curve")' in failed["stack"]
    assert isinstance(failed["duration_ms"], float)
    log_validator.validate(failed)


def test_log_operation_cancellation_is_not_a_failure(logs):
    log = get_logger("ops")

    async def cancelled() -> None:
        async with log_operation(log, "poll"):
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled())
    assert logs[-1]["message"] == "poll cancelled"
    assert logs[-1]["level"] == "WARNING"


def test_the_schema_rejects_what_the_shim_never_writes(log_validator):
    base = {"timestamp": "2024-01-01T12:00:00.000Z", "level": "INFO", "message": "m"}
    log_validator.validate(base)
    for bad in ({**base, "timestamp": "2024-01-01 12:00:00"}, {**base, "level": "info"}, {"level": "INFO"}):
        assert not log_validator.is_valid(bad)
    assert LOG_RECORD_SCHEMA["additionalProperties"] is True


def test_default_sink_is_stdout(capsys):
    previous = SINK.stream
    SINK.stream = None
    try:
        get_logger("stdout").warning("to stdout")
    finally:
        SINK.stream = previous
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["message"] == "to stdout"
