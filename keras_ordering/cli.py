"""The `keras-ordering` command line: lint | rules | rule | fix | fuse | unfuse.

An absl application whose subcommands are parsed by
`absl.flags.argparse_flags` parsers, so every command has its own flags and
its own `-h/--help`.

- `lint PATH...` reads model files statically: it never imports keras,
  tensorflow, jax or torch, never loads weights and never executes anything
  from a file. `lint --load` is the opt-in exception: Keras builds the model
  in safe mode (no Lambda bytecode) and the live model is linted.
- `rules` lists the rule catalogue; `rule CODE` prints one rule's docs.
- `fix`, `fuse` and `unfuse` load a model in Keras' safe mode, rewrite it
  and save the result; modules in the current directory are never imported.

Exit codes follow ruff: 0 when no finding reaches `--fail-on`, 1 when one
does, 2 for a usage or input error (a file that cannot be linted).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from absl import app
from absl.flags import argparse_flags

from ._text import one_line
from .lint.finding import SEVERITIES
from .lint.registry import CONVENTIONS

PROGRAM = "keras-ordering"
USAGE = f"""usage: {PROGRAM} lint PATH... [flags]   lint model files and directories
       {PROGRAM} rules                  list the rule catalogue
       {PROGRAM} rule CODE              print one rule's documentation
       {PROGRAM} fix IN OUT [flags]     rewrite a model into the recommended order
       {PROGRAM} fuse IN OUT            BN -> activation [-> dropout] into BNActDropout
       {PROGRAM} unfuse IN OUT          BNActDropout back into stock Keras layers
       {PROGRAM} --version
       {PROGRAM} COMMAND -h             help on one command"""
FORMATS = ("text", "json", "sarif", "github")
COMMANDS = ("lint", "rules", "rule", "fix", "fuse", "unfuse")


class _UsageError(Exception):
    """Bad command line or input: reported in one line, exit status 2."""


class _Parser(argparse_flags.ArgumentParser):
    """An argparse_flags parser that inherits no absl flags (no --flagfile,
    --undefok or --helpfull) and reports errors in one line."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("inherited_absl_flags", None)
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(**kwargs)
        self.add_argument(
            "-h", "--help", action="help", help="show this help message and exit"
        )

    def error(self, message: str) -> NoReturn:
        raise _UsageError(" ".join(message.split()))


def _version() -> str:
    from . import __version__  # Read from the package metadata, in one place.

    return __version__


def _comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _per_layer_ignore(text: str) -> tuple[str, list[str]]:
    glob, separator, selectors = text.rpartition(":")
    if not separator or not glob or not _comma_list(selectors):
        raise argparse.ArgumentTypeError(
            f"expected GLOB:SELECTOR[,SELECTOR...], e.g. 'head_*:KO110'; got {text!r}"
        )
    return glob, _comma_list(selectors)


def _add_config_flags(parser: argparse.ArgumentParser, reads_config: bool) -> None:
    group = parser.add_argument_group("configuration")
    note = "" if reads_config else " (accepted; this command reads no configuration)"
    group.add_argument(
        "--config",
        metavar="PYPROJECT",
        help="a pyproject.toml to read instead of searching upward from the "
        "current directory" + note,
    )
    group.add_argument(
        "--isolated",
        action="store_true",
        help="ignore [tool.keras_ordering] configuration files" + note,
    )


def _add_rule_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rule selection")
    group.add_argument(
        "--select",
        type=_comma_list,
        action="extend",
        metavar="SELECTORS",
        help="rules to run (codes, prefixes, names, ALL), replacing the default set",
    )
    group.add_argument(
        "--ignore",
        type=_comma_list,
        action="extend",
        metavar="SELECTORS",
        help="rules to leave out",
    )
    group.add_argument(
        "--extend-select",
        type=_comma_list,
        action="extend",
        metavar="SELECTORS",
        help="rules to add to the set, e.g. KO120",
    )
    group.add_argument(
        "--per-layer-ignores",
        type=_per_layer_ignore,
        action="append",
        metavar="GLOB:SELECTORS",
        help="leave out these rules' findings on layers matching GLOB, e.g. "
        "'head_*:KO110'; repeatable; replaces the configuration's entry for "
        "the same GLOB",
    )
    group.add_argument(
        "--convention",
        choices=CONVENTIONS,
        help="ordering convention (default: standard)",
    )
    group.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        help="exit 1 when a finding is at least this severe (default: warning)",
    )
    group.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when findings reach --fail-on",
    )


