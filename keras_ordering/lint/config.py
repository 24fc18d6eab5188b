"""`[tool.keras-ordering]` in pyproject.toml: discovery and validation.

The table may be spelled `[tool.keras-ordering]` (like the package and the
command) or `[tool.keras_ordering]`; a file with both is refused. Keys:
`select`, `ignore`, `extend-select`, `convention`, `fail-on` and
`per-layer-ignores` (a table of layer-name globs to rule selectors), and for
the command line's file search `exclude`, `extend-exclude` and
`per-file-ignores` (a table of file globs to rule selectors), as ruff's.
The nearest `pyproject.toml` upward from a start directory is used. Unknown
keys and unknown rule selectors are errors naming the key and the file;
nothing is silently ignored.

Every pipeline entry point reads it: the command line, `check()` and
`LintCallback`, with explicit arguments overriding the file key by key.
`lint_model` reads no file, so a notebook gives the same result wherever it
runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .finding import SEVERITIES, check_severity
from .registry import CONVENTIONS, rules_matching

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SECTION = "keras_ordering"
# Both spellings are read; a file may hold only one of them.
SECTIONS = ("keras-ordering", "keras_ordering")
# File key -> lint option name.
KEYS = {
    "select": "select",
    "ignore": "ignore",
    "extend-select": "extend_select",
    "convention": "convention",
    "fail-on": "fail_on",
    "per-layer-ignores": "per_layer_ignores",
    "exclude": "exclude",
    "extend-exclude": "extend_exclude",
    "per-file-ignores": "per_file_ignores",
}
# Options of the command line's file search: `check()` and `LintCallback`
# lint one model, not files, and leave them out.
SEARCH_OPTIONS = ("exclude", "extend_exclude", "per_file_ignores")


# Where `check()` and `LintCallback` read their configuration: True finds
# the nearest pyproject.toml from the cwd upward, a path names the file, and
# False reads none (as the CLI's --isolated).
ConfigSource = bool | str | os.PathLike
# `fail_on` when neither an argument nor the file gives one.
DEFAULT_FAIL_ON = "warning"


class ConfigError(ValueError):
    """An invalid `[tool.keras-ordering]` table or lint option."""


class _NotGiven:
    """The default of an argument that the configuration file may set."""

    def __repr__(self) -> str:
        return "<from [tool.keras-ordering]>"


NOT_GIVEN: Any = _NotGiven()


def find_pyproject(start: str | os.PathLike | None = None) -> Path | None:
    """The nearest pyproject.toml in `start` (default: cwd) or its parents."""
    directory = Path(start or Path.cwd()).resolve()
    for candidate in (directory, *directory.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def load_config(
    path: str | os.PathLike | None = None,
) -> tuple[dict[str, Any], Path | None]:
    """Lint options from `[tool.keras-ordering]`, and the file they came from.

    Args:
        path: a pyproject.toml, or None to search upward from the cwd.

    Returns:
        `(options, file)`: options keyed like `lint_model`'s arguments
        (`extend_select`, `fail_on`, ...); `({}, None)` when there is no file.

    Raises:
        ConfigError: unreadable TOML, an unknown key, or an invalid value.
    """
    file = Path(path) if path is not None else find_pyproject()
    if file is None:
        return {}, None
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{file}: cannot read TOML ({error})") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(
            f"{file}: `tool` must be a table ([tool.{SECTION}]), not {_toml_type(tool)}"
        )
    present = [name for name in SECTIONS if name in tool]
    if len(present) > 1:
        raise ConfigError(
            f"{file}: both [tool.keras-ordering] and [tool.keras_ordering]; "
            "keep one of them"
        )
    if not present:
        return {}, file
    section = present[0]
    table = tool[section]
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [tool.{section}] must be a table")
    return validate_options(table, source=f"{file} [tool.{section}]"), file


def with_config(
    options: Mapping[str, Any], config: ConfigSource = True
) -> dict[str, Any]:
    """The `[tool.keras-ordering]` options, overridden key by key by `options`.

    Args:
        options: explicit lint options (keyword arguments); `NOT_GIVEN`
            values are left out, so the file's value holds.
        config: True finds the nearest pyproject.toml from the cwd upward, a
            path reads that file, False reads no file.

    Raises:
        ConfigError: the file is invalid.
        TypeError: `config` is not a bool or a path.
    """
    explicit = {key: v for key, v in options.items() if v is not NOT_GIVEN}
    if config is False:
        return explicit
    if config is not True and not isinstance(config, (str, os.PathLike)):
        raise TypeError(
            "`config` must be True (find pyproject.toml), False (read none) or "
            f"a path; got {config!r}"
        )
    found, _ = load_config(None if config is True else config)
    for name in SEARCH_OPTIONS:
        found.pop(name, None)
    return {**found, **explicit}


def with_config_and_fail_on(
    fail_on: Any, options: Mapping[str, Any], config: ConfigSource = True
) -> tuple[str | None, dict[str, Any]]:
    """`fail_on` and the lint options of a pipeline entry point (`check`,
    `LintCallback`): the file's, overridden by explicit ones, `fail_on`
    checked and defaulting to `DEFAULT_FAIL_ON`."""
    resolved = with_config({**options, "fail_on": fail_on}, config)
    fail_on = resolved.pop("fail_on", DEFAULT_FAIL_ON)
    if fail_on is not None:
        check_severity(fail_on, "fail_on")
    return fail_on, resolved


def _toml_type(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer"}
    names.update({float: "a float", list: "an array"})
    return names.get(type(value), f"a {type(value).__name__}")


def validate_options(table: dict[str, Any], source: str) -> dict[str, Any]:
    """Checks a table of file keys and returns lint options."""
    options: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(
                f"{source}: unknown key {key!r}; known keys: {', '.join(KEYS)}"
            )
        name = KEYS[key]
        where = f"{source}: {key}"
        if name in ("select", "ignore", "extend_select"):
            options[name] = _selectors(value, where)
        elif name == "convention":
            options[name] = _choice(value, CONVENTIONS, where)
        elif name == "fail_on":
            options[name] = _choice(value, SEVERITIES, where)
        elif name in ("exclude", "extend_exclude"):
            options[name] = _globs(value, where)
        elif name == "per_file_ignores":
            options[name] = check_per_layer_ignores(
                value, where, example='{"legacy/*" = ["KO1"]}', what="file globs"
            )
        else:
            options[name] = check_per_layer_ignores(value, where)
    return options


def _selectors(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of rule codes, prefixes or names")
    for selector in value:
        try:
            rules_matching(selector, where)
        except ValueError as error:
            raise ConfigError(str(error)) from None
    return value


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise ConfigError(f"{where} must be one of {allowed}; got {value!r}")
    return value


def _globs(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of file or directory globs")
    return value


def check_per_layer_ignores(
    value: Any,
    where: str = "per_layer_ignores",
    *,
    example: str = '{"stochastic_depth_*" = ["KO101"]}',
    what: str = "layer-name globs",
) -> dict:
    """`{glob: [selector, ...]}`, each selector a known code, prefix or name."""
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where} must map {what} to lists of rule codes, e.g. {example}"
        )
    return {
        str(glob): _selectors(selectors, f"{where}.{glob}")
        for glob, selectors in value.items()
    }
