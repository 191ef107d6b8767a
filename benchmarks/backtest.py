"""How the backtest's cost grows with the raw series an SLO reads and the days it replays.

Usage: .venv/bin/python -m benchmarks.backtest [--days 30] [--rounds 3]

Generates ``--days`` of one-minute history of one tenant's 24 raw request counters (3 routes x
2 methods x 2 instances x ok/5xx, traffic swinging 12x over the day, error bursts at busy hours;
:mod:`benchmarks.rule_cost.synthetic`), backfills it with ``promtool tsdb create-blocks-from
openmetrics`` into a real Prometheus on loopback, then times the backtest of an SLO reading 8, 16
or 24 of those series over 7, 15 or 30 days: reading the tiles (``query_range``, one day per
request) and replaying them, apart. Medians of ``--rounds``; ratios against 8 series over 7 days,
measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from aurum.monitoring import SLO, RatioSLI, regex, select
from aurum.monitoring.backtest.history import read_history
from aurum.monitoring.backtest.replay import replay
from aurum.monitoring.report.reader import PrometheusReader
from aurum.observability import catalog
from benchmarks.rule_cost import synthetic
from benchmarks.rule_cost.prom import prometheus, settle

START = 1_760_000_400 - 1_760_000_400 % 86_400
BLOCK = 7_200


def _slo(routes: int) -> SLO:
    paths = regex("|".join(synthetic.ROUTES[:routes]).replace("{", "[{]").replace("}", "[}]"))
    requests = catalog.HTTP_REQUESTS_TOTAL
    return SLO(
        name=f"routes-{routes}",
        service="bench",
        description="Share of requests answered without a server error.",
        objective=99.5,
        sli=RatioSLI(
            bad=select(requests, path=paths, status=regex("5..")), total=select(requests, path=paths)
        ),
    )


def _backfill(directory: Path, days: int) -> Path:
    """One OpenMetrics file per aligned two-hour block: promtool 2.42 re-reads its input per block."""
    minutes = days * 1440 + 1
    history = synthetic.generate("acme", START, minutes, seed=7)
    data = directory / "data"
    for begin in range(0, minutes, BLOCK // synthetic.STEP):
        source = directory / "block.om"
        block = range(begin, min(minutes, begin + BLOCK // synthetic.STEP))
        with source.open("w") as out:
            out.writelines(synthetic.openmetrics_lines([history], catalog.HTTP_REQUESTS_TOTAL.name, block))
            out.write("# EOF\n")
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(source), str(data)],
            check=True,
        )
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cases = [(routes, days) for routes in (1, 2, 3) for days in (7, 15, 30) if days <= args.days]
    with tempfile.TemporaryDirectory(prefix="aurum-bench-backtest-") as temporary:
        directory = Path(temporary)
        began = time.perf_counter()
        data = _backfill(directory, args.days)
        print(f"backfilled {args.days} days x 24 series in {time.perf_counter() - began:.0f} s")
        with prometheus(data, None, "1m", directory / "prometheus.log") as server:
            settle(server, quiet_seconds=10)
            reader = PrometheusReader(server.url, timeout=120)
            rows = []
            for routes, days in cases:
                slo, end = _slo(routes), START + days * 86_400
                reads, replays = [], []
                for _ in range(args.rounds):
                    began = time.perf_counter()
                    history = read_history(reader, slo, START, end)
                    reads.append(time.perf_counter() - began)
                    began = time.perf_counter()
                    replay(slo, history)
                    replays.append(time.perf_counter() - began)
                rows.append((routes * 8, days, statistics.median(reads), statistics.median(replays)))
            reader.close()
    base_read, base_replay = rows[0][2], rows[0][3]
    print(f"{'series':>6} {'days':>4} {'read s':>7} {'x':>5} {'replay s':>8} {'x':>5} {'total s':>7}")
    for series, days, read, replayed in rows:
        print(
            f"{series:>6} {days:>4} {read:>7.2f} {read / base_read:>5.2f} {replayed:>8.2f} "
            f"{replayed / base_replay:>5.2f} {read + replayed:>7.2f}"
        )


if __name__ == "__main__":
    main()
