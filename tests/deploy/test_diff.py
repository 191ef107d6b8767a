"""``aurum-obs diff --against REF``: the semantic diff (pure), and the command on real git repositories,
rendering each revision with that revision's own compiler."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.diff.report import render_report
from aurum.monitoring.diff.semantic import Change, semantic_diff

from .conftest import dashboard

REPO = Path(__file__).resolve().parents[2]

SLO_FILE = """
from aurum.monitoring import SLO, RatioSLI, regex, select
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

DEMO = SLO(
    name="demo-availability",
    service="demo",
    description="Demo requests without a 5xx.",
    objective={objective},
    sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
)
"""


def _rules(*rules: dict) -> str:
    return yaml.safe_dump({"groups": [{"name": "g", "rules": list(rules)}]})


def _by(changes: list[Change]) -> dict[tuple[str, str], Change]:
    return {(c.section, c.name): c for c in changes}


def _lines(change: Change) -> tuple[str, ...]:
    return tuple(detail.text() for detail in change.details)


def test_slos_added_removed_and_changed_field_by_field() -> None:
    old = {
        "slos.json": json.dumps(
            {"slos": [{"name": "a", "objective": "0.999", "service": "s"}, {"name": "gone"}]}
        )
    }
    new = {
        "slos.json": json.dumps(
            {
                "slos": [
                    {"name": "a", "objective": "0.995", "service": "s"},
                    {"name": "b", "objective": "0.9", "service": "t"},
                ]
            }
        )
    }
    changes = _by(semantic_diff(old, new))
    assert _lines(changes[("SLO", "a")]) == ("objective: 0.999 → 0.995",)
    assert changes[("SLO", "b")].kind == "added" and changes[("SLO", "gone")].kind == "removed"


def test_rules_and_alerts_with_the_expression_diff() -> None:
    old = {
        "prometheus/rules/x.yaml": _rules(
            {"record": "r:x", "expr": "sum(a)"},
            {"alert": "Hot", "expr": "r:x > 1", "labels": {"severity": "ticket"}},
        )
    }
    new = {
        "prometheus/rules/x.yaml": _rules(
            {"record": "r:x", "expr": "sum(b)"},
            {"alert": "Hot", "expr": "r:x > 2", "labels": {"severity": "page"}},
            {"record": "r:new", "expr": "up"},
        )
    }
    changes = _by(semantic_diff(old, new))
    assert changes[("recording rule", "r:x")].diff == ("@@ -1 +1 @@", "-sum(a)", "+sum(b)")
    alert = changes[("alert", "Hot")]
    assert alert.where == "g" and alert.diff[1:] == ("-r:x > 1", "+r:x > 2")
    assert _lines(alert) == ('labels.severity: "ticket" → "page"',)
    assert changes[("recording rule", "r:new")].kind == "added"


def test_dashboards_and_their_panels() -> None:
    before = dashboard("d", "D", expr="up")
    after = {**dashboard("d", "D renamed", expr="sum(up)")}
    after["panels"] = [*after["panels"], {"id": 2, "type": "stat", "title": "Errors", "targets": []}]
    old = {
        "grafana/folders.json": json.dumps({"f": "F", "g": "G"}),
        "grafana/dashboards/f/d.json": json.dumps(before),
        "grafana/dashboards/f/gone.json": json.dumps(dashboard("gone", "Gone")),
    }
    new = {
        "grafana/folders.json": json.dumps({"f": "F", "g": "Gee"}),
        "grafana/dashboards/g/d.json": json.dumps(after),
        "grafana/dashboards/f/new.json": json.dumps(dashboard("new", "New", expr="sum(rate(x[5m]))")),
    }
    changes = _by(semantic_diff(old, new))
    assert _lines(changes[("dashboard", "d")]) == (
        "folder: f → g",
        'title: "D" → "D renamed"',
        "panel 'Requests' query A: up → sum(up)",
        "panel 'Errors' added",
    )
    assert changes[("dashboard", "gone")].kind == "removed"
    assert changes[("dashboard", "new")].summary == '"New", 1 panels'
    assert _lines(changes[("folder", "g")]) == ('title: "G" → "Gee"',)
    assert ("folder", "f") not in changes


def test_no_change_and_the_markdown_report() -> None:
    same = {"prometheus/rules/x.yaml": _rules({"record": "r:x", "expr": "sum(a)"})}
    assert semantic_diff(same, same) == []
    assert "No change to SLOs, rules, alerts or dashboards." in render_report([], "main", markdown=True)
    changed = {"prometheus/rules/x.yaml": _rules({"record": "r:x", "expr": "sum(b)"})}
    report = render_report(semantic_diff(same, changed), "main (abc)", markdown=True)
    assert report.startswith(
        "<!-- aurum-obs diff -->\n### aurum-obs diff against main (abc)\n\n**Recording rules: 1 changed**"
    )
    assert (
        "- changed recording rule `r:x` in g\n  ```diff\n  @@ -1 +1 @@\n  -sum(a)\n  +sum(b)\n  ```" in report
    )


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _repo(tmp_path: Path, *, with_src: bool = False) -> Path:
    root = tmp_path / "repo"
    (root / "slos").mkdir(parents=True)
    (root / "slos" / "demo.py").write_text(SLO_FILE.format(objective=99.9))
    if with_src:
        shutil.copytree(
            REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    return root


def _diff(root: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    capsys.readouterr()
    status = main(["diff", "--against", "main", "--root", str(root), *flags])
    return status, capsys.readouterr().out


def test_diff_against_a_ref_shows_slo_rule_and_alert_changes(tmp_path: Path, capsys) -> None:
    root = _repo(tmp_path)
    assert _diff(root, capsys, "--exit-code") == (
        0,
        f"aurum-obs diff against main ({_head(root)}): No change to SLOs, rules, alerts or dashboards.\n",
    )
    (root / "slos" / "demo.py").write_text(SLO_FILE.format(objective=99.5))
    status, out = _diff(root, capsys, "--format", "markdown", "--exit-code")
    assert status == 1
    assert "- changed SLO `demo-availability`\n  - objective: `0.999` → `0.995`" in out
    assert "- changed recording rule `slo:error_budget:ratio` in aurum-slo-demo-availability-meta" in out
    assert (
        "- changed alert `DemoAvailabilityErrorBudgetBurnPage` in aurum-slo-demo-availability-alerts" in out
    )
    assert '  -slo:sli_error:ratio_rate5m{slo="demo-availability", service="demo"} / 0.001\n' in out
    assert '  +slo:sli_error:ratio_rate5m{slo="demo-availability", service="demo"} / 0.005\n' in out


def test_each_revision_is_rendered_by_its_own_compiler(tmp_path: Path, capsys) -> None:
    root = _repo(tmp_path, with_src=True)
    conventions = root / "src" / "aurum" / "contract" / "conventions.py"
    conventions.write_text(
        conventions.read_text().replace("https://runbooks.aurum.internal/slo", "https://wiki.example/slo")
    )
    status, out = _diff(root, capsys)
    assert status == 0
    assert (
        'annotations.runbook_url: "https://runbooks.aurum.internal/slo/demo-availability" → "https://wiki.example/slo/demo-availability"'
        in out
    )


def test_a_bad_ref_or_a_broken_tree_is_exit_2(tmp_path: Path, capsys) -> None:
    root = _repo(tmp_path)
    assert main(["diff", "--against", "no-such-branch", "--root", str(root)]) == 2
    assert "no-such-branch" in capsys.readouterr().err
    (root / "slos" / "demo.py").write_text(SLO_FILE.format(objective=120))
    assert main(["diff", "--against", "main", "--root", str(root)]) == 2
    assert "the working tree does not render" in capsys.readouterr().err


def _head(root: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