def _add_output_flags(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--output-format", choices=formats, default="text", help="default: text"
    )
    group.add_argument(
        "-o",
        "--output-file",
        metavar="FILE",
        help="write the output to FILE instead of standard output",
    )


def build_parser() -> tuple[
    argparse.ArgumentParser, dict[str, argparse.ArgumentParser]
]:
    """The top-level parser and one parser per command."""
    parser = _Parser(
        prog=PROGRAM,
        usage=USAGE.removeprefix("usage: "),
        description="Lint and rewrite Keras models for risky BatchNormalization, "
        "activation and Dropout orderings.",
    )
    parser.add_argument(
        "--version", action="version", version=f"{PROGRAM} {_version()}"
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="commands"
    )
    parsers: dict[str, argparse.ArgumentParser] = {}

    lint = commands.add_parser(
        "lint",
        prog=f"{PROGRAM} lint",
        help="lint model files and directories",
        description="Lint .keras, .h5/.hdf5 and .json model files, statically: "
        "no ML framework is imported and nothing from a file runs. "
        "Directories are searched recursively.",
    )
    lint.add_argument("paths", nargs="+", metavar="PATH")
    _add_output_flags(lint, FORMATS)
    lint.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule instead of the findings",
    )
    lint.add_argument(
        "-q", "--quiet", action="store_true", help="print findings and errors only"
    )
    lint.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also say which files a directory search skipped, and why",
    )
    _add_rule_flags(lint)
    search = lint.add_argument_group("directory search")
    search.add_argument(
        "--exclude",
        type=_comma_list,
        action="extend",
        metavar="GLOBS",
        help="file and directory globs to skip, replacing the default list "
        "(" + ", ".join(_default_exclude()) + ")",
    )
    search.add_argument(
        "--extend-exclude",
        type=_comma_list,
        action="extend",
        metavar="GLOBS",
        help="globs to skip in addition to the default list",
    )
    search.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_false",
        help="also search files that .gitignore files exclude",
    )
    lint.add_argument(
        "--load",
        action="store_true",
        help="build each model with keras.saving.load_model(safe_mode=True) "
        "and lint it live: for Functional subclasses (keras-hub backbones and "
        "tasks) whose files hold constructor arguments; needs keras and the "
        "model's package installed",
    )
    _add_config_flags(lint, reads_config=True)
    parsers["lint"] = lint

    rules = commands.add_parser(
        "rules",
        prog=f"{PROGRAM} rules",
        help="list the rule catalogue",
        description="List every rule.",
    )
    _add_output_flags(rules, ("text", "json"))
    _add_config_flags(rules, reads_config=False)
    parsers["rules"] = rules

    rule = commands.add_parser(
        "rule",
        prog=f"{PROGRAM} rule",
        help="print one rule's documentation",
        description="Print one rule's documentation.",
    )
    rule.add_argument(
        "selector", metavar="CODE", help="a rule code or name, e.g. KO101"
    )
    _add_output_flags(rule, ("text", "json"))
    _add_config_flags(rule, reads_config=False)
    parsers["rule"] = rule

    descriptions = {
        "fix": "Rewrite a model into the recommended order and save it; exits "
        "1 when findings at --fail-on remain.",
        "fuse": "Fuse BN -> activation [-> dropout] chains into BNActDropout.",
        "unfuse": "Turn BNActDropout layers back into stock Keras layers.",
    }
    for name, description in descriptions.items():
        rewrite = commands.add_parser(
            name,
            prog=f"{PROGRAM} {name}",
            help=description.split(";")[0].rstrip("."),
            description=description,
        )
        rewrite.add_argument("source", metavar="IN", help="a .keras or .h5 model")
        rewrite.add_argument("target", metavar="OUT", help="the .keras or .h5 to write")
        rewrite.add_argument(
            "-q", "--quiet", action="store_true", help="print errors only"
        )
        if name == "fix":
            _add_rule_flags(rewrite)
        _add_config_flags(rewrite, reads_config=name == "fix")
        parsers[name] = rewrite
    return parser, parsers


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parses `argv` (without the program name); flags may follow paths."""
    parser, parsers = build_parser()
    argv = list(argv)
    if argv and argv[0] in parsers:
        arguments = parsers[argv[0]].parse_intermixed_args(argv[1:])
        arguments.command = argv[0]
        return arguments
    arguments = parser.parse_args(argv)  # --version, -h, or an error.
    raise _UsageError(
        f"unknown command {arguments.command!r}; expected one of {', '.join(COMMANDS)}"
    )


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
    except _UsageError as error:
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
    except _UsageError as error:
        _error(str(error))
        sys.exit(2)


def _dispatch_safely(arguments: argparse.Namespace) -> int:
    try:
        with _output(arguments) as out:
            return _dispatch(arguments, out)
    except _UsageError as error:
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
        raise _UsageError(
            f"{path}: cannot write the output ({error.strerror or error})"
        ) from None
    with stream:
        yield stream


def _error(message: str) -> None:
    print(f"{PROGRAM}: error: {message}", file=sys.stderr)


def _dispatch(arguments: argparse.Namespace, out: TextIO) -> int:
    command = arguments.command
    if command == "lint":
        return _lint(arguments, out)
    if command == "rules":
        return _print_rules(arguments, out)
    if command == "rule":
        return _print_rule(arguments, out)
    return _rewrite(arguments, out)


# --- Loading with Keras (fix, fuse, unfuse, lint --load) --------------------------


@contextlib.contextmanager
def _without_current_directory() -> Iterator[None]:
    """sys.path without the current directory, so that only installed
    packages import: Keras' safe mode imports any module under the
    `keras_hub`, `keras_cv` and `keras_nlp` prefixes a file names, and a
    `keras_nlp/` next to the user's shell would otherwise be that module."""
    here = Path.cwd().resolve()

    def is_here(entry: str) -> bool:
        try:
            return Path(entry or ".").resolve() == here
        except OSError:
            return False

    saved = list(sys.path)
    sys.path[:] = [entry for entry in sys.path if not is_here(entry)]
    try:
        yield
    finally:
        sys.path[:] = saved


