"""BNActDropout inside `jit_compile=True` on TensorFlow: Threefry dropout noise.

Under XLA the layer runs its portable Keras-ops path (XLA fuses it) but draws
the dropout noise with the Threefry algorithm, which XLA compiles to fast code
on CPU, instead of TensorFlow's default one (about 100x slower there).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering.layers import BNActDropout

if keras.backend.backend() != "tensorflow":
    pytest.skip("XLA dropout noise: TensorFlow backend only", allow_module_level=True)

import tensorflow as tf

from keras_ordering.layers import _tf_fast, bn_act_dropout


@pytest.fixture
def xla_noise_calls(monkeypatch):
    monkeypatch.delenv(bn_act_dropout.PORTABLE_ENV, raising=False)
    calls: list = []
    original = _tf_fast.xla_noise

    def counting(*args, **kwargs):
        calls.append(kwargs["dropout"])
        return original(*args, **kwargs)

    monkeypatch.setattr(_tf_fast, "xla_noise", counting)
    return calls


def _frozen(rate, dropout="standard", seed=None, channels=1, **kwargs):
    """A layer whose BN maps 1 to 1, so the output is the noise itself."""
    layer = BNActDropout(None, rate, dropout=dropout, seed=seed, center=False, **kwargs)
    layer.build((None, channels))
    layer.set_weights([np.ones(channels), np.zeros(channels), np.ones(channels) - 1e-3])
    layer.trainable = False
    return layer


def _compiled(layer):
    return tf.function(lambda x: layer(x, training=True), jit_compile=True)


def test_xla_dropout_keeps_exactly_one_minus_rate_and_scales(xla_noise_calls):
    rate = 0.2
    layer = _frozen(rate)
    out = _compiled(layer)(tf.ones((200_000, 1))).numpy()
    assert xla_noise_calls == ["standard"]
    kept = out[out != 0]
    # Not quantised to 1/256: survivors are scaled by 1 / (1 - rate).
    np.testing.assert_allclose(kept, 1.0 / (1.0 - rate), rtol=1e-6)
    keep = (out != 0).mean()
    assert abs(keep - 0.8) < 5 * np.sqrt(0.16 / out.size)
    assert abs(out.mean() - 1.0) < 0.01


def test_xla_mask_is_independent_between_neighbours(xla_noise_calls):
    layer = _frozen(0.5, channels=64)
    mask = _compiled(layer)(tf.ones((4096, 64))).numpy() != 0
    pairs = mask[:, :-1] & mask[:, 1:]
    assert abs(pairs.mean() - 0.25) < 5 * np.sqrt(0.25 * 0.75 / pairs.size)
    rows = mask[:-1] & mask[1:]
    assert abs(rows.mean() - 0.25) < 5 * np.sqrt(0.25 * 0.75 / rows.size)


def test_xla_seeded_layers_repeat_masks_and_calls_differ(xla_noise_calls):
    ones = tf.ones((64, 32))
    first, second = (
        _frozen(0.5, seed=11, channels=32),
        _frozen(0.5, seed=11, channels=32),
    )
    step_first, step_second = _compiled(first), _compiled(second)
    mask_first = step_first(ones).numpy() != 0
    np.testing.assert_array_equal(mask_first, step_second(ones).numpy() != 0)
    assert not np.array_equal(mask_first, step_first(ones).numpy() != 0)
    # Deterministic: the same seed state gives the same mask.
    other = _frozen(0.5, seed=12, channels=32)
    assert not np.array_equal(mask_first, _compiled(other)(ones).numpy() != 0)


def test_xla_spatial_and_gaussian_noise(xla_noise_calls):
    spatial = BNActDropout(None, 0.5, dropout="spatial", seed=1)
    images = np.random.default_rng(0).normal(size=(32, 4, 4, 8)).astype("float32")
    spatial.build(images.shape)
    out = tf.function(lambda x: spatial(x, training=True), jit_compile=True)(images)
    dropped = np.all(out.numpy() == 0, axis=(1, 2))
    kept = np.all(out.numpy() != 0, axis=(1, 2))
    assert np.all(dropped | kept) and 0.2 < dropped.mean() < 0.8

    rate = 0.2
    gaussian = _frozen(rate, dropout="gaussian", seed=2, channels=16)
    noise = _compiled(gaussian)(tf.ones((4096, 16))).numpy()
    assert abs(noise.mean() - 1.0) < 0.01
    assert abs(noise.std() - np.sqrt(rate / (1 - rate))) < 0.01
    assert xla_noise_calls == ["spatial", "gaussian"]


def test_portable_request_and_eager_calls_keep_keras_noise(
    monkeypatch, xla_noise_calls
):
    layer = _frozen(0.3, channels=4)
    layer(tf.ones((8, 4)), training=True)  # Eager: the fast path.
    monkeypatch.setenv(bn_act_dropout.PORTABLE_ENV, "1")
    _compiled(layer)(tf.ones((8, 4)))
    assert xla_noise_calls == []


@pytest.mark.slow
def test_jit_compiled_fit_trains_with_xla_noise(xla_noise_calls):
    inputs = keras.Input((6, 6, 3))
    x = keras.layers.Conv2D(8, 3, use_bias=False)(inputs)
    x = BNActDropout("relu", 0.2, seed=0)(x)
    outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "mse", jit_compile=True)
    data = np.random.default_rng(1).normal(size=(32, 6, 6, 3)).astype("float32")
    history = model.fit(data, np.ones((32, 1)), epochs=2, batch_size=16, verbose=0)
    assert xla_noise_calls
    assert np.all(np.isfinite(history.history["loss"]))
