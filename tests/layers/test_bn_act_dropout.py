"""Tests of BNActDropout: the shared helper first, then values and parity."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering.layers import BNActDropout
from tests.layer_test_case import run_layer_test, seed_generator_count

tensorflow_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="TensorFlow-only feature"
)
RNG = np.random.default_rng(0)
IMAGES = RNG.normal(1.5, 2.0, size=(8, 6, 6, 5)).astype("float32")
FEATURES = RNG.normal(-0.5, 3.0, size=(64, 32)).astype("float32")
ACTIVATIONS = ["relu", "gelu", "sigmoid", "tanh", None]


# --- The shared helper -------------------------------------------------------


@pytest.mark.parametrize(
    ("init_kwargs", "input_data", "num_trainable", "num_seed_generators"),
    [
        # "standard" covers the same checks with dropout on: defaults in -m slow.
        pytest.param({}, IMAGES, 2, 0, id="defaults", marks=pytest.mark.slow),
        pytest.param(
            {"activation": "gelu", "rate": 0.2, "seed": 3}, IMAGES, 2, 1, id="standard"
        ),
        pytest.param(
            {"activation": "tanh", "rate": 0.3, "dropout": "spatial"},
            IMAGES,
            2,
            1,
            id="spatial",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            {"activation": None, "rate": 0.3, "dropout": "gaussian"},
            FEATURES,
            2,
            1,
            id="gaussian",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            {"rate": 0.5, "noise_shape": (None, 1, 1, 5), "center": False},
            IMAGES,
            1,
            1,
            id="noise-shape-no-center",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            {"activation": "sigmoid", "axis": 1, "scale": False, "momentum": 0.5},
            IMAGES,
            1,
            0,
            id="channels-first",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_layer_basics(
    init_kwargs, input_data, num_trainable, num_seed_generators, layer_path
):
    run_layer_test(
        BNActDropout,
        init_kwargs,
        input_data,
        expected_output_shape=input_data.shape,
        expected_num_trainable_weights=num_trainable,
        expected_num_non_trainable_weights=2,
        expected_num_seed_generators=num_seed_generators,
    )
    if "noise_shape" not in init_kwargs and init_kwargs.get("dropout") != "gaussian":
        layer_path.assert_used()


def test_rate_zero_creates_no_seed_generator():
    for dropout in ("standard", "spatial", "gaussian"):
        layer = BNActDropout(rate=0.0, dropout=dropout)
        layer.build(IMAGES.shape)
        assert layer.seed_generator is None
        assert seed_generator_count(layer) == 0


# --- Parity with BatchNormalization -> Activation -> Dropout -------------------


def _random_bn_weights(channels: int, seed: int = 7) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.uniform(0.5, 2.0, channels).astype("float32"),  # gamma
        rng.normal(0.0, 0.5, channels).astype("float32"),  # beta
        rng.normal(0.0, 1.0, channels).astype("float32"),  # moving_mean
        rng.uniform(0.5, 3.0, channels).astype("float32"),  # moving_variance
    ]


def _pair(activation, rate=0.0, input_shape=IMAGES.shape, **kwargs):
    """A fused layer and the unfused reference sharing the same weights."""
    weights = _random_bn_weights(input_shape[-1])
    batch_norm = keras.layers.BatchNormalization(momentum=0.9)
    reference = keras.Sequential(
        [
            keras.Input(input_shape[1:]),
            batch_norm,
            keras.layers.Activation(activation),
            keras.layers.Dropout(rate),
        ]
    )
    batch_norm.set_weights(weights)
    fused = BNActDropout(activation, rate, momentum=0.9, **kwargs)
    fused.build(input_shape)
    fused.set_weights(weights)
    return fused, reference, batch_norm


def _np(tensor) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_inference_matches_unfused_sequence(activation, layer_path):
    fused, reference, _ = _pair(activation, rate=0.4)
    np.testing.assert_allclose(
        _np(fused(IMAGES, training=False)),
        _np(reference(IMAGES, training=False)),
        atol=1e-5,
    )
    layer_path.assert_used()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_training_matches_unfused_sequence_and_statistics(activation, layer_path):
    fused, reference, batch_norm = _pair(activation, rate=0.0)
    rng = np.random.default_rng(11)
    for step in range(5):
        batch = rng.normal(step - 2.0, 1.0 + step, IMAGES.shape).astype("float32")
        np.testing.assert_allclose(
            _np(fused(batch, training=True)),
            _np(reference(batch, training=True)),
            atol=1e-4,
        )
    np.testing.assert_allclose(
        _np(fused.moving_mean), _np(batch_norm.moving_mean), atol=1e-4
    )
    np.testing.assert_allclose(
        _np(fused.moving_variance), _np(batch_norm.moving_variance), atol=1e-4
    )
    # The statistics really moved away from their initial values.
    assert not np.allclose(_np(fused.moving_mean), _random_bn_weights(5)[2])
    layer_path.assert_used()


def test_moving_variance_is_the_biased_batch_variance(layer_path):
    layer = BNActDropout(None, momentum=0.0)
    layer(FEATURES, training=True)
    np.testing.assert_allclose(
        _np(layer.moving_variance), FEATURES.var(axis=0, ddof=0), rtol=1e-5
    )
    np.testing.assert_allclose(
        _np(layer.moving_mean), FEATURES.mean(axis=0), rtol=1e-5, atol=1e-6
    )
    layer_path.assert_used()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dropout_keeps_scaled_reference_values(activation, layer_path):
    rate = 0.3
    keep = layer_path.keep(rate)
    fused, reference, _ = _pair(activation, rate=rate, input_shape=FEATURES.shape)
    batch = np.tile(FEATURES, (8, 1))  # 16,384 values
    # The reference without dropout: BN on batch statistics, then activation.
    expected = _np(reference.layers[1](reference.layers[0](batch, training=True)))
    output = _np(fused(batch, training=True))

    kept = output != 0
    np.testing.assert_allclose(
        output[kept], expected[kept] / keep, rtol=1e-4, atol=1e-5
    )
    # Fraction kept among values the activation left non-zero.
    candidates = expected != 0
    kept_fraction = kept[candidates].mean()
    n = candidates.sum()
    assert abs(kept_fraction - keep) < 5 * np.sqrt(keep * (1 - keep) / n)
    layer_path.assert_used()


def test_spatial_dropout_drops_whole_channels_channels_last_and_first(layer_path):
    rate = 0.5
    for axis, data in ((-1, IMAGES), (1, np.transpose(IMAGES, (0, 3, 1, 2)))):
        layer = BNActDropout(None, rate, dropout="spatial", axis=axis, seed=5)
        output = _np(layer(np.tile(data, (4, 1, 1, 1)), training=True))
        channels_last = np.moveaxis(output, axis, -1).reshape(32, -1, 5)
        dropped = np.all(channels_last == 0, axis=1)
        kept = np.all(channels_last != 0, axis=1)
        # Every (sample, channel) map is either all dropped or all kept.
        assert np.all(dropped | kept)
        assert 0.2 < dropped.mean() < 0.8
        # Channels of one sample are dropped independently of each other.
        assert np.any(dropped.any(axis=1) & kept.any(axis=1))
    layer_path.assert_used()


def test_gaussian_dropout_has_unit_mean_and_expected_spread():
    rate = 0.2
    layer = BNActDropout(None, rate, dropout="gaussian", seed=2, center=False)
    ones = np.ones((4096, 16), "float32")
    # Freeze the normalization so the input to the noise is exactly 1.
    layer.build(ones.shape)
    layer.set_weights([np.ones(16), np.zeros(16), np.ones(16) - 1e-3])
    layer.trainable = False
    noise = _np(layer(ones, training=True))
    assert abs(noise.mean() - 1.0) < 0.01
    assert abs(noise.std() - np.sqrt(rate / (1 - rate))) < 0.01


def test_noise_shape_shares_the_mask_along_axes():
    layer = BNActDropout(None, 0.5, noise_shape=(None, 1, 1, 5), seed=1)
    output = _np(layer(IMAGES, training=True))
    zeros = output == 0
    assert np.all(zeros == zeros[:, :1, :1, :])


def test_seeded_layers_repeat_masks_and_calls_differ(layer_path):
    first = BNActDropout(None, 0.5, seed=42)
    second = BNActDropout(None, 0.5, seed=42)
    mask_first = _np(first(FEATURES, training=True)) == 0
    mask_second = _np(second(FEATURES, training=True)) == 0
    np.testing.assert_array_equal(mask_first, mask_second)
    mask_again = _np(first(FEATURES, training=True)) == 0
    assert not np.array_equal(mask_first, mask_again)
    layer_path.assert_used()


def test_masked_steps_are_left_out_of_the_statistics():
    sequences = RNG.normal(size=(4, 10, 3)).astype("float32")
    mask = np.ones((4, 10), bool)
    mask[:, 6:] = False
    sequences[:, 6:] = 1000.0  # Would dominate the statistics if counted.
    layer = BNActDropout(None, momentum=0.0)
    layer(sequences, training=True, mask=mask)
    valid = sequences[:, :6].reshape(-1, 3)
    np.testing.assert_allclose(_np(layer.moving_mean), valid.mean(0), rtol=1e-4)
    np.testing.assert_allclose(_np(layer.moving_variance), valid.var(0), rtol=1e-4)


@pytest.mark.parametrize("padding", [np.inf, -np.inf, np.nan])
def test_masked_steps_holding_inf_keep_the_statistics_finite(padding):
    # Multiplying by the mask gave 0 * inf = NaN statistics; Keras' own
    # BatchNormalization selects and stays finite.
    sequences = RNG.normal(size=(4, 10, 3)).astype("float32")
    mask = np.ones((4, 10), bool)
    mask[:, 7:] = False
    sequences[:, 7:] = padding
    layer = BNActDropout(None, momentum=0.0)
    reference = keras.layers.BatchNormalization(momentum=0.0)
    output = _np(layer(sequences, training=True, mask=mask))
    expected = _np(reference(sequences, training=True, mask=mask))
    np.testing.assert_allclose(
        _np(layer.moving_mean), _np(reference.moving_mean), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        _np(layer.moving_variance), _np(reference.moving_variance), rtol=1e-4
    )
    assert np.all(np.isfinite(_np(layer.moving_variance)))
    np.testing.assert_allclose(output[mask], expected[mask], rtol=1e-3, atol=1e-4)


def test_mask_propagates_through_a_model():
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    x = BNActDropout("relu", 0.1)(x)
    outputs = keras.layers.LSTM(2)(x)
    model = keras.Model(inputs, outputs)
    tokens = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    assert model.predict(tokens, verbose=0).shape == (2, 2)
    with pytest.raises(ValueError, match="one dimension less"):
        BNActDropout()(IMAGES, mask=np.ones(IMAGES.shape, bool))


def test_float16_inputs_get_float32_statistics(layer_path):
    layer = BNActDropout(None, momentum=0.0, dtype="mixed_float16")
    large = (RNG.normal(size=(16, 8)) * 300.0).astype("float16")
    output = layer(large, training=True)
    assert keras.backend.standardize_dtype(output.dtype) == "float16"
    assert keras.backend.standardize_dtype(layer.moving_variance.dtype) == "float32"
    # Squares of values near 1,000 overflow float16; float32 statistics do not.
    expected = large.astype("float32").var(0)
    assert np.all(np.isfinite(_np(layer.moving_variance)))
    np.testing.assert_allclose(_np(layer.moving_variance), expected, rtol=1e-3)
    layer_path.assert_used()


def test_save_and_load_gives_identical_predictions(tmp_path, layer_path):
    inputs = keras.Input(IMAGES.shape[1:])
    x = keras.layers.Conv2D(4, 3)(inputs)
    x = BNActDropout("gelu", 0.3, dropout="spatial", seed=9)(x)
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))
    model.compile("adam", "mse")
    model.fit(IMAGES, np.zeros((8, 4)), verbose=0, epochs=2)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.layers[2], BNActDropout)
    assert loaded.layers[2].get_config() == model.layers[2].get_config()
    np.testing.assert_array_equal(
        loaded.predict(IMAGES, verbose=0), model.predict(IMAGES, verbose=0)
    )
    layer_path.assert_used()


def test_synchronized_on_another_backend_raises(monkeypatch):
    if keras.backend.backend() == "tensorflow":
        assert BNActDropout(synchronized=True).get_config()["synchronized"] is True
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(ValueError, match=r"synchronized=True.*TensorFlow backend"):
        BNActDropout(synchronized=True)
    BNActDropout(synchronized=False)  # Still fine.


# --- Bad arguments ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 1.0}, r"`rate` must be a float in \[0.0, 1.0\)"),
        ({"rate": -0.1}, r"`rate` must be a float in \[0.0, 1.0\)"),
        ({"rate": "0.5"}, r"`rate`"),
        ({"momentum": 1.5}, r"`momentum` must be a float in \[0.0, 1.0\]"),
        ({"momentum": -0.01}, r"`momentum`"),
        ({"epsilon": 0.0}, r"`epsilon` must be a float in \(0.0, inf\)"),
        ({"epsilon": -1e-3}, r"`epsilon`"),
        ({"activation": "no_such_activation"}, r"`activation`"),
        ({"dropout": "alpha"}, r"`dropout` must be one of"),
        ({"noise_shape": "abc"}, r"`noise_shape`"),
        ({"noise_shape": (None, 0)}, r"`noise_shape`"),
        ({"rate": 0.2, "dropout": "spatial", "noise_shape": (None, 1)}, "noise_shape"),
        ({"axis": 1.5}, r"`axis` must be an integer"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BNActDropout(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"axis": 4}, r"`axis` is out of range .* allowed values are -4 to 3"),
        ({"axis": -5}, r"`axis` is out of range"),
        ({"axis": 0}, r"batch axis"),
        ({"noise_shape": (None, 1, 5)}, r"`noise_shape` cannot broadcast"),
        ({"noise_shape": (None, 2, 1, 5)}, r"`noise_shape` cannot broadcast"),
    ],
)
def test_bad_arguments_at_build_time(kwargs, message):
    layer = BNActDropout(rate=0.1, **kwargs)
    with pytest.raises(ValueError, match=message):
        layer(IMAGES)


@tensorflow_only
@pytest.mark.parametrize("activation", ["relu", "gelu", None])
@pytest.mark.parametrize("rate", [0.0, 0.3])
def test_gradients_match_the_unfused_sequence(activation, rate, layer_path):
    """Gradients wrt inputs, gamma and beta equal those of BN -> activation,
    with the layer's own dropout mask applied to the reference."""
    import tensorflow as tf

    fused, reference, batch_norm = _pair(activation, rate=rate)
    x = tf.constant(IMAGES)
    upstream = tf.constant(RNG.normal(size=IMAGES.shape).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        output = fused(x, training=True)
        loss = tf.reduce_sum(output * upstream)
    grads = tape.gradient(loss, [x, fused.gamma, fused.beta])

    kept = tf.cast(output != 0, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        activated = reference.layers[1](batch_norm(x, training=True))
        expected = activated * kept / layer_path.keep(rate)
        loss = tf.reduce_sum(expected * upstream)
    expected_grads = tape.gradient(loss, [x, batch_norm.gamma, batch_norm.beta])

    np.testing.assert_allclose(_np(output), _np(expected), atol=1e-4)
    for got, want in zip(grads, expected_grads, strict=True):
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-3, atol=1e-4)
    layer_path.assert_used()


LAYOUTS = [
    pytest.param((16, 6), -1, id="rank2"),
    pytest.param((8, 5, 6), -1, id="rank3-last"),
    pytest.param((8, 6, 5), 1, id="rank3-first"),
    pytest.param((4, 5, 5, 6), -1, id="rank4-last"),
    pytest.param((4, 6, 5, 5), 1, id="rank4-first"),
    pytest.param((2, 3, 3, 96), -1, id="rank4-last-96-channels"),
    # 4,096 values per sample: TensorFlow's inference is a depthwise conv.
    pytest.param((2, 16, 16, 16), -1, id="rank4-last-depthwise-inference"),
    pytest.param((2, 96, 3, 3), 1, id="rank4-first-96-channels"),
    pytest.param((2, 3, 3, 3, 6), -1, id="rank5-last"),
    pytest.param((2, 6, 3, 3, 3), 1, id="rank5-first"),
]


@pytest.mark.parametrize(("shape", "axis"), LAYOUTS)
def test_every_layout_matches_keras_batch_normalization(shape, axis, layer_path):
    data = RNG.normal(0.5, 2.0, size=shape).astype("float32")
    channels = shape[axis]
    weights = _random_bn_weights(channels, seed=3)
    batch_norm = keras.layers.BatchNormalization(axis=axis, momentum=0.8)
    batch_norm.build(shape)
    batch_norm.set_weights(weights)
    fused = BNActDropout("relu", axis=axis, momentum=0.8)
    fused.build(shape)
    fused.set_weights(weights)
    for training in (False, True, False):
        np.testing.assert_allclose(
            _np(fused(data, training=training)),
            np.maximum(_np(batch_norm(data, training=training)), 0.0),
            atol=1e-4,
        )
    np.testing.assert_allclose(
        _np(fused.moving_variance), _np(batch_norm.moving_variance), atol=1e-5
    )
    # Spatial dropout follows the channel axis of every layout.
    dropper = BNActDropout(None, 0.5, dropout="spatial", axis=axis, seed=4)
    dropped = (
        _np(dropper(np.tile(data, (8,) + (1,) * (len(shape) - 1)), training=True)) == 0
    )
    per_map = np.moveaxis(dropped, axis, -1).reshape(dropped.shape[0], -1, channels)
    assert np.all(per_map.all(axis=1) | ~per_map.any(axis=1))
    layer_path.assert_used()


# --- The fast path's switches ---------------------------------------------------


@tensorflow_only
def test_fast_path_falls_back_where_it_does_not_apply(fast_path_calls):
    import tensorflow as tf

    calls = fast_path_calls
    sequences = RNG.normal(size=(4, 6, 3)).astype("float32")
    mask = np.ones((4, 6), bool)
    BNActDropout(None)(sequences, training=True, mask=mask)
    BNActDropout(None, 0.3, dropout="gaussian")(FEATURES, training=True)
    BNActDropout(None, 0.3, noise_shape=(None, 1))(FEATURES, training=True)
    BNActDropout(None)(FEATURES.astype("float64"), training=True)

    layer = BNActDropout("relu", 0.0)
    layer.build(FEATURES.shape)
    compiled = tf.function(lambda x: layer(x, training=False), jit_compile=True)
    eager = _np(layer(FEATURES, training=False))
    calls.clear()
    np.testing.assert_allclose(_np(compiled(FEATURES)), eager, atol=1e-5)
    assert calls == []  # XLA: the portable path, which XLA fuses itself.
    layer(FEATURES, training=False)
    assert calls == [1]  # Outside XLA the same layer takes the fast path.


def _inference_ops(layer, shape, training=False) -> set[str]:
    import tensorflow as tf

    function = tf.function(lambda x: layer(x, training=training))
    graph = function.get_concrete_function(tf.TensorSpec(shape, "float32")).graph
    return {operation.type for operation in graph.get_operations()}


@tensorflow_only
@pytest.mark.parametrize("batch", [2, None])
def test_large_float32_image_inference_runs_as_one_depthwise_convolution(batch):
    # Per channel, x * scale + shift as a 1x1 depthwise convolution and a
    # bias: one pass, where a multiply and an add are two.
    layer = BNActDropout("relu", 0.3)
    layer.build((None, 16, 16, 16))
    layer.set_weights(_random_bn_weights(16, seed=5))
    assert "DepthwiseConv2dNative" in _inference_ops(layer, (batch, 16, 16, 16))
    # Below 4,096 values per sample, in training and on 16-bit inputs: not.
    small = BNActDropout("relu", 0.3)
    small.build((None, 8, 8, 16))
    assert "DepthwiseConv2dNative" not in _inference_ops(small, (batch, 8, 8, 16))
    assert "DepthwiseConv2dNative" not in _inference_ops(
        layer, (batch, 16, 16, 16), training=True
    )
    # A frozen layer in training: moving statistics (the convolution), then
    # dropout, which still drops and scales.
    layer.trainable = False
    data = RNG.normal(0.5, 2.0, size=(4, 16, 16, 16)).astype("float32")
    assert "DepthwiseConv2dNative" in _inference_ops(
        layer, (batch, 16, 16, 16), training=True
    )
    dropped = _np(layer(data, training=True))
    expected = _np(layer(data, training=False))
    kept = dropped != 0
    assert 0.6 < kept[expected > 0].mean() < 0.8
    np.testing.assert_allclose(dropped[kept], expected[kept] / 0.7, rtol=2e-2)


@tensorflow_only
def test_fused_argument_and_environment_variable(monkeypatch, fast_path_calls):
    calls = fast_path_calls
    BNActDropout(fused=False)(FEATURES)
    assert calls == []
    BNActDropout(fused=True)(FEATURES)
    assert calls == [1]
    monkeypatch.setenv("KERAS_ORDERING_PORTABLE", "1")
    BNActDropout()(FEATURES)
    assert calls == [1]
    with pytest.raises(ValueError, match="`fused=True` needs the TensorFlow"):
        BNActDropout(dropout="gaussian", rate=0.1, fused=True)
    with pytest.raises(ValueError, match="`fused` must be None, True or False"):
        BNActDropout(fused="yes")
    monkeypatch.delenv("KERAS_ORDERING_PORTABLE")
    with pytest.raises(ValueError, match=r"fused=True\) cannot run this call"):
        BNActDropout(fused=True)(
            RNG.normal(size=(2, 3, 4)).astype("float32"), mask=np.ones((2, 3), bool)
        )
    assert BNActDropout(fused=False).get_config()["fused"] is False


@tensorflow_only
def test_fast_path_keep_probability_is_quantised_to_1_256():
    from keras_ordering.layers._tf_fast import quantized_keep

    assert quantized_keep(0.2) == (205, 205 / 256)
    assert quantized_keep(0.5) == (128, 0.5)
    assert quantized_keep(0.999) == (1, 1 / 256)
    assert quantized_keep(0.001)[0] == 256  # Below 1/512: no dropout at all.
    layer = BNActDropout(None, 0.2, seed=0, center=False)
    layer.build((1, 1))
    layer.trainable = False
    ones = np.ones((200_000, 1), "float32")
    layer.set_weights([np.ones(1), np.zeros(1), np.ones(1) - 1e-3])
    out = _np(layer(ones, training=True))
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 256 / 205, rtol=1e-6)  # Scaled by actual keep.
    assert abs(out.mean() - 1.0) < 0.01  # The expected value is exact.


