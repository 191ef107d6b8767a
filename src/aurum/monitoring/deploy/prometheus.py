"""Deploying rule files to a Prometheus: write atomically, reload, confirm, and roll back on failure.

Each file is written to a hidden temporary file in the same directory and renamed over the old one,
so Prometheus never reads half a file (its ``rule_files`` glob, ``*.yaml``, does not match the
temporary name). The files of one deploy change together between two reloads: Prometheus reads them
only on ``POST /-/reload`` (https://prometheus.io/docs/prometheus/latest/management_api/#reload),
which needs ``--web.enable-lifecycle``. After the reload, ``GET /api/v1/rules`` must show every
declared group read from the deployed file (its absolute path, as Prometheus sees the directory:
``--loaded-as``) with exactly the declared rules (:mod:`~aurum.monitoring.deploy.prometheus_rules`).
If the reload fails or a group is not so, the previous files are put back and Prometheus is reloaded
again, so what runs and what is on disk agree.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from pathlib import Path

from aurum.monitoring.deploy.limits import DeployLimits
from aurum.monitoring.deploy.plan import Action, Outcome, Plan
from aurum.monitoring.deploy.prometheus_rules import LoadedRules, declared_rules, differences, loaded_rules
from aurum.monitoring.deploy.session import DeployError, HttpClient, error_message

__all__ = [
    "PrometheusClient",
    "apply_to_directory",
    "deploy_to_prometheus",
    "deploy_with_reload",
]

CONFIRM_WITHIN = 10.0


class PrometheusClient:
    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self._printed: dict[str, str | None] = {}

    def printed(self, query: str) -> str | None:
        """``query`` as this Prometheus prints it (``/api/v1/format_query``, Prometheus 2.38+), or None
        when it cannot say (older, or the query does not parse there)."""
        if query not in self._printed:
            response = self.http.request("GET", "/api/v1/format_query", params={"query": query})
            text = response.json().get("data") if response.status_code == 200 else None
            self._printed[query] = text if isinstance(text, str) else None
        return self._printed[query]

    def same_query(self, declared: str, loaded: str) -> bool:
        """Whether Prometheus runs ``declared`` as ``loaded``: equal, or equal once it prints both."""
        if declared == loaded:
            return True
        printed = self.printed(declared)
        return printed is not None and printed == self.printed(loaded)

    def preflight(self) -> None:
        try:
            response = self.http.request("GET", "/-/ready")
        except DeployError as error:
            raise DeployError(f"Prometheus is unreachable: {error}") from None
        if response.status_code != 200:
            raise DeployError(f"Prometheus at {self.http.base_url} is not ready ({response.status_code})")

    def reload(self) -> str | None:
        """None when Prometheus reloaded, else why not."""
        response = self.http.request("POST", "/-/reload")
        if response.status_code == 200:
            return None
        hint = {
            403: " (start Prometheus with --web.enable-lifecycle)",
            500: " (Prometheus's log names the file and rule it could not load)",
        }.get(response.status_code, "")
        return f"reload answered {response.status_code}: {error_message(response)}{hint}"

    def loaded(self) -> LoadedRules:
        """Every group Prometheus evaluates, by the file it read it from, with its rules."""
        response = self.http.request("GET", "/api/v1/rules")
        if response.status_code != 200:
            raise DeployError(f"GET /api/v1/rules answered {response.status_code}: {error_message(response)}")
        try:
            return loaded_rules(response.json()["data"]["groups"] or [])
        except (ValueError, KeyError, TypeError) as error:
            msg = f"GET /api/v1/rules answered something other than Prometheus's rules: {error!r}"
            raise DeployError(msg) from None


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.aurum-obs.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def apply_to_directory(
    plan: Plan, contents: Mapping[str, bytes], directory: Path, *, force: bool
) -> dict[str, bytes | None]:
    """Write and delete what the plan says; returns each touched file's previous bytes (None: it was new)."""
    directory.mkdir(parents=True, exist_ok=True)
    previous: dict[str, bytes | None] = {}
    for item in plan.items:
        if not item.applies(force):
            continue
        path = directory / item.name
        previous[item.name] = path.read_bytes() if path.exists() else None
        if item.name in contents:
            _write_atomically(path, contents[item.name])
        else:
            path.unlink(missing_ok=True)
    return previous


