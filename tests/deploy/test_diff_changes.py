"""The reviewer's diff on realistic changes to the bundled declarations: what a pull request shows when
it adds an SLO, changes an objective, reorders panels, renames a dashboard, or changes the compiler."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from aurum.monitoring.cli import main
from aurum.monitoring.diff.report import MARKER, MAX_LINES, render_report
from aurum.monitoring.diff.semantic import Change, semantic_diff
from aurum.monitoring.pipeline import render

REPO = Path(__file__).resolve().parents[2]
DECLARATIONS = ("slos", "alerts", "recording_rules", "dashboards", "vendor", "pyproject.toml")
OVERVIEW = "grafana/dashboards/aurum-slos/aurum-slo-overview.json"
API_DASHBOARD = "grafana/dashboards/aurum-platform/aurum-api-performance.json"

NEW_SLO = """

BILLING_CHARGES = SLO(
    name="billing-charges",
    service="aurum-billing",
    description="Share of scenario listings answered without a server error.",
    objective=99.9,
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, status=regex("5.."), path="/api/scenarios"),
        total=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios"),
    ),
)
"""


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    for name in DECLARATIONS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / name)
    return root


def _files(root: Path) -> dict[str, str]:
    return {str(path): data.decode() for path, data in render(root).files.items()}


@pytest.fixture(scope="module")
def base() -> dict[str, str]:
    return _files(REPO)


def _of(changes: list[Change], section: str) -> list[Change]:
    return [c for c in changes if c.section == section]


def _report(changes: list[Change]) -> str:
    return render_report(changes, "main (0123456789ab)", markdown=True)


def test_adding_an_slo_is_one_line_per_thing_with_the_rules_folded(base, tmp_path: Path) -> None:
    root = _copy(tmp_path)
    with (root / "slos" / "api.py").open("a") as file:
        file.write(NEW_SLO)
    changes = semantic_diff(base, _files(root))
    report = _report(changes)

    assert report.splitlines()[3] == (
        "**SLOs: 1 added; Rule files: 1 added; Dashboards: 2 changed; Generated promtool tests: 2 added**"
    )
    [slo] = _of(changes, "SLO")
    assert (slo.name, slo.kind) == ("billing-charges", "added")
    assert "objective 0.999, over 30d, service aurum-billing" in slo.summary
    # The new SLO's 21 recording rules and 2 alerts are its rule file, folded: none is listed on its own.
    assert _of(changes, "recording rule") == [] and _of(changes, "alert") == []
    assert (
        "- added rule file `billing-charges.yaml`: 4 groups, 21 recording rules, 2 alerts\n  <details>"
        in report
    )
    assert "- added generated tests `billing-charges.test.yaml`" in report
    assert "- added generated tests `billing-charges.long.test.yaml`" in report  # the slow burn, every 5m
    # The overview gains one row; the other SLOs' panels are not shown as rewired to the new one.
    [overview] = [c for c in _of(changes, "dashboard") if c.name == "aurum-slo-overview"]
    lines = [d.text() for d in overview.details]
    assert lines[0].startswith("row 'billing-charges: Share of scenario listings") and lines[0].endswith(
        "added with 5 panels: Objective, SLI over 30d, Error budget remaining, Burn rate now, Alerts firing"
    )
    assert lines[1:] == ["24 panels moved or resized"]
    assert "cache-hit-rate" not in report.split("#### Dashboards")[1].split("aurum-slo-detail")[0]
    assert len(report) < 4_000


def test_a_changed_objective_shows_as_values_everywhere(base, tmp_path: Path) -> None:
    root = _copy(tmp_path)
    api = root / "slos" / "api.py"
    api.write_text(api.read_text().replace("objective=90,", "objective=92.5,"))
    changes = semantic_diff(base, _files(root))
    report = _report(changes)

    assert "- changed SLO `cache-hit-rate`\n  - objective: `0.9` → `0.925`" in report
    assert "  -vector(0.9)\n  +vector(0.925)" in report  # slo:objective:ratio, as an expression diff
    [overview] = _of(changes, "dashboard")
    assert [d.text() for d in overview.details] == [
        "panel 'cache-hit-rate: Share of scenario cache reads answered from the cache. > SLI over 30d' "
        "threshold green: 0.9 → 0.925"
    ]


def _reordered(dashboard: dict) -> dict:
    """The last SLO row of the overview moved to just below the summary row, ids and y laid out anew."""
    panels = dashboard["panels"]
    rows = [i for i, p in enumerate(panels) if p["type"] == "row"]
    moved = copy.deepcopy(panels[: rows[1]] + panels[rows[-1] :] + panels[rows[1] : rows[-1]])
    y = height = 0
    for number, panel in enumerate(moved, start=1):
        panel["id"] = number
        if panel["type"] == "row":
            y += height
            panel["gridPos"]["y"], height = y, 0
            y += 1
        else:
            panel["gridPos"]["y"], height = y, panel["gridPos"]["h"]
    return {**dashboard, "panels": moved}


def test_reordered_panels_are_moved_not_rewired(base) -> None:
    new = dict(base)
    new[OVERVIEW] = json.dumps(_reordered(json.loads(base[OVERVIEW])))
    [change] = semantic_diff(base, new)
    assert (change.name, change.kind) == ("aurum-slo-overview", "changed")
    # All but the summary row's four panels moved: the reordered row up, the four rows it passed down.
    assert [d.text() for d in change.details] == ["36 panels moved or resized"]


def test_a_swapped_pair_of_panels_with_a_changed_query_names_only_that_query(base) -> None:
    dashboard = json.loads(base[API_DASHBOARD])
    panels = dashboard["panels"]
    first, second = [i for i, p in enumerate(panels) if p["type"] != "row" and p.get("targets")][:2]
    panels[first], panels[second] = panels[second], panels[first]
    panels[first]["gridPos"], panels[second]["gridPos"] = panels[second]["gridPos"], panels[first]["gridPos"]
    panels[first]["targets"][0]["expr"] += " * 2"
    new = {**base, API_DASHBOARD: json.dumps(dashboard)}
    [change] = semantic_diff(base, new)
    queries = [d for d in change.details if " query " in d.what]
    assert [d.what for d in queries] == [f"panel {_key(dashboard, first)!r} query A"]
    assert queries[0].after is not None and queries[0].after.endswith(" * 2")
    assert change.details[-1].text() == "2 panels moved or resized"


def _key(dashboard: dict, index: int) -> str:
    row = next((p["title"] for p in reversed(dashboard["panels"][:index]) if p["type"] == "row"), "")
    title = dashboard["panels"][index]["title"]
    return f"{row} > {title}" if row else title


def test_renaming_a_dashboard(base) -> None:
    dashboard = json.loads(base[API_DASHBOARD])
    titled = {**base, API_DASHBOARD: json.dumps({**dashboard, "title": "API latency and errors"})}
    [change] = semantic_diff(base, titled)
    assert (change.name, change.kind) == ("aurum-api-performance", "changed")
    assert [d.text() for d in change.details] == ['title: "API Performance" → "API latency and errors"']

    moved = {k: v for k, v in base.items() if k != API_DASHBOARD}
    moved["grafana/dashboards/aurum-platform/aurum-api.json"] = json.dumps({**dashboard, "uid": "aurum-api"})
    [change] = semantic_diff(base, moved)
    assert (change.name, change.kind) == ("aurum-api-performance → aurum-api", "renamed")
    assert [d.text() for d in change.details] == ["uid: aurum-api-performance → aurum-api"]


def test_added_and_removed_dashboards_are_one_line_with_their_panels_folded(base) -> None:
    dashboard = copy.deepcopy(json.loads(base[API_DASHBOARD]))
    dashboard |= {"uid": "aurum-tenants", "title": "Tenants"}
    dashboard["panels"] = dashboard["panels"][:3]
    new = {**base, "grafana/dashboards/aurum-platform/aurum-tenants.json": json.dumps(dashboard)}
    [change] = semantic_diff(base, new)
    assert (change.kind, change.folded, change.summary) == ("added", True, '"Tenants", 2 panels')
    report = _report([change])
    assert '- added dashboard `aurum-tenants` in aurum-platform: "Tenants", 2 panels\n  <details>' in report


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout


def test_a_compiler_change_is_rendered_by_each_sides_compiler_and_the_output_is_bounded(
    tmp_path: Path, capsys
) -> None:
    root = _copy(tmp_path)
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    # The compiler change: every SLO rule group renamed, so every generated rule changes.
    conventions = root / "src" / "aurum" / "contract" / "conventions.py"
    source = conventions.read_text()
    assert 'return f"{prefix}slo-{slo}-{part}"' in source
    conventions.write_text(source.replace('return f"{prefix}slo-{slo}-{part}"', 'return f"slo-{slo}-{part}"'))

    capsys.readouterr()
    command = ["diff", "--against", "main", "--root", str(root), "--format", "markdown"]
    assert main(command) == 0
    default = capsys.readouterr().out
    assert main([*command, "--max-lines", "100"]) == 0
    bounded = capsys.readouterr().out
    assert main([*command, "--max-lines", "0"]) == 0
    full = capsys.readouterr().out

    lines = bounded.splitlines()
    assert lines[0] == MARKER
    counts = lines[3]
    assert counts.startswith("**Recording rules: ") and "Alerts: 11 changed" in counts
    assert len(lines) <= 102 < len(full.splitlines())
    assert len(default.splitlines()) <= MAX_LINES + 2
    assert full.splitlines()[3] == counts  # the counts are of everything, shown or not
    assert "- changed alert `ApiAvailabilityErrorBudgetBurnPage` in slo-api-availability-alerts\n" in full
    assert '  - group: `"aurum-slo-api-availability-alerts"` → `"slo-api-availability-alerts"`' in full
    shown = sum(1 for line in lines if line.startswith("- changed "))
    total = sum(1 for line in full.splitlines() if line.startswith("- changed "))
    assert lines[-1] == (
        f"_{total - shown} more changes not shown: `aurum-obs diff --against main --max-lines 0` lists them all._"
    )
