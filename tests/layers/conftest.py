"""Run BNActDropout tests on both of its paths: the backend's fast path
(TensorFlow or PyTorch) and the portable Keras-ops path. `fast_path_calls` is
the one spy on the fast path."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import keras
import pytest

from keras_ordering.layers import bn_act_dropout

FAST_MODULES = {
    "tensorflow": "keras_ordering.layers._tf_fast",
    "torch": "keras_ordering.layers._torch_fast",
}
HAS_FAST_PATH = keras.backend.backend() in FAST_MODULES


def fast_module():
    """The fast-path module of the current backend."""
    return importlib.import_module(FAST_MODULES[keras.backend.backend()])


def spy_on_fast_path(monkeypatch: pytest.MonkeyPatch) -> list:
    """Enables the fast path and returns a list that grows by one per fast call."""
    module = fast_module()
    calls: list = []
    original = module.call

    def counting_call(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "call", counting_call)
    monkeypatch.delenv(bn_act_dropout.PORTABLE_ENV, raising=False)
    return calls


@pytest.fixture
def fast_path_calls(monkeypatch) -> list:
    """The calls that took the backend's fast path during the test."""
    if not HAS_FAST_PATH:
        pytest.skip("the fast path is TensorFlow and PyTorch only")
    return spy_on_fast_path(monkeypatch)


@dataclass
class LayerPath:
    """Which path a test runs, and how often the fast path really ran."""

    name: str
    fast_calls: list = field(default_factory=list)

    def keep(self, rate: float) -> float:
        """The keep probability the layer really uses for `rate`."""
        if self.name == "fused":
            from keras_ordering.layers._noise import quantized_keep

            return quantized_keep(rate)[1]
        return 1.0 - rate

    def assert_used(self) -> None:
        if self.name == "fused":
            assert self.fast_calls, "the fused fast path never ran"


PATHS = ["portable"]
if HAS_FAST_PATH:
    PATHS.insert(0, "fused")


@pytest.fixture(params=PATHS)
def layer_path(request, monkeypatch):
    if request.param == "portable":
        monkeypatch.setenv(bn_act_dropout.PORTABLE_ENV, "1")
        yield LayerPath("portable")
    else:
        yield LayerPath("fused", spy_on_fast_path(monkeypatch))
