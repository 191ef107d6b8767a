"""Build time of this tree against a base revision: cold build, warm rebuild, one SLO changed.

Usage: .venv/bin/python benchmarks/build_time.py [--base REV] [--sizes 20 50 100] [--repeat 3]

The base revision (default: the commit before the fast build, ``BASE``) is extracted with
``git archive`` into a temporary directory beside nothing of this tree, and built with this
virtual environment's Python and the base's own sources. Both revisions build the bundled
declarations and trees of 20, 50 and 100 generated SLOs (every SLI kind, as in
``compile_slos.py``, with objectives and periods the test generator accepts), each declaration tree
copied to a temporary directory:

- cold: a new output directory and an empty proof cache;
- warm: the same again, nothing changed;
- one changed: the first SLO's description edited, then built with the warm cache.

The base has no cache, so its warm and changed builds redo the cold build's work; it is measured
``--base-repeat`` times (default 1, its builds take minutes) and that figure stands for all three.
Prints medians of wall and CPU time (the build and its promtool children) and the ratios to the
base; a script, not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE = "e867c8c"
"""``main`` before issue 15: no proof cache, one test file per SLO evaluated every minute."""
DECLARATIONS = ("slos", "alerts", "recording_rules", "dashboards", "vendor", "catalog", "pyproject.toml")

GENERATED = '''\
"""{count} generated SLOs for benchmarks/build_time.py."""

import itertools
from decimal import Decimal

from aurum.monitoring import SLO, AlertPolicy, FreshnessSLI, LatencySLI, RatioSLI, regex, select
from aurum.observability.catalog import (
    BUSINESS_TRANSACTIONS_TOTAL,
    DATA_LAST_UPDATED_TIMESTAMP_SECONDS,
    HTTP_REQUEST_DURATION_SECONDS,
    HTTP_REQUESTS_TOTAL,
)

_SLIS = [
    RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
    LatencySLI(histogram=select(HTTP_REQUEST_DURATION_SECONDS), threshold=Decimal("0.5")),
    RatioSLI(
        bad=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_run", status="failure"),
        total=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_run"),
    ),
    FreshnessSLI(gauge=select(DATA_LAST_UPDATED_TIMESTAMP_SECONDS), max_age="1h"),
]
# Objectives and periods the test generator can prove with the default tiers (it refuses a 7-day
# period, whose 3-day window cannot burn slowly, and a freshness SLO too strict for hourly refreshes).
_OBJECTIVES = [Decimal("99.9"), Decimal("99.5"), Decimal("95"), Decimal("99")]

SLOS = [
    SLO(
        name=f"slo-{{index}}",
        service=f"service-{{index % 17}}",
        description=f"Generated SLO {{index}}.",
        objective=_OBJECTIVES[index % 4],
        period_days=(30, 28)[index // 4 % 2],
        sli=_SLIS[index % 4],
        alerting=AlertPolicy(),
    )
    for index in range({count})
]
'''


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]

    def median(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, _children_cpu() - cpu


def _extract(revision: str, target: Path) -> None:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True)
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)


def _tree(source: Path | None, count: int, target: Path) -> Path:
    """A declaration tree: the bundled declarations of ``source``, or ``count`` generated SLOs."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if source is None:
        (target / "slos").mkdir()
        (target / "slos" / "generated.py").write_text(GENERATED.format(count=count))
        return target
    for name in DECLARATIONS:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name)
        elif path.is_file():
            shutil.copy2(path, target / name)
    return target


def _change_one_slo(tree: Path) -> None:
    """Edit the description of the first SLO of the first declaration file: its rules and tests change."""
    path = sorted((tree / "slos").glob("*.py"))[0]
    text = path.read_text()
    generated = 'description=f"Generated SLO {index}."'
    if generated in text:
        changed = text.replace(
            generated, 'description="Changed." if index == 0 else f"Generated SLO {index}."'
        )
    else:
        changed = text.replace('description="', 'description="Changed. ', 1)
    if changed == text:
        sys.exit(f"no SLO description to change in {path}")
    path.write_text(changed)


