"""promtool proofs cached by content and run in parallel: what is reused, what is not, in what order.

A wrapper script stands in front of the real promtool and logs every ``test``/``check`` it is asked
to run, so each test sees whether promtool actually ran.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from aurum.monitoring.pipeline import BuildFailedError, build
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache
from aurum.monitoring.validate.proofs import Proof, Prover

RULES = """\
groups:
  - name: example
    rules:
      - record: job:up:sum
        expr: sum(up)
"""

TEST = """\
rule_files:
  - rules/{rules}
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: up{{job="a"}}
        values: 1x10
    promql_expr_test:
      - expr: job:up:sum
        eval_time: 5m
        exp_samples:
          - labels: job:up:sum
            value: {value}
"""


def _wrapper(tmp_path: Path, version: str = "", sleep_on: str = "") -> Promtool:
    """The real promtool behind a script that logs each run to ``runs.log`` (and can lie about its
    version, or take its time on files whose name contains ``sleep_on``)."""
    script = tmp_path / "bin" / "promtool"
    script.parent.mkdir(exist_ok=True)
    lie = (
        f'if [ "$1" = "--version" ]; then echo "promtool, version {version}"; exit 0; fi\n' if version else ""
    )
    slow = f'case "$*" in *{sleep_on}*) sleep 2;; esac\n' if sleep_on else ""
    script.write_text(
        f'#!/bin/sh\n{lie}[ "$1" = "--version" ] || echo "$*" >> {tmp_path}/runs.log\n{slow}exec promtool "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return Promtool(str(script))


def _runs(tmp_path: Path) -> list[str]:
    log = tmp_path / "runs.log"
    return log.read_text().splitlines() if log.exists() else []


def _suite(tmp_path: Path, name: str = "t", value: int = 1) -> Path:
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / f"{name}.yaml").write_text(RULES)
    test = tmp_path / f"{name}.test.yaml"
    test.write_text(TEST.format(rules=f"{name}.yaml", value=value))
    return test


def _prove(prover: Prover, files: list[Path]) -> list[Proof]:
    return prover.test_rules(files, lambda proof, done, total: None)


def test_a_passing_proof_is_reused_without_running_promtool(tmp_path: Path) -> None:
    test = _suite(tmp_path)
    prover = Prover(_wrapper(tmp_path), ProofCache(tmp_path / "cache"))
    first = _prove(prover, [test])
    assert first[0].result.ok, first[0].result.output
    assert not first[0].cached
    assert len(_runs(tmp_path)) == 1
    again = _prove(Prover(_wrapper(tmp_path), ProofCache(tmp_path / "cache")), [test])
    assert again[0].result.ok
    assert again[0].cached
    assert len(_runs(tmp_path)) == 1  # promtool was not asked again


@pytest.mark.parametrize("changed", ["rule file", "test file", "promtool version", "cache off"])
def test_any_byte_change_in_what_a_proof_read_runs_promtool_again(tmp_path: Path, changed: str) -> None:
    test = _suite(tmp_path)
    cache = ProofCache(tmp_path / "cache")
    assert _prove(Prover(_wrapper(tmp_path, version="2.42.0"), cache), [test])[0].result.ok
    promtool = _wrapper(tmp_path, version="2.42.0")
    if changed == "rule file":
        (tmp_path / "rules" / "t.yaml").write_text(RULES.replace("sum(up)", "sum(up) "))
    elif changed == "test file":
        test.write_text(test.read_text() + "\n")
    elif changed == "promtool version":
        promtool = _wrapper(tmp_path, version="2.42.1")
    proof = _prove(Prover(promtool, None if changed == "cache off" else cache), [test])[0]
    assert proof.result.ok, proof.result.output
    assert not proof.cached
    assert len(_runs(tmp_path)) == 2


def test_a_failing_proof_is_never_cached(tmp_path: Path) -> None:
    test = _suite(tmp_path, value=2)  # sum(up) is 1
    prover = Prover(_wrapper(tmp_path), ProofCache(tmp_path / "cache"))
    for attempt in (1, 2):
        proof = _prove(prover, [test])[0]
        assert not proof.result.ok
        assert not proof.cached
        assert "FAILED" in proof.result.output
        assert len(_runs(tmp_path)) == attempt
    assert not [path for path in (tmp_path / "cache").rglob("*") if path.is_file()]


def test_check_rules_is_cached_by_the_bytes_of_every_rule_file(tmp_path: Path) -> None:
    _suite(tmp_path, "a")
    _suite(tmp_path, "b")
    files = [tmp_path / "rules" / "a.yaml", tmp_path / "rules" / "b.yaml"]
    cache = ProofCache(tmp_path / "cache")
    assert not Prover(_wrapper(tmp_path), cache).check_rules(files).cached
    assert Prover(_wrapper(tmp_path), cache).check_rules(files).cached
    files[1].write_text(RULES + "\n")
    assert not Prover(_wrapper(tmp_path), cache).check_rules(files).cached
    assert len(_runs(tmp_path)) == 2


def test_parallel_proofs_come_back_in_the_order_given(tmp_path: Path) -> None:
    # The first file is the slowest, so it finishes last; its proof still comes first.
    files = [_suite(tmp_path, "slow", value=2), _suite(tmp_path, "b"), _suite(tmp_path, "c", value=3)]
    finished: list[str] = []
    prover = Prover(_wrapper(tmp_path, sleep_on="slow"), None, jobs=3)
    proofs = prover.test_rules(files, lambda proof, done, total: finished.append(proof.path.name))
    assert [proof.path for proof in proofs] == files
    assert [proof.result.ok for proof in proofs] == [False, True, False]
    assert finished[-1] == "slow.test.yaml"
    assert sorted(finished) == sorted(path.name for path in files)


def test_a_failed_build_reports_every_failing_file_in_the_same_order_whatever_the_jobs(
    repo_root: Path, tmp_path: Path
) -> None:
    script = tmp_path / "bin" / "promtool"
    script.parent.mkdir()
    # Every unit test fails, each after a pause that differs by file, so they finish out of order.
    script.write_text(
        '#!/bin/sh\nif [ "$1" = "test" ]; then sleep "0.$(printf %s "$3" | cksum | cut -c1)"; '
        'echo "FAILED: $3"; exit 1; fi\nexec promtool "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    messages = []
    for jobs in (1, 4):
        with pytest.raises(BuildFailedError) as failed:
            build(repo_root, tmp_path / f"out-{jobs}", Promtool(str(script)), log=lambda _: None, jobs=jobs)
        messages.append(str(failed.value).replace(f"out-{jobs}", "out"))
    assert messages[0] == messages[1]
    named = [line.removesuffix(":") for line in messages[0].splitlines() if line.endswith(".test.yaml:")]
    assert named == sorted(path.name for path in (repo_root / "tests/golden/prometheus/tests").iterdir())
