"""The `keras-ordering` command line (absl): lint | rules | rule.

`lint` reads model files statically: it never imports keras, tensorflow, jax
or torch, never loads weights and never executes anything from a file.

Exit codes follow ruff: 0 when no finding reaches `--fail-on`, 1 when one
does, 2 for a usage or input error (a file that cannot be linted).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from absl import app, flags

from .lint.finding import SEVERITIES
from .lint.registry import CONVENTIONS

PROGRAM = "keras-ordering"
USAGE = f"""usage: {PROGRAM} lint PATH... [flags]   lint model files and directories
       {PROGRAM} rules                  list the rule catalogue
       {PROGRAM} rule CODE              print one rule's documentation
       {PROGRAM} fix IN OUT [flags]     rewrite a model into the recommended order
       {PROGRAM} fuse IN OUT            BN -> activation [-> dropout] into BNActDropout
       {PROGRAM} unfuse IN OUT          BNActDropout back into stock Keras layers"""
FORMATS = ("text", "json", "sarif", "github")

# The CLI's own flag set, so importing this module never touches absl's
# global FLAGS of a host program.
CLI_FLAGS = flags.FlagValues()
flags.DEFINE_enum(
    "output-format", "text", FORMATS, "Output format.", flag_values=CLI_FLAGS
)
flags.DEFINE_list(
    "select",
    None,
    "Rules to run (codes, prefixes, names), replacing the default set.",
    flag_values=CLI_FLAGS,
)
flags.DEFINE_list("ignore", None, "Rules to leave out.", flag_values=CLI_FLAGS)
flags.DEFINE_list(
    "extend-select", None, "Rules to add to the set, e.g. KO120.", flag_values=CLI_FLAGS
)
flags.DEFINE_enum(
    "convention", "standard", CONVENTIONS, "Ordering convention.", flag_values=CLI_FLAGS
)
flags.DEFINE_enum(
    "fail-on",
    "warning",
    SEVERITIES,
    "Exit 1 when a finding is at least this severe.",
    flag_values=CLI_FLAGS,
)
flags.DEFINE_bool(
    "exit-zero",
    False,
    "Exit 0 even when findings reach --fail-on.",
    flag_values=CLI_FLAGS,
)
flags.DEFINE_string(
    "config",
    None,
    "A pyproject.toml to read instead of searching upward from the current directory.",
    flag_values=CLI_FLAGS,
)
flags.DEFINE_bool(
    "isolated",
    False,
    "Ignore [tool.keras_ordering] configuration files.",
    flag_values=CLI_FLAGS,
)


class _UsageError(Exception):
    """Bad command line: reported in one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line on `argv` (without the program name).

    Returns the exit status instead of exiting, for programmatic use.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_help())
        return 0 if argv else 2
    try:
        arguments = _parse([PROGRAM, *argv])
    except _UsageError as error:
        _error(str(error))
        return 2
    return _dispatch_safely(arguments[1:])


def run() -> None:
    """Console-script entry point (`keras-ordering`, `python -m keras_ordering`)."""
    app.run(
        lambda arguments: sys.exit(_dispatch_safely(arguments[1:])),
        flags_parser=_parse_or_exit,
    )


def _parse_or_exit(argv: list[str]) -> list[str]:
    # absl.app requires its global FLAGS parsed; the CLI keeps its own set.
    flags.FLAGS.mark_as_parsed()
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        print(_help())
        sys.exit(0 if len(argv) >= 2 else 2)
    try:
        return _parse(argv)
    except _UsageError as error:
        _error(str(error))
        sys.exit(2)


def _dispatch_safely(arguments: list[str]) -> int:
    try:
        return _dispatch(arguments)
    except _UsageError as error:
        _error(str(error))
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, like other CLIs.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parse(argv: list[str]) -> list[str]:
    CLI_FLAGS.unparse_flags()
    try:
        return CLI_FLAGS(argv)
    except flags.Error as error:
        raise _UsageError(str(error).splitlines()[0]) from None


def _help() -> str:
    return f"{USAGE}\n\nflags:\n{CLI_FLAGS.get_help()}"


def _error(message: str) -> None:
    print(f"{PROGRAM}: error: {message}", file=sys.stderr)


