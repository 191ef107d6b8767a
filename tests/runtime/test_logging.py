"""The log record: fields, formats, levels, the stdlib bridge, robustness and log_operation."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import math
import re

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aurum.observability import catalog
from aurum.observability.enhanced_logging import bound_context, configure_logging, get_logger, log_operation
from aurum.observability.logs._context import current_context, reset_context, set_request_context
from aurum.observability.logs._schema import LOG_RECORD_SCHEMA
from aurum.observability.logs._setup import SINK
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.testing import capture_logs
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


def test_caller_keywords_cannot_overwrite_the_records_own_fields(logs, spans, log_validator):
    with trace_operation("work") as scope:
        get_logger("aurum.test").error(
            "x",
            level="high",
            timestamp="yesterday",
            trace_id="token=SECRET",
            span_id="Bearer SECRET",
            logger="someone.else",
            message="password=SECRET",
            duration_ms="slow",
        )
    record = logs[-1]
    context = scope.span.get_span_context()
    assert record["level"] == "ERROR"
    assert TIMESTAMP.match(record["timestamp"])
    assert record["message"] == "x"
    assert record["logger"] == "aurum.test"
    assert record["trace_id"] == format(context.trace_id, "032x")
    assert record["span_id"] == format(context.span_id, "016x")
    # The caller's values are kept, renamed, and redacted like any other field.
    assert record["caller_level"] == "high"
    assert record["caller_timestamp"] == "yesterday"
    assert record["caller_trace_id"] == "token=[REDACTED]"
    assert record["caller_span_id"] == "Bearer [REDACTED]"
    assert record["caller_logger"] == "someone.else"
    assert record["caller_message"] == "password=[REDACTED]"
    assert record["caller_duration_ms"] == "slow"
    assert "SECRET" not in json.dumps(record)
    log_validator.validate(record)


def test_bound_values_context_and_stdlib_extra_are_renamed_too(logs, log_validator):
    with bound_context(level="from-context"):
        get_logger("aurum.test").bind(trace_id="token=SECRET").info("bound")
    logging.getLogger("thirdparty").warning("extra", extra={"span_id": "token=SECRET", "timestamp": 0})
    bound, extra = logs[-2:]
    assert (bound["level"], bound["caller_level"], bound["caller_trace_id"]) == (
        "INFO",
        "from-context",
        "token=[REDACTED]",
    )
    assert "trace_id" not in bound
    assert (extra["caller_span_id"], extra["caller_timestamp"]) == ("token=[REDACTED]", 0)
    assert "span_id" not in extra
    for record in (bound, extra):
        log_validator.validate(record)


def test_a_renamed_field_does_not_overwrite_a_callers_field_of_that_name(logs):
    get_logger("aurum.test").info("m", level="a", caller_level="b")
    assert (logs[-1]["caller_level"], logs[-1]["caller_caller_level"]) == ("b", "a")


def test_error_fields_are_the_exceptions_and_a_callers_are_renamed(logs, log_validator):
    get_logger("aurum.test").error("failed", exc_info=KeyError("k"), error_type="mine", stack=3)
    record = logs[-1]
    assert record["error_type"] == "KeyError"
    assert record["caller_error_type"] == "mine"
    assert record["caller_stack"] == 3
    assert record["stack"].startswith("KeyError")
    log_validator.validate(record)


@pytest.mark.parametrize("value", [-1, True, math.inf, "12", None])
def test_duration_ms_is_kept_only_as_the_schema_publishes_it(logs, log_validator, value):
    get_logger("aurum.test").info("m", duration_ms=value)
    record = logs[-1]
    assert "duration_ms" not in record
    assert "caller_duration_ms" in record
    log_validator.validate(record)


_VALIDATOR = jsonschema.Draft202012Validator(
    LOG_RECORD_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
_field_names = st.sampled_from([field.name for field in catalog.LOG_FIELDS] + ["exc_info", "rows"])
_json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(fields=st.dictionaries(_field_names, _json_values, max_size=6), stdlib=st.booleans())
def test_every_line_validates_against_the_published_schema_whatever_the_caller_passes(fields, stdlib):
    with capture_logs() as logs, bound_context(request_id=7):
        if stdlib:
            extra = {key: value for key, value in fields.items() if key not in ("message", "exc_info")}
            logging.getLogger("thirdparty").warning("m", extra=extra)
        else:
            get_logger("aurum.schema").warning("m", **fields)
    _VALIDATOR.validate(logs[-1])


def test_fields_bound_inside_a_request_are_still_redacted_and_checked(logs, log_validator):
    # The middleware's request context is copied into lines as it is; anything bound on top of it is
    # an ordinary context again, redacted and schema-checked on every line.
    request = set_request_context("req-42", "acme")
    try:
        with bound_context(api_token="s3cr3t", duration_ms="slow", note="Bearer abc.def-123"):
            get_logger("aurum.jobs").info("step")
    finally:
        reset_context(request)
    record = logs[-1]
    assert (record["request_id"], record["tenant_id"]) == ("req-42", "acme")
    assert record["api_token"] == "[REDACTED]"
    assert record["note"] == "Bearer [REDACTED]"
    assert "duration_ms" not in record
    assert record["caller_duration_ms"] == "slow"
    log_validator.validate(record)


def test_current_context_shows_the_request_fields_then_the_bound_ones():
    request = set_request_context("req-1", "acme")
    try:
        with bound_context(tenant_id="override", job="import") as inside:
            assert dict(inside) == {"request_id": "req-1", "tenant_id": "override", "job": "import"}
            assert dict(current_context()) == dict(inside)
        assert dict(current_context()) == {"request_id": "req-1", "tenant_id": "acme"}
    finally:
        reset_context(request)
    assert dict(current_context()) == {}


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
        limits={"range": [-math.inf, 1.5, math.inf]},
        raw=b"\xff\x00bytes",
        tags={"b", "a"},
        keyed={1: "one", (2, 3): "pair"},
    )
    record = logs[-1]
    assert record["message"] == "odd values"
    assert record["broken"] == "<unrepresentable Unprintable: __repr__ raised RuntimeError>"
    assert record["cycle"] == {"self": "<cycle>"}
    assert record["nan"] == "nan"
    assert record["limits"] == {"range": ["-inf", 1.5, "inf"]}
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
    assert logs[-1]["error_type"] == "asyncio.exceptions.CancelledError"  # qualified, as everywhere


class Outer:
    class NestedError(Exception):
        """A nested exception class: its qualified name is Outer.NestedError."""


def test_a_log_line_and_its_span_name_an_exception_the_same_way(logs, spans):
    log = get_logger("ops")
    with pytest.raises(Outer.NestedError), log_operation(log, "nested"), trace_operation("nested"):
        raise Outer.NestedError("x")
    (span,) = spans.finished()
    assert logs[-1]["error_type"] == span.attributes["error.type"] == f"{__name__}.Outer.NestedError"


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
