"""Compile time of generated SLOs: the compile step alone (model -> rule groups), and YAML rendering.

Usage: .venv/bin/python benchmarks/compile_slos.py [--repeat 7]

Prints the median over repeats for N = 250, 500, 1000 and 2000 SLOs, the time per SLO, the ratio of
each size to the previous one (2.0 means linear growth), the time to render the compiled rule files
to YAML and its ratio to the compile time. CPU time of this process, so other work on a shared
machine counts less. promtool is not part of the timing.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from aurum.monitoring import SLO, AlertPolicy, FreshnessSLI, LatencySLI, RatioSLI, regex, select
from aurum.monitoring.compile.rules import rule_file
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.io.render import dump_yaml
from aurum.observability.catalog import (
    BUSINESS_TRANSACTIONS_TOTAL,
    DATA_LAST_UPDATED_TIMESTAMP_SECONDS,
    HTTP_REQUEST_DURATION_SECONDS,
    HTTP_REQUESTS_TOTAL,
)

SIZES = (250, 500, 1000, 2000)


def generate(count: int) -> list[SLO]:
    """``count`` distinct SLOs cycling through every SLI kind, objectives and periods."""
    slis = itertools.cycle(
        [
            RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
            LatencySLI(histogram=select(HTTP_REQUEST_DURATION_SECONDS), threshold=Decimal("0.5")),
            RatioSLI(
                bad=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_run", status="failure"),
                total=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_run"),
            ),
            FreshnessSLI(gauge=select(DATA_LAST_UPDATED_TIMESTAMP_SECONDS), max_age="1h"),
        ]
    )
    objectives = itertools.cycle([Decimal("99.9"), Decimal("99.5"), Decimal("95"), Decimal("99.95")])
    periods = itertools.cycle([30, 28, 7])
    return [
        SLO(
            name=f"slo-{index}",
            service=f"service-{index % 17}",
            description=f"Generated SLO {index}.",
            objective=next(objectives),
            period_days=next(periods),
            sli=next(slis),
            labels={"team": f"team-{index % 5}"},
            alerting=AlertPolicy(),
        )
        for index in range(count)
    ]


def _median(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        timings.append(time.process_time() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{'SLOs':>6} {'compile s':>10} {'us/SLO':>8} {'x prev':>7} {'render s':>9} {'render/compile':>15}")
    previous = None
    for size in SIZES:
        slos = generate(size)
        compiled = _median(lambda slos=slos: [compile_slo(slo) for slo in slos], args.repeat)
        files = [rule_file(compile_slo(slo)) for slo in slos]
        rendered = _median(lambda files=files: [dump_yaml(document) for document in files], args.repeat)
        growth = f"{compiled / previous:.2f}" if previous else "-"
        print(
            f"{size:>6} {compiled:>10.3f} {compiled / size * 1e6:>8.0f} {growth:>7} {rendered:>9.3f}"
            f" {rendered / compiled:>15.2f}"
        )
        previous = compiled


if __name__ == "__main__":
    main()