# --- The fast path's contract ----------------------------------------------------


def _named(name: str, function):
    function.__name__ = function.__qualname__ = name
    return function


@pytest.mark.parametrize("name", ["relu", "linear", "leaky_relu"])
def test_a_user_activation_named_like_a_keras_one_runs_as_written(
    name, fast_path_calls
):
    # The fast path used to choose by __name__: a user `relu` became
    # tf.nn.relu and a user `linear` was skipped altogether.
    activation = _named(name, lambda x: keras.ops.tanh(x) - 0.5)
    layer = BNActDropout(activation, 0.5, seed=3)
    layer.build(FEATURES.shape)
    layer.trainable = False  # Moving statistics (0, 1): BN(x) = x / sqrt(1 + eps).
    output = _np(layer(FEATURES, training=True))
    assert fast_path_calls == [1]
    expected = (np.tanh(FEATURES / np.sqrt(1.0 + 1e-3)) - 0.5) / 0.5
    kept = output != 0
    assert 0.3 < kept.mean() < 0.7
    np.testing.assert_allclose(output[kept], expected[kept], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", None])
def test_keras_homogeneous_activations_still_fold_on_the_fast_path(
    activation, fast_path_calls
):
    layer = BNActDropout(activation, 0.5, seed=3)
    layer.build(FEATURES.shape)
    layer.trainable = False
    output = _np(layer(FEATURES, training=True))
    assert fast_path_calls == [1]
    reference = _np(keras.activations.get(activation)(FEATURES / np.sqrt(1.001)))
    kept = output != 0
    np.testing.assert_allclose(
        output[kept], reference[kept] / 0.5, rtol=1e-5, atol=1e-6
    )


@tensorflow_only
def test_fast_path_falls_back_with_one_warning_when_tf_private_modules_move(
    monkeypatch,
):
    import importlib
    import sys
    import warnings

    from keras_ordering.layers import _tf_fast

    monkeypatch.delenv("KERAS_ORDERING_PORTABLE", raising=False)
    # As if TensorFlow moved the module: a None entry in sys.modules makes
    # the import raise ImportError.
    monkeypatch.setitem(sys.modules, "tensorflow.python.ops.control_flow_util", None)
    monkeypatch.delattr(sys.modules["tensorflow.python.ops"], "control_flow_util")
    importlib.reload(_tf_fast)
    try:
        assert "control_flow_util" in _tf_fast.unavailable_reason()
        calls = []
        monkeypatch.setattr(_tf_fast, "call", lambda *a, **k: calls.append(1))
        layer = BNActDropout("relu")
        with pytest.warns(RuntimeWarning, match="portable Keras-ops path instead"):
            output = _np(layer(FEATURES, training=False))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Warned once, not at every call.
            layer(FEATURES, training=False)
        assert calls == []
        np.testing.assert_allclose(
            output, np.maximum(FEATURES / np.sqrt(1.001), 0), rtol=1e-5, atol=1e-6
        )
        with pytest.raises(ValueError, match=r"fused=True\) cannot run.*private"):
            BNActDropout(fused=True)(FEATURES)
    finally:
        monkeypatch.undo()
        importlib.reload(_tf_fast)
    assert _tf_fast.unavailable_reason() is None


def test_tensorflow_private_imports_live_in_the_fast_path_module_only():
    from pathlib import Path

    import keras_ordering

    package = Path(keras_ordering.__file__).parent
    importing = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "tensorflow.python" in path.read_text()
    )
    assert importing == ["layers/_tf_fast.py"]
