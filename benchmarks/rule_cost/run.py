"""Cost and accuracy of our SLO rules against the two usual rule shapes, in a real Prometheus.

Usage: .venv/bin/python -m benchmarks.rule_cost.run [--sizes 5,20] [--days 30] [--rounds 8]

For each size N it generates ``--days`` of one-minute history for N SLOs (24 raw series each, traffic
swinging 12x over the day, error bursts at busy hours), backfills it with
``promtool tsdb create-blocks-from openmetrics`` together with the recorded series each rule set reads
over long windows, then loads each rule set into its own Prometheus over a copy of the same TSDB and
reads the evaluation cost, the series created, the peak memory and the period SLI, which it compares
with the exact event-weighted error ratio computed from the synthetic counters.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aurum.monitoring.io.render import dump_yaml
from aurum.monitoring.model import parse_duration
from aurum.observability import catalog
from benchmarks.rule_cost import accuracy, backfill, rulesets, synthetic
from benchmarks.rule_cost.prom import measure_groups, prometheus, settle


@dataclass(frozen=True)
class Shape:
    """One rule set: its rules, the prefix of its group names, the series holding its period SLI."""

    name: str
    rules: dict[str, Any]
    prefix: str
    record: str
    lag: int = 0
    """Minutes its period window ends before the evaluation (ours: the rollups' 30 s offset)."""


@dataclass
class Result:
    name: str
    seconds: float
    series: float
    peak_mb: float
    abs_error: float
    rel_error: float
    windows: dict[str, accuracy.Errors]
    tiles: tuple[int, float] | None
    """Ours: (minutes compared, largest difference) of the tile rules against the backfilled tiles."""


def _prepare(directory: Path, histories: list[synthetic.History], quiet_seconds: float) -> Path:
    """Raw and backfilled series turned into TSDB blocks, then compacted once by Prometheus.

    promtool 2.42 re-reads its whole input for every two-hour block it writes, so the history is
    written as one OpenMetrics file per aligned two-hour block: each sample is parsed once.
    """
    data = directory / "template"
    first = histories[0]
    block = 7_200

    def minute_of(timestamp: int) -> int:
        return (timestamp - first.start) // synthetic.STEP

    begin = first.start - first.start % block
    while begin < first.start + first.minutes * synthetic.STEP:
        minutes = range(max(0, minute_of(begin)), min(first.minutes, minute_of(begin + block)))
        source = directory / "block.om"
        with source.open("w") as out:
            out.writelines(synthetic.openmetrics_lines(histories, catalog.HTTP_REQUESTS_TOTAL.name, minutes))
            out.writelines(backfill.tiles(histories, minutes))
            out.writelines(backfill.rollups(histories, minutes))
            out.writelines(backfill.ratio_5m(histories, f"{rulesets.AVERAGE_RATIO}5m", minutes))
            out.write("# EOF\n")
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(source), str(data)],
            check=True,
        )
        begin += block
    with prometheus(data, None, "1m", directory / "settle.log") as server:
        settle(server, quiet_seconds)
    return data


