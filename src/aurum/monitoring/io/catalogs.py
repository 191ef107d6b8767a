"""Loading a repository's metric catalogs (``catalog/*.py``), importable by its declarations.

Each file declares ``Metric`` objects (and ``TargetLabels``) at module level, alone or in lists.
While a build runs, the files are the package ``catalog``: ``slos/billing.py`` writes
``from catalog.billing import CHARGES_TOTAL``, and a catalog file may import a sibling or a helper
(``catalog/_labels.py``). The package exists only inside :func:`repository_catalogs`, so two builds
of two repositories in one process each see their own, and nothing stays importable afterwards.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from aurum.contract.catalogs import (
    BUILTIN_CATALOGS,
    Catalog,
    CatalogConflictError,
    Catalogs,
    Declaration,
    TargetLabels,
)
from aurum.contract.conventions import CATALOG_DIRECTORY
from aurum.contract.metrics import Metric
from aurum.monitoring.io.declarations import DeclarationError, collect, raise_all, run_file
from aurum.monitoring.io.sources import declaration_files, shown_path

__all__ = ["load_catalogs", "repository_catalogs"]

_PACKAGE = CATALOG_DIRECTORY


class _CatalogPackage(importlib.abc.MetaPathFinder):
    """Finds the package ``catalog`` in one repository; its modules are found on its ``__path__``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _PACKAGE:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
        spec.submodule_search_locations = [str(self.directory)]
        return spec


def _ours(name: str) -> bool:
    return name == _PACKAGE or name.startswith(f"{_PACKAGE}.")


@contextmanager
def _importable(directory: Path) -> Iterator[None]:
    saved = {name: module for name, module in sys.modules.items() if _ours(name)}
    for name in saved:
        del sys.modules[name]
    finder = _CatalogPackage(directory)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if _ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def _load_file(path: Path, root: Path) -> tuple[Catalog, tuple[DeclarationError, ...]]:
    shown = shown_path(path, root)
    module_name = f"{_PACKAGE}.{path.stem}"
    # A sibling may have imported it already; it runs again, and its equal metrics are the same ones.
    sys.modules.pop(module_name, None)
    ran = run_file(path, shown, _PACKAGE, module_name=module_name)
    module = ran.module
    metrics = collect(ran, shown, Metric)
    targets = collect(ran, shown, TargetLabels)
    # A metric in a list only is keyed by its name, so Jsonnet can still reach it.
    declarations = tuple(
        Declaration(
            d.obj,
            d.variable if vars(module).get(d.variable) is d.obj else d.obj.base_name.upper(),
            f"{d.file}:{d.line}",
        )
        for d in metrics
    )
    catalog = Catalog(shown, declarations, tuple((d.obj, f"{d.file}:{d.line}") for d in targets))
    return catalog, ran.errors


def _conflict(error: CatalogConflictError) -> DeclarationError:
    file, _, line = error.second.place.rpartition(":")
    return DeclarationError(
        file or error.second.place,
        int(line) if line.isdigit() else None,
        f"Metric {error.name!r}",
        ((error.field, str(error)),),
    )


def load_catalogs(root: Path) -> Catalogs:
    """The built-in catalogs and every ``root/catalog/*.py``; call inside :func:`repository_catalogs`.

    Raises DeclarationError for a file that fails, or for one metric name declared with two shapes.
    """
    files: list[Catalog] = []
    errors: list[DeclarationError] = []
    for path in declaration_files(root / CATALOG_DIRECTORY, ".py", root):
        try:
            catalog, failed = _load_file(path, root)
        except DeclarationError as error:  # a file that cannot be read or parsed
            errors.append(error)
            continue
        files.append(catalog)
        errors += failed
    raise_all(errors)
    try:
        return BUILTIN_CATALOGS.including(files)
    except CatalogConflictError as error:
        raise _conflict(error) from None


@contextmanager
def repository_catalogs(root: Path) -> Iterator[Catalogs]:
    """The repository's catalogs, with ``catalog.<file>`` importable for the block's duration."""
    with _importable(root / CATALOG_DIRECTORY):
        yield load_catalogs(root)
