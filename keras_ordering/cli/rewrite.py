"""`fix`, `fuse` and `unfuse`: load a model in Keras' safe mode, rewrite it
and save the result; `fix` exits 1 when findings at `--fail-on` remain."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .arguments import UsageError, options
from .loading import first_line, load_safely


def rewrite(arguments: argparse.Namespace, out: TextIO) -> int:
    command = arguments.command
    source, target = Path(arguments.source), Path(arguments.target)
    _check_target(target)
    chosen = options(arguments) if command == "fix" else {}
    from ..graph.model_files import ModelFileError

    try:
        model = load_safely(source)
    except ModelFileError as error:
        raise UsageError(str(error)) from None
    from ..rewrite import fix_model, fuse_model, unfuse_model

    fail_on = chosen.pop("fail_on", "warning")
    per_layer_ignores = chosen.pop("per_layer_ignores", None)
    convention = chosen.pop("convention", "standard")
    codes: list[str] = []
    try:
        if command == "fix":
            from ..lint.registry import resolve

            # The rule set the lint flags and config give, ignore included.
            codes = [
                rule.code
                for rule in resolve(
                    chosen.get("select"),
                    chosen.get("ignore"),
                    chosen.get("extend_select"),
                    convention,
                )
            ]
            # The selectors themselves, not `codes`: a fix that guesses intent
            # (KO113) runs only when the user names its rule.
            rewritten, changes = fix_model(
                model,
                select=chosen.get("select"),
                ignore=chosen.get("ignore"),
                extend_select=chosen.get("extend_select"),
                convention=convention,
                return_changes=True,
            )
        else:
            rewrite = fuse_model if command == "fuse" else unfuse_model
            rewritten, changes = rewrite(model, return_changes=True)
    except ValueError as error:
        raise UsageError(f"{source}: {first_line(str(error))}") from None
    quiet = arguments.quiet
    for change in changes:
        if not quiet:
            print(change, file=out)
    try:
        rewritten.save(target)
    except OSError as error:
        raise UsageError(
            f"{target}: cannot write the model ({error.strerror or error})"
        ) from None
    if not quiet:
        print(f"wrote {target}", file=out)
    if command != "fix" or arguments.exit_zero:
        return 0
    from ..lint.api import lint_model

    report = lint_model(
        rewritten,
        select=codes,
        convention=convention,
        per_layer_ignores=per_layer_ignores,
    )
    return 1 if report.at_or_above(fail_on) else 0


def _check_target(target: Path) -> None:
    if target.suffix not in (".keras", ".h5"):
        raise UsageError(f"{target}: the output must be a .keras (or .h5) file")
    if target.is_dir():
        raise UsageError(f"{target}: the output is a directory")
    if not target.parent.is_dir():
        raise UsageError(f"{target}: its directory {target.parent} does not exist")
