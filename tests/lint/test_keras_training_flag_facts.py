"""The two Keras facts KO130 `training-argument-overridden` rests on.

CI runs this file on every backend (TensorFlow, JAX, torch), so a Keras
release that changes either behaviour fails here before the rule's message
becomes wrong. Verified with Keras 3.15.1 on TensorFlow 2.21.0, JAX 0.10.2
and torch 2.13.0 (CPU).
"""

from __future__ import annotations

import keras
import numpy as np


def test_functional_training_true_is_replaced_by_predict_and_evaluate():
    inputs = keras.Input((256,))
    outputs = keras.layers.Dropout(0.5)(inputs, training=True)
    model = keras.Model(inputs, outputs)
    model.compile(loss="mse")
    x = np.ones((4, 256), "float32")

    first = model.predict(x, verbose=0)
    second = model.predict(x, verbose=0)
    # predict passes training=False to every layer: no noise, no scaling.
    np.testing.assert_array_equal(first, x)
    np.testing.assert_array_equal(first, second)
    assert model.evaluate(x, x, verbose=0) == 0.0
    # A direct call keeps the recorded training=True: about half dropped.
    called = keras.ops.convert_to_numpy(model(x))
    dropped = float(np.mean(called == 0.0))
    assert 0.3 < dropped < 0.7


def _moving_mean_after_fit(model: keras.Model, batch_norm) -> np.ndarray:
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(5.0, 1.0, (32, 4)).astype("float32")
    model.fit(x, np.zeros((32, 4), "float32"), epochs=1, batch_size=8, verbose=0)
    return keras.ops.convert_to_numpy(batch_norm.moving_mean)


def test_batchnorm_training_false_does_not_freeze_it_in_fit():
    inputs = keras.Input((4,))
    batch_norm = keras.layers.BatchNormalization()
    model = keras.Model(inputs, batch_norm(inputs, training=False))
    assert np.abs(_moving_mean_after_fit(model, batch_norm)).max() > 0.1


def test_nested_model_training_false_does_not_freeze_its_batchnorm_in_fit():
    base_inputs = keras.Input((4,))
    batch_norm = keras.layers.BatchNormalization()
    base_model = keras.Model(base_inputs, batch_norm(base_inputs))
    inputs = keras.Input((4,))
    model = keras.Model(inputs, base_model(inputs, training=False))
    assert np.abs(_moving_mean_after_fit(model, batch_norm)).max() > 0.1


def test_trainable_false_keeps_batchnorm_in_inference_mode_in_fit():
    inputs = keras.Input((4,))
    batch_norm = keras.layers.BatchNormalization()
    batch_norm.trainable = False
    model = keras.Model(inputs, batch_norm(inputs))
    np.testing.assert_array_equal(
        _moving_mean_after_fit(model, batch_norm), np.zeros(4, "float32")
    )
