"""Run BNActDropout tests on both of its paths: the TensorFlow fast path and
the portable Keras-ops path."""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import pytest

from keras_ordering.layers import bn_act_dropout


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
    path = LayerPath(request.param)
    if path.name == "portable":
        monkeypatch.setenv(bn_act_dropout.PORTABLE_ENV, "1")
    else:
        from keras_ordering.layers import _tf_fast

        monkeypatch.delenv(bn_act_dropout.PORTABLE_ENV, raising=False)
        original = _tf_fast.call

        def counting_call(*args, **kwargs):
            path.fast_calls.append(1)
            return original(*args, **kwargs)

        monkeypatch.setattr(_tf_fast, "call", counting_call)
    yield path
