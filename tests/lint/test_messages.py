"""Every finding's message reads as clean sentences naming each layer once."""

from __future__ import annotations

import re
from collections import Counter

import keras
import pytest

import keras_ordering
from keras_ordering.lint.registry import all_rules

INVALID_EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.code}-{index}")
    for rule in all_rules()
    if not rule.needs_data  # Checked through preflight in test_preflight.py.
    for index, example in enumerate(rule.INVALID)
]


@pytest.mark.parametrize(("rule", "example"), INVALID_EXAMPLES)
def test_messages_name_each_layer_once(rule, example):
    report = keras_ordering.lint_model(example.build(), select=rule.code)
    assert len(report) > 0
    for finding in report:
        message = finding.message
        quoted = Counter(re.findall(r"'([^']+)'", message))
        assert [name for name, n in quoted.items() if n > 1] == [], message
        assert ") ('" not in message and ") (" not in message, message
        assert message[0].isupper() and message.endswith("."), message
        assert "  " not in message and " ." not in message, message


def _model(*layers, loss=None) -> keras.Model:
    model = keras.Sequential([keras.Input((16,)), *layers])
    if loss is not None:
        model.compile(loss=loss)
    return model


def _message(model, code) -> str:
    (finding,) = keras_ordering.lint_model(model, select=code)
    return finding.message


def test_batchnorm_after_activation_wording():
    model = _model(
        keras.layers.Dense(8, activation="relu", name="dense"),
        keras.layers.BatchNormalization(name="bn"),
    )
    assert _message(model, "KO102") == (
        "BatchNormalization 'bn' normalizes the output of Dense 'dense' "
        "(activation=relu). The recommended order normalizes pre-activations: "
        "weight -> BN -> activation."
    )
    model = _model(
        keras.layers.Dense(8, name="dense"),
        keras.layers.ReLU(name="relu"),
        keras.layers.BatchNormalization(name="bn"),
    )
    assert _message(model, "KO102").startswith(
        "BatchNormalization 'bn' normalizes the output of ReLU 'relu'. "
    )


def test_softmax_on_single_unit_wording():
    model = _model(keras.layers.Dense(1, activation="softmax", name="out"))
    assert _message(model, "KO201") == (
        "Dense 'out' (activation=softmax) normalizes over an axis of size 1: the "
        "output is constant and nothing can be learned."
    )


def test_softmax_with_logits_loss_wording():
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model = _model(keras.layers.Dense(3, activation="softmax", name="probs"), loss=loss)
    assert _message(model, "KO202") == (
        "Dense 'probs' (activation=softmax) computes the model output, but its "
        "loss 'sparse_categorical_crossentropy' has from_logits=True, so it "
        "applies its own softmax on top of softmax."
    )


def test_dropout_after_output_wording():
    model = _model(
        keras.layers.Dense(3, name="logits"),
        keras.layers.Dropout(0.5, name="dropout"),
    )
    assert _message(model, "KO110") == (
        "Dropout 'dropout' is a model output with no weight layer after it: "
        "dropout is applied to the predictions themselves."
    )
