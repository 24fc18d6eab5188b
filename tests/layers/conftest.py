"""Run BNActDropout tests on both of its paths: the TensorFlow fast path and
the portable Keras-ops path. `fast_path_calls` is the one spy on the fast path."""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import pytest

from keras_ordering.layers import bn_act_dropout


def spy_on_fast_path(monkeypatch: pytest.MonkeyPatch) -> list:
    """Enables the fast path and returns a list that grows by one per fast call."""
    from keras_ordering.layers import _tf_fast

    calls: list = []
    original = _tf_fast.call

    def counting_call(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(_tf_fast, "call", counting_call)
    monkeypatch.delenv(bn_act_dropout.PORTABLE_ENV, raising=False)
    return calls


@pytest.fixture
def fast_path_calls(monkeypatch) -> list:
    """The calls that took the TensorFlow fast path during the test."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the fast path is TensorFlow-only")
    return spy_on_fast_path(monkeypatch)


@dataclass
class LayerPath:
    """Which path a test runs, and how often the fast path really ran."""

    name: str
    fast_calls: list = field(default_factory=list)

    def keep(self, rate: float) -> float:
        """The keep probability the layer really uses for `rate`."""
        if self.name == "fused":
            from keras_ordering.layers._tf_fast import quantized_keep

            return quantized_keep(rate)[1]
        return 1.0 - rate

    def assert_used(self) -> None:
        if self.name == "fused":
            assert self.fast_calls, "the fused fast path never ran"


PATHS = ["portable"]
if keras.backend.backend() == "tensorflow":
    PATHS.insert(0, "fused")


@pytest.fixture(params=PATHS)
def layer_path(request, monkeypatch):
    if request.param == "portable":
        monkeypatch.setenv(bn_act_dropout.PORTABLE_ENV, "1")
        yield LayerPath("portable")
    else:
        yield LayerPath("fused", spy_on_fast_path(monkeypatch))
