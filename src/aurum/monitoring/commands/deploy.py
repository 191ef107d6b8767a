"""``aurum-obs deploy grafana|prometheus|vmalert|mimir``: plan, print the plan, then apply it (unless ``--dry-run``).

Exit status: 0 done (with ``--detailed-exitcode``: nothing to change), 1 anything failed or is in
conflict, or the deploy could not start, 2 (only with ``--detailed-exitcode``) changes planned or
applied. Everything deployed is marked with the owner id of the repository's ``[tool.aurum-obs]``
(``--root``, default ``.``), and only that owner's objects are planned, pruned or overwritten; another
owner's object of the same uid or name is a conflict ``--force`` does not override. Secrets are read
from the environment only (``GRAFANA_TOKEN``, ``MIMIR_TOKEN``), never from
flags, which would leave them in shell history and process listings.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from aurum.contract.project import ProjectSettings
from aurum.monitoring.deploy.dashboards import load_grafana
from aurum.monitoring.deploy.grafana_client import GrafanaClient
from aurum.monitoring.deploy.grafana_deploy import apply_grafana, read_grafana
from aurum.monitoring.deploy.grafana_plan import plan_grafana
from aurum.monitoring.deploy.limits import DEFAULT_MAX_RETRY_AFTER, DeployLimits
from aurum.monitoring.deploy.mimir import MimirClient, apply_mimir, desired_groups, plan_mimir
from aurum.monitoring.deploy.plan import Action, Outcome, Plan
from aurum.monitoring.deploy.prometheus import PrometheusClient, apply_to_directory, deploy_to_prometheus
from aurum.monitoring.deploy.report import (
    EXIT_ERROR,
    Progress,
    exit_status,
    plan_json,
    plan_table,
    progress_printer,
    summary,
)
from aurum.monitoring.deploy.rulefiles import managed_file, operator_manifest, plan_files, read_yaml_files
from aurum.monitoring.deploy.session import DeployError, HttpClient, RetryPolicy
from aurum.monitoring.deploy.vmalert import VmalertClient, deploy_to_vmalert
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.io.git import head_commit, uncommitted
from aurum.monitoring.io.project import PYPROJECT, load_project
from aurum.monitoring.validate.promtool import Promtool, PromtoolMissingError

__all__ = ["OWNER_LABEL", "add_deploy_parser", "run_deploy"]

OWNER_LABEL = "aurum-obs/owner"
"""The Kubernetes label of a PrometheusRule manifest naming the repository's owner id."""

