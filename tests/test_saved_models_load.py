"""Saved models holding the package's layers load after `import keras_ordering`.

`import keras_ordering` loads no keras, so the layers register themselves
through a hook that fires when keras is imported, in either order.
"""

from __future__ import annotations

import importlib.machinery
import os
import subprocess
import sys
import textwrap

import keras
import pytest

import keras_ordering
from keras_ordering import _lazy
from keras_ordering.layers import LAYERS

# One small model per public layer; the test below keeps this list complete.
LAYER_FACTORIES = {
    "BNActDropout": lambda: keras_ordering.BNActDropout("relu", 0.2, seed=1),
    "MonteCarloDropout": lambda: keras_ordering.MonteCarloDropout(0.3, seed=2),
}


def test_every_public_layer_has_a_saved_model_case():
    assert set(LAYER_FACTORIES) == set(LAYERS)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    """A .keras file holding every public layer, and its predictions."""
    inputs = keras.Input((6,))
    outputs = [factory()(inputs) for factory in LAYER_FACTORIES.values()]
    model = keras.Model(inputs, outputs)
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    model.save(path)
    return path


LOAD = """
loaded = load_model(PATH)
names = sorted({type(layer).__name__ for layer in loaded.layers})
print(" ".join(names))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "imports",
    [
        "import keras_ordering\nimport keras\nload_model = keras.saving.load_model",
        "import keras\nimport keras_ordering\nload_model = keras.saving.load_model",
        "import keras_ordering\nfrom keras.saving import load_model",
    ],
    ids=["keras-ordering-first", "keras-first", "from-keras-import"],
)
def test_a_fresh_process_loads_every_public_layer(saved_model, imports):
    script = f"PATH = {str(saved_model)!r}\n{imports}\n{textwrap.dedent(LOAD)}"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "KERAS_BACKEND": keras.backend.backend()},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded_classes = set(result.stdout.split())
    assert set(LAYERS) <= loaded_classes


@pytest.mark.slow
def test_without_keras_ordering_the_model_does_not_load_in_a_fresh_process(
    saved_model,
):
    # The control for the test above: the hook, not luck, makes loading work.
    script = (
        f"import keras\nkeras.saving.load_model({str(saved_model)!r})\nprint('loaded')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0
    assert "BNActDropout" in result.stderr


# --- The hook itself, on a stand-in for keras -----------------------------------


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """A package `fake_keras_ko` and a module registering into it."""
    (tmp_path / "fake_keras_ko").mkdir()
    (tmp_path / "fake_keras_ko" / "__init__.py").write_text(
        "REGISTERED = []\nfrom fake_keras_ko import saving  # a submodule\n"
    )
    (tmp_path / "fake_keras_ko" / "saving.py").write_text("LOADED = True\n")
    (tmp_path / "fake_layer_ko.py").write_text(
        "from fake_keras_ko import REGISTERED, saving\n"
        "assert saving.LOADED\nREGISTERED.append('layer')\n"
    )
    (tmp_path / "broken_layer_ko.py").write_text("raise ImportError('moved')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in ("fake_keras_ko", "fake_keras_ko.saving", "fake_layer_ko"):
        sys.modules.pop(name, None)
    sys.meta_path[:] = [
        finder
        for finder in sys.meta_path
        if getattr(finder, "target", None) != "fake_keras_ko"
    ]


def _hooks() -> list:
    return [
        finder
        for finder in sys.meta_path
        if getattr(finder, "target", None) == "fake_keras_ko"
    ]


def test_hook_registers_right_after_the_import_and_leaves(stand_in):
    _lazy.register_when_keras_loads(["fake_layer_ko"], keras="fake_keras_ko")
    _lazy.register_when_keras_loads(["fake_layer_ko"], keras="fake_keras_ko")
    assert len(_hooks()) == 1  # Registering twice installs one hook.
    assert "fake_layer_ko" not in sys.modules  # Nothing loads before keras.
    from fake_keras_ko import REGISTERED

    assert REGISTERED == ["layer"]
    assert _hooks() == []
    # The module keeps its own loader, not the hook's wrapper.
    module = sys.modules["fake_keras_ko"]
    assert type(module.__spec__.loader) is importlib.machinery.SourceFileLoader
    assert module.__loader__ is module.__spec__.loader


def test_hook_imports_at_once_when_keras_is_already_loaded(stand_in):
    import fake_keras_ko

    _lazy.register_when_keras_loads(["fake_layer_ko"], keras="fake_keras_ko")
    assert fake_keras_ko.REGISTERED == ["layer"]
    assert _hooks() == []


def test_a_failing_layer_module_warns_and_keras_still_imports(stand_in):
    _lazy.register_when_keras_loads(
        ["broken_layer_ko", "fake_layer_ko"], keras="fake_keras_ko"
    )
    with pytest.warns(RuntimeWarning, match="could not register.*broken_layer_ko"):
        import fake_keras_ko
    assert fake_keras_ko.REGISTERED == ["layer"]
