"""The PyTorch fast path of BNActDropout: gradients, masks, compilation.

The layer matrix of test_bn_act_dropout.py and the training-flag matrix run
on this path too (through the `layer_path` fixture); this file checks what
only torch has: autograd gradients against the portable path, the 8-bit
mask, `torch.compile` without graph breaks, and the fallbacks.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering.layers import BNActDropout

if keras.backend.backend() != "torch":
    pytest.skip("PyTorch fast path: torch backend only", allow_module_level=True)

import torch

from keras_ordering.layers import _torch_fast, bn_act_dropout
from keras_ordering.layers._noise import quantized_keep

from .conftest import spy_on_fast_path

RNG = np.random.default_rng(5)
LAYOUTS = [
    pytest.param((32, 6), -1, id="rank2"),
    pytest.param((8, 5, 6), -1, id="rank3-last"),
    pytest.param((8, 6, 5), 1, id="rank3-first"),
    pytest.param((4, 5, 5, 6), -1, id="rank4-last"),
    pytest.param((4, 6, 5, 5), 1, id="rank4-first"),
    pytest.param((2, 3, 3, 3, 6), -1, id="rank5-last"),
    pytest.param((2, 6, 3, 3, 3), 1, id="rank5-first"),
]
# Every positively homogeneous activation (folded), the identity, and two
# that are not homogeneous (scaled after the activation).
ACTIVATIONS = ["relu", "leaky_relu", None, "gelu", "tanh"]


def _weights(channels: int) -> list[np.ndarray]:
    rng = np.random.default_rng(channels)
    return [
        rng.uniform(0.5, 2.0, channels).astype("float32"),
        rng.normal(0.0, 0.5, channels).astype("float32"),
        rng.normal(0.0, 1.0, channels).astype("float32"),
        rng.uniform(0.5, 3.0, channels).astype("float32"),
    ]


@pytest.fixture
def recorded_noise(monkeypatch):
    """The noise tensors the fast path draws, in order."""
    drawn: list = []
    original = _torch_fast._noise

    def recording(*args, **kwargs):
        noise = original(*args, **kwargs)
        drawn.append(noise)
        return noise

    monkeypatch.setattr(_torch_fast, "_noise", recording)
    return drawn


def _layer(activation, rate, dropout, axis, shape, **kwargs) -> BNActDropout:
    layer = BNActDropout(
        activation, rate, dropout=dropout, axis=axis, momentum=0.8, **kwargs
    )
    layer.build(shape)
    layer.set_weights(_weights(shape[axis]))
    return layer


def _grads(layer, x, upstream):
    x = x.clone().requires_grad_(True)
    output = layer(x, training=True)
    loss = (output * upstream).sum()
    variables = [layer.gamma.value, layer.beta.value]
    return output, torch.autograd.grad(loss, [x, *variables])


@pytest.mark.parametrize("dropout", ["standard", "spatial", "gaussian"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(("shape", "axis"), LAYOUTS)
def test_gradients_match_the_portable_path(
    shape, axis, activation, dropout, recorded_noise, monkeypatch
):
    rate = 0.3
    calls = spy_on_fast_path(monkeypatch)
    x = torch.tensor(RNG.normal(0.5, 2.0, size=shape).astype("float32"))
    upstream = torch.tensor(RNG.normal(size=shape).astype("float32"))
    fused = _layer(activation, rate, dropout, axis, shape, fused=True)
    output, grads = _grads(fused, x, upstream)
    assert calls == [1]
    (noise,) = recorded_noise
    if dropout != "gaussian":
        noise = noise.to(torch.float32) / quantized_keep(rate)[1]

    # The portable path without dropout, times the fast path's own noise.
    reference = _layer(activation, 0.0, "standard", axis, shape, fused=False)
    x_ref = x.clone().requires_grad_(True)
    expected = reference(x_ref, training=True) * noise
    loss = (expected * upstream).sum()
    variables = [reference.gamma.value, reference.beta.value]
    expected_grads = torch.autograd.grad(loss, [x_ref, *variables])

    np.testing.assert_allclose(
        output.detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-5
    )
    for got, want in zip(grads, expected_grads, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-5)
    for got, want in zip(fused.weights[2:], reference.weights[2:], strict=True):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(got),
            keras.ops.convert_to_numpy(want),
            rtol=1e-6,
            atol=1e-6,
        )
    if dropout == "spatial":
        assert noise.shape[0] == shape[0] and noise.numel() == shape[0] * shape[axis]


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_gradients_match_the_portable_path(policy, monkeypatch):
    calls = spy_on_fast_path(monkeypatch)
    shape = (16, 4, 4, 8)
    x = torch.tensor(RNG.normal(1.0, 2.0, size=shape)).to(
        getattr(torch, keras.DTypePolicy(policy).compute_dtype)
    )
    upstream = torch.ones(shape, dtype=x.dtype)
    fused = _layer("relu", 0.0, "standard", -1, shape, fused=True, dtype=policy)
    portable = _layer("relu", 0.0, "standard", -1, shape, fused=False, dtype=policy)
    output, grads = _grads(fused, x, upstream)
    expected, expected_grads = _grads(portable, x, upstream)
    assert calls == [1]
    assert output.dtype == x.dtype and grads[0].dtype == x.dtype
    tolerance = 2e-2 if policy == "mixed_bfloat16" else 2e-3
    np.testing.assert_allclose(
        output.float().detach().numpy(),
        expected.float().detach().numpy(),
        rtol=tolerance,
        atol=tolerance,
    )
    for got, want in zip(grads, expected_grads, strict=True):
        np.testing.assert_allclose(
            got.float().numpy(), want.float().numpy(), rtol=tolerance, atol=tolerance
        )
    assert fused.moving_variance.value.dtype == torch.float32
    np.testing.assert_allclose(
        fused.moving_variance.numpy(), portable.moving_variance.numpy(), rtol=1e-3
    )


def test_the_8_bit_mask_is_unbiased_and_independent():
    threshold, keep = quantized_keep(0.5)
    shape = (700, 64)
    masks = [
        _torch_fast._keep_mask(shape, threshold, torch.device("cpu"), None)
        for _ in range(4)
    ]
    mask = torch.stack(masks).numpy()
    n = mask.size
    assert abs(mask.mean() - keep) < 5 * np.sqrt(keep * (1 - keep) / n)
    # Each of the 8 bytes of a 64-bit draw keeps at the same rate (a draw in
    # [0, 2**63) would show here: its top byte, below 128, is always kept).
    flat = mask.reshape(-1, 8)
    per_byte = flat.mean(axis=0)
    bound = 5 * np.sqrt(keep * (1 - keep) / flat.shape[0])
    assert np.all(np.abs(per_byte - keep) < bound), per_byte
    # Neighbours (same draw and next draw) are independent.
    pairs = flat[:, :-1] & flat[:, 1:]
    assert abs(pairs.mean() - keep**2) < 5 * np.sqrt(keep**2 / pairs.size)
    across = flat[:-1, -1] & flat[1:, 0]
    assert abs(across.mean() - keep**2) < 5 * np.sqrt(keep**2 / across.size)
    # Calls draw new masks.
    assert not np.array_equal(mask[0], mask[1])


def test_keep_probability_is_quantised_to_1_256_and_survivors_scaled_exactly():
    layer = BNActDropout(None, 0.2, center=False, fused=True)
    layer.build((1, 1))
    layer.trainable = False  # Moving statistics: BN(1) = 1.
    layer.set_weights([np.ones(1), np.zeros(1), np.ones(1) - 1e-3])
    out = keras.ops.convert_to_numpy(
        layer(np.ones((200_000, 1), "float32"), training=True)
    )
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 256 / 205, rtol=1e-6)
    assert abs((out != 0).mean() - 205 / 256) < 0.005
    assert abs(out.mean() - 1.0) < 0.01


def test_seeded_layers_repeat_their_masks_unseeded_follow_the_global_seed():
    data = np.ones((64, 32), "float32")
    first = BNActDropout(None, 0.5, seed=7, fused=True)
    second = BNActDropout(None, 0.5, seed=7, fused=True)
    a = keras.ops.convert_to_numpy(first(data, training=True)) == 0
    b = keras.ops.convert_to_numpy(second(data, training=True)) == 0
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, keras.ops.convert_to_numpy(first(data)) == 0)
    unseeded = BNActDropout(None, 0.5, fused=True)
    unseeded.build(data.shape)
    keras.utils.set_random_seed(3)
    c = keras.ops.convert_to_numpy(unseeded(data, training=True)) == 0
    keras.utils.set_random_seed(3)
    d = keras.ops.convert_to_numpy(unseeded(data, training=True)) == 0
    np.testing.assert_array_equal(c, d)


@pytest.mark.parametrize("seed", [None, 3])
def test_compiles_without_graph_breaks_and_matches_eager(seed):
    shape = (8, 4, 4, 6)
    x = torch.tensor(RNG.normal(size=shape).astype("float32"))
    eager = _layer("leaky_relu", 0.25, "standard", -1, shape, seed=seed)
    compiled_layer = _layer("leaky_relu", 0.25, "standard", -1, shape, seed=seed)
    torch._dynamo.reset()
    # aot_eager traces forward and backward as inductor does, without C++.
    compiled = torch.compile(
        lambda t: compiled_layer(t, training=True),
        backend="aot_eager",
        fullgraph=seed is None,  # Seeded draws run eagerly, like Keras' own.
    )
    output = compiled(x).detach()
    expected = eager(x, training=True).detach()
    kept = (output != 0).numpy()
    assert 0.5 < kept.mean() < 0.95
    # Same values where both kept (their masks differ).
    both = kept & (expected != 0).numpy()
    np.testing.assert_allclose(output.numpy()[both], expected.numpy()[both], rtol=1e-5)
    for got, want in zip(compiled_layer.weights[2:], eager.weights[2:], strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)
    inference = torch.compile(
        lambda t: compiled_layer(t, training=False), backend="aot_eager", fullgraph=True
    )
    np.testing.assert_allclose(
        inference(x).detach().numpy(),
        compiled_layer(x, training=False).detach().numpy(),
        rtol=1e-6,
        atol=1e-6,
    )


@pytest.mark.slow
def test_jit_compiled_fit_takes_the_fast_path_and_trains(monkeypatch):
    calls = spy_on_fast_path(monkeypatch)
    inputs = keras.Input((6, 6, 3))
    x = keras.layers.Conv2D(8, 3, use_bias=False)(inputs)
    x = BNActDropout("relu", 0.2)(x)
    outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "mse", jit_compile=True)
    data = RNG.normal(size=(32, 6, 6, 3)).astype("float32")
    history = model.fit(data, np.ones((32, 1)), epochs=3, batch_size=16, verbose=0)
    assert calls  # Traced through the fast path.
    assert np.all(np.isfinite(history.history["loss"]))
    assert not np.allclose(model.layers[2].moving_mean.numpy(), 0.0)


def test_falls_back_where_it_does_not_apply(fast_path_calls):
    sequences = RNG.normal(size=(4, 6, 3)).astype("float32")
    BNActDropout(None)(sequences, training=True, mask=np.ones((4, 6), bool))
    BNActDropout(None, axis=2)(RNG.normal(size=(2, 3, 4, 5)).astype("float32"))
    # One value per channel: torch's kernel refuses it, Keras gives variance 0.
    single = RNG.normal(size=(1, 3)).astype("float32")
    layer = BNActDropout(None, momentum=0.0)
    output = keras.ops.convert_to_numpy(layer(single, training=True))
    np.testing.assert_allclose(output, np.zeros((1, 3)), atol=1e-6)
    assert fast_path_calls == []
    BNActDropout(None, 0.3, dropout="gaussian", noise_shape=None)(single.repeat(4, 0))
    assert fast_path_calls == [1]
    with pytest.raises(ValueError, match=r"fused=True\) cannot run this call"):
        BNActDropout(fused=True)(sequences, mask=np.ones((4, 6), bool))


def test_noise_shape_shares_the_mask_on_the_fast_path(fast_path_calls):
    images = RNG.normal(size=(8, 6, 6, 5)).astype("float32")
    layer = BNActDropout(None, 0.5, noise_shape=(None, 1, 1, 5), seed=1)
    zeros = keras.ops.convert_to_numpy(layer(images, training=True)) == 0
    assert fast_path_calls == [1]
    assert np.all(zeros == zeros[:, :1, :1, :])
    assert 0.2 < zeros.mean() < 0.8


def test_falls_back_with_one_warning_when_the_torch_operator_is_missing(
    monkeypatch,
):
    import warnings

    monkeypatch.delenv(bn_act_dropout.PORTABLE_ENV, raising=False)
    monkeypatch.setattr(
        _torch_fast, "_PRIVATE_IMPORT_ERROR", AttributeError("no threshold_backward")
    )
    monkeypatch.setattr(_torch_fast._AVAILABILITY, "warned", False)
    calls = []
    monkeypatch.setattr(_torch_fast, "call", lambda *a, **k: calls.append(1))
    features = RNG.normal(size=(16, 4)).astype("float32")
    layer = BNActDropout("relu")
    with pytest.warns(RuntimeWarning, match="portable Keras-ops path instead"):
        output = keras.ops.convert_to_numpy(layer(features, training=False))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(features, training=False)
    assert calls == []
    np.testing.assert_allclose(
        output, np.maximum(features / np.sqrt(1.001), 0), rtol=1e-5, atol=1e-6
    )
    with pytest.raises(ValueError, match=r"fused=True\) cannot run.*threshold"):
        BNActDropout(fused=True)(features)


def test_torch_internal_names_live_in_the_fast_path_module_only():
    from pathlib import Path

    import keras_ordering

    package = Path(keras_ordering.__file__).parent
    using = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "torch.ops" in path.read_text() or "torch._" in path.read_text()
    )
    assert using == ["layers/_torch_fast.py"]
