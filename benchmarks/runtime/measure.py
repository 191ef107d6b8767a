"""Timing for the runtime benchmarks: interleaved rounds, medians, per-call microseconds.

Every variant of a comparison is timed in the same process, round-robin, so drift on a noisy shared
machine hits all of them alike; the median of the rounds is reported. Rounds are many and short: this
machine's speed drifts by up to 1.5x over seconds, and fine interleaving keeps each variant's rounds
in the same conditions as its neighbours'.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable

Sync = Callable[[], object]
Async = Callable[[], Awaitable[object]]


def _loop(fn: Sync, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


async def _aloop(fn: Async, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        await fn()
    return time.perf_counter() - start


def compare(variants: dict[str, Sync], *, number: int = 2_000, rounds: int = 101) -> dict[str, float]:
    """Median microseconds per call of each synchronous variant."""
    for fn in variants.values():
        _loop(fn, number // 10)  # warm caches, children, allocator
    samples: dict[str, list[float]] = {name: [] for name in variants}
    gc.disable()
    try:
        for _ in range(rounds):
            for name, fn in variants.items():
                samples[name].append(_loop(fn, number) / number * 1e6)
    finally:
        gc.enable()
    return {name: statistics.median(values) for name, values in samples.items()}


def compare_async(variants: dict[str, Async], *, number: int = 500, rounds: int = 101) -> dict[str, float]:
    """Median microseconds per awaited call of each asynchronous variant (one event loop for all)."""

    async def run() -> dict[str, float]:
        for fn in variants.values():
            await _aloop(fn, number // 10)
        samples: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(rounds):
            for name, fn in variants.items():
                gc.collect()
                samples[name].append(await _aloop(fn, number) / number * 1e6)
        return {name: statistics.median(values) for name, values in samples.items()}

    return asyncio.run(run())


def table(title: str, medians: dict[str, float], *, baseline: str, mode: str = "ratio") -> str:
    """A Markdown table of medians with either the ratio to ``baseline`` or the time added to it."""
    base = medians[baseline]
    header = "ratio to " + baseline if mode == "ratio" else "added to " + baseline + " (µs)"
    lines = [f"### {title}", "", f"| variant | median µs/call | {header} |", "|---|---:|---:|"]
    for name, value in medians.items():
        extra = f"{value / base:.2f}x" if mode == "ratio" else f"{value - base:+.2f}"
        lines.append(f"| {name} | {value:.2f} | {extra} |")
    return "\n".join(lines)


class NullStream:
    """A text stream that discards everything: measures producing log lines, not terminal I/O."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None