def _last_rollup_minute(history: synthetic.History) -> int:
    """The history's last minute on the 5-minute grid: where every shape has seen all events before it.

    Our long windows move in 5-minute rollups, so reading them between two rollups would leave the
    latest minutes out, and an error burst in those minutes would look like a big error.
    """
    last = history.minutes - 1
    return last - (history.start // synthetic.STEP + last) % backfill.SPAN


def _measure(
    directory: Path,
    template: Path,
    shape: Shape,
    histories: list[synthetic.History],
    args: argparse.Namespace,
) -> Result:
    data = directory / shape.name.replace(" ", "-")
    shutil.copytree(template, data)
    rule_path = data.with_suffix(".rules.yaml")
    # Every group is evaluated at the benchmark's interval so that each gets enough rounds quickly;
    # its cost is then amortised over its production interval (the global 1m unless it sets one).
    production = {g["name"]: parse_duration(g.get("interval", "1m")) for g in shape.rules["groups"]}
    measured = {"groups": [{k: v for k, v in g.items() if k != "interval"} for g in shape.rules["groups"]]}
    rule_path.write_bytes(dump_yaml(measured))
    with prometheus(data, rule_path, args.interval, data.with_suffix(".log")) as server:
        durations = measure_groups(server, shape.prefix, args.rounds, limit=args.rounds * 120)
        series, peak = server.metric("prometheus_tsdb_head_series"), server.peak_rss_mb()
        # The period SLI is read at the last minute of the history, where it depends only on the
        # history (evaluations during the measurement run far faster than production would).
        end = histories[0].start + _last_rollup_minute(histories[0]) * synthetic.STEP
        period_rules = [
            r for g in shape.rules["groups"] for r in g["rules"] if r.get("record") == shape.record
        ]
        values = {}
        for rule in period_rules:
            result = server.query(rule["expr"], at=end)
            values[rule["labels"]["slo"]] = float(result[0]["value"][1]) if result else float("nan")  # type: ignore[index]
        first = histories[0]
        last_minute = _last_rollup_minute(first)
        windows = accuracy.window_errors(
            server,
            shape.rules,
            shape.record.removesuffix(f"{args.days}d"),
            [*rulesets.WINDOWS, f"{args.days}d"],
            history=first,
            last=last_minute,
        )
        tiles = accuracy.tile_mismatch(server, shape.rules, first, last_minute) if shape.lag else None
    errors = []
    for history in histories:
        last = _last_rollup_minute(history) - shape.lag
        first = max(0, last - args.days * 1440)
        exact = history.exact_error_ratio(first, last)
        errors.append((abs(values.get(history.tenant, float("nan")) - exact), exact))
    shutil.rmtree(data)
    per_round = sum(statistics.median(d) * 60 / production[name] for name, d in durations.items() if d)
    return Result(
        shape.name,
        per_round if durations else float("nan"),
        series,
        peak,
        statistics.mean(e for e, _ in errors),
        statistics.mean(e / exact for e, exact in errors),
        windows,
        tiles,
    )


def run_size(count: int, args: argparse.Namespace) -> list[Result]:
    now = int(time.time()) // 60 * 60
    minutes = (args.hours * 60 if args.hours else args.days * 1440) + 60
    start = now - (minutes - 1) * synthetic.STEP
    tenants = [f"tenant-{index}" for index in range(count)]
    histories = [
        synthetic.generate(tenant, start, minutes, seed=index, burst_probability=0 if args.steady else 0.7)
        for index, tenant in enumerate(tenants)
    ]
    objects = rulesets.slos(tenants, args.days)
    period = f"{args.days}d"
    with tempfile.TemporaryDirectory(prefix="rule-cost-", dir=args.workdir) as work:
        directory = Path(work)
        template = _prepare(directory, histories, args.settle)
        shapes = [
            Shape("ours", rulesets.ours(objects), "aurum-slo-", catalog.slo_error_ratio(period), lag=1),
            Shape(
                "average of ratios",
                rulesets.average_of_ratios(objects),
                "avg-",
                f"{rulesets.AVERAGE_RATIO}{period}",
            ),
            Shape(
                "raw full window", rulesets.raw_full_window(objects), "raw-", f"{rulesets.RAW_RATIO}{period}"
            ),
        ]
        return [_measure(directory, template, shape, histories, args) for shape in shapes]


def table(count: int, results: list[Result], args: argparse.Namespace) -> str:
    ours = results[0].seconds
    lines = [
        f"N = {count} SLOs x 24 raw series, {args.days} days at 1-minute samples; each group's median "
        f"over {args.rounds} evaluations (every {args.interval}), amortised over its production interval",
        "| rule set | eval s per 1m round | ratio to ours | series created | peak RSS MB | "
        f"{args.days}d SLI abs error | rel error |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.name} | {r.seconds:.4f} | {r.seconds / ours:.2f}x | {r.series:.0f} | {r.peak_mb:.0f} | "
        f"{r.abs_error:.2e} | {r.rel_error:.3%} |"
        for r in results
    ]
    return "\n".join(lines)


def accuracy_table(count: int, results: list[Result], args: argparse.Namespace) -> str:
    """Every window's relative error over the last day: median / p95 / max."""
    windows = [*rulesets.WINDOWS, f"{args.days}d"]
    lines = [
        f"N = {count}: each window's relative error against the exact event ratio over the last day "
        "of the history (first SLO; median / p95 / max)",
        "| rule set | " + " | ".join(windows) + " |",
        "|---|" + "---:|" * len(windows),
    ]
    for r in results:
        cells = [
            f"{e.median:.2%} / {e.p95:.2%} / {e.max:.2%}" if (e := r.windows.get(w)) else "-" for w in windows
        ]
        lines.append(f"| {r.name} | " + " | ".join(cells) + " |")
    lines += [
        f"{r.name}: tile rules evaluated over the day against the backfilled tiles: {r.tiles[0]} tiles, "
        f"largest difference {r.tiles[1]:g}"
        for r in results
        if r.tiles
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[int, list[Result]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,20", help="comma-separated SLO counts")
    parser.add_argument("--days", type=int, default=30, help="SLO period in days (and history length)")
    parser.add_argument("--hours", type=int, default=None, help="history length when shorter than the period")
    parser.add_argument("--settle", type=float, default=20, help="quiet seconds that mean compaction is done")
    parser.add_argument("--steady", action="store_true", help="no error bursts (a constant error ratio)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--interval", default="10s", help="rule evaluation interval")
    parser.add_argument("--workdir", default=None, help="where the temporary TSDBs go")
    args = parser.parse_args(argv)
    results = {}
    for count in (int(size) for size in args.sizes.split(",")):
        started = time.monotonic()
        results[count] = run_size(count, args)
        print(table(count, results[count], args))
        print(accuracy_table(count, results[count], args))
        print(f"(size {count} took {time.monotonic() - started:.0f} s)\n", flush=True)
    return results


if __name__ == "__main__":
    main()
