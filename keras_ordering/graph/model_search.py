"""The directory search of `keras-ordering lint DIR`: model files in sorted
order, without hidden directories, excluded globs, Keras weights files and
what `.gitignore` files exclude (matched by `pathspec`, linear in the path:
no pattern can make the search backtrack). No keras import.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .model_files import MODEL_SUFFIXES

# Directories a search skips unless --exclude replaces this list (ruff's).
DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)
# Keras weights files (`model.save_weights`, `zipped=False` model folders):
# no model config inside.
WEIGHTS_SUFFIXES = (".weights.h5", ".weights.json")


def search_model_files(
    path: str | os.PathLike,
    *,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    respect_gitignore: bool = True,
) -> tuple[list[Path], list[tuple[Path, str]], list[tuple[Path, str]]]:
    """Searches a directory for model files, recursively, in sorted order.

    Skips hidden directories, files and directories whose name or path
    matches a glob of `exclude`, Keras weights files (`*.weights.h5`), and,
    when `respect_gitignore`, what `.gitignore` files in the searched tree
    exclude (see `_GitIgnore` for the patterns understood).

    Returns:
        `(files, skipped, errors)`: the model files; `(path, why)` for each
        file or directory skipped; `(path, problem)` for each directory that
        could not be read.
    """
    root = Path(path)
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    errors: list[tuple[Path, str]] = []

    def unreadable(error: OSError) -> None:
        errors.append(
            (
                Path(error.filename or root),
                f"cannot read the directory ({error.strerror or error})",
            )
        )

    ignores: dict[Path, _GitIgnore] = {}
    for directory, subdirectories, names in os.walk(root, onerror=unreadable):
        here = Path(directory)
        ignore = ignores.pop(here, None) or _GitIgnore.empty()
        if respect_gitignore and (here / ".gitignore").is_file():
            ignore = ignore.extended(here)
        kept = []
        for name in sorted(subdirectories):
            why = _skip_reason(here / name, root, exclude, ignore, is_dir=True)
            if why:
                skipped.append((here / name, why))
            else:
                kept.append(name)
                ignores[here / name] = ignore
        subdirectories[:] = kept
        for name in sorted(names):
            candidate = here / name
            if candidate.suffix.lower() not in MODEL_SUFFIXES:
                continue
            why = _skip_reason(candidate, root, exclude, ignore, is_dir=False)
            if why:
                skipped.append((candidate, why))
            else:
                files.append(candidate)
    return files, skipped, errors


def _skip_reason(
    path: Path, root: Path, exclude: Sequence[str], ignore: _GitIgnore, is_dir: bool
) -> str | None:
    relative = path.relative_to(root).as_posix()
    if is_dir and path.name.startswith("."):
        return "hidden directory"
    for pattern in exclude:
        if fnmatch.fnmatch(path.name, pattern) or fnmatch.fnmatch(relative, pattern):
            return f"excluded by {pattern!r}"
    if not is_dir and path.name.lower().endswith(WEIGHTS_SUFFIXES):
        return "a Keras weights file, not a model"
    ignored_by = ignore.match(path, is_dir)
    if ignored_by:
        return f"ignored by .gitignore pattern {ignored_by!r}"
    return None


class _GitIgnore:
    """The .gitignore files of the directories searched so far, matched as git
    does by `pathspec` (a maintained gitignore matcher, linear in the path):
    each file applies to paths under its directory, a deeper file's match
    wins over a shallower one, and within a file the last matching pattern
    wins (`!` re-includes). Ignored directories are not entered, so a
    negation never re-includes a file inside one (as in git).
    """

    def __init__(self, specs: tuple[tuple[Path, Any], ...]):
        self.specs = specs

    @classmethod
    def empty(cls) -> _GitIgnore:
        return cls(())

    def extended(self, directory: Path) -> _GitIgnore:
        try:
            text = (directory / ".gitignore").read_text(errors="replace")
        except OSError:
            return self
        import pathspec

        try:
            spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
        except (ValueError, TypeError):  # A pattern pathspec cannot read.
            return self
        return _GitIgnore((*self.specs, (directory, spec)))

    def match(self, path: Path, is_dir: bool) -> str | None:
        """The pattern that ignores `path`, or None."""
        for base, spec in reversed(self.specs):  # The nearest file first.
            relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            result = spec.check_file(relative)
            if result.include is not None:
                if not result.include:
                    return None
                return str(spec.patterns[result.index].pattern)
        return None
