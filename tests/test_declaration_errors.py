"""A corpus of malformed declarations: each is refused with file, object and field named, exit 2,
and the previous build output left exactly as it was."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from aurum.monitoring.cli import main

HEADER = """\
from aurum.monitoring import *
from aurum.observability.catalog import *
from aurum.observability.catalog import Metric, MetricType

REQUESTS = select(HTTP_REQUESTS_TOTAL)
ERRORS = select(HTTP_REQUESTS_TOTAL, status=regex("5.."))
"""


def _slo(body: str = "", name: str = "bad-slo") -> str:
    """An otherwise valid SLO declaration with ``body`` overriding or adding keyword arguments."""
    defaults = {
        "name": f'"{name}"',
        "service": '"aurum-api"',
        "description": '"A test SLO."',
        "objective": "99.9",
        "sli": "RatioSLI(bad=ERRORS, total=REQUESTS)",
    }
    overrides = dict(
        line.split("=", 1) for line in textwrap.dedent(body).strip().splitlines() if line.strip()
    )
    fields = {**defaults, **{key.strip(): value.strip().rstrip(",") for key, value in overrides.items()}}
    arguments = "".join(f"    {key}={value},\n" for key, value in fields.items())
    return f"BAD = SLO(\n{arguments})\n"


CASES = [
    # (id, declaration source after the header, object named, field named)
    ("objective-100", _slo("objective=100"), "SLO 'bad-slo'", "objective"),
    ("objective-zero", _slo("objective=0"), "SLO 'bad-slo'", "objective"),
    ("objective-negative", _slo("objective=-5"), "SLO 'bad-slo'", "objective"),
    ("objective-text", _slo('objective="high"'), "SLO 'bad-slo'", "objective"),
    ("objective-nan", _slo('objective="NaN"'), "SLO 'bad-slo'", "objective"),
    ("name-not-kebab", _slo('name="Api_Availability"'), "SLO 'Api_Availability'", "name"),
    ("service-empty", _slo('service=""'), "SLO 'bad-slo'", "service"),
    ("description-empty", _slo('description=""'), "SLO 'bad-slo'", "description"),
    ("description-multiline", _slo('description="two\\nlines"'), "SLO 'bad-slo'", "description"),
    ("period-zero", _slo("period_days=0"), "SLO 'bad-slo'", "period_days"),
    ("period-too-long", _slo("period_days=400"), "SLO 'bad-slo'", "period_days"),
    ("unknown-field", _slo("objectiv=99"), "SLO 'bad-slo'", "objectiv"),
    ("ratio-neither", _slo("sli=RatioSLI(total=REQUESTS)"), "SLO 'bad-slo'", "sli"),
    ("ratio-both", _slo("sli=RatioSLI(bad=ERRORS, good=REQUESTS, total=REQUESTS)"), "SLO 'bad-slo'", "sli"),
    (
        "ratio-on-histogram",
        _slo("sli=RatioSLI(bad=ERRORS, total=select(HTTP_REQUEST_DURATION_SECONDS))"),
        "SLO 'bad-slo'",
        "sli.total",
    ),
    (
        "unknown-label",
        _slo('sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, stauts="500"), total=REQUESTS)'),
        "SLO 'bad-slo'",
        "sli.bad",
    ),
    (
        "closed-set-value",
        _slo(
            'sli=RatioSLI(bad=select(BUSINESS_TRANSACTIONS_TOTAL, status="failed"), '
            "total=select(BUSINESS_TRANSACTIONS_TOTAL))"
        ),
        "SLO 'bad-slo'",
        "sli.bad",
    ),
    (
        "invalid-regex",
        _slo('sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5((")), total=REQUESTS)'),
        "SLO 'bad-slo'",
        "sli.bad",
    ),
    (
        "regex-lookahead",
        _slo('sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("(?!2..).*")), total=REQUESTS)'),
        "SLO 'bad-slo'",
        "sli.bad",
    ),
    (
        "regex-backreference",
        _slo('sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("(5)\\\\1.")), total=REQUESTS)'),
        "SLO 'bad-slo'",
        "sli.bad",
    ),
    (
        "regex-possessive",
        _slo('sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=not_regex("2.++")), total=REQUESTS)'),
        "SLO 'bad-slo'",
        "sli.bad",
    ),
    (
        "promql-regex-possessive",
        _slo(
            'sli=PromQLSLI(errors="sum(rate(x{code=~\'5.++\'}[{window}]))", total="sum(rate(x[{window}]))")'
        ),
        "SLO 'bad-slo'",
        "sli",
    ),
    (
        "latency-not-a-bucket",
        _slo("sli=LatencySLI(histogram=select(HTTP_REQUEST_DURATION_SECONDS), threshold=0.3)"),
        "SLO 'bad-slo'",
        "sli.threshold",
    ),
    (
        "latency-on-counter",
        _slo("sli=LatencySLI(histogram=REQUESTS, threshold=0.5)"),
        "SLO 'bad-slo'",
        "sli.histogram",
    ),
    (
        "freshness-bad-duration",
        _slo('sli=FreshnessSLI(gauge=select(DATA_LAST_UPDATED_TIMESTAMP_SECONDS), max_age="1 hour")'),
        "SLO 'bad-slo'",
        "sli.max_age",
    ),
    (
        "freshness-on-counter",
        _slo('sli=FreshnessSLI(gauge=REQUESTS, max_age="1h")'),
        "SLO 'bad-slo'",
        "sli.gauge",
    ),
    (
        "promql-no-placeholder",
        _slo('sli=PromQLSLI(errors="sum(rate(x[5m]))", total="sum(rate(y[{window}]))")'),
        "SLO 'bad-slo'",
        "sli.errors",
    ),
    (
        "promql-half-pair",
        _slo('sli=PromQLSLI(errors="sum(rate(x[{window}]))")'),
        "SLO 'bad-slo'",
        "sli",
    ),
    (
        "promql-does-not-parse",
        _slo('sli=PromQLSLI(errors="sum(rate(x[{window}])", total="sum(rate(y[{window}]))")'),
        "SLO 'bad-slo'",
        "sli",
    ),
    ("unreachable-tier", _slo("objective=90"), "SLO 'bad-slo'", "alerting"),
    (
        "disable-unknown-tier",
        _slo('alerting=AlertPolicy(disabled=frozenset({"pager"}))'),
        "SLO 'bad-slo'",
        "alerting",
    ),
    (
        "short-window-not-shorter",
        _slo(
            'alerting=AlertPolicy(tiers=(AlertTier(name="page", '
            'windows=(BurnWindow(long="1h", short="2h", budget_percent=2),)),))'
        ),
        "SLO 'bad-slo'",
        "alerting.tiers.windows",
    ),
    (
        "tier-without-severity",
        _slo(
            'alerting=AlertPolicy(tiers=(AlertTier(name="urgent", '
            'windows=(BurnWindow(long="1h", short="5m", budget_percent=2),)),))'
        ),
        "SLO 'bad-slo'",
        "alerting.tiers.severity",
    ),
    (
        "budget-percent-zero",
        _slo(
            'alerting=AlertPolicy(tiers=(AlertTier(name="page", '
            'windows=(BurnWindow(long="1h", short="5m", budget_percent=0),)),))'
        ),
        "SLO 'bad-slo'",
        "alerting.tiers.windows.budget_percent",
    ),
    ("window-longer-than-period", _slo("period_days=1"), "SLO 'bad-slo'", "alerting"),
    ("reserved-label", _slo('labels={"severity": "high"}'), "SLO 'bad-slo'", "labels"),
    ("invalid-label-name", _slo('labels={"team-name": "core"}'), "SLO 'bad-slo'", "labels"),
    ("empty-label-value", _slo('labels={"team": ""}'), "SLO 'bad-slo'", "labels"),
    ("runbook-not-a-url", _slo('runbook_url="ftp://runbooks/x"'), "SLO 'bad-slo'", "runbook_url"),
    (
        "metric-outside-catalog",
        'ROGUE = Metric(base_name="rogue_total", type=MetricType.COUNTER, help="h", unit="u", labels=())\n'
        + _slo("sli=RatioSLI(bad=select(ROGUE), total=REQUESTS)"),
        "SLO 'bad-slo'",
        "sli.bad",
    ),
    ("syntax-error", "BAD = SLO(name='x'\n", "module", "(syntax)"),
    ("return-outside-function", "return 5\n", "module", "(syntax)"),
    ("await-outside-function", "await something\n", "module", "(syntax)"),
    ("undefined-name", _slo("sli=RatioSLI(bad=MISSPELT, total=REQUESTS)"), "SLO 'bad-slo'", "(code)"),
]


def _prepare(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "slos").mkdir()
    for name, source in files.items():
        (tmp_path / "slos" / name).write_text(source)
    previous = tmp_path / "build" / "prometheus" / "rules"
    previous.mkdir(parents=True)
    (previous / "previous.yaml").write_text("groups: []\n")
    return tmp_path / "build"


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


def _first_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert lines, stderr
    return lines[0]


def test_the_corpus_is_large_and_distinct() -> None:
    assert len(CASES) >= 25
    assert len({source for _, source, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("source", "obj", "field"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_malformed_declaration_is_refused_precisely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, obj: str, field: str
) -> None:
    out = _prepare(tmp_path, {"bad.py": HEADER + source})
    before = _snapshot(out)
    status = main(["build", "--root", str(tmp_path), "--out", str(out)])
    line = _first_error_line(capsys.readouterr().err)
    assert status == 2, line
    assert line.startswith("error: slos/bad.py:"), line
    assert f": {obj}: " in line, line
    assert f"field '{field}'" in line, line
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(".build.*")), "staging left behind"


def test_duplicate_names_across_files_name_both_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _prepare(tmp_path, {"a.py": HEADER + _slo(name="twin"), "b.py": HEADER + _slo(name="twin")})
    before = _snapshot(out)
    assert main(["build", "--root", str(tmp_path), "--out", str(out)]) == 2
    line = _first_error_line(capsys.readouterr().err)
    assert line.startswith("error: slos/b.py:7: SLO 'twin': field 'name'"), line
    assert "already declared at slos/a.py:7" in line
    assert _snapshot(out) == before


def test_bad_environment_override_names_the_variable(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _prepare(tmp_path, {"api.py": (repo_root / "slos" / "api.py").read_text()})
    before = _snapshot(out)
    monkeypatch.setenv("AURUM_SLO_API_AVAILABILITY_TARGET", "1.5")
    assert main(["build", "--root", str(tmp_path), "--out", str(out)]) == 2
    line = _first_error_line(capsys.readouterr().err)
    assert line == "error: AURUM_SLO_API_AVAILABILITY_TARGET=1.5: Input should be less than 1", line
    assert _snapshot(out) == before


@pytest.mark.parametrize(
    ("variable", "value", "field", "message"),
    [
        ("AURUM_SLO_API_LATENCY_TARGET", "300", "sli.threshold", "0.3 s is not a bucket of"),
        ("AURUM_SLO_API_AVAILABILITY_TARGET", "0.9", "alerting", "can never reach the threshold"),
    ],
)
def test_an_override_that_breaks_a_declaration_is_named_in_the_error(
    repo_root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    field: str,
    message: str,
) -> None:
    out = _prepare(tmp_path, {"api.py": (repo_root / "slos" / "api.py").read_text()})
    before = _snapshot(out)
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("AURUM_SLO_SCENARIO_SUCCESS_TARGET", "0.97")  # set, but harmless: not named
    assert main(["build", "--root", str(tmp_path), "--out", str(out)]) == 2
    line = _first_error_line(capsys.readouterr().err)
    assert line.startswith("error: slos/api.py:"), line
    assert f"field '{field}'" in line
    assert message in line
    assert line.endswith(f"(from {variable}={value})"), line
    assert _snapshot(out) == before


def test_an_error_the_overrides_do_not_cause_names_none_of_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _prepare(tmp_path, {"bad.py": HEADER + _slo("period_days=1")})
    monkeypatch.setenv("AURUM_SLO_API_LATENCY_TARGET", "250")
    assert main(["build", "--root", str(tmp_path), "--out", str(out)]) == 2
    line = _first_error_line(capsys.readouterr().err)
    assert "longer than the 1d period" in line
    assert "(from " not in line, line


def test_two_overrides_that_break_two_declarations_are_each_named_on_their_own_line(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _prepare(tmp_path, {"api.py": (repo_root / "slos" / "api.py").read_text()})
    monkeypatch.setenv("AURUM_SLO_API_LATENCY_TARGET", "300")
    monkeypatch.setenv("AURUM_SLO_API_AVAILABILITY_TARGET", "0.9")
    assert main(["build", "--root", str(tmp_path), "--out", str(out)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 2, lines
    availability, latency = lines
    assert "SLO 'api-availability': field 'alerting'" in availability, availability
    assert availability.endswith("(from AURUM_SLO_API_AVAILABILITY_TARGET=0.9)"), availability
    assert "SLO 'api-latency': field 'sli.threshold'" in latency, latency
    assert latency.endswith("(from AURUM_SLO_API_LATENCY_TARGET=300)"), latency
