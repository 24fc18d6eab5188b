"""fuse_model / unfuse_model: real architectures keep their predictions."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering import BNActDropout, lint_model
from keras_ordering.rewrite import fuse_model, unfuse_model

RNG = np.random.default_rng(0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "fused_count"),
    [("ResNet50", 33), ("MobileNetV2", 35), ("DenseNet121", 121)],
)
def test_real_architectures_fuse_with_identical_predictions(name, fused_count):
    model = getattr(keras.applications, name)(
        weights=None, input_shape=(64, 64, 3), classes=10
    )
    x = RNG.normal(size=(8, 64, 64, 3)).astype("float32")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, np.arange(8) % 10, epochs=1, verbose=0)  # Non-trivial statistics.
    fused, changes = fuse_model(model, return_changes=True)
    assert sum(c.applied for c in changes) == fused_count
    assert sum(isinstance(layer, BNActDropout) for layer in fused.layers) == fused_count
    expected = model.predict(x, verbose=0)
    np.testing.assert_allclose(fused.predict(x, verbose=0), expected, atol=1e-5)
    unfused = unfuse_model(fused)
    assert not any(isinstance(layer, BNActDropout) for layer in unfused.layers)
    np.testing.assert_allclose(unfused.predict(x, verbose=0), expected, atol=1e-5)
    assert len(unfused.layers) == len(model.layers)


def _chains() -> keras.Model:
    inputs = keras.Input((6, 6, 8))
    a = keras.layers.BatchNormalization(name="bn_a")(inputs)
    a = keras.layers.ReLU(max_value=6.0, name="relu6")(a)
    a = keras.layers.SpatialDropout2D(0.2, name="spatial")(a)
    b = keras.layers.BatchNormalization(name="bn_b")(inputs)
    b = keras.layers.Activation("gelu", name="gelu")(b)
    b = keras.layers.Dropout(0.3, noise_shape=(None, 1, 1, 8), name="drop")(b)
    c = keras.layers.BatchNormalization(name="bn_c")(inputs)
    c = keras.layers.Activation("tanh", name="tanh")(c)
    d = keras.layers.BatchNormalization(name="bn_d")(inputs)  # Left alone.
    merged = keras.layers.Concatenate(name="concat")([a, b, c, d])
    outputs = keras.layers.GlobalAveragePooling2D()(merged)
    return keras.Model(inputs, outputs, name="chains")


def test_chains_fuse_with_rate_zero_relu6_spatial_and_noise_shape():
    model = _chains()
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([RNG.uniform(0.5, 2.0, w.shape) for w in layer.weights])
    fused, changes = fuse_model(model, return_changes=True)
    layers = {layer.name: layer for layer in fused.layers}
    assert layers["bn_a"].get_config()["activation"] == "relu6"
    assert layers["bn_a"].dropout == "spatial" and layers["bn_a"].rate == 0.2
    assert layers["bn_b"].noise_shape == (None, 1, 1, 8)
    assert layers["bn_c"].rate == 0.0
    assert type(layers["bn_d"]).__name__ == "BatchNormalization"
    assert [c.applied for c in changes] == [True, True, True, False]
    x = RNG.normal(size=(4, 6, 6, 8)).astype("float32")
    expected = model.predict(x, verbose=0)
    np.testing.assert_allclose(fused.predict(x, verbose=0), expected, atol=1e-5)
    round_trip = unfuse_model(fused)
    np.testing.assert_allclose(round_trip.predict(x, verbose=0), expected, atol=1e-5)
    spatial = round_trip.get_layer("bn_a_dropout")
    assert type(spatial).__name__ == "SpatialDropout2D"
    assert lint_model(fused).codes() == lint_model(model).codes()


def test_fused_model_trains_and_saves(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((4, 4, 3)),
            keras.layers.Conv2D(8, 3, use_bias=False),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(),
            keras.layers.Dropout(0.1),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    fused = fuse_model(model)
    assert isinstance(fused, keras.Sequential)
    assert [type(layer).__name__ for layer in fused.layers] == [
        "Conv2D",
        "BNActDropout",
        "Flatten",
        "Dense",
    ]
    fused.compile(optimizer="sgd", loss="mse")
    x = RNG.normal(size=(8, 4, 4, 3)).astype("float32")
    fused.fit(x, np.zeros((8, 2)), verbose=0)
    path = tmp_path / "fused.keras"
    fused.save(path)
    np.testing.assert_allclose(
        keras.saving.load_model(path).predict(x, verbose=0),
        fused.predict(x, verbose=0),
        atol=1e-6,
    )
