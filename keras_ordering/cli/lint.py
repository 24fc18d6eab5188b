"""`lint PATH...`: the files to read, the lint of each, and the exit code.

A file that cannot be linted never hides the others; it is reported as the
diagnostic `KO001 file-not-linted` in every output format, as ruff reports
an unreadable file (`E902`). Exit codes, as ruff's: 0 when nothing reaches
`--fail-on` and every file was linted, or with `--exit-zero`; 1 when a
finding reaches `--fail-on` or a file could not be linted; 2 for a usage
error (bad flags, bad configuration), an internal error, or a model whose
graph passes the builder's node bound (`graph.build.MAX_NODES`: refused).
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..lint.output import write
from ..lint.output.text import terminal_width
from .arguments import (
    PROGRAM,
    UsageError,
    command_line_hint,
    default_exclude,
    options,
)
from .loading import first_line, load_safely

# Formats that show the problem of a file not linted only inside a document
# (JSON, SARIF, annotations, counts): the same one line also goes to stderr.
_DOCUMENT_FORMATS = ("json", "sarif", "github")


def lint(arguments: argparse.Namespace, out: TextIO) -> int:
    from ..graph.model_files import ModelFileError
    from ..graph.model_search import search_model_files
    from ..lint.api import lint_file

    chosen = options(arguments)
    fail_on = chosen.pop("fail_on", "warning")
    exclude = chosen.pop("exclude", None)
    exclude = list(default_exclude() if exclude is None else exclude)
    exclude += chosen.pop("extend_exclude", None) or []
    per_file_ignores = chosen.pop("per_file_ignores", None) or {}
    unchecked = check_lint_options(chosen, per_file_ignores)
    reports: list[tuple[str, Any]] = []
    errors: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    warnings: list[str] = [unchecked] if unchecked else []
    internal = False
    refused: list[tuple[str, str]] = []  # Graphs past the node bound.
    seen: set[Path] = set()  # A file named twice (or found twice) is linted once.
    for raw in arguments.paths:
        path = Path(raw)
        if path.is_dir():
            found, skipped_here, errors_here = search_model_files(
                path, exclude=exclude, respect_gitignore=arguments.respect_gitignore
            )
            skipped += [(str(p), why) for p, why in skipped_here]
            errors += [(str(p), why) for p, why in errors_here]
            files = [(file, True) for file in found]
            if not found and not errors_here:
                warnings.append(
                    f"{raw}: no model files (.keras, .h5, .hdf5, .json) found"
                    + (" (--verbose lists what was skipped)" if skipped_here else "")
                )
        elif path.exists() or path.is_symlink():
            files = [(path, False)]
        else:
            errors.append((raw, "no such file or directory"))
            continue
        for file, from_search in files:
            resolved = file.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            file_options = with_per_file_ignores(chosen, file, per_file_ignores)
            try:
                if arguments.load:
                    report = lint_loaded(file, file_options)
                else:
                    report = lint_file(file, **file_options)
            except ModelFileError as error:
                if error.too_large:
                    refused.append((str(file), error.problem))
                if (from_search or arguments.skip_non_models) and error.not_a_model:
                    skipped.append((str(file), error.problem))
                else:
                    errors.append((str(file), error.problem))
                continue
            except UsageError as error:
                errors.append((str(file), str(error).removeprefix(f"{file}: ")))
                continue
            except Exception as error:
                # A bug in a reader or a rule must not hide the other files.
                internal = True
                errors.append(
                    (
                        str(file),
                        f"internal error ({type(error).__name__}: "
                        f"{first_line(str(error))}); please report it",
                    )
                )
                continue
            reports.append((str(file), report))
    write(
        arguments.output_format,
        reports,
        errors,
        out,
        skipped=len(skipped),
        quiet=arguments.quiet,
        statistics=arguments.statistics,
        width=terminal_width(out),
    )
    if arguments.verbose and not arguments.quiet:
        for name, why in skipped:
            print(f"{PROGRAM}: skipped {name}: {why}", file=sys.stderr)
    for warning in warnings:
        print(f"{PROGRAM}: warning: {warning}", file=sys.stderr)
    in_document = (
        arguments.statistics
        or arguments.output_format in _DOCUMENT_FORMATS
        or arguments.output_file is not None
    )
    if in_document:
        for name, problem in errors:
            print(f"{PROGRAM}: error: {name}: {problem}", file=sys.stderr)
    else:
        for name, problem in refused:  # A refusal, not a finding: on stderr.
            print(f"{PROGRAM}: error: {name}: {problem}", file=sys.stderr)
    if internal or refused:
        return 2  # A refused or crashed file: abnormal, as ruff's exit 2.
    if arguments.exit_zero:
        return 0
    failing = errors or any(report.at_or_above(fail_on) for _, report in reports)
    return 1 if failing else 0


def with_per_file_ignores(
    chosen: dict[str, Any], file: Path, per_file_ignores: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """`chosen` with the selectors of every `per-file-ignores` glob that
    matches `file` added to `ignore`. A glob matches the path as given or
    found, the path relative to the current directory, or the file name."""
    matched = [
        selector
        for glob, selectors in per_file_ignores.items()
        if _path_matches(file, glob)
        for selector in selectors
    ]
    if not matched:
        return chosen
    return {**chosen, "ignore": [*(chosen.get("ignore") or []), *matched]}


def _path_matches(file: Path, glob: str) -> bool:
    names = {file.as_posix(), file.name}
    with contextlib.suppress(OSError, ValueError):  # Outside the cwd.
        names.add(file.resolve().relative_to(Path.cwd().resolve()).as_posix())
    glob = glob.removeprefix("./")
    return any(fnmatch.fnmatchcase(name, glob) for name in names)


def check_lint_options(
    chosen: dict[str, Any], per_file_ignores: Mapping[str, Sequence[str]] = {}
) -> str | None:
    """Bad selectors or options are a usage error, before any file is read;
    returns the warning for a selection that checks nothing."""
    from ..lint.api import _resolve_ignores
    from ..lint.registry import resolve, rules_matching

    try:
        selected = resolve(
            chosen.get("select"),
            chosen.get("ignore"),
            chosen.get("extend_select"),
            chosen.get("convention", "standard"),
        )
        _resolve_ignores(chosen.get("per_layer_ignores"))
        for glob, selectors in per_file_ignores.items():
            for selector in selectors:
                rules_matching(selector, f"per-file-ignores {glob!r}")
    except (ValueError, TypeError) as error:
        raise UsageError(command_line_hint(str(error))) from None
    return nothing_checked(selected)


def nothing_checked(selected: Sequence[Any]) -> str | None:
    """The warning for a selection that checks nothing in a file: no rule
    at all (an empty `--select ""`), or only rules that need data."""
    if not selected:
        return "no rule is selected: nothing is checked"
    if all(getattr(rule, "needs_data", False) for rule in selected):
        codes = ", ".join(rule.code for rule in selected)
        return (
            f"the selected rules ({codes}) need data: they run in "
            "keras_ordering.preflight, not on files, so nothing is checked"
        )
    return None


def lint_loaded(path: Path, chosen: dict[str, Any]) -> Any:
    """`lint --load`: Keras builds the model (safe mode), the live lint runs."""
    model = load_safely(path)
    from ..lint.api import lint_model

    try:
        return lint_model(model, **chosen)
    except (ValueError, TypeError) as error:
        raise UsageError(
            f"{path}: cannot lint the loaded model ({first_line(str(error))})"
        ) from None
