"""One JSON log line through the shim versus plain structlog and the standard library, in one run.

All three write to a stream that discards the text, so this measures building and rendering the
line (the shim's also redacts secrets and adds context), not terminal or file I/O. The shim's line is
logged inside a request, with the request context bound the way the middleware binds it.

    python benchmarks/runtime/bench_logging.py
"""

from __future__ import annotations

import json
import logging

import structlog
from measure import NullStream, compare, table

from aurum.observability.enhanced_logging import get_logger
from aurum.observability.logs._context import reset_context, set_request_context
from aurum.observability.logs._setup import configure_logging
from aurum.observability.settings import ObservabilitySettings


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {"timestamp": record.created, "level": record.levelname, "message": record.getMessage()}
        )


def main() -> None:
    configure_logging(ObservabilitySettings(), stream=NullStream(), configure_structlog=False)  # type: ignore[arg-type]
    ours = get_logger("aurum.api.scenarios")
    plain = structlog.wrap_logger(
        structlog.WriteLogger(NullStream()),  # type: ignore[arg-type]
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    )
    stdlib = logging.getLogger("bench.stdlib")
    stdlib.propagate = False
    handler = logging.StreamHandler(NullStream())  # type: ignore[arg-type]
    handler.setFormatter(JsonFormatter())
    stdlib.addHandler(handler)
    stdlib.setLevel(logging.INFO)

    fields = {"scenario_id": "scenario-123", "tenant_id": "acme-corp", "duration_ms": 45.2}
    request = set_request_context("req-12345678", None)
    try:
        medians = compare(
            {
                "structlog JSONRenderer (timestamp, level)": lambda: plain.info("Scenario created", **fields),
                "aurum get_logger().info()": lambda: ours.info("Scenario created", **fields),
                "stdlib logging + json.dumps formatter": lambda: stdlib.info(
                    "Scenario created", extra=fields
                ),
            },
        )
    finally:
        reset_context(request)
    print(
        table(
            "One JSON log line (median µs per line)",
            medians,
            baseline="structlog JSONRenderer (timestamp, level)",
        )
    )


if __name__ == "__main__":
    main()
