"""No value, key, message or exception makes a log call raise or lose its line.

What cannot be represented is written in a safe form that says so: ``<unrepresentable TYPE: WHAT
raised ERROR>`` in place of a value, or ``log_error`` when the line had to be written without the
call's fields. Every line stays valid UTF-8 JSON matching the published schema.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aurum.observability import runtime
from aurum.observability.enhanced_logging import bound_context, get_logger
from aurum.observability.logs._record import render_json
from aurum.observability.logs._schema import LOG_RECORD_SCHEMA
from aurum.observability.logs._setup import LogSink, RecordHandler, ensure_configured

VALIDATOR = jsonschema.Draft202012Validator(LOG_RECORD_SCHEMA)


class StrictLines(list[dict[str, Any]]):
    """A sink stream that fails as a real UTF-8 stdout would on text it cannot encode."""

    def write(self, text: str) -> None:
        # Lines end at "\n" only: JSON may carry U+0085 or U+2028 unescaped, which splitlines() splits on.
        for line in text.encode("utf-8").decode("utf-8").split("\n"):
            if line:
                self.append(json.loads(line))

    def flush(self) -> None:
        return None


@contextmanager
def strict_capture() -> Iterator[StrictLines]:
    """Lines the shim writes, alone on the root logger: pytest's own capture handlers format records
    themselves and raise on what they cannot format, which is not what is under test here."""
    ensure_configured(runtime.default().settings)  # the shim's handler on the root logger
    lines = StrictLines()
    root = logging.getLogger()
    previous, handlers = root.level, list(root.handlers)
    root.setLevel(logging.DEBUG)
    for handler in handlers:
        if not isinstance(handler, RecordHandler):
            root.removeHandler(handler)
    try:
        with runtime.current()._derive(log_sink=LogSink(lines, render_json)).activate():
            yield lines
    finally:
        root.setLevel(previous)
        root.handlers[:] = handlers


# -- hostile objects ------------------------------------------------------------------------------
class BoomError(Exception):
    """What hostile methods raise."""


class BadStrError(Exception):
    def __str__(self) -> str:
        raise BoomError


class BadRepr:
    def __repr__(self) -> str:
        raise BoomError


class BadStrAndRepr:
    def __str__(self) -> str:
        raise BoomError

    def __repr__(self) -> str:
        raise BoomError

    def __hash__(self) -> int:
        return 1


class Stop(BaseException):
    """Not an Exception: what a hostile method may raise to escape ``except Exception``."""


class ExitingRepr:
    """A ``__str__``/``__repr__`` that ends the process, or raises a BaseException."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __str__(self) -> str:
        raise self.error

    __repr__ = __str__


class BadHash:
    def __hash__(self) -> int:
        raise BoomError

    def __eq__(self, other: object) -> bool:
        raise BoomError


class BadItems(dict[str, Any]):
    def items(self) -> Any:
        raise BoomError


class BadIter(list[Any]):
    def __iter__(self) -> Any:
        raise BoomError


class BadLen(list[Any]):
    def __len__(self) -> int:
        raise BoomError


class RecursiveRepr:
    def __repr__(self) -> str:
        return f"<{self!r}>"  # RecursionError


class LyingClass:
    """isinstance() falls back to __class__, which raises here."""

    @property  # type: ignore[misc]  # hostile on purpose
    def __class__(self) -> type:
        raise BoomError


class SneakyStr(str):
    __slots__ = ()

    def lower(self) -> str:  # type: ignore[override]  # hostile on purpose
        raise BoomError


def _deep(depth: int) -> list[Any]:
    outer: list[Any] = []
    current = outer
    for _ in range(depth):
        inner: list[Any] = []
        current.append(inner)
        current = inner
    return outer


def _cycle() -> dict[str, Any]:
    loop: dict[str, Any] = {"a": 1}
    loop["loop"] = loop
    return loop


hostile_scalars = st.one_of(
    st.builds(BadStrError),
    st.builds(BadRepr),
    st.sampled_from([SystemExit("bye"), Stop(), GeneratorExit()]).map(ExitingRepr),
    st.builds(BadStrAndRepr),
    st.builds(RecursiveRepr),
    st.builds(LyingClass),
    st.just(SneakyStr("password=hunter2")),
    st.integers(min_value=5000, max_value=20000).map(lambda digits: 10**digits),
    st.sampled_from(["\udc80", "ok\ud800", "\udfff tail"]),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.integers(min_value=40, max_value=2000).map(_deep),
    st.builds(_cycle),
    st.binary(max_size=8),
)
hostile_containers = st.one_of(
    st.builds(lambda: BadItems(a=1)),
    st.builds(lambda: BadIter([1])),
    st.builds(lambda: BadLen([1])),
    st.builds(lambda: {BadStrAndRepr(): 1}),
    st.builds(lambda: {(1, 2): "pair", 3: "int", None: "none", frozenset({1}): "set"}),
)
hostile = st.recursive(
    st.one_of(hostile_scalars, hostile_containers, st.text(max_size=5), st.integers()),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers()), children, max_size=3),
    ),
    max_leaves=6,
)


