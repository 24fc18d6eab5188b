"""The `keras-ordering` command line: lint | rules | rule | fix | fuse | unfuse.

An absl application whose subcommands are parsed by
`absl.flags.argparse_flags` parsers, so every command has its own flags and
its own `-h/--help`. One job per module:

- `arguments`: the parsers, and the options flags and configuration give;
- `lint`: `lint PATH...`, statically: it never imports keras, tensorflow,
  jax or torch, never loads weights and never executes anything from a
  file; `lint --load` is the opt-in exception (Keras' safe mode);
- `catalogue`: `rules` and `rule CODE`;
- `rewrite`: `fix`, `fuse` and `unfuse`;
- `loading`: Keras' safe-mode loading, for `rewrite` and `lint --load`.

The output formats live in `keras_ordering.lint.output`. Exit codes follow
ruff: 0 when no finding reaches `--fail-on` and every file was linted (or
with `--exit-zero`), 1 when one does or a file could not be linted (KO001),
2 for a usage error or an internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from absl import app

from .arguments import (
    COMMANDS,
    FORMATS,
    PROGRAM,
    USAGE,
    UsageError,
    build_parser,
    parse,
)

__all__ = [
    "COMMANDS",
    "FORMATS",
    "PROGRAM",
    "USAGE",
    "build_parser",
    "main",
    "parse",
    "run",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line on `argv` (without the program name).

    Returns the exit status instead of exiting, for programmatic use.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(USAGE)
        return 2
    try:
        arguments = parse(argv)
    except UsageError as error:
        _error(str(error))
        return 2
    except SystemExit as done:  # -h or --version.
        return int(done.code or 0)
    return _dispatch_safely(arguments)


def run() -> None:
    """Console-script entry point (`keras-ordering`, `python -m keras_ordering`)."""
    # TensorFlow reads this when it loads (fix, fuse, unfuse, lint --load);
    # 3 also hides the "failed call to cuInit" error of GPU-less machines.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    app.run(
        lambda arguments: sys.exit(_dispatch_safely(arguments)),
        flags_parser=_parse_or_exit,
    )


def _parse_or_exit(argv: list[str]) -> argparse.Namespace:
    from absl import flags

    flags.FLAGS.mark_as_parsed()  # absl.app wants its flags parsed; ours are.
    if len(argv) < 2:
        print(USAGE)
        sys.exit(2)
    try:
        return parse(argv[1:])
    except UsageError as error:
        _error(str(error))
        sys.exit(2)


def _dispatch_safely(arguments: argparse.Namespace) -> int:
    try:
        with _output(arguments) as out:
            return _dispatch(arguments, out)
    except UsageError as error:
        _error(str(error))
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, like other CLIs.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


@contextlib.contextmanager
def _output(arguments: argparse.Namespace) -> Iterator[TextIO]:
    """Standard output, or the `--output-file`."""
    path = getattr(arguments, "output_file", None)
    if path is None:
        yield sys.stdout
        return
    try:
        stream = open(path, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as error:
        raise UsageError(
            f"{path}: cannot write the output ({error.strerror or error})"
        ) from None
    with stream:
        yield stream


def _error(message: str) -> None:
    print(f"{PROGRAM}: error: {message}", file=sys.stderr)


def _dispatch(arguments: argparse.Namespace, out: TextIO) -> int:
    command = arguments.command
    if command == "lint":
        from .lint import lint

        return lint(arguments, out)
    if command in ("rules", "rule"):
        from .catalogue import print_rule, print_rules

        return (print_rules if command == "rules" else print_rule)(arguments, out)
    from .rewrite import rewrite

    return rewrite(arguments, out)
