"""Package-level contracts: light import, lazy public names, docstrings."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys

import pytest

import keras_ordering

HEAVY_MODULES = ("keras", "tensorflow", "jax", "torch")


def test_import_loads_no_ml_framework():
    # A fresh interpreter: this test process has long imported keras.
    probe = (
        "import json, sys; import keras_ordering, keras_ordering.layers; "
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_public_names_resolve_lazily():
    from keras_ordering.layers import BNActDropout

    assert keras_ordering.BNActDropout is BNActDropout
    assert "BNActDropout" in dir(keras_ordering)
    assert keras_ordering.__version__ == "0.1.0.dev0"
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        keras_ordering.NoSuchThing  # noqa: B018


LAYER_SECTIONS = ("Args:", "Call arguments:", "Example:", "References:")


@pytest.mark.parametrize("name", ["BNActDropout"])
def test_layer_docstring_has_sections_and_its_examples_run(name):
    layer_class = getattr(keras_ordering, name)
    docstring = layer_class.__doc__
    for section in LAYER_SECTIONS:
        assert section in docstring, f"{name} docstring lacks {section!r}"
    tests = doctest.DocTestFinder(recurse=False).find(layer_class, name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.attempted >= 5
    assert results.failed == 0