class Revision:
    """One revision's build command: its build.py, its sources, this interpreter."""

    def __init__(self, name: str, source: Path, cached: bool) -> None:
        self.name, self.source, self.cached = name, source, cached
        self.env = {**os.environ, "PYTHONPATH": str(source / "src")}
        for variable in [v for v in self.env if v.startswith(("AURUM_SLO_", "AURUM_METRICS_PREFIX"))]:
            del self.env[variable]
        found = subprocess.run(
            [sys.executable, "-c", "import aurum.monitoring as m; print(m.__file__)"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not Path(found).is_relative_to(source):
            sys.exit(f"{name}: imports aurum from {found}, not from {source}")

    def build(self, tree: Path, out: Path, cache: Path) -> tuple[float, float]:
        command = [sys.executable, str(self.source / "build.py"), "--root", str(tree), "--out", str(out)]
        if self.cached:
            command += ["--cache", str(cache)]
        return _run(command, self.env)


def _measure(
    revision: Revision, source: Path | None, count: int, work: Path, repeat: int
) -> dict[str, Timing]:
    timings = {kind: Timing([], []) for kind in ("cold", "warm", "changed")}
    for attempt in range(repeat):
        tree = _tree(source, count, work / f"tree-{attempt}")
        out, cache = work / f"out-{attempt}", work / f"cache-{attempt}"
        for kind in ("cold", "warm", "changed"):
            if kind == "changed":
                _change_one_slo(tree)
            wall, cpu = revision.build(tree, out, cache)
            timings[kind].wall.append(wall)
            timings[kind].cpu.append(cpu)
            if not revision.cached:
                # Without a cache every build is a cold one: measured once, it stands for all three.
                timings["warm"] = timings["changed"] = timings["cold"]
                break
        shutil.rmtree(work / f"cache-{attempt}", ignore_errors=True)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"base revision (default: {BASE})")
    parser.add_argument("--sizes", type=int, nargs="*", default=[20, 50, 100])
    parser.add_argument("--repeat", type=int, default=3, help="builds of this tree per case (default: 3)")
    parser.add_argument("--base-repeat", type=int, default=1, help="builds of the base per case (default: 1)")
    parser.add_argument("--no-bundled", action="store_true", help="generated SLOs only")
    parser.add_argument(
        "--base-sizes", type=int, nargs="*", default=None, help="sizes the base is built for (default: all)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aurum-build-time-") as scratch:
        work = Path(scratch)
        _extract(args.base, work / "base")
        base = Revision(f"base {args.base}", work / "base", cached=False)
        current = Revision("this tree", REPO, cached=True)
        cases: list[tuple[str, int]] = [] if args.no_bundled else [("bundled", 0)]
        cases += [(f"{n} SLOs", n) for n in args.sizes]
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        header = (
            "| declarations | build | base wall s | wall s | wall ratio | base CPU s | CPU s | CPU ratio |"
        )
        rows = [header, "|" + "---|" * 8]
        for label, count in cases:
            measured = {}
            skip_base = count and args.base_sizes is not None and count not in args.base_sizes
            for revision, repeat in ((base, args.base_repeat), (current, args.repeat)):
                if skip_base and revision is base:
                    continue
                source = None if count else revision.source
                folder = work / f"{label}-{revision.cached}".replace(" ", "-")
                measured[revision.cached] = _measure(revision, source, count, folder, repeat)
            for kind in ("cold", "warm", "changed"):
                wall, cpu = measured[True][kind].median()
                if skip_base:
                    row = f"| {label} | {kind} | not built | {wall:.2f} | | not built | {cpu:.2f} | |"
                else:
                    base_wall, base_cpu = measured[False][kind].median()
                    row = (
                        f"| {label} | {kind} | {base_wall:.1f} | {wall:.2f} | {wall / base_wall:.3f} "
                        f"| {base_cpu:.1f} | {cpu:.2f} | {cpu / base_cpu:.3f} |"
                    )
                rows.append(row)
                print(row, flush=True)
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