def _dispatch(arguments: list[str]) -> int:
    if not arguments:
        raise _UsageError(f"missing command\n{USAGE}")
    command, rest = arguments[0], arguments[1:]
    if command == "lint":
        if not rest:
            raise _UsageError("lint needs at least one PATH")
        return _lint(rest, sys.stdout)
    if command == "rules":
        if rest:
            raise _UsageError(f"rules takes no arguments; got {rest}")
        return _print_rules(sys.stdout)
    if command == "rule":
        if len(rest) != 1:
            raise _UsageError("rule takes exactly one rule code or name, e.g. KO101")
        return _print_rule(rest[0], sys.stdout)
    if command in ("fix", "fuse", "unfuse"):
        if len(rest) != 2:
            raise _UsageError(f"{command} takes two paths: IN.keras OUT.keras")
        return _rewrite(command, Path(rest[0]), Path(rest[1]), sys.stdout)
    raise _UsageError(
        f"unknown command {command!r}; expected lint, rules, rule, fix, fuse or unfuse"
    )


def _load_safely(path: Path) -> Any:
    """keras.saving.load_model with safe_mode=True: no code from the file runs."""
    if not path.is_file():
        raise _UsageError(f"{path}: no such file")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # Quiet TensorFlow start.
    import keras

    from .layers.bn_act_dropout import BNActDropout  # noqa: F401 - registers it

    try:
        return keras.saving.load_model(path, safe_mode=True)
    except ValueError as error:
        text = " ".join(str(error).split())
        if "safe_mode" in text or "lambda" in text.lower():
            raise _UsageError(
                f"{path}: loading it needs unsafe deserialization (a Lambda "
                f"layer's code); {PROGRAM} never runs code from a file"
            ) from None
        raise _UsageError(f"{path}: cannot load the model ({text[:200]})") from None
    except (OSError, TypeError, KeyError) as error:
        raise _UsageError(f"{path}: cannot load the model ({error})") from None


def _rewrite(command: str, source: Path, target: Path, out: TextIO) -> int:
    if target.suffix not in (".keras", ".h5"):
        raise _UsageError(f"{target}: the output must be a .keras (or .h5) file")
    model = _load_safely(source)
    from .rewrite import fix_model, fuse_model, unfuse_model

    options = _options() if command == "fix" else {}
    fail_on = options.pop("fail_on", "warning")
    per_layer_ignores = options.pop("per_layer_ignores", None)
    convention = options.pop("convention", "standard")
    try:
        if command == "fix":
            from .lint.registry import resolve

            # The rule set the lint flags and config give, ignore included.
            codes = [
                rule.code
                for rule in resolve(
                    options.get("select"),
                    options.get("ignore"),
                    options.get("extend_select"),
                    convention,
                )
            ]
            rewritten, changes = fix_model(
                model, select=codes, convention=convention, return_changes=True
            )
        else:
            rewrite = fuse_model if command == "fuse" else unfuse_model
            rewritten, changes = rewrite(model, return_changes=True)
    except ValueError as error:
        raise _UsageError(f"{source}: {error}") from None
    for change in changes:
        print(change, file=out)
    rewritten.save(target)
    print(f"wrote {target}", file=out)
    if command != "fix" or CLI_FLAGS["exit-zero"].value:
        return 0
    from .lint.api import lint_model

    report = lint_model(
        rewritten,
        select=codes,
        convention=convention,
        per_layer_ignores=per_layer_ignores,
    )
    return 1 if report.at_or_above(fail_on) else 0


def _print_rules(out: TextIO) -> int:
    from .lint.registry import all_rules

    for rule in all_rules():
        enabled = "" if rule.default_enabled else "  (opt-in)"
        print(f"{rule.code}  {rule.severity:8s} {rule.name}{enabled}", file=out)
    return 0


def _print_rule(selector: str, out: TextIO) -> int:
    from .lint.registry import get_rule

    try:
        rule = get_rule(selector)
    except ValueError as error:
        raise _UsageError(str(error)) from None
    print(f"# {rule.code} {rule.name}\n", file=out)
    print(f"Default severity: {rule.severity}", file=out)
    print(
        f"On by default: {'yes' if rule.default_enabled else 'no (opt-in)'}", file=out
    )
    print(f"Fix: {rule.fix}\nReference: {rule.reference}\n", file=out)
    print(rule.docs(), file=out)
    return 0


