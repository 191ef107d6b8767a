"""``aurum-obs catalog import`` against a real Prometheus on loopback scraping the demo application
and a real prometheus-node-exporter (the distribution's package), both with a relabelled ``cluster``.

The imported node catalog is built, with its generated promtool tests, in an SLO of its own; the
import from Prometheus and the one from the exporter's saved page agree on every metric.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aurum.monitoring.cli import main
from aurum.monitoring.io.catalogs import repository_catalogs
from aurum.monitoring.pipeline import build
from aurum.monitoring.validate.promtool import Promtool
from examples.demo_app.traffic import Traffic
from examples.demo_stack.configs import JOB as APP_JOB
from examples.demo_stack.processes import free_port, running, wait_until
from examples.demo_stack.prometheus_api import PrometheusAPI
from examples.demo_stack.stack import METRICS_PATH, _app_env

REPO = Path(__file__).resolve().parents[2]
NODE_JOB = "node"


@dataclass(frozen=True)
class Live:
    prometheus: str
    node_exporter: str


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: make system-deps installs it")
    return found


def _config(app: str, node: str) -> dict[str, object]:
    def job(name: str, target: str, path: str) -> dict[str, object]:
        return {
            "job_name": name,
            "metrics_path": path,
            "static_configs": [{"targets": [target], "labels": {"cluster": "eu-1"}}],
        }

    return {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
        "scrape_configs": [job(APP_JOB, app, METRICS_PATH), job(NODE_JOB, node, "/metrics")],
    }


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    work = tmp_path_factory.mktemp("catalog-import")
    app_port, node_port, prom_port = free_port(), free_port(), free_port()
    app_url, node_url, prom_url = (f"http://127.0.0.1:{port}" for port in (app_port, node_port, prom_port))
    manifest = REPO / "tests" / "golden" / "slos.json"
    with (
        running(
            "node exporter",
            [_binary("prometheus-node-exporter"), f"--web.listen-address=127.0.0.1:{node_port}"],
            url=node_url,
            ready_path="/metrics",
            log=work / "node.log",
        ),
        running(
            "demo app",
            [sys.executable, "-m", "examples.demo_app", "--port", str(app_port)],
            url=app_url,
            ready_path="/v1/observability/health",
            log=work / "app.log",
            env=_app_env(prom_url, secrets.token_urlsafe(8), manifest),
        ),
        Traffic(app_url, 20.0),
    ):
        config = work / "prometheus.yml"
        config.write_text(json.dumps(_config(f"127.0.0.1:{app_port}", f"127.0.0.1:{node_port}")))
        with running(
            "prometheus",
            [
                _binary("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={work / 'data'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
            ],
            url=prom_url,
            ready_path="/-/ready",
            log=work / "prometheus.log",
        ):
            api = PrometheusAPI(prom_url)

            def scraped() -> bool:
                # Both targets up, and the app's request counter has series (traffic reached it).
                up = api.query("up")
                requests = api.query("aurum_http_requests_total")
                return len(up) == 2 and all(s["value"][1] == "1" for s in up) and bool(requests)

            wait_until(scraped, 60, "both targets to be scraped")
            yield Live(prom_url, node_url)


def _import(*args: str) -> int:
    return main(["catalog", "import", *args])


def test_a_jobs_metrics_come_with_their_types_labels_and_target_labels(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "catalog" / "node.py"
    assert _import("--prometheus", live.prometheus, "--job", NODE_JOB, "--out", str(out)) == 0
    text = out.read_text()
    assert (
        'TARGET_LABELS_1 = TargetLabels(labels=(Label("cluster", "", examples=("eu-1",)),), jobs=("node",))'
        in text
    )
    assert (
        "NODE_CPU_SECONDS_TOTAL = Metric(\n"
        '    base_name="node_cpu_seconds_total",\n'
        "    type=MetricType.COUNTER,\n"
        '    help="Seconds the CPUs spent in each mode.",\n'
    ) in text
    with repository_catalogs(tmp_path) as catalogs:
        cpu = catalogs.lookup("node_cpu_seconds_total")
        assert cpu is not None
        assert cpu.label_names == ("cpu", "mode")  # job, instance and cluster are target labels
        assert "idle" in cpu.label("mode").examples
        assert cpu.jobs == (NODE_JOB,)
        assert "cluster" in catalogs.label_names(cpu)
        assert catalogs.lookup("aurum_http_requests_total") is not None  # built-in, not imported again
    assert "# - up: declared by the built-in catalogs already" in text
    assert "# - scrape_duration_seconds: declared by the built-in catalogs already" in text


def test_the_demo_apps_own_metrics_are_the_built_in_ones(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "catalog" / "app.py"
    assert _import("--prometheus", live.prometheus, "--job", APP_JOB, "--out", str(out)) == 0
    text = out.read_text()
    assert "# - aurum_http_requests_total: declared by the built-in catalogs already" in text
    assert "# - aurum_http_request_duration_seconds: declared by the built-in catalogs already" in text
    assert "AURUM_HTTP_REQUESTS_TOTAL = Metric(" not in text
    # OpenMetrics' metadata names a counter without _total; the series Prometheus stores has it.
    assert 'base_name="process_cpu_seconds_total",\n    type=MetricType.COUNTER,' in text
    assert "node_" not in text


def test_a_name_filter_keeps_only_matching_metrics(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "catalog" / "cpu.py"
    assert _import("--prometheus", live.prometheus, "--metric", "node_cpu_.*", "--out", str(out)) == 0
    names = [line.split('"')[1] for line in out.read_text().splitlines() if line.startswith("    base_name=")]
    assert "node_cpu_seconds_total" in names
    assert all(name.startswith("node_cpu_") for name in names)
    exact = tmp_path / "catalog" / "one.py"
    assert (
        _import("--prometheus", live.prometheus, "--metric", "node_cpu_seconds_total", "--out", str(exact))
        == 0
    )
    assert exact.read_text().count("= Metric(") == 1


def test_the_exporters_saved_page_imports_the_same_metrics(live: Live, tmp_path: Path) -> None:
    page = tmp_path / "node.prom"
    with urllib.request.urlopen(f"{live.node_exporter}/metrics", timeout=10) as response:
        page.write_bytes(response.read())
    from_page, from_prometheus = (
        tmp_path / "a" / "catalog" / "node.py",
        tmp_path / "b" / "catalog" / "node.py",
    )
    assert _import("--exposition", str(page), "--job", NODE_JOB, "--out", str(from_page)) == 0
    assert _import("--prometheus", live.prometheus, "--job", NODE_JOB, "--out", str(from_prometheus)) == 0
    with repository_catalogs(from_page.parents[1]) as page_catalogs:
        page_metrics = {m.name: (m.type, m.label_names) for m in page_catalogs.metrics}
    with repository_catalogs(from_prometheus.parents[1]) as prometheus_catalogs:
        scraped = {m.name: (m.type, m.label_names) for m in prometheus_catalogs.metrics}
    assert page_metrics == scraped
    assert len(page_metrics) > 100


def test_an_imported_node_catalog_builds_an_slo_whose_generated_tests_pass(
    live: Live, tmp_path: Path, promtool: Promtool
) -> None:
    root = tmp_path / "repo"
    assert (
        _import(
            "--prometheus", live.prometheus, "--job", NODE_JOB, "--out", str(root / "catalog" / "node.py")
        )
        == 0
    )
    (root / "slos").mkdir()
    (root / "slos" / "node.py").write_text(
        "from aurum.monitoring import SLO, RatioSLI, select\n"
        "from catalog.node import NODE_CPU_SECONDS_TOTAL\n"
        "\n"
        "NODE_CPU_IDLE = SLO(\n"
        '    name="node-cpu-busy",\n'
        '    service="hosts",\n'
        '    description="Share of CPU time not spent waiting for I/O.",\n'
        "    objective=99,\n"
        '    sli=RatioSLI(bad=select(NODE_CPU_SECONDS_TOTAL, mode="iowait"), total=select(NODE_CPU_SECONDS_TOTAL)),\n'
        ")\n"
    )
    artifacts = build(root, root / "build", promtool, log=lambda _: None, jobs=1)
    assert artifacts.slos == 1
    assert any(path.name == "node-cpu-busy.test.yaml" for path in artifacts.files)


def test_an_unreachable_prometheus_is_exit_1_with_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "catalog" / "node.py"
    assert _import("--prometheus", f"http://127.0.0.1:{free_port()}", "--out", str(out)) == 1
    assert "error: http://127.0.0.1:" in capsys.readouterr().err
    assert not out.exists()