def _restore(directory: Path, previous: Mapping[str, bytes | None]) -> None:
    for name, data in previous.items():
        if data is None:
            (directory / name).unlink(missing_ok=True)
        else:
            _write_atomically(directory / name, data)


def _same_host(loaded: LoadedRules) -> LoadedRules:
    """Paths as this machine resolves them (symlinks, ``..``): Prometheus reports its glob's spelling."""
    return {
        (str(Path(file).resolve()) if Path(file).is_absolute() else file, group): rules
        for (file, group), rules in loaded.items()
    }


def _confirm(
    client: PrometheusClient, declared: LoadedRules, loaded_as: Path, gone: set[str], *, local: bool
) -> str | None:
    """None once Prometheus evaluates exactly the declared groups from the deployed files, else how not."""
    limits = client.http.policy.limits
    deadline = time.monotonic() + CONFIRM_WITHIN
    removed = {str(loaded_as / name) for name in gone}
    while True:
        loaded = client.loaded()
        problems = differences(declared, _same_host(loaded) if local else loaded, removed, client.same_query)
        if not problems:
            return None
        if time.monotonic() > deadline:
            return problems.explain(loaded_as)
        limits.wait(0.2, "check what Prometheus loaded")


def deploy_with_reload(
    plan: Plan,
    contents: Mapping[str, bytes],
    directory: Path,
    reload: Callable[[], str | None],
    confirm: Callable[[set[str]], str | None],
    *,
    force: bool,
    limits: DeployLimits | None = None,
) -> list[Outcome]:
    """Apply the plan, ``reload``, ``confirm`` (given the files removed); on failure restore, reload
    again, and report every item failed. Shared by every engine that reads rule files from a directory.
    The rollback's reload runs even past the deploy's deadline (``limits``): what runs and what is on
    disk must agree."""
    applied = [item for item in plan.items if item.applies(force)]
    refused = [
        Outcome(i, False, f"left untouched: {i.reason}")
        for i in plan.items
        if i.action is Action.CONFLICT and not i.applies(force)
    ]
    if not applied:
        return refused
    previous = apply_to_directory(plan, contents, directory, force=force)
    gone = {name for name in previous if name not in contents}
    try:
        problem = reload() or confirm(gone)
    except DeployError as error:  # the engine went away mid-deploy: the files must still go back
        problem = str(error)
    if problem is None:
        return [Outcome(item, True) for item in applied] + refused
    _restore(directory, previous)
    try:
        with limits.overtime() if limits is not None else nullcontext():
            again = reload()
    except DeployError as error:
        again = str(error)
    rollback = (
        "rolled back: the previous files are restored and loaded"
        if again is None
        else f"rolled back the files, but the reload after it failed too: {again}"
    )
    return [Outcome(item, False, f"{problem}; {rollback}") for item in applied] + refused


def deploy_to_prometheus(
    plan: Plan,
    contents: Mapping[str, bytes],
    bodies: Mapping[str, bytes],
    directory: Path,
    client: PrometheusClient,
    *,
    force: bool,
    loaded_as: Path | None = None,
) -> list[Outcome]:
    """Apply the plan, reload, confirm; on failure restore, reload again, and report every item failed.

    ``loaded_as`` is ``directory`` as Prometheus sees it (another path when it runs in a container
    with the directory mounted elsewhere); by default ``directory`` itself, made absolute.
    """
    seen_as = loaded_as if loaded_as is not None else directory.resolve()
    declared = declared_rules(bodies, seen_as)
    return deploy_with_reload(
        plan,
        contents,
        directory,
        client.reload,
        lambda gone: _confirm(client, declared, seen_as, gone, local=loaded_as is None),
        force=force,
        limits=client.http.policy.limits,
    )