def _options() -> dict[str, Any]:
    """Lint options: the config file, overridden by the flags given."""
    from .lint.config import ConfigError, load_config

    options: dict[str, Any] = {}
    if not CLI_FLAGS["isolated"].value:
        try:
            options, _ = load_config(CLI_FLAGS["config"].value)
        except ConfigError as error:
            raise _UsageError(str(error)) from None
    for flag, option in (
        ("select", "select"),
        ("ignore", "ignore"),
        ("extend-select", "extend_select"),
        ("convention", "convention"),
        ("fail-on", "fail_on"),
    ):
        if CLI_FLAGS[flag].present:
            options[option] = CLI_FLAGS[flag].value
    return options


def _model_files(
    paths: list[str],
) -> tuple[list[tuple[Path, bool]], list[tuple[str, str]]]:
    """Files to lint, each marked True when found by a directory search."""
    from .graph.model_files import find_model_files

    files: list[tuple[Path, bool]] = []
    errors: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = find_model_files(path)
            if not found:
                errors.append(
                    (raw, "directory with no model files (.keras, .h5, .hdf5, .json)")
                )
            files.extend((file, True) for file in found)
        elif path.exists() or path.is_symlink():
            files.append((path, False))
        else:
            errors.append((raw, "no such file or directory"))
    return files, errors


def _lint(paths: list[str], out: TextIO) -> int:
    from .graph.model_files import ModelFileError
    from .lint.api import lint_file

    options = _options()
    fail_on = options.pop("fail_on", "warning")
    files, errors = _model_files(paths)
    reports = []
    skipped = []
    for file, from_directory in files:
        try:
            reports.append((str(file), lint_file(file, **options)))
        except ModelFileError as error:
            if (
                from_directory
                and file.suffix.lower() == ".json"
                and ("not a Keras model config" in error.problem)
            ):
                skipped.append(str(file))  # Some other JSON in the tree.
            else:
                errors.append((str(file), error.problem))
        except ValueError as error:  # Bad selectors or options.
            raise _UsageError(str(error)) from None
    if files and not reports and not errors and skipped:
        errors.append((paths[0], "no Keras model files found (only other JSON files)"))
    _write(CLI_FLAGS["output-format"].value, reports, errors, out)
    for skipped_file in skipped:
        print(
            f"{PROGRAM}: skipped {skipped_file}: not a Keras model config",
            file=sys.stderr,
        )
    for failed_file, problem in errors:
        _error(f"{failed_file}: {problem}")
    if errors:
        return 2
    failing = any(report.at_or_above(fail_on) for _, report in reports)
    return 1 if failing and not CLI_FLAGS["exit-zero"].value else 0


def _write(format_name, reports, errors, out: TextIO) -> None:
    if format_name == "json":
        rows = [
            {"file": file, **{k: v for k, v in f.to_dict().items() if k != "reference"}}
            for file, report in reports
            for f in report
        ]
        json.dump(rows, out, indent=2)
        out.write("\n")
    elif format_name == "sarif":
        from .lint.sarif import to_sarif

        json.dump(to_sarif(reports, errors), out, indent=2)
        out.write("\n")
    elif format_name == "github":
        levels = {"error": "error", "warning": "warning", "info": "notice"}
        for file, report in reports:
            for f in report:
                title = _escape_property(f"{f.code} {f.name}")
                print(
                    f"::{levels[f.severity]} file={_escape_property(file)},"
                    f"title={title}::{_escape_data(f.message + ' Fix: ' + f.fix)}",
                    file=out,
                )
        for file, problem in errors:
            print(
                f"::error file={_escape_property(file)}::{_escape_data(problem)}",
                file=out,
            )
    else:
        total = {severity: 0 for severity in SEVERITIES}
        for file, report in reports:
            print(f"{file}: {report}", file=out)
            for severity, count in report.summary.items():
                total[severity] += count
        counts = ", ".join(f"{n} {severity}" for severity, n in total.items())
        unreadable = f"; {len(errors)} could not be linted" if errors else ""
        print(
            f"Found {sum(total.values())} finding(s) ({counts}) in {len(reports)} "
            f"file(s){unreadable}.",
            file=out,
        )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