def _emit(route: int, value: Any) -> None:
    log = get_logger("aurum.hostile")
    std = logging.getLogger("aurum.hostile.stdlib")
    if route == 0:
        log.info("as a field", value=value)
    elif route == 1:
        log.info(value)
    elif route == 2:
        log.info("as an argument %s", value)
    elif route == 3:
        log.error("as an exception", exc_info=BadStrError())
    elif route == 4:
        with bound_context(bound=value):
            log.warning("bound")
    elif route == 5:
        std.warning("stdlib argument %s", value)
    elif route == 6:
        std.warning("stdlib extra", extra={"value": value})
    elif route == 7:
        std.warning(value)
    else:
        try:
            raise BadStrError
        except BadStrError:
            std.exception("stdlib exception")


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(value=hostile, route=st.integers(min_value=0, max_value=8))
def test_a_hostile_value_never_raises_nor_loses_the_line(value, route):
    with strict_capture() as lines:
        _emit(route, value)  # raising here fails the test
    assert len(lines) == 1, lines
    VALIDATOR.validate(lines[0])
    assert isinstance(lines[0]["message"], str)


def test_an_exception_whose_str_raises_is_logged_and_says_so():
    with strict_capture() as lines:
        get_logger("x").error("failed", exc_info=BadStrError())
        logging.getLogger("std").error("failed", exc_info=BadStrError())
    assert len(lines) == 2
    for line in lines:
        assert line["message"] == "failed"
        assert line["error_type"].endswith("BadStrError")
        assert line["error_message"] == "<unrepresentable BadStrError: __str__ raised BoomError>"
        assert "<exception str() failed>" in line["stack"]


def test_unrepresentable_values_and_keys_are_replaced_by_a_note_naming_what_failed():
    with strict_capture() as lines:
        get_logger("x").info(
            "odd",
            repr_raises=BadRepr(),
            key_raises={BadStrAndRepr(): 1, "kept": 2},
            items_raise=BadItems(a=1),
            huge=10**5000,
            surrogate="a\udc80b",
            lying=LyingClass(),
            recursive=RecursiveRepr(),
        )
    record = lines[0]
    assert record["lying"] == "<unrepresentable LyingClass: redaction raised BoomError>"
    assert record["recursive"] == "<unrepresentable RecursiveRepr: __repr__ raised RecursionError>"
    assert record["repr_raises"] == "<unrepresentable BadRepr: __repr__ raised BoomError>"
    assert record["key_raises"] == {"<unrepresentable BadStrAndRepr: __str__ raised BoomError>": 1, "kept": 2}
    assert record["items_raise"] == "<unrepresentable BadItems: redaction raised BoomError>"
    assert record["huge"] == f"<integer of {(10**5000).bit_length()} bits>"
    assert record["surrogate"] == "a\\udc80b"


def test_a_value_raising_systemexit_or_a_baseexception_is_written_not_propagated():
    with strict_capture() as lines:
        get_logger("x").info("exits", value=ExitingRepr(SystemExit("bye")), key={ExitingRepr(Stop()): 1})
        get_logger("x").info(ExitingRepr(Stop()))
        logging.getLogger("std").warning("value %s", ExitingRepr(SystemExit(3)))
    assert lines[0]["value"] == "<unrepresentable ExitingRepr: __repr__ raised SystemExit>"
    assert lines[0]["key"] == {"<unrepresentable ExitingRepr: __str__ raised Stop>": 1}
    assert lines[1]["message"] == "<unrepresentable ExitingRepr: __str__ raised Stop>"
    assert lines[2]["message_args"] == ["<unrepresentable ExitingRepr: __repr__ raised SystemExit>"]


def test_ctrl_c_inside_a_logged_value_still_interrupts():
    with strict_capture(), pytest.raises(KeyboardInterrupt):
        get_logger("x").info("interrupted", value=ExitingRepr(KeyboardInterrupt()))


def test_a_message_or_arguments_that_cannot_be_formatted_keep_the_line():
    with strict_capture() as lines:
        get_logger("x").info(BadStrAndRepr())
        get_logger("x").info("value %s", BadRepr())
        logging.getLogger("std").warning("value %s", BadRepr())
    assert lines[0]["message"] == "<unrepresentable BadStrAndRepr: __str__ raised BoomError>"
    assert lines[1]["message"] == "value %s"
    assert lines[1]["message_args"] == ["<unrepresentable BadRepr: __repr__ raised BoomError>"]
    assert lines[2]["message"] == "value %s"
    assert lines[2]["message_args"] == ["<unrepresentable BadRepr: __repr__ raised BoomError>"]


def test_when_the_record_cannot_be_built_the_line_is_written_without_the_fields_and_says_why(monkeypatch):
    from aurum.observability.logs import _setup

    def broken_finish(*args: object, **kwargs: object) -> dict[str, Any]:
        raise BoomError

    monkeypatch.setattr(_setup, "finish", broken_finish)
    with strict_capture() as lines:
        get_logger("x").warning("kept message password=hunter2", field=1)
        logging.getLogger("std").warning("kept too")
    assert [line["message"] for line in lines] == ["kept message password=[REDACTED]", "kept too"]
    for line in lines:
        assert line["log_error"] == "written without the call's fields: building the line raised BoomError"
        assert "field" not in line
        VALIDATOR.validate(line)


def test_a_stdlib_call_whose_one_argument_lies_about_its_class_keeps_the_line():
    """The standard library's own LogRecord inspects a single argument (is it a mapping?), which
    raises here before any handler runs; the shim's record factory keeps the line."""
    with strict_capture() as lines:
        logging.getLogger("std").warning("value %s", LyingClass())
        logging.getLogger("std").warning(LyingClass())
    assert len(lines) == 2, lines
    for line in lines:
        VALIDATOR.validate(line)
    assert lines[0]["message"] == "value %s"
    assert "unrepresentable" in json.dumps(lines[0]["message_args"])
