"""Run every runtime benchmark, each in a fresh process, and print their Markdown tables.

python benchmarks/runtime/run_all.py
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = (
    "bench_middleware.py",
    "bench_metrics.py",
    "bench_logging.py",
    "bench_tracing.py",
    "bench_span_memory.py",
)


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {sys.platform}\n")
    for script in SCRIPTS:
        subprocess.run([sys.executable, str(HERE / script)], check=True)
        print()


if __name__ == "__main__":
    main()
