"""How the linter sees `MonteCarloDropout`: noise on in training and
inference alike, so no train/test shift, and no opaque layer."""

from __future__ import annotations

import keras

from keras_ordering import MonteCarloDropout, lint_file, lint_model


def _model() -> keras.Model:
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, use_bias=False, name="conv")(inputs)
    x = MonteCarloDropout(0.3, name="mc")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(2, name="head")(x)
    return keras.Model(inputs, outputs)


def test_monte_carlo_dropout_before_batchnorm_is_no_variance_shift(tmp_path):
    model = _model()
    live = lint_model(model)
    assert live.codes() == []
    assert live.opaque_layers == ()
    path = tmp_path / "mc.keras"
    model.save(path)
    from_file = lint_file(path)
    assert from_file.codes() == []
    assert from_file.opaque_layers == ()


def test_plain_dropout_in_the_same_place_is_reported():
    # The control: the same model with Keras' Dropout has the shift.
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, use_bias=False, name="conv")(inputs)
    x = keras.layers.Dropout(0.3, name="drop")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    model = keras.Model(inputs, x)
    assert "KO101" in lint_model(model).codes()
