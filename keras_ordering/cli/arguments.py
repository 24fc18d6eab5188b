"""The command line's parsers: one `absl.flags.argparse_flags` parser per
command, each with its own flags and `-h/--help`, and the lint options that
the flags and `[tool.keras-ordering]` give together."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from absl.flags import argparse_flags

from ..lint.finding import SEVERITIES
from ..lint.output import FORMATS
from ..lint.registry import CONVENTIONS

PROGRAM = "keras-ordering"
USAGE = f"""usage: {PROGRAM} lint PATH... [flags]   lint model files and directories
       {PROGRAM} rules                  list the rule catalogue
       {PROGRAM} rule CODE              print one rule's documentation
       {PROGRAM} fix IN OUT [flags]     rewrite a model into the recommended order
       {PROGRAM} fuse IN OUT            BN -> activation [-> dropout] into BNActDropout
       {PROGRAM} unfuse IN OUT          BNActDropout back into stock Keras layers
       {PROGRAM} --version
       {PROGRAM} COMMAND -h             help on one command"""
COMMANDS = ("lint", "rules", "rule", "fix", "fuse", "unfuse")


class UsageError(Exception):
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
        raise UsageError(" ".join(message.split()))


def _version() -> str:
    from .. import __version__  # Read from the package metadata, in one place.

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
        help="ignore [tool.keras-ordering] configuration files" + note,
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
        help="exit 0 even when findings reach --fail-on or a file cannot be "
        "linted (KO001)",
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
    lint.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a .keras, .h5/.hdf5 or .json model file, or a directory to "
        "search recursively",
    )
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
        "(" + ", ".join(default_exclude()) + ")",
    )
    search.add_argument(
        "--extend-exclude",
        type=_comma_list,
        action="extend",
        metavar="GLOBS",
        help="globs to skip in addition to the default list",
    )
    search.add_argument(
        "--per-file-ignores",
        type=_per_layer_ignore,
        action="append",
        metavar="GLOB:SELECTORS",
        help="leave out these rules' findings in files whose path matches "
        "GLOB, e.g. 'legacy/*:KO1'; repeatable; replaces the configuration's "
        "entry for the same GLOB",
    )
    search.add_argument(
        "--skip-non-models",
        action="store_true",
        help="skip files named on the command line that are clearly not Keras "
        "models (other JSON, .h5 files of weights only), as a directory search "
        "does; for pre-commit hooks, which name every staged .json file",
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
            # Lower case, as argparse's own help lines and the other commands.
            help=description[0].lower() + description.split(";")[0].rstrip(".")[1:],
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
    raise UsageError(
        f"unknown command {arguments.command!r}; expected one of {', '.join(COMMANDS)}"
    )


def default_exclude() -> tuple[str, ...]:
    from ..graph.model_search import DEFAULT_EXCLUDE

    return DEFAULT_EXCLUDE


def options(arguments: argparse.Namespace) -> dict[str, Any]:
    """Lint options: the configuration file's, overridden by the flags given.

    Holds `lint_file`'s keyword arguments, `fail_on`, and for `lint` the
    search options `exclude`, `extend_exclude` and `per_file_ignores`.
    """
    from ..lint.config import ConfigError, load_config

    found: dict[str, Any] = {}
    if not arguments.isolated:
        try:
            found, _ = load_config(arguments.config)
        except ConfigError as error:  # Wrong types included: one line.
            raise UsageError(command_line_hint(str(error))) from None
    for flag in ("select", "ignore", "extend_select", "convention", "fail_on"):
        value = getattr(arguments, flag)
        if value is not None:
            found[flag] = value
    for flag in ("per_layer_ignores", "per_file_ignores"):
        given = getattr(arguments, flag, None)
        if given:
            merged = dict(found.get(flag) or {})
            merged.update(dict(given))
            found[flag] = merged
    if getattr(arguments, "exclude", None) is not None:
        found["exclude"] = arguments.exclude
    extend = list(found.get("extend_exclude") or [])
    extend += getattr(arguments, "extend_exclude", None) or []
    if extend:
        found["extend_exclude"] = extend
    return found


def command_line_hint(message: str) -> str:
    """A selector error as the command line says it: `keras-ordering rules`
    lists the rules, not the Python call."""
    from ..lint.registry import LIST_HINT

    return message.replace(LIST_HINT, f"`{PROGRAM} rules` lists them.")
