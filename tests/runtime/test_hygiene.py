"""The shim imports and works with only its runtime dependencies: no build tools, no FastAPI.

A fresh virtual environment gets exactly ``[project].dependencies`` from pyproject.toml (pinned by
constraints.txt) and the ``aurum.observability`` package files, nothing else. A script then imports
every module an application without the ``fastapi`` extra may use, exercises logs, a span and a
metric, and reports which forbidden modules got imported.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_ROOTS = ["grafanalib", "_jsonnet", "yaml", "requests", "fastapi", "starlette"]
CHECK = """
import importlib, json, sys
modules = [
    "aurum.observability", "aurum.observability.metrics", "aurum.observability.enhanced_logging",
    "aurum.observability.tracing_enhanced", "aurum.observability.slo_dashboard",
    "aurum.observability.testing", "aurum.observability.middleware", "aurum.observability.multiprocess",
]
for name in modules:
    importlib.import_module(name)
from aurum.observability.enhanced_logging import get_logger
from aurum.observability.metrics import increment_business_transactions
from aurum.observability.slo_dashboard import check_slo_status, get_slo_dashboard_config
from aurum.observability.testing import capture_logs, captured_spans, isolated_registry
from aurum.observability.tracing_enhanced import trace_scenario_operation
with isolated_registry() as metrics, captured_spans() as spans, capture_logs() as logs:
    with trace_scenario_operation("create", "s-1"):
        get_logger("hygiene").info("inside", password="hunter2")
    increment_business_transactions("scenario_create", "scenario", "success")
    check_slo_status()
    get_slo_dashboard_config().generate_grafana_dashboard()
try:
    import fastapi  # noqa: F401 - only whether it imports matters
    fastapi_installed = True
except ImportError:
    fastapi_installed = False
print(json.dumps({
    "loaded": sorted(
        name for name in sys.modules if name.split(".")[0] in %(roots)r or name.startswith("aurum.monitoring")
    ),
    "fastapi_installed": fastapi_installed,
    "log": logs[-1],
    "spans": [span.name for span in spans.finished()],
    "count": metrics.registry.get_sample_value(
        "aurum_business_transactions_total",
        {"transaction": "scenario_create", "category": "scenario", "status": "success"},
    ),
}))
"""


def runtime_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return list(project["dependencies"])


def test_runtime_imports_in_a_clean_environment_without_build_tools(tmp_path: Path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-c", str(ROOT / "constraints.txt"), *runtime_requirements()],
        check=True,
        timeout=300,
    )  # fmt: skip
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Installed as a wheel would lay it out: aurum/ is a namespace package with the runtime's
    # subpackages only (the shim and the contract it shares with the build).
    for package in ("observability", "contract"):
        shutil.copytree(
            ROOT / "src" / "aurum" / package,
            site / "aurum" / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    result = subprocess.run(
        [str(python), "-I", "-c", CHECK % {"roots": FORBIDDEN_ROOTS}],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["fastapi_installed"] is False
    assert report["log"]["password"] == "[REDACTED]"
    assert report["log"]["trace_id"]
    assert report["spans"] == ["scenario.create"]
    assert report["count"] == 1.0
    assert sys.executable != str(python)


SUPPRESSION = re.compile(r"#\s*(?:type:\s*ignore|noqa)\b")
# The rule code(s), then the reason after a "-" (noqa style) or a second "#" (type-ignore style).
EXPLAINED = re.compile(r"#\s*(?:type:\s*ignore\[[^\]]+\]|noqa:\s*[A-Z0-9]+(?:,\s*[A-Z0-9]+)*)\s*(?:-|#)\s*\S")


def test_every_type_ignore_and_noqa_carries_its_reason():
    unexplained = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for directory in (ROOT / "src" / "aurum" / "observability", ROOT / "tests" / "runtime")
        for path in sorted(directory.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SUPPRESSION.search(line) and not EXPLAINED.search(line)
    ]
    assert unexplained == []


PUBLIC_MODULES = [
    "aurum.observability",
    "aurum.observability.api",
    "aurum.observability.enhanced_logging",
    "aurum.observability.metrics",
    "aurum.observability.middleware",
    "aurum.observability.multiprocess",
    "aurum.observability.runtime",
    "aurum.observability.slo_dashboard",
    "aurum.observability.testing",
    "aurum.observability.tracing_enhanced",
]


@pytest.mark.parametrize(
    "statement",
    [f"import {module}" for module in PUBLIC_MODULES]
    + ["from aurum.observability import Observability", "from aurum.observability import configure"],
)
def test_each_public_module_imports_first_in_a_fresh_interpreter(statement):
    """The entry points and the runtime import each other's subpackages; whichever an application
    imports first, no import cycle may leave a name undefined."""
    subprocess.run([sys.executable, "-c", statement], check=True, timeout=60)
