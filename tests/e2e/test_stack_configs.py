"""The stack's copy of the built rules: every group at the stack's interval, or the alerting groups at
an interval of their own."""

from __future__ import annotations

import json
from pathlib import Path

from examples.demo_stack import configs

BUILT = {
    "groups": [
        {"name": "records", "interval": "1m", "rules": [{"record": "a:b", "expr": "up"}]},
        {"name": "alerts", "rules": [{"alert": "Down", "expr": "up == 0"}]},
        {"name": "mixed", "rules": [{"record": "c:d", "expr": "up"}, {"alert": "Up", "expr": "up"}]},
    ]
}


def _intervals(tmp_path: Path, alerts_every: str | None) -> dict[str, str | None]:
    built = tmp_path / "built"
    built.mkdir()
    (built / "rules.yaml").write_text(json.dumps(BUILT))
    (copied,) = configs.copy_rules(built, tmp_path / "copy", alerts_every=alerts_every)
    return {g["name"]: g.get("interval") for g in json.loads(copied.read_text())["groups"]}


def test_every_group_runs_at_the_stack_interval_by_default(tmp_path: Path) -> None:
    assert _intervals(tmp_path, None) == {"records": None, "alerts": None, "mixed": None}


def test_alerts_every_sets_the_interval_of_groups_of_alerting_rules_only(tmp_path: Path) -> None:
    assert _intervals(tmp_path, "60s") == {"records": None, "alerts": "60s", "mixed": None}
