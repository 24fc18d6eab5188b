"""No false alarms on real architectures, and the known orderings get the
findings the catalogue implies."""

from __future__ import annotations

from collections import Counter

import keras
import pytest

from keras_ordering import lint_model

# Model -> info findings recorded per code (input sizes: conftest.py). No
# warning or error is allowed; info findings are pinned so that a change is
# visible.
APPLICATIONS = {
    "ResNet50": {"KO106": 53},  # Conv2D(use_bias=True) -> BN.
    # Each block's biased last conv (and projection conv) feeds the residual
    # Add, whose every consumer is the next pre-activation BN or, through
    # the identity / 1x1 max-pool shortcut, a later Add that only BNs read.
    "ResNet50V2": {"KO106": 20},
    # conv1 -> relu -> pad -> max pool -> the first dense block's BN.
    "DenseNet121": {"KO102": 1},
    "MobileNet": {},
    "MobileNetV2": {},
    "MobileNetV3Small": {},
    "EfficientNetB0": {},
    "EfficientNetV2B0": {},
    "InceptionV3": {"KO104": 2},  # relu -> MaxPooling2D in the stem.
    "Xception": {},
    "NASNetMobile": {},
    "VGG16": {"KO104": 5},  # Conv2D(activation="relu") -> MaxPooling2D.
    "ConvNeXtTiny": {},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_no_warnings_on_keras_applications(name, keras_application):
    expected_info = APPLICATIONS[name]
    report = lint_model(keras_application(name))
    assert report.summary["error"] == 0, str(report)
    assert report.summary["warning"] == 0, str(report)
    assert Counter(f.code for f in report) == Counter(expected_info), str(report)


# The ten module orderings of the well-known MNIST table
# (docs/evidence.md): C = Conv2D, A = Activation("relu"), D = Dropout,
# B = BatchNormalization, P = MaxPooling2D. Two modules each, then
# Flatten -> Dense(softmax). Findings per module, each appearing twice.
ORDERINGS = {
    "CADBP": ["KO101", "KO102"],  # D -> B; A -> D -> B.
    "CADPB": ["KO101", "KO102", "KO105"],  # D -> P -> B; A -> .. -> B; D -> P.
    "CABPD": ["KO102"],  # A -> B.
    "CABDP": ["KO102", "KO105"],  # A -> B; D -> P.
    "CBADP": ["KO105", "KO106"],  # D -> P; biased conv -> B.
    "CBAPD": ["KO104", "KO106"],  # A -> P; biased conv -> B.
    "CBDAP": ["KO104", "KO105", "KO106"],  # D -> A -> P; A -> P; no KO103 (relu).
    "CDABP": ["KO101", "KO102"],  # D -> A -> B; A -> B.
    "CDAPB": ["KO101", "KO102", "KO104", "KO105"],  # D -> A -> P -> B, ...
    "CDBAP": ["KO101", "KO104"],  # D -> B; A -> P.
}
SEVERITY = {
    "KO101": "warning",
    "KO102": "info",
    "KO104": "info",
    "KO105": "warning",
    "KO106": "info",
}


def ordering_model(order: str) -> keras.Model:
    layers = [keras.Input((28, 28, 1))]
    for module in (1, 2):
        for step in order:
            layers.append(
                {
                    "C": lambda m=module: keras.layers.Conv2D(
                        8 * m, 3, padding="same", name=f"conv{m}"
                    ),
                    "A": lambda m=module: keras.layers.Activation(
                        "relu", name=f"relu{m}"
                    ),
                    "D": lambda m=module: keras.layers.Dropout(0.25, name=f"drop{m}"),
                    "B": lambda m=module: keras.layers.BatchNormalization(
                        name=f"bn{m}"
                    ),
                    "P": lambda m=module: keras.layers.MaxPooling2D(name=f"pool{m}"),
                }[step]()
            )
    layers += [keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    return keras.Sequential(layers, name=order)


@pytest.mark.parametrize("order", sorted(ORDERINGS))
def test_mnist_table_orderings(order):
    report = lint_model(ordering_model(order))
    assert sorted(f.code for f in report) == sorted(ORDERINGS[order] * 2)
    for finding in report:
        assert finding.severity == SEVERITY[finding.code]
        # Every finding stays inside one module.
        assert len({layer[-1] for layer in finding.layers}) == 1, finding.layers


def test_seed_style_mistakes_are_caught():
    conv_model = keras.Sequential(
        [
            keras.Input((32, 4)),
            keras.layers.Conv1D(8, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling1D(name="pool"),
            keras.layers.Dropout(0.3, name="dropout"),
            keras.layers.BatchNormalization(name="bn"),
        ]
    )
    found = {(f.code, f.layers) for f in lint_model(conv_model)}
    assert ("KO101", ("dropout", "bn")) in found
    assert ("KO102", ("conv", "pool", "dropout", "bn")) in found

    dense_model = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(8, name="dense"),
            keras.layers.Dropout(0.5, name="dropout"),
            keras.layers.Activation("sigmoid", name="sigmoid"),
        ]
    )
    (finding,) = [f for f in lint_model(dense_model) if f.code == "KO103"]
    assert finding.severity == "warning"
    assert finding.layers == ("dropout", "sigmoid")
    assert "sigmoid(0) != 0" in finding.message
