"""Wiring of the log pipeline: structlog loggers, the standard-library bridge and the output sink.

Levels come from the standard library's logger hierarchy for both paths, so
``AURUM_LOG_LEVEL`` (the root level) and ``logging.getLogger("aurum.observability").setLevel(DEBUG)``
(the spec's debug mode) mean the same thing for structlog loggers and for third-party libraries.
structlog loggers do not go *through* ``logging`` though: a structlog call checks the level, builds the
record and writes one line, which is several times cheaper than a ``LogRecord`` round trip.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any, Protocol

import structlog

from aurum.observability._active import ACTIVE
from aurum.observability.logs._record import fallback_record, finish, render_console, render_json
from aurum.observability.logs._record_factory import install_guarded_record_factory
from aurum.observability.logs._redaction import redact_arguments
from aurum.observability.logs._values import propagate_interrupt, safe_text
from aurum.observability.settings import ObservabilitySettings

__all__ = [
    "SINK",
    "AurumLogger",
    "LineStream",
    "LogSink",
    "configure_logging",
    "current_sink",
    "ensure_configured",
    "is_configured",
    "make_logger",
    "renderer",
]

Renderer = Callable[[dict[str, Any]], str]


class LineStream(Protocol):
    """What the sink writes to: any text stream, or anything with ``write`` and ``flush``."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class LogSink:
    """Where rendered lines go: a stream (stdout unless configured), the renderer in force, and a
    floor below which lines are dropped (``0`` for the process's sink, whose levels are the standard
    library's hierarchy; an :class:`~aurum.observability.Observability` of its own sets its
    ``log_level`` here)."""

    def __init__(
        self, stream: LineStream | None = None, render: Renderer = render_json, level: int = logging.NOTSET
    ) -> None:
        self.stream = stream
        self.render = render
        self.level = level
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        stream = self.stream if self.stream is not None else sys.stdout
        with self._lock:
            stream.write(line + "\n")
            stream.flush()

    def emit(self, record: dict[str, Any]) -> None:
        """Render ``record`` and write the line."""
        self.write(self.render(record))


SINK = LogSink()
"""The process default's sink; an active Observability (see :mod:`aurum.observability._active`) has its own."""


_active = ACTIVE.get  # bound once: this runs for every line


def current_sink() -> LogSink:
    """The sink of the Observability in force in this context."""
    active = _active()
    return SINK if active is None else active.log_sink


def renderer(log_format: str) -> Renderer:
    return render_console if log_format == "console" else render_json


_LEVELS = {
    "debug": (logging.DEBUG, "DEBUG"),
    "info": (logging.INFO, "INFO"),
    "msg": (logging.INFO, "INFO"),
    "warning": (logging.WARNING, "WARNING"),
    "warn": (logging.WARNING, "WARNING"),
    "error": (logging.ERROR, "ERROR"),
    "exception": (logging.ERROR, "ERROR"),
    "critical": (logging.CRITICAL, "CRITICAL"),
    "fatal": (logging.CRITICAL, "CRITICAL"),
}


class _LineWriter:
    """structlog's wrapped logger: receives the finished line whatever the method name."""

    __slots__ = ("std",)

    def __init__(self, name: str = "root") -> None:
        self.std = logging.getLogger(name)

    def _write(self, line: str) -> None:
        current_sink().write(line)

    debug = info = msg = warning = warn = error = exception = critical = fatal = _write


def _record(  # noqa: PLR0917 - positional on the hot path, see _level_method
    fields: dict[str, Any], event: object, args: Any, exc_default: bool | None, logger: str, level: str
) -> dict[str, Any]:
    """The finished record of one call: ``%`` arguments redacted by key before they are formatted
    into the message (kept as ``message_args`` if they do not fit it), ``exc_info`` taken out of the
    fields (``exc_default`` when absent: true for ``exception()``)."""
    message = event if event.__class__ is str else safe_text(event)
    if args:
        try:
            message %= redact_arguments(args)
        except BaseException as error:  # a mismatch, or an argument whose __str__/__repr__ raises
            propagate_interrupt(error)
            fields["message_args"] = args
    exc_info = fields.pop("exc_info", exc_default)
    # Positional: keyword matching is a measurable share of a call this hot.
    return finish(fields, message, logger, level, time.time(), exc_info)


def _process(logger: Any, method: str, event: MutableMapping[str, Any]) -> str:
    """The whole pipeline as one structlog processor (for ``structlog.get_logger()`` callers):
    finish the record, then render it."""
    number, level = _LEVELS[method]
    sink = current_sink()
    if number < sink.level:
        raise structlog.DropEvent
    fields = dict(event)  # structlog hands processors its own dict; copied so it stays untouched
    message = fields.pop("event", "")
    positional = fields.pop("positional_args", None)
    name = logger.std.name
    try:
        return sink.render(_record(fields, message, positional, method == "exception" or None, name, level))
    except BaseException as error:
        propagate_interrupt(error)
        return render_json(fallback_record(message, name, level, time.time(), error))