def _import_keras() -> Any:
    """Imports keras with TensorFlow's C++ start-up logs silenced.

    Those lines (oneDNN, CUDA drivers) are written to the stderr file
    descriptor before any Python setting applies, so it points to
    /dev/null while keras imports; Python errors still show.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        with _without_current_directory():  # No keras/ or tensorflow/ from cwd.
            import keras
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras


def _load_safely(path: Path) -> Any:
    """keras.saving.load_model with safe_mode=True: no code from the file runs,
    and no module is imported from the current directory."""
    if not path.is_file():
        raise _UsageError(f"{path}: no such file")
    _check_packages(path)
    keras = _import_keras()
    from .layers.bn_act_dropout import BNActDropout  # noqa: F401 - registers it

    try:
        with _without_current_directory(), warnings.catch_warnings():
            # Keras warns when it skips optimizer variables it cannot restore;
            # the rewrites and the linter never use the optimizer state.
            warnings.filterwarnings(
                "ignore", message="Skipping variable loading for optimizer"
            )
            return keras.saving.load_model(path, safe_mode=True)
    except ValueError as error:
        text = " ".join(str(error).split())
        if "safe_mode" in text or "lambda" in text.lower():
            raise _UsageError(
                f"{path}: loading it needs unsafe deserialization (a Lambda "
                f"layer's code); {PROGRAM} never runs code from a file"
            ) from None
        raise _UsageError(
            f"{path}: cannot load the model ({_first_line(text)})"
        ) from None
    except (OSError, TypeError, KeyError, ImportError, AttributeError) as error:
        raise _UsageError(
            f"{path}: cannot load the model ({_first_line(str(error))})"
        ) from None


def _first_line(text: str, limit: int = 200) -> str:
    """The first sentence of an error, without the config dump Keras appends."""
    text = " ".join(text.split())
    for marker in (
        " Full object config:",
        " Config:",
        " config={",
        " Received: config=",
    ):
        text = text.split(marker, 1)[0]
    return one_line(text, limit)


def _check_packages(path: Path) -> None:
    """Refuses plainly when a module the file names is not installed."""
    import importlib.util

    from .graph.model_files import read_model_file

    config, _ = read_model_file(path)  # ModelFileError: the caller reports it.
    missing = set()
    with _without_current_directory():
        for package in sorted(_packages_named(config)):
            try:
                found = importlib.util.find_spec(package) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                missing.add(package)
    if missing:
        names = ", ".join(sorted(missing))
        hint = " (pip install keras-hub)" if "keras_hub" in missing else ""
        raise _UsageError(
            f"{path}: the model needs the {names} package(s), which are not "
            f"installed{hint}; {PROGRAM} imports only installed packages"
        )


def _packages_named(config: Any) -> set[str]:
    """Top-level packages of the `module` entries of a serialized model."""
    packages = set()
    stack = [config]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            module = value.get("module")
            if isinstance(module, str) and module and "class_name" in value:
                packages.add(module.split(".")[0])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return {p for p in packages if p.isidentifier() and p not in ("keras", "builtins")}


def _check_target(target: Path) -> None:
    if target.suffix not in (".keras", ".h5"):
        raise _UsageError(f"{target}: the output must be a .keras (or .h5) file")
    if target.is_dir():
        raise _UsageError(f"{target}: the output is a directory")
    if not target.parent.is_dir():
        raise _UsageError(f"{target}: its directory {target.parent} does not exist")


def _rewrite(arguments: argparse.Namespace, out: TextIO) -> int:
    command = arguments.command
    source, target = Path(arguments.source), Path(arguments.target)
    _check_target(target)
    options = _options(arguments) if command == "fix" else {}
    from .graph.model_files import ModelFileError

    try:
        model = _load_safely(source)
    except ModelFileError as error:
        raise _UsageError(str(error)) from None
    from .rewrite import fix_model, fuse_model, unfuse_model

    fail_on = options.pop("fail_on", "warning")
    per_layer_ignores = options.pop("per_layer_ignores", None)
    convention = options.pop("convention", "standard")
    codes: list[str] = []
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
            # The selectors themselves, not `codes`: a fix that guesses intent
            # (KO113) runs only when the user names its rule.
            rewritten, changes = fix_model(
                model,
                select=options.get("select"),
                ignore=options.get("ignore"),
                extend_select=options.get("extend_select"),
                convention=convention,
                return_changes=True,
            )
        else:
            rewrite = fuse_model if command == "fuse" else unfuse_model
            rewritten, changes = rewrite(model, return_changes=True)
    except ValueError as error:
        raise _UsageError(f"{source}: {_first_line(str(error))}") from None
    quiet = arguments.quiet
    for change in changes:
        if not quiet:
            print(change, file=out)
    try:
        rewritten.save(target)
    except OSError as error:
        raise _UsageError(
            f"{target}: cannot write the model ({error.strerror or error})"
        ) from None
    if not quiet:
        print(f"wrote {target}", file=out)
    if command != "fix" or arguments.exit_zero:
        return 0
    from .lint.api import lint_model

    report = lint_model(
        rewritten,
        select=codes,
        convention=convention,
        per_layer_ignores=per_layer_ignores,
    )
    return 1 if report.at_or_above(fail_on) else 0


# --- rules, rule -----------------------------------------------------------------


def _print_rules(arguments: argparse.Namespace, out: TextIO) -> int:
    from .lint.api import rules

    if arguments.output_format == "json":
        _dump_json(rules(), out)
        return 0
    for rule in rules():
        enabled = "" if rule["default_enabled"] else "  (opt-in)"
        print(
            f"{rule['code']}  {rule['severity']:8s} {rule['name']}{enabled}", file=out
        )
    return 0


def _print_rule(arguments: argparse.Namespace, out: TextIO) -> int:
    from .lint.api import rules
    from .lint.registry import get_rule

    try:
        rule = get_rule(arguments.selector)
    except ValueError as error:
        raise _UsageError(str(error)) from None
    if arguments.output_format == "json":
        _dump_json(next(r for r in rules() if r["code"] == rule.code), out)
        return 0
    print(f"# {rule.code} {rule.name}\n", file=out)
    print(f"Default severity: {rule.severity}", file=out)
    print(
        f"On by default: {'yes' if rule.default_enabled else 'no (opt-in)'}", file=out
    )
    print(f"Fix: {rule.fix}\nReference: {rule.reference}\n", file=out)
    print(rule.docs(), file=out)
    return 0


def _dump_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2)
    out.write("\n")


# --- lint ------------------------------------------------------------------------


def _options(arguments: argparse.Namespace) -> dict[str, Any]:
    """Lint options: the config file, overridden by the flags given."""
    from .lint.config import ConfigError, load_config

    options: dict[str, Any] = {}
    if not arguments.isolated:
        try:
            options, _ = load_config(arguments.config)
        except ConfigError as error:  # Wrong types included: one line.
            raise _UsageError(str(error)) from None
    for flag, option in (
        ("select", "select"),
        ("ignore", "ignore"),
        ("extend_select", "extend_select"),
        ("convention", "convention"),
        ("fail_on", "fail_on"),
    ):
        value = getattr(arguments, flag)
        if value is not None:
            options[option] = value
    if arguments.per_layer_ignores:
        merged = dict(options.get("per_layer_ignores") or {})
        merged.update(dict(arguments.per_layer_ignores))
        options["per_layer_ignores"] = merged
    return options


def _default_exclude() -> tuple[str, ...]:
    from .graph.model_files import DEFAULT_EXCLUDE

    return DEFAULT_EXCLUDE


def _lint(arguments: argparse.Namespace, out: TextIO) -> int:
    from .graph.model_files import ModelFileError, search_model_files
    from .lint.api import lint_file

    options = _options(arguments)
    fail_on = options.pop("fail_on", "warning")
    _check_lint_options(options)
    exclude = list(
        _default_exclude() if arguments.exclude is None else arguments.exclude
    )
    exclude += arguments.extend_exclude or []
    reports: list[tuple[str, Any]] = []
    errors: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for raw in arguments.paths:
        path = Path(raw)
        if path.is_dir():
            found, skipped_here, errors_here = search_model_files(
                path, exclude=exclude, respect_gitignore=arguments.respect_gitignore
            )
            skipped += [(str(p), why) for p, why in skipped_here]
            errors += [(str(p), why) for p, why in errors_here]
            files = [(file, True) for file in found]
        elif path.exists() or path.is_symlink():
            files = [(path, False)]
        else:
            errors.append((raw, "no such file or directory"))
            continue
        linted = 0
        for file, from_search in files:
            try:
                if arguments.load:
                    report = _lint_loaded(file, options)
                else:
                    report = lint_file(file, **options)
            except ModelFileError as error:
                if from_search and error.not_a_model:
                    skipped.append((str(file), error.problem))
                else:
                    errors.append((str(file), error.problem))
                continue
            except _UsageError as error:
                errors.append((str(file), str(error).removeprefix(f"{file}: ")))
                continue
            except Exception as error:
                # A bug in a reader or a rule must not hide the other files.
                errors.append(
                    (
                        str(file),
                        f"internal error ({type(error).__name__}: "
                        f"{_first_line(str(error))}); please report it",
                    )
                )
                continue
            reports.append((str(file), report))
            linted += 1
        if path.is_dir() and not linted and not _has_error_under(errors, path):
            errors.append(
                (raw, "directory with no model files (.keras, .h5, .hdf5, .json)")
            )
    _write(arguments, reports, errors, len(skipped), out)
    if arguments.verbose and not arguments.quiet:
        for name, why in skipped:
            print(f"{PROGRAM}: skipped {name}: {why}", file=sys.stderr)
    for name, problem in errors:
        _error(f"{name}: {problem}")
    if errors:
        return 2
    failing = any(report.at_or_above(fail_on) for _, report in reports)
    return 1 if failing and not arguments.exit_zero else 0


def _has_error_under(errors: list[tuple[str, str]], directory: Path) -> bool:
    """Whether an error was recorded for a file under `directory`."""
    return any(Path(file).is_relative_to(directory) for file, _ in errors)


def _check_lint_options(options: dict[str, Any]) -> None:
    """Bad selectors or options are a usage error, before any file is read."""
    from .lint.api import _resolve_ignores
    from .lint.registry import resolve

    try:
        resolve(
            options.get("select"),
            options.get("ignore"),
            options.get("extend_select"),
            options.get("convention", "standard"),
        )
        _resolve_ignores(options.get("per_layer_ignores"))
    except (ValueError, TypeError) as error:
        raise _UsageError(str(error)) from None


def _lint_loaded(path: Path, options: dict[str, Any]) -> Any:
    """`lint --load`: Keras builds the model (safe mode), the live lint runs."""
    model = _load_safely(path)
    from .lint.api import lint_model

    try:
        return lint_model(model, **options)
    except (ValueError, TypeError) as error:
        raise _UsageError(
            f"{path}: cannot lint the loaded model ({_first_line(str(error))})"
        ) from None


def _write(
    arguments: argparse.Namespace,
    reports: list[tuple[str, Any]],
    errors: list[tuple[str, str]],
    skipped: int,
    out: TextIO,
) -> None:
    format_name = arguments.output_format
    if arguments.statistics:
        _write_statistics(format_name, reports, out)
    elif format_name == "json":
        rows: list[dict[str, Any]] = [
            {"file": file, **report.to_dict()} for file, report in reports
        ]
        rows += [{"file": file, "error": problem} for file, problem in errors]
        _dump_json(rows, out)
    elif format_name == "sarif":
        from .lint.sarif import to_sarif

        _dump_json(to_sarif(reports, errors), out)
    elif format_name == "github":
        _write_github(reports, errors, out)
    else:
        _write_text(reports, errors, skipped, arguments.quiet, out)


def _write_text(reports, errors, skipped: int, quiet: bool, out: TextIO) -> None:
    total = dict.fromkeys(SEVERITIES, 0)
    for file, report in reports:
        if not quiet or len(report) or report.opaque_layers:
            print(f"{file}: {report}", file=out)
        for severity, count in report.summary.items():
            total[severity] += count
    if quiet:
        return
    counts = ", ".join(f"{n} {severity}" for severity, n in total.items())
    unreadable = f"; {len(errors)} could not be linted" if errors else ""
    not_models = f"; {skipped} skipped (--verbose lists them)" if skipped else ""
    print(
        f"Found {sum(total.values())} finding(s) ({counts}) in {len(reports)} "
        f"file(s){unreadable}{not_models}.",
        file=out,
    )


def _write_statistics(format_name: str, reports, out: TextIO) -> None:
    """Findings per rule, most frequent first, as ruff's --statistics."""
    counts = Counter((f.code, f.name, f.severity) for _, r in reports for f in r)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    if format_name == "json":
        _dump_json(
            [
                {"code": code, "name": name, "severity": severity, "count": count}
                for (code, name, severity), count in rows
            ],
            out,
        )
        return
    for (code, name, severity), count in rows:
        print(f"{count:5d}  {code}  {severity:8s} {name}", file=out)


def _write_github(reports, errors, out: TextIO) -> None:
    from .lint.sarif import github_command

    for file, report in reports:
        location = f"file={_escape_property(file)}"
        for f in report:
            title = _escape_property(f"{f.code} {f.name}")
            print(
                f"::{github_command(f.severity)} {location},title={title}::"
                f"{_escape_data(f.message + ' Fix: ' + f.fix)}",
                file=out,
            )
        for layer, cls, why in report.opaque_layers:
            print(
                f"::notice {location},title=opaque layer::"
                f"{_escape_data(f'{layer} ({cls}) was not looked into: {why}')}",
                file=out,
            )
    for file, problem in errors:
        print(
            f"::error file={_escape_property(file)}::{_escape_data(problem)}",
            file=out,
        )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