Apply = Callable[[Progress], list[Outcome]]
DeployFiles = Callable[..., list[Outcome]]
"""``(plan, contents, bodies, directory, *, force)``: a reloading engine's deploy, its client bound."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--build", type=Path, default=Path("build"), help="the build output (default: ./build)"
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(),
        help="the repository whose pyproject.toml [tool.aurum-obs] names the owner (default: .)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    parser.add_argument("--json", action="store_true", help="print the plan (and results) as JSON")
    parser.add_argument("--verbose", action="store_true", help="list unchanged objects in the plan too")
    parser.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 0 for no changes, 2 for changes, 1 for errors"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite conflicting changes made by hand in the target"
    )
    parser.add_argument(
        "--prune", action="store_true", help="delete managed objects that are no longer declared"
    )
    parser.add_argument("--timeout", type=_positive, default=10.0, help="seconds per request (default: 10)")
    parser.add_argument(
        "--retries", type=_count, default=4, help="retries on errors, 429 and 5xx (default: 4)"
    )
    parser.add_argument(
        "--backoff", type=_seconds, default=0.5, help="backoff factor between retries, seconds (default: 0.5)"
    )
    parser.add_argument(
        "--max-retry-after",
        type=_seconds,
        default=DEFAULT_MAX_RETRY_AFTER,
        help=f"longest Retry-After honoured, seconds; longer ones wait this long (default: {DEFAULT_MAX_RETRY_AFTER:g})",
    )
    parser.add_argument(
        "--deadline",
        type=_seconds,
        default=None,
        help="seconds the whole deploy may take; it stops, reporting what was done, when they pass (default: none)",
    )


def _positive(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        msg = f"{text!r} is not a number of seconds above 0"
        raise argparse.ArgumentTypeError(msg)
    return value


def _count(text: str) -> int:
    if not text.isdigit():
        msg = f"{text!r} is not a whole number (0 or more)"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        msg = f"{text!r} is not a number of seconds (0 or more)"
        raise argparse.ArgumentTypeError(msg)
    return value


def _rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--promtool", default="promtool", help="promtool binary that validates the rules first"
    )


def add_deploy_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy = commands.add_parser(
        "deploy", help="deploy the build output to Grafana, Prometheus, vmalert or Mimir"
    )
    targets = deploy.add_subparsers(dest="target", required=True)
    grafana = targets.add_parser(
        "grafana", help="folders and dashboards over Grafana's HTTP API (token: GRAFANA_TOKEN)"
    )
    grafana.add_argument(
        "--url", default=os.environ.get("GRAFANA_URL"), help="Grafana's URL (default: $GRAFANA_URL)"
    )
    _common(grafana)
    prometheus = targets.add_parser(
        "prometheus", help="rule files into a directory Prometheus loads, then reload"
    )
    prometheus.add_argument(
        "--rules-dir", type=Path, required=True, help="the directory in Prometheus's rule_files"
    )
    prometheus.add_argument(
        "--url", default=os.environ.get("PROMETHEUS_URL"), help="Prometheus's URL, for /-/reload"
    )
    prometheus.add_argument(
        "--loaded-as",
        type=Path,
        default=None,
        help="--rules-dir as Prometheus sees it, when it runs where the directory is mounted elsewhere "
        "(default: --rules-dir, made absolute); the deploy checks each group is read from there",
    )
    prometheus.add_argument(
        "--format",
        choices=["rule-files", "prometheus-operator"],
        default="rule-files",
        help="prometheus-operator writes PrometheusRule manifests instead (no reload)",
    )
    prometheus.add_argument("--namespace", help="metadata.namespace of the PrometheusRule manifests")
    prometheus.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a label for the manifests (the ruleSelector)",
    )
    _rules(prometheus)
    _common(prometheus)
    vmalert = targets.add_parser(
        "vmalert", help="rule files into a directory vmalert's -rule glob matches, then reload"
    )
    vmalert.add_argument(
        "--rules-dir", type=Path, required=True, help="the directory vmalert's -rule flag names"
    )
    vmalert.add_argument(
        "--url",
        default=os.environ.get("VMALERT_URL"),
        help="vmalert's URL, for /-/reload (default: $VMALERT_URL)",
    )
    _rules(vmalert)
    _common(vmalert)
    mimir = targets.add_parser(
        "mimir", help="rule groups into a Mimir/Cortex ruler (token, if any: MIMIR_TOKEN)"
    )
    mimir.add_argument(
        "--url", default=os.environ.get("MIMIR_URL"), help="the ruler's URL (default: $MIMIR_URL)"
    )
    mimir.add_argument(
        "--tenant", default=os.environ.get("MIMIR_TENANT"), help="X-Scope-OrgID (default: $MIMIR_TENANT)"
    )
    mimir.add_argument(
        "--namespace-prefix",
        default=None,
        help="namespaces this repository owns (default: ruler-namespace-prefix of [tool.aurum-obs])",
    )
    _rules(mimir)
    _common(mimir)


def _finish(args: argparse.Namespace, plan: Plan, apply: Apply) -> int:
    detailed, force = args.detailed_exitcode, args.force
    table = plan_table(plan, verbose=args.verbose, force=force)
    if args.dry_run or not any(item.applies(force) or item.action is Action.CONFLICT for item in plan.items):
        print(plan_json(plan) if args.json else table)
        return exit_status(plan, None, detailed=detailed, force=force)
    if not args.json:
        print(table, end="\n\n", flush=True)
    outcomes = apply(progress_printer(sys.stderr))
    notes = args.limits.notes
    print(plan_json(plan, outcomes, notes) if args.json else summary(plan, outcomes, notes))
    return exit_status(plan, outcomes, detailed=detailed, force=force)


def _policy(args: argparse.Namespace) -> RetryPolicy:
    return RetryPolicy(retries=args.retries, backoff=args.backoff, timeout=args.timeout, limits=args.limits)


def _grafana(args: argparse.Namespace) -> int:
    token = os.environ.get("GRAFANA_TOKEN")
    if not args.url or not token:
        raise DeployError("set --url (or GRAFANA_URL) and GRAFANA_TOKEN (a Grafana service account token)")
    declared = load_grafana(args.build)
    owner = _project(args).owner
    commit = head_commit(Path.cwd())
    client = GrafanaClient(HttpClient(args.url, token=token, policy=_policy(args)))
    try:
        version = client.preflight()
        print(f"Grafana {version} at {args.url}; deploying commit {commit}", file=sys.stderr)
        state = read_grafana(client, declared, prune=args.prune, commit=commit, owner=owner)
        plan = plan_grafana(declared, state, prune=args.prune)
        return _finish(
            args,
            plan,
            lambda progress: apply_grafana(
                plan, declared, client, commit=commit, force=args.force, progress=progress, owner=owner
            ),
        )
    finally:
        client.http.close()


def _validated_rules(args: argparse.Namespace) -> dict[str, bytes]:
    """The build's rule files, after promtool accepted them: a bad rule must never reach the target."""
    source = args.build / "prometheus" / "rules"
    files = read_yaml_files(source)
    if not files:
        raise DeployError(f"no rule files under {source}: run the build first (aurum-obs build)")
    try:
        checked = Promtool.find(args.promtool).check_rules([source / name for name in files])
    except PromtoolMissingError as error:
        raise DeployError(str(error)) from None
    if not checked.ok:
        raise DeployError(f"promtool rejected the rules, nothing was deployed:\n{checked.output}")
    return files


