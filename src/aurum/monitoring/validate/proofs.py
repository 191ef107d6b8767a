"""promtool over many files: cached by content, run in parallel, reported in a stable order."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from aurum.monitoring.validate.promtool import (
    CHECK_RULES,
    CHECK_RULES_UNLINTED,
    TEST_RULES,
    Promtool,
    PromtoolResult,
)
from aurum.monitoring.validate.proof_cache import ProofCache, test_inputs

__all__ = ["Proof", "Prover", "default_jobs"]


def default_jobs() -> int:
    """The cores this process may use: promtool's test replay keeps one core busy per file."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Proof:
    path: Path
    result: PromtoolResult
    cached: bool
    seconds: float = 0.0


class Prover:
    """Runs promtool on files, skipping runs that already passed on byte-identical input."""

    def __init__(self, promtool: Promtool, cache: ProofCache | None = None, jobs: int | None = None) -> None:
        self.promtool, self.cache = promtool, cache
        self.jobs = max(1, jobs or default_jobs())
        self._identity: str | None = None

    def _key(self, command: Sequence[str], files: Sequence[Path] | None) -> str | None:
        if self.cache is None or files is None:
            return None
        if self._identity is None:
            self._identity = self.promtool.identity()
        return self.cache.key(self._identity, command, files)

    def _run(self, path: Path, key: str | None, run: Callable[[], PromtoolResult]) -> Proof:
        if key is not None and self.cache is not None and self.cache.passed(key):
            return Proof(path, PromtoolResult(ok=True, output="cached"), cached=True)
        started = time.perf_counter()
        result = run()
        if result.ok and key is not None and self.cache is not None:
            self.cache.record(key)  # failures are never recorded: they run, and show, every time
        return Proof(path, result, cached=False, seconds=time.perf_counter() - started)

    def check_rules(self, files: list[Path], *, lint: bool = True) -> Proof:
        """``promtool check rules`` over every rule file at once (it is fast; duplicates span files)."""
        key = self._key(CHECK_RULES if lint else CHECK_RULES_UNLINTED, files)
        return self._run(files[0], key, lambda: self.promtool.check_rules(files, lint=lint))

    def test_rules(self, files: Sequence[Path], progress: Callable[[Proof, int, int], None]) -> list[Proof]:
        """``promtool test rules`` on each file, ``jobs`` at a time; proofs in the order of ``files``.

        ``progress`` is called once per file as it finishes (cache hits first), with the count done
        and the total, from one thread at a time.
        """
        keys = [self._key(TEST_RULES, test_inputs(path)) for path in files]
        lock, done = threading.Lock(), [0]

        def prove(index: int) -> Proof:
            path = files[index]
            proof = self._run(path, keys[index], lambda: self.promtool.test_rules([path]))
            with lock:
                done[0] += 1
                progress(proof, done[0], len(files))
            return proof

        cached = [
            i for i, key in enumerate(keys) if key is not None and self.cache and self.cache.passed(key)
        ]
        # Largest first: the tests that replay the most finish last otherwise, on one busy core.
        pending = sorted(set(range(len(files))) - set(cached), key=lambda i: -files[i].stat().st_size)
        proofs = {index: prove(index) for index in cached}
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            proofs.update(zip(pending, pool.map(prove, pending), strict=True))
        return [proofs[index] for index in range(len(files))]
