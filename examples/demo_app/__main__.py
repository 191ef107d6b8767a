"""Serve the demo application with uvicorn: ``python -m examples.demo_app --port 8000``.

Settings come from the environment like in any application using the shim (``AURUM_OBSERVABILITY_TOKEN``,
``AURUM_PROMETHEUS_URL``, ``AURUM_SLO_MANIFEST``...).
"""

from __future__ import annotations

import argparse

import uvicorn

from examples.demo_app.app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    # log_config=None: uvicorn's own loggers propagate to the shim's JSON handler (docs/runtime.md),
    # and its access log is off because the middleware already writes one line per request.
    uvicorn.run(create_app(), host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
