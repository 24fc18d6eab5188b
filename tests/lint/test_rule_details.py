"""Details of single rules beyond their VALID / INVALID examples."""

from __future__ import annotations

import keras
import pytest

from keras_ordering import lint_model
from keras_ordering.graph.losses import losses_per_output


def _drop_path_block(noise_shape) -> keras.Model:
    inputs = keras.Input((8, 8, 4))
    branch = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    branch = keras.layers.Dropout(0.2, noise_shape=noise_shape, name="drop")(branch)
    x = keras.layers.Add(name="add")([branch, inputs])
    x = keras.layers.BatchNormalization(name="bn")(x)
    model = keras.Model(inputs, x)
    # A loss makes the output a prediction (KO110); uncompiled, it is features.
    model.compile(loss="mse")
    return model


def test_per_sample_drop_path_on_a_residual_is_info_only():
    report = lint_model(_drop_path_block((None, 1, 1, 1)))
    by_code = {f.code: f for f in report}
    assert by_code["KO101"].severity == "info"
    assert by_code["KO101"].layers == ("drop", "add", "bn")
    assert "deliberate practice" in by_code["KO101"].message
    assert by_code["KO110"].severity == "info"
    # The same path with elementwise dropout is a warning.
    elementwise = {f.code: f.severity for f in lint_model(_drop_path_block(None))}
    assert elementwise["KO101"] == "warning"


def test_alpha_dropout_is_transparent_not_noise():
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, use_bias=False),
            keras.layers.AlphaDropout(0.2, name="alpha"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2),
        ]
    )
    assert lint_model(model).codes() == []


@pytest.mark.parametrize(
    ("activation", "severity"),
    [
        ("sigmoid", "warning"),
        ("hard_sigmoid", "warning"),
        ("softplus", "warning"),
        ("exponential", "warning"),
        ("softmax", "warning"),
        ("tanh", "info"),
        ("gelu", "info"),
        ("silu", "info"),
        ("elu", "info"),
        ("selu", "info"),
        ("mish", "info"),
        ("relu6", "info"),
        ("relu", None),
        ("leaky_relu", None),
        ("linear", None),
    ],
)
def test_dropout_before_activation_severity_follows_activation_facts(
    activation, severity
):
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8),
            keras.layers.Dropout(0.5, name="drop"),
            keras.layers.Activation(activation, name="act"),
            keras.layers.Dense(2),
        ]
    )
    found = [f.severity for f in lint_model(model, select="KO103")]
    assert found == ([] if severity is None else [severity])


def test_prelu_and_relu6_layers():
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8),
            keras.layers.Dropout(0.5, name="drop"),
            keras.layers.PReLU(name="prelu"),
            keras.layers.Dropout(0.5, name="drop2"),
            keras.layers.ReLU(max_value=6.0, name="relu6"),
            keras.layers.Dense(2),
        ]
    )
    assert [(f.layers, f.severity) for f in lint_model(model, select="KO103")] == [
        (("drop2", "relu6"), "info")
    ]


def test_activation_before_max_pool_needs_a_single_consumer():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    pooled = keras.layers.MaxPooling2D(name="pool")(x)
    skip = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inputs, [pooled, skip])
    assert lint_model(model, select="KO104").codes() == []


def test_softmax_with_logits_loss_per_output():
    inputs = keras.Input((4,))
    probs = keras.layers.Dense(3, activation="softmax", name="probs")(inputs)
    logits = keras.layers.Dense(3, name="logits")(inputs)
    model = keras.Model(inputs, [probs, logits])
    loss = keras.losses.CategoricalCrossentropy(from_logits=True)
    model.compile(loss={"probs": "categorical_crossentropy", "logits": loss})
    assert lint_model(model, select="KO202").codes() == []
    model.compile(loss=[loss, loss])
    assert [f.layers for f in lint_model(model, select="KO202")] == [("probs",)]


def test_losses_per_output_reads_every_serialized_form():
    logits = {"class_name": "BinaryCrossentropy", "config": {"from_logits": True}}
    assert losses_per_output(None, ["a"]) == [None]
    assert (
        losses_per_output("mse", ["a", "b"])
        == [{"loss": "mse", "from_logits": False}] * 2
    )
    assert losses_per_output([logits, "mse"], ["a", "b"]) == [
        {"loss": "BinaryCrossentropy", "from_logits": True},
        {"loss": "mse", "from_logits": False},
    ]
    assert losses_per_output({"b": logits}, ["a", "b"]) == [
        None,
        {"loss": "BinaryCrossentropy", "from_logits": True},
    ]
    function = {"class_name": "function", "config": "categorical_crossentropy"}
    assert losses_per_output(function, ["a"]) == [
        {"loss": "categorical_crossentropy", "from_logits": False}
    ]
