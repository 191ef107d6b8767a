"""``make demo``: the demo stack in a terminal, until Ctrl-C.

Prints where everything listens, how to break the app and how to see it (the SLO report command, a
Grafana command line), then one line per alert notification the webhook receives. Ctrl-C (or SIGTERM) stops every process, waits for each and removes the working
directory; a second Ctrl-C while that happens is ignored, so it cannot cut the cleanup short.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from examples.demo_stack.banner import banner
from examples.demo_stack.processes import StackError
from examples.demo_stack.stack import demo_stack


def _echo(alert: dict[str, Any]) -> None:
    labels = alert.get("labels", {})
    print(
        f"[webhook] {alert.get('status', '?'):8} {labels.get('alertname', '?')}"
        f"  severity={labels.get('severity', '-')} slo={labels.get('slo', '-')} service={labels.get('service', '-')}",
        flush=True,
    )


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("\nstopping traffic, Prometheus, the app and Alertmanager...", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Aurum demo stack until Ctrl-C.")
    parser.add_argument("--build", type=Path, default=Path("build"), help="the build output (default build/)")
    parser.add_argument("--rate", type=float, default=20.0, help="traffic, requests per second (default 20)")
    args = parser.parse_args(argv)
    if not (args.build / "slos.json").is_file():
        print(f"{args.build}/slos.json not found: run `make build` first", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly on `kill` as on Ctrl-C
    try:
        with contextlib.ExitStack() as resources:
            stack = resources.enter_context(demo_stack(args.build, rate=args.rate, echo=_echo))
            resources.callback(_ignore_interrupts)  # runs first on the way out
            print(banner(stack, args.build), flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("stopped; nothing left running.", flush=True)
        return 0
    except StackError as error:
        print(f"the demo stack failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
