"""The build settings in effect while a build runs: what declarations receive and names resolve under.

The CLI reads the settings once (:meth:`BuildSettings.from_environment`); the pipeline runs the
declarations and the compilers inside :func:`building_with`, so a declaration asks
:func:`build_settings` for its targets and every catalog metric is named under the build's prefix.
Nothing here, nor anything it calls, reads the environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from aurum.contract.build_settings import DEFAULT_BUILD_SETTINGS, BuildSettings
from aurum.contract.prefix import using_prefix
from aurum.contract.project import DEFAULT_PROJECT, ProjectSettings, using_project
from aurum.monitoring.io.declarations import CombinedDeclarationError, DeclarationError

__all__ = ["blame_overrides", "build_settings", "building_with", "describe_settings"]

_current: ContextVar[BuildSettings] = ContextVar("aurum_build_settings", default=DEFAULT_BUILD_SETTINGS)


def build_settings() -> BuildSettings:
    """The settings of the build running this declaration (the defaults outside a build)."""
    return _current.get()


@contextmanager
def building_with(settings: BuildSettings, project: ProjectSettings = DEFAULT_PROJECT) -> Iterator[None]:
    """Run declarations and compilers with ``settings``: their targets, and names under their prefix;
    and every output named under the ``project``'s prefixes."""
    token = _current.set(settings)
    try:
        with using_prefix(settings.metrics_prefix), using_project(project):
            yield
    finally:
        _current.reset(token)


def describe_settings(settings: BuildSettings) -> str:
    """The line the build prints: which overrides it applied."""
    overrides = settings.overrides()
    if not overrides:
        return "build settings: the defaults (no AURUM_METRICS_PREFIX or AURUM_SLO_*_TARGET set)"
    return "build settings: " + ", ".join(f"{name}={value}" for name, value in overrides.items())


_Key = tuple[str, int | None, str, str, str]


def _lines(error: DeclarationError) -> list[DeclarationError]:
    return list(error.errors) if isinstance(error, CombinedDeclarationError) else [error]


def _keys(error: DeclarationError) -> set[_Key]:
    return {(e.file, e.line, e.obj, field, message) for e in _lines(error) for field, message in e.problems}


def blame_overrides(
    error: DeclarationError,
    settings: BuildSettings,
    attempt: Callable[[BuildSettings], DeclarationError | None],
) -> DeclarationError:
    """``error``, each problem naming the overrides without which it does not occur.

    ``attempt`` renders again with other settings and returns the declaration error it met, if any;
    an override is to blame for a problem when the same declarations rendered without that one
    override do not report it.
    """
    blamed: dict[_Key, list[str]] = {}
    for variable, value in settings.overrides().items():
        other = attempt(settings.without(variable))
        remaining = _keys(other) if other is not None else set()
        for key in _keys(error) - remaining:
            blamed.setdefault(key, []).append(f"{variable}={value}")
    if not blamed:
        return error
    annotated = []
    for line in _lines(error):
        problems = []
        for field, message in line.problems:
            culprits = blamed.get((line.file, line.line, line.obj, field, message))
            problems.append((field, f"{message} (from {', '.join(culprits)})" if culprits else message))
        annotated.append(DeclarationError(line.file, line.line, line.obj, tuple(problems)))
    return annotated[0] if len(annotated) == 1 else CombinedDeclarationError(annotated)
