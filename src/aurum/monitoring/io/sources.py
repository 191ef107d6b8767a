"""Finding and reading declaration files, with a DeclarationError for every way a file can be unreadable.

A declaration folder is user input like the files in it: a symlink that leads nowhere or to itself,
a name that is a folder, or bytes that are not text in the declared encoding are refused with the
path named, rather than escaping as an ``OSError`` or ``UnicodeDecodeError`` traceback (or, for a
dangling link, being skipped so that a declaration silently disappears from the build).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from aurum.monitoring.io.errors import DeclarationError

__all__ = ["declaration_files", "python_source", "require_utf8", "shown_path"]


def shown_path(path: Path, root: Path) -> str:
    """``path`` as errors name it: relative to the repository root when it is under it."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _unreadable(shown: str, message: str) -> DeclarationError:
    return DeclarationError(shown, None, "file", (("(file)", message),))


def _why_unusable(path: Path) -> str | None:
    """Why ``path`` (a directory entry) cannot be read as a declaration file, if it cannot."""
    try:
        path.resolve(strict=True)
    except FileNotFoundError:
        return f"a symbolic link to {path.readlink()}, which does not exist"
    except (RuntimeError, OSError) as error:  # RuntimeError: Python's own loop detection
        if path.is_symlink():
            return "a symbolic link that loops back on itself"
        return f"cannot be read: {error}"
    if not path.is_file():
        return "not a regular file"
    return None


def declaration_files(directory: Path, suffix: str, root: Path) -> list[Path]:
    """The ``*<suffix>`` declarations of ``directory``, sorted; files starting with ``_`` are helpers
    and those starting with ``.`` hidden, neither is a declaration.

    A missing folder declares nothing; a folder that is a broken symbolic link or a loop is a
    DeclarationError naming it, and so is reading a file of it that is one, or not a regular file.
    """
    if directory.is_symlink() or directory.exists():
        problem = _why_unusable(directory)
        if problem is not None and problem != "not a regular file":
            raise _unreadable(shown_path(directory, root), problem)
    if not directory.is_dir():
        return []
    # Each file is checked when it is read, so that every unusable one is reported with the rest.
    # Hidden files are an editor's (Emacs' .#name lock links dangle on purpose), not declarations.
    return sorted(p for p in directory.iterdir() if p.name.endswith(suffix) and p.name[0] not in "_.")


def _read(path: Path, shown: str) -> bytes:
    problem = _why_unusable(path)
    if problem is not None:
        raise _unreadable(shown, problem)
    try:
        return path.read_bytes()
    except OSError as error:
        raise _unreadable(shown, f"cannot be read: {error.strerror or error}") from None


def _bad_byte(error: UnicodeDecodeError) -> str:
    return f"byte {error.object[error.start : error.start + 1]!r} at offset {error.start} is not valid {error.encoding}"


def require_utf8(path: Path, shown: str) -> None:
    """Refuse a Jsonnet file that is not UTF-8, which the evaluator would read with replacement
    characters where the bytes were: a silently different string, not an error."""
    try:
        _read(path, shown).decode("utf-8")
    except UnicodeDecodeError as error:
        raise _unreadable(shown, f"not UTF-8 ({_bad_byte(error)}); Jsonnet files are UTF-8") from None


def python_source(path: Path, shown: str) -> str:
    """The text of a Python declaration, decoded as Python does: UTF-8 unless a PEP 263 coding line
    (``# -*- coding: latin-1 -*-``) declares another encoding."""
    data = _read(path, shown)
    try:
        return importlib.util.decode_source(data)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        # SyntaxError: a coding line naming an unknown encoding; LookupError likewise, by Python version
        detail = _bad_byte(error) if isinstance(error, UnicodeDecodeError) else str(error)
        raise _unreadable(
            shown,
            f"not readable as Python source ({detail}); save it as UTF-8, or declare its encoding "
            "with a coding line such as '# -*- coding: latin-1 -*-'",
        ) from None