def _prometheus(args: argparse.Namespace) -> int:
    owner = _project(args).owner
    files = _validated_rules(args)
    commit = head_commit(Path.cwd())
    directory: Path = args.rules_dir
    if args.format == "prometheus-operator":
        # The owner goes on every manifest too, for kubectl and GitOps tools that select by label.
        labels = {OWNER_LABEL: owner, **dict(label.split("=", 1) for label in args.label if "=" in label)}
        bodies = {name: operator_manifest(name, body, args.namespace, labels) for name, body in files.items()}
        plan = plan_files(
            f"PrometheusRule manifests in {directory}",
            bodies,
            read_yaml_files(directory),
            str(directory),
            prune=args.prune,
            owner=owner,
        )
        contents = {name: managed_file(body, commit, owner) for name, body in bodies.items()}

        def write(progress: Progress) -> list[Outcome]:
            apply_to_directory(plan, contents, directory, force=args.force)
            written = [Outcome(i, True) for i in plan.items if i.applies(args.force)]
            refused = [Outcome(i, False, f"left untouched: {i.reason}") for i in plan.conflicts(args.force)]
            return _report(written + refused, progress)

        return _finish(args, plan, write)
    if not args.url:
        raise DeployError("set --url (or PROMETHEUS_URL): Prometheus is reloaded after the files are written")
    client = PrometheusClient(HttpClient(args.url, policy=_policy(args)))
    client.preflight()
    deploy = partial(deploy_to_prometheus, client=client, loaded_as=args.loaded_as)
    return _reloaded(args, files, commit, "Prometheus", deploy)


def _vmalert(args: argparse.Namespace) -> int:
    files = _validated_rules(args)
    if not args.url:
        raise DeployError("set --url (or VMALERT_URL): vmalert is reloaded after the files are written")
    client = VmalertClient(HttpClient(args.url, policy=_policy(args)))
    client.preflight()
    return _reloaded(
        args, files, head_commit(Path.cwd()), "vmalert", partial(deploy_to_vmalert, client=client)
    )


def _reloaded(
    args: argparse.Namespace, files: dict[str, bytes], commit: str, engine: str, deploy_files: DeployFiles
) -> int:
    """Plan the rule files of a directory an engine reads, then write, reload and confirm them."""
    directory: Path = args.rules_dir
    owner = _project(args).owner
    plan = plan_files(
        f"{engine} rule files in {directory}",
        files,
        read_yaml_files(directory),
        str(directory),
        prune=args.prune,
        owner=owner,
    )
    contents = {name: managed_file(body, commit, owner) for name, body in files.items()}

    def deploy(progress: Progress) -> list[Outcome]:
        return _report(deploy_files(plan, contents, files, directory, force=args.force), progress)

    return _finish(args, plan, deploy)


def _report(outcomes: list[Outcome], progress: Progress) -> list[Outcome]:
    """Progress for a deploy that happens all at once (files, then one reload)."""
    for index, outcome in enumerate(outcomes, start=1):
        progress(index, len(outcomes), outcome.item, outcome)
    return outcomes


def _mimir(args: argparse.Namespace) -> int:
    if not args.url or not args.tenant:
        raise DeployError("set --url (or MIMIR_URL) and --tenant (or MIMIR_TENANT)")
    prefix = args.namespace_prefix or _project(args).ruler_namespace_prefix
    files = _validated_rules(args)
    headers = {"X-Scope-OrgID": args.tenant}
    client = MimirClient(
        HttpClient(args.url, token=os.environ.get("MIMIR_TOKEN"), headers=headers, policy=_policy(args))
    )
    wanted = desired_groups(files, prefix)
    plan = plan_mimir(wanted, client.groups(), prefix, prune=args.prune)
    return _finish(
        args, plan, lambda progress: apply_mimir(plan, wanted, client, force=args.force, progress=progress)
    )


def _project(args: argparse.Namespace) -> ProjectSettings:
    """The deploying repository's project settings; a bad table stops the deploy before it starts."""
    try:
        return load_project(args.root).settings
    except DeclarationError as error:
        raise DeployError(f"{args.root / PYPROJECT}: {error}") from None


def _warn_if_dirty(root: Path) -> None:
    """What is deployed is the build of the working tree: say so when that is not what is committed."""
    changed = uncommitted(root)
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        print(
            f"warning: the working tree has uncommitted changes ({shown}): the build deployed may hold "
            "what no commit does, and the deploy is recorded as a -dirty commit",
            file=sys.stderr,
        )


def run_deploy(args: argparse.Namespace) -> int:
    run = {"grafana": _grafana, "prometheus": _prometheus, "vmalert": _vmalert, "mimir": _mimir}[args.target]
    _warn_if_dirty(Path.cwd())
    # One set of limits for the whole deploy: its deadline runs from here.
    args.limits = DeployLimits(max_retry_after=args.max_retry_after, deadline=args.deadline)
    try:
        return run(args)
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        for note in args.limits.notes:
            if note not in str(error):
                print(f"note: {note}", file=sys.stderr)
        return EXIT_ERROR
