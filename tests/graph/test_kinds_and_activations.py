"""The layer taxonomy (`graph.kinds`) and the activation facts
(`graph.activations`): one table each, read by every other module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keras_ordering.graph import activations, kinds

PACKAGE = Path(__file__).resolve().parents[2] / "keras_ordering"


@pytest.mark.parametrize(
    ("layer_class", "kind"),
    [
        ("Conv2D", kinds.WEIGHT),
        ("BatchNormalization", kinds.BATCH_NORM),
        ("SpatialDropout1D", kinds.NOISE),
        ("AlphaDropout", kinds.SHAPE),
        ("ReLU", kinds.ACTIVATION),
        ("GlobalAvgPool2D", kinds.POOL),
        ("Concatenate", kinds.MERGE),
        ("BNActDropout", kinds.UNKNOWN),
        ("MyCustomLayer", kinds.UNKNOWN),
    ],
)
def test_kind_of(layer_class, kind):
    assert kinds.kind_of(layer_class) == kind


def test_class_questions_the_diagnostics_and_rewrites_ask():
    assert kinds.is_batch_norm_class("BatchNormalization")
    assert kinds.is_batch_norm_class("SyncBatchNormalization")
    assert not kinds.is_batch_norm_class("BNActDropout")
    assert kinds.is_batch_norm_class("BNActDropout", fused=True)
    assert not kinds.is_batch_norm_class("LayerNormalization", fused=True)
    assert kinds.is_noise_class("GaussianNoise")
    assert not kinds.is_noise_class("AlphaDropout")
    assert kinds.is_noise_class("AlphaDropout", moment_keeping=True)
    assert not kinds.is_noise_class("Dense", moment_keeping=True)
    assert kinds.is_known_class("BNActDropout") and not kinds.is_known_class("Foo")


@pytest.mark.parametrize(
    ("layer_class", "keeps"),
    [
        ("ReLU", True),
        ("Dropout", True),
        ("BatchNormalization", True),
        ("LayerNormalization", True),
        ("GlobalAveragePooling2D", True),
        ("ZeroPadding2D", True),
        ("RepeatVector", True),
        ("AlphaDropout", True),
        ("BNActDropout", True),
        ("Flatten", False),
        ("Reshape", False),
        ("Permute", False),
        ("Dense", False),
        ("Concatenate", False),
    ],
)
def test_keeps_last_axis(layer_class, keeps):
    assert kinds.keeps_last_axis(layer_class) is keeps


def test_every_activation_fact_set_is_derived_from_the_table():
    assert activations.names_with(normalizes_axis=True) == {
        "softmax",
        "log_softmax",
        "sparsemax",
    }
    assert activations.names_with(probability_output=True) == {
        "softmax",
        "log_softmax",
        "sparsemax",
        "sigmoid",
        "hard_sigmoid",
    }
    idempotent = activations.names_with(idempotent=True)
    assert {"relu", "relu6", "hard_tanh"} <= idempotent
    assert not idempotent & {"leaky_relu", "sigmoid", "tanh", "softmax", "gelu"}


@pytest.mark.parametrize(
    ("layer_class", "attrs", "argument"),
    [
        ("Activation", {"activation": "swish"}, "swish"),
        ("ReLU", {"max_value": None, "negative_slope": 0.0, "threshold": 0.0}, "relu"),
        ("ReLU", {"max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}, "relu6"),
        ("ReLU", {"max_value": 4.0, "negative_slope": 0.0, "threshold": 0.0}, None),
        ("ReLU", {"max_value": None, "negative_slope": 0.1, "threshold": 0.0}, None),
        ("ReLU", {"max_value": None, "negative_slope": 0.0, "threshold": 1.0}, None),
        ("ELU", {"alpha": 1.0}, "elu"),
        ("ELU", {"alpha": 2.0}, None),
        ("Softmax", {"axis": -1}, "softmax"),
        ("Softmax", {"axis": 1}, None),
        ("LeakyReLU", {"negative_slope": 0.3}, None),
        ("PReLU", {}, None),
    ],
)
def test_activation_argument_of_layer(layer_class, attrs, argument):
    assert activations.activation_argument_of_layer(layer_class, attrs) == argument


def test_rewrites_ask_the_taxonomy_not_class_names():
    """No `type(layer).__name__ == "BatchNormalization"` outside the tables."""
    compare = re.compile(r"__name__\s*[!=]=\s*[\"(]")
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in sorted((PACKAGE / "rewrite").glob("*.py"))
        if compare.search(path.read_text())
    ]
    assert offenders == []
