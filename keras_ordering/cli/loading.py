"""Loading with Keras for `fix`, `fuse`, `unfuse` and `lint --load`: safe
mode only, installed packages only, TensorFlow's start-up noise hidden, and
every failure one line."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._text import one_line
from .arguments import PROGRAM, UsageError


@contextlib.contextmanager
def without_current_directory() -> Iterator[None]:
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


def import_keras() -> Any:
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
        with without_current_directory():  # No keras/ or tensorflow/ from cwd.
            import keras
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras


def load_safely(path: Path) -> Any:
    """keras.saving.load_model with safe_mode=True: no code from the file runs,
    and no module is imported from the current directory."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    _check_packages(path)
    keras = import_keras()
    from ..layers.bn_act_dropout import BNActDropout  # noqa: F401 - registers it

    try:
        with without_current_directory(), warnings.catch_warnings():
            # Keras warns when it skips optimizer variables it cannot restore;
            # the rewrites and the linter never use the optimizer state.
            warnings.filterwarnings(
                "ignore", message="Skipping variable loading for optimizer"
            )
            return keras.saving.load_model(path, safe_mode=True)
    except ValueError as error:
        text = " ".join(str(error).split())
        if "safe_mode" in text or "lambda" in text.lower():
            raise UsageError(
                f"{path}: loading it needs unsafe deserialization (a Lambda "
                f"layer's code); {PROGRAM} never runs code from a file"
            ) from None
        raise UsageError(
            f"{path}: cannot load the model ({first_line(text)})"
        ) from None
    except (OSError, TypeError, KeyError, ImportError, AttributeError) as error:
        raise UsageError(
            f"{path}: cannot load the model ({first_line(str(error))})"
        ) from None


def first_line(text: str, limit: int = 200) -> str:
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

    from ..graph.model_files import read_model_file

    config, _ = read_model_file(path)  # ModelFileError: the caller reports it.
    missing = set()
    with without_current_directory():
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
        raise UsageError(
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