LogMethod = Callable[..., None]


def _level_method(method: str) -> LogMethod:
    """``AurumLogger.<method>``: what structlog's ``_proxy_to_logger`` would do with our single
    processor, without its generic dispatch. One function per level, with the level resolved here,
    because this is the hot path of every log line."""
    number, level = _LEVELS[method]
    is_exception = method == "exception" or None

    def log(self: AurumLogger, event: object = None, *args: Any, **kw: Any) -> None:
        std = self._logger.std
        if not std.isEnabledFor(number):
            return
        active = _active()
        sink = SINK if active is None else active.log_sink
        if number < sink.level:
            return
        fields = {**self._context, **kw} if self._context else kw
        try:
            line = sink.render(_record(fields, event, args, is_exception, std.name, level))
        except BaseException as error:  # the last net: values already fall back one by one
            propagate_interrupt(error)
            line = render_json(fallback_record(event, std.name, level, time.time(), error))
        sink.write(line)

    log.__name__ = log.__qualname__ = method
    return log


class AurumLogger(structlog.BoundLoggerBase):
    """A structlog bound logger (``bind``/``new``/``unbind`` as usual) with stdlib-hierarchy levels."""

    _logger: _LineWriter

    debug = _level_method("debug")
    info = msg = _level_method("info")
    warning = warn = _level_method("warning")
    error = _level_method("error")
    exception = _level_method("exception")
    critical = fatal = _level_method("critical")

    def log(self, level: int, event: object = None, *args: Any, **kw: Any) -> None:
        method = logging.getLevelName(level).lower()
        getattr(self, method if method in _LEVELS else "info")(event, *args, **kw)

    def is_enabled_for(self, level: int) -> bool:
        return self._logger.std.isEnabledFor(level)


def make_logger(name: str, **initial: Any) -> AurumLogger:
    """A structlog logger writing the published record, with ``logger`` bound to ``name``."""
    return AurumLogger(_LineWriter(name), processors=[_process], context=initial)


# -- standard library -------------------------------------------------------------------------
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def _message(record: logging.LogRecord) -> str:
    """``record.getMessage()`` with its arguments redacted by key before they become text."""
    message = safe_text(record.msg)
    return message % redact_arguments(record.args) if record.args else message


class RecordHandler(logging.Handler):
    """Renders ``logging`` records from any library as the same JSON record, into the same sink."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            # ``extra={...}`` fields become record attributes; carry them like structlog keywords.
            fields = {key: value for key, value in record.__dict__.items() if key not in _RESERVED}
            sink = current_sink()
            if record.levelno < sink.level:
                return
            exc = record.exc_info[1] if record.exc_info else None
            try:
                message = _message(record)
            except BaseException as error:
                # logging itself would print a traceback to stderr and drop the line
                propagate_interrupt(error)
                message = safe_text(record.msg)
                fields["message_args"] = record.args
            line = finish(
                fields,
                message=message,
                logger=record.name,
                level=record.levelname,
                now=record.created,
                exc_info=exc,
            )
            sink.emit(line)
        except BaseException as error:  # never logging's own "--- Logging error ---" and a lost line
            propagate_interrupt(error)
            sink = current_sink()
            sink.write(
                render_json(fallback_record(record.msg, record.name, record.levelname, record.created, error))
            )


_configured = False
_config_lock = threading.Lock()


def configure_logging(
    settings: ObservabilitySettings | None = None,
    *,
    stream: LineStream | None = None,
    configure_structlog: bool = True,
) -> None:
    """Install the pipeline: level, format, stdlib bridge on the root logger, structlog defaults.

    Plain ``StreamHandler``s already on the root logger are removed (they would print every record a
    second time in another format); other handlers, such as pytest's capture handler, are kept.
    """
    global _configured  # noqa: PLW0603 - process-wide logging configuration is global by nature
    settings = settings if settings is not None else ObservabilitySettings()
    with _config_lock:
        SINK.stream = stream
        SINK.render = renderer(settings.log_format)
        root = logging.getLogger()
        for handler in list(root.handlers):
            if isinstance(handler, RecordHandler) or type(handler) is logging.StreamHandler:
                root.removeHandler(handler)
        root.addHandler(RecordHandler())
        root.setLevel(settings.log_level)
        install_guarded_record_factory()
        if configure_structlog:
            # Code that calls structlog.get_logger() directly gets the same record.
            structlog.configure(
                processors=[_process],
                wrapper_class=AurumLogger,
                logger_factory=_LineWriter,
                cache_logger_on_first_use=False,
            )
        _configured = True


def is_configured() -> bool:
    """Whether the process's log pipeline is installed (by the application or on first use)."""
    return _configured


def ensure_configured(settings: ObservabilitySettings | None = None) -> None:
    """Configure logging from the settings unless the application already did."""
    if not _configured:
        configure_logging(settings)
