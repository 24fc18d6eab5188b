"""Tests of MonteCarloDropout: the shared helper first, then the noise."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering.layers import MonteCarloDropout
from tests.layer_test_case import run_layer_test

RNG = np.random.default_rng(0)
IMAGES = RNG.normal(1.0, 2.0, size=(8, 6, 6, 5)).astype("float32")
FEATURES = RNG.normal(size=(64, 32)).astype("float32")


def _np(tensor) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor)


def _assert_kept_fraction(kept: np.ndarray, rate: float) -> None:
    """The kept fraction is 1 - rate within 5 standard deviations."""
    keep = 1.0 - rate
    sigma = np.sqrt(keep * rate / kept.size)
    assert abs(kept.mean() - keep) < 5 * sigma, (kept.mean(), keep, sigma)


@pytest.mark.parametrize(
    ("init_kwargs", "input_data", "num_seed_generators"),
    [
        pytest.param({"rate": 0.3, "seed": 1}, FEATURES, 1, id="standard"),
        pytest.param({"rate": 0.0}, FEATURES, 0, id="rate-zero"),
        pytest.param(
            {"rate": 0.4, "dropout": "spatial", "axis": 1}, IMAGES, 1, id="spatial"
        ),
        pytest.param(
            {"rate": 0.2, "dropout": "gaussian", "seed": 2}, FEATURES, 1, id="gaussian"
        ),
        pytest.param(
            {"rate": 0.5, "noise_shape": (None, 1, 1, 5)}, IMAGES, 1, id="noise-shape"
        ),
    ],
)
def test_layer_basics(init_kwargs, input_data, num_seed_generators):
    run_layer_test(
        MonteCarloDropout,
        init_kwargs,
        input_data,
        expected_output_shape=input_data.shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=num_seed_generators,
        run_training_check=False,  # No weights of its own to train.
    )


def _model(layer: keras.layers.Layer, shape: tuple[int, ...]) -> keras.Model:
    inputs = keras.Input(shape)
    model = keras.Model(inputs, layer(inputs))
    model.compile(loss="mse")
    return model


@pytest.mark.parametrize("rate", [0.25, 0.5])
def test_predict_is_stochastic_with_the_right_kept_fraction(rate):
    model = _model(MonteCarloDropout(rate, seed=0), (32,))
    ones = np.ones((512, 32), "float32")
    first = model.predict(ones, verbose=0)
    second = model.predict(ones, verbose=0)
    assert not np.array_equal(first, second)
    for output in (first, second):
        kept = output != 0
        _assert_kept_fraction(kept, rate)
        np.testing.assert_allclose(output[kept], 1.0 / (1.0 - rate), rtol=1e-6)


def test_noise_is_on_whatever_training_flag_keras_passes():
    layer = MonteCarloDropout(0.5, seed=3)
    for training in (None, False, True):
        _assert_kept_fraction(_np(layer(FEATURES, training=training)) != 0, 0.5)
    model = _model(MonteCarloDropout(0.5, seed=3), (32,))
    # evaluate passes training=False: the loss of a noisy identity is not 0.
    assert model.evaluate(FEATURES, FEATURES, verbose=0) > 0.1
    # Even a recorded training=False does not switch it off.
    inputs = keras.Input((32,))
    recorded = keras.Model(inputs, MonteCarloDropout(0.5)(inputs, training=False))
    _assert_kept_fraction(recorded.predict(np.ones((64, 32)), verbose=0) != 0, 0.5)


def test_seeded_layers_repeat_and_successive_calls_differ():
    first = _np(MonteCarloDropout(0.5, seed=7)(FEATURES))
    second = _np(MonteCarloDropout(0.5, seed=7)(FEATURES))
    np.testing.assert_array_equal(first, second)
    layer = MonteCarloDropout(0.5, seed=7)
    assert not np.array_equal(_np(layer(FEATURES)), _np(layer(FEATURES)))


@pytest.mark.parametrize(("shape", "axis"), [((4, 6, 6, 8), -1), ((4, 8, 6, 6), 1)])
def test_spatial_drops_whole_channels(shape, axis):
    layer = MonteCarloDropout(0.5, dropout="spatial", axis=axis, seed=5)
    dropped = _np(layer(np.ones(shape, "float32"))) == 0
    per_map = np.moveaxis(dropped, axis, -1).reshape(shape[0], -1, 8)
    assert np.all(per_map.all(axis=1) | ~per_map.any(axis=1))
    assert per_map.any() and not per_map.all()


def test_gaussian_noise_has_unit_mean_and_the_expected_spread():
    rate = 0.3
    output = _np(
        MonteCarloDropout(rate, dropout="gaussian", seed=4)(np.ones((400, 250)))
    )
    assert abs(output.mean() - 1.0) < 0.01
    assert abs(output.std() - np.sqrt(rate / (1 - rate))) < 0.01


def test_mask_passes_through():
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    layer = MonteCarloDropout(0.2)
    x = layer(x)
    mask = np.array([[True, False, False]])
    np.testing.assert_array_equal(_np(layer.compute_mask(np.ones((1, 3)), mask)), mask)
    model = keras.Model(inputs, keras.layers.LSTM(2)(x))
    assert model.predict(np.array([[1, 2, 0], [3, 0, 0]]), verbose=0).shape == (2, 2)


def test_saved_model_round_trips(tmp_path):
    inputs = keras.Input((32,))
    x = keras.layers.Dense(16)(inputs)
    x = MonteCarloDropout(0.4, dropout="gaussian", seed=11, name="mc")(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    layer = loaded.get_layer("mc")
    assert isinstance(layer, MonteCarloDropout)
    assert layer.get_config() == model.get_layer("mc").get_config()
    for original, revived in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(_np(original), _np(revived))
    samples = [loaded.predict(FEATURES, verbose=0) for _ in range(2)]
    assert not np.array_equal(*samples)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 1.0}, r"`rate` must be a float in \[0.0, 1.0\)"),
        ({"rate": -0.1}, r"`rate` must be a float in \[0.0, 1.0\)"),
        ({"rate": "0.5"}, r"`rate`"),
        ({"rate": 0.5, "dropout": "alpha"}, r"`dropout` must be one of"),
        ({"rate": 0.5, "noise_shape": "abc"}, r"`noise_shape` must be a tuple"),
        (
            {"rate": 0.5, "dropout": "spatial", "noise_shape": (None, 1)},
            r"`noise_shape` is only supported with dropout='standard'",
        ),
        ({"rate": 0.5, "dropout": "spatial", "axis": 1.5}, r"`axis` must be an int"),
        ({"rate": 0.5, "axis": 1}, r"`axis` is only used with dropout='spatial'"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MonteCarloDropout(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "shape", "message"),
    [
        ({"dropout": "spatial", "axis": 0}, (2, 3), r"must not be the batch axis"),
        ({"dropout": "spatial", "axis": 4}, (2, 3, 4), r"`axis` is out of range"),
        ({"dropout": "spatial"}, (3,), r"rank >= 2"),
        ({"noise_shape": (None, 2)}, (2, 3), r"cannot broadcast"),
    ],
)
def test_bad_arguments_at_build_time(kwargs, shape, message):
    with pytest.raises(ValueError, match=message):
        MonteCarloDropout(0.5, **kwargs).build(shape)
