"""The test suite's wall time on this tree against a base revision, run back to back.

Usage: .venv/bin/python benchmarks/suite_time.py [--base REV] [--repeat 1] [-- PYTEST ARGS...]

The base revision (default ``BASE``, ``main`` before ``make unit`` could run workers) is extracted
with ``git archive`` into a temporary directory and its suite run as its Makefile ran it (one pytest
process), with this virtual environment and the base's own sources first on ``PYTHONPATH``; then
this tree's suite runs as ``make unit PYTEST_WORKERS=2`` runs it (``UNIT``). Both read and fill the
same promtool proof cache, as ``make test`` after ``make build`` does, so run ``make build`` first.
Arguments after ``--`` go to both runs (for example a few test files, to compare in minutes instead
of the whole suite's tens of minutes). Prints each run's wall time, its pytest summary and the load average
before and after it, then the median ratio; a script, not a test: the suite's live tests wait on
real time and the rest shares the machine with whatever else runs on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE = "d484876"
"""``main`` before ``make unit`` could run pytest-xdist workers."""
UNIT = ("-n", "2", "--dist", "loadfile", "--no-loadscope-reorder")
"""What ``make unit PYTEST_WORKERS=2`` passes to pytest."""


def _extract(revision: str, target: Path) -> None:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True)
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _run(name: str, root: Path, args: list[str], env: dict[str, str]) -> float:
    before, started = _load(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    print(f"{name}: {wall:.0f} s wall, load {before} -> {_load()}: {summary}", flush=True)
    if done.returncode != 0:
        sys.exit(f"{name}: pytest exited {done.returncode}\n{done.stdout[-4000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the revision to compare with (default {BASE})")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, alternating (default 1)")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to both pytest runs")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aurum-suite-time-") as scratch:
        base = Path(scratch) / "base"
        _extract(options.base, base)
        base_env = {**os.environ, "PYTHONPATH": f"{base / 'src'}{os.pathsep}{base}"}
        base_walls, tree_walls = [], []
        for _ in range(options.repeat):
            base_walls.append(_run(f"base {options.base}", base, options.pytest_args, base_env))
            tree_walls.append(_run("this tree", REPO, [*UNIT, *options.pytest_args], dict(os.environ)))
    base_median, tree_median = statistics.median(base_walls), statistics.median(tree_walls)
    print(
        f"median: base {base_median:.0f} s, this tree {tree_median:.0f} s: {tree_median / base_median:.2f}x"
    )


if __name__ == "__main__":
    main()
