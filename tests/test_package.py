"""Package-level contracts: light import, lazy public names, docstrings."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

import keras_ordering

HEAVY_MODULES = ("keras", "tensorflow", "jax", "torch")


def test_import_loads_no_ml_framework():
    # A fresh interpreter: this test process has long imported keras. The
    # rule catalogue and its docs load without keras too.
    probe = (
        "import json, sys; import keras_ordering, keras_ordering.layers; "
        "keras_ordering.rules(); keras_ordering.LintReport; "
        "from keras_ordering.lint.docs import render_rules_markdown; "
        "render_rules_markdown(); "
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_public_names_resolve_lazily():
    from keras_ordering.layers import BNActDropout

    assert keras_ordering.BNActDropout is BNActDropout
    from keras_ordering.rewrite import fix_model, fuse_model, unfuse_model

    assert keras_ordering.fix_model is fix_model
    assert (keras_ordering.fuse_model, keras_ordering.unfuse_model) == (
        fuse_model,
        unfuse_model,
    )
    assert "BNActDropout" in dir(keras_ordering)
    from keras_ordering.layers import MonteCarloDropout

    assert keras_ordering.MonteCarloDropout is MonteCarloDropout
    assert "MonteCarloDropout" in keras_ordering.__all__
    from keras_ordering.rewrite.freeze import freeze_batchnorm

    assert keras_ordering.freeze_batchnorm is freeze_batchnorm
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        keras_ordering.NoSuchThing  # noqa: B018


def test_version_comes_from_the_package_metadata():
    from importlib import metadata

    assert keras_ordering.__version__ == metadata.version("keras-ordering")
    from keras_ordering import __version__

    assert __version__ == keras_ordering.__version__
    source = (Path(keras_ordering.__file__).parent / "__init__.py").read_text()
    assert re.search(r"__version__\s*=\s*['\"]", source) is None  # Not written twice.


def test_py_typed_ships_with_the_package():
    root = Path(keras_ordering.__file__).parent
    assert (root / "py.typed").is_file()
    pyproject = tomllib.loads((root.parent / "pyproject.toml").read_text())
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["keras_ordering"]


LAYER_SECTIONS = ("Args:", "Call arguments:", "Example:", "References:")


def _run_doctests(obj, name: str) -> doctest.TestResults:
    tests = doctest.DocTestFinder(recurse=False).find(obj, name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    return runner.summarize(verbose=False)


@pytest.mark.parametrize("name", ["BNActDropout", "MonteCarloDropout"])
def test_layer_docstring_has_sections_and_its_examples_run(name):
    layer_class = getattr(keras_ordering, name)
    docstring = layer_class.__doc__
    for section in LAYER_SECTIONS:
        assert section in docstring, f"{name} docstring lacks {section!r}"
    results = _run_doctests(layer_class, name)
    assert results.attempted >= 5
    assert results.failed == 0


def test_lint_model_docstring_example_runs():
    results = _run_doctests(keras_ordering.lint_model, "lint_model")
    assert results.attempted >= 3
    assert results.failed == 0


def test_freeze_batchnorm_docstring_example_runs():
    results = _run_doctests(keras_ordering.freeze_batchnorm, "freeze_batchnorm")
    assert results.attempted >= 8
    assert results.failed == 0
