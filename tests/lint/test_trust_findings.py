"""Issue 22 items 1-3: no false error on 2-unit softmax + binary
cross-entropy, no KO104 on a pooling that does not shrink, and KO113's
severity chosen from the evidence. Each case is a real model of the corpus
(its source cited there)."""

from __future__ import annotations

import importlib

import keras
import pytest

from keras_ordering import lint_file, lint_model


def _corpus(kind: str, slug: str):
    return importlib.import_module(f"tests.lint.corpus.{kind}.{slug}")


def _by_code(report, code):
    return [f for f in report if f.code == code]


def test_two_unit_softmax_with_binary_crossentropy_is_silent(tmp_path):
    model = _corpus("real_models", "face_mask_detector_softmax2_bce").build()
    assert _by_code(lint_model(model, select="ALL"), "KO203") == []
    model.save(tmp_path / "mask.keras")
    assert _by_code(lint_file(tmp_path / "mask.keras"), "KO203") == []


@pytest.mark.parametrize("units", [3, 10])
def test_from_three_units_softmax_with_binary_crossentropy_is_an_error(units):
    inputs = keras.Input((8,))
    outputs = keras.layers.Dense(units, activation="softmax", name="probs")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    (finding,) = _by_code(lint_model(model), "KO203")
    assert finding.severity == "error"
    assert "binary_accuracy" in finding.message
    assert "another loss" in finding.message


def test_the_cifar10_bug_report_still_gets_ko203():
    pair = _corpus("bug_pairs", "data2040_softmax_binary_crossentropy_cifar10")
    (finding,) = _by_code(lint_model(pair.build_buggy()), "KO203")
    assert finding.layers == ("predictions",)
    assert _by_code(lint_model(pair.build_fixed()), "KO203") == []


def test_ko104_skips_a_max_pooling_that_does_not_shrink(tmp_path):
    model = _corpus("real_models", "qqwweee_tiny_yolo3").build()
    strided = {
        layer.name
        for layer in model.layers
        if isinstance(layer, keras.layers.MaxPooling2D) and layer.strides == (1, 1)
    }
    assert len(strided) == 1
    live = _by_code(lint_model(model), "KO104")
    assert live and not {f.layers[-1] for f in live} & strided
    model.save(tmp_path / "tiny.keras")
    static = _by_code(lint_file(tmp_path / "tiny.keras"), "KO104")
    assert [f.layers for f in static] == [f.layers for f in live]


def test_ko104_still_fires_on_a_valid_pooling_of_stride_one():
    # padding="valid" with strides 1 still drops a row and a column.
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(2, strides=1, name="pool"),
        ]
    )
    assert [f.layers for f in _by_code(lint_model(model), "KO104")] == [
        ("conv", "pool")
    ]


def test_deliberate_heavy_dropout_is_info():
    model = _corpus("real_models", "liadbiz_lstm_fcn").build()
    (finding,) = _by_code(lint_model(model), "KO113")
    assert finding.severity == "info"


@pytest.mark.parametrize(
    ("slug", "severity"),
    [
        # keep_prob=0.9 as a rate: almost nothing is left.
        ("deeplab_v3_plus_dropout_keep_prob", "warning"),
        # One keep_prob of 0.7 fed to all four dropouts.
        ("hunkim_mnist_layers_dropout_rate", "warning"),
        # A single 0.8 or 0.75: the model cannot tell a keep_prob apart.
        ("inception_v4_dropout_keep_prob", "info"),
        ("tensorflow_examples_dropout_keep_prob", "info"),
    ],
)
def test_keep_probability_bug_reports_get_the_severity_of_their_evidence(
    slug, severity
):
    found = _by_code(lint_model(_corpus("bug_pairs", slug).build_buggy()), "KO113")
    assert found and {f.severity for f in found} == {severity}


def test_a_name_that_says_keep_backs_the_keep_probability_reading():
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, name="dense"),
            keras.layers.Dropout(0.8, name="keep_prob_dropout"),
        ]
    )
    (finding,) = _by_code(lint_model(model), "KO113")
    assert finding.severity == "warning"
