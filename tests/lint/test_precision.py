"""Linter precision on real-model shapes: no false alarm, no
duplicate, output linear in the model size."""

from __future__ import annotations

import json

import keras
import pytest

from keras_ordering import cli, lint_model
from keras_ordering.graph import kinds
from keras_ordering.graph.graph import Graph
from keras_ordering.lint.api import lint_graph
from keras_ordering.lint.registry import all_rules
from keras_ordering.lint.sarif import to_sarif

# --- Item 5: duplicates ------------------------------------------------------------


def _siamese() -> keras.Model:
    tower = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="tanh", name="conv"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(4, name="embedding"),
        ],
        name="tower",
    )
    left = keras.Input((8, 8, 1), name="left")
    right = keras.Input((8, 8, 1), name="right")
    distance = keras.layers.Subtract(name="distance")([tower(left), tower(right)])
    return keras.Model([left, right], keras.layers.Dense(1, name="head")(distance))


def test_a_shared_tower_is_reported_once_with_its_call_sites():
    (finding,) = lint_model(_siamese())
    assert finding.code == "KO102"
    assert finding.layers == ("tower/conv", "tower/flatten", "tower/bn")
    assert finding.call_sites == ("tower on left", "tower on right")
    assert finding.message.endswith(
        "It is reported once for the 2 calls of the shared layer "
        "(tower on left; tower on right)."
    )
    assert finding.to_dict()["call_sites"] == ["tower on left", "tower on right"]


def _pre_norm_stream(blocks: int) -> keras.Model:
    inputs = keras.Input((8,))
    x = inputs
    for index in range(blocks):
        h = keras.layers.BatchNormalization(name=f"norm_{index}")(x)
        h = keras.layers.Dense(8, use_bias=False, name=f"mlp_{index}")(h)
        h = keras.layers.Dropout(0.1, name=f"drop_{index}")(h)
        x = keras.layers.Add(name=f"add_{index}")([x, h])
    x = keras.layers.BatchNormalization(name="final_norm")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="head")(x))


def test_a_dropout_on_a_residual_stream_is_reported_once():
    report = lint_model(_pre_norm_stream(8), select="KO101")
    # One finding per dropout (8), not one per (dropout, later BN) pair (36).
    assert [f.layers[0] for f in report] == [f"drop_{i}" for i in range(8)]
    first = report[0]
    assert first.layers == ("drop_0", "add_0", "norm_1")
    assert first.targets == (*(f"norm_{i}" for i in range(1, 8)), "final_norm")
    assert first.message.endswith(
        "It also reaches 'norm_2', 'norm_3', 'norm_4', 'norm_5', 'norm_6' and 2 more."
    )
    assert report[-1].targets == ("final_norm",)


def _dense_block(layers: int) -> keras.Model:
    """DenseNet-BC style: each layer's dropout joins the running concatenation."""
    inputs = keras.Input((8, 8, 4))
    x = inputs
    for index in range(layers):
        h = keras.layers.BatchNormalization(name=f"bn_{index}")(x)
        h = keras.layers.ReLU(name=f"relu_{index}")(h)
        h = keras.layers.Conv2D(4, 1, use_bias=False, name=f"conv_{index}")(h)
        h = keras.layers.Dropout(0.2, name=f"drop_{index}")(h)
        x = keras.layers.Concatenate(name=f"concat_{index}")([x, h])
    x = keras.layers.BatchNormalization(name="bn_final")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="head")(x))


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_dense_block_dropouts_are_grouped_per_source_in_every_format(
    output_format, tmp_path, capsys
):
    model = _dense_block(3)
    report = lint_model(model)
    assert [(f.code, f.layers[0], f.targets) for f in report] == [
        ("KO101", "drop_0", ("bn_1", "bn_2", "bn_final")),
        ("KO101", "drop_1", ("bn_2", "bn_final")),
        ("KO101", "drop_2", ("bn_final",)),
    ]
    path = tmp_path / "dense_block.keras"
    model.save(path)
    capsys.readouterr()
    cli.main(["lint", str(path), "--output-format", output_format, "--isolated"])
    text = capsys.readouterr().out
    if output_format == "json":
        (entry,) = json.loads(text)
        assert [row["targets"] for row in entry["findings"]] == [
            ["bn_1", "bn_2", "bn_final"],
            ["bn_2", "bn_final"],
            ["bn_final"],
        ]
    elif output_format == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        assert [r["properties"]["targets"] for r in results] == [
            ["bn_1", "bn_2", "bn_final"],
            ["bn_2", "bn_final"],
            ["bn_final"],
        ]
    else:
        assert text.count("dropout-before-batchnorm") == 3
        text = " ".join(text.split())  # Messages wrap at word boundaries.
        assert text.count("It also reaches 'bn_2' and 'bn_final'.") == 1
        assert text.count("It also reaches 'bn_final'.") == 1


def _noise_chain(count: int) -> Graph:
    graph = Graph("chain")
    current = [graph.add_node(kinds.INPUT, "input", "InputLayer")]
    for index in range(count):
        current = graph.add_layer("Dropout", f"dropout_{index}", {"rate": 0.1}, current)
    current = graph.add_layer("BatchNormalization", "bn", {}, current)
    graph.add_edge(current[0], graph.add_node(kinds.OUTPUT, "bn", "BatchNormalization"))
    return graph


def test_output_stays_linear_in_the_number_of_stacked_dropouts():
    # 2,000 dropouts before one BN used to give 2,000 findings whose paths
    # held every later dropout: tens of megabytes of output.
    sizes = {}
    for count in (500, 2000):
        report = lint_graph(_noise_chain(count), all_rules())
        sizes[count] = len(report.to_json()) + len(str(report))
        sarif = json.dumps(to_sarif([("chain.json", report)]))
        sizes[count] += len(sarif)
        # The dropout nearest the BN is reported; the stack is KO108's.
        assert [f.layers for f in report if f.code == "KO101"] == [
            (f"dropout_{count - 1}", "bn")
        ]
    assert sizes[2000] < 5 * sizes[500]
    assert sizes[2000] < 2000 * 2000  # About 1 kB per layer, not 1 kB per pair.


# --- Item 6: log_softmax before a from_logits loss ---------------------------------


def _log_softmax_model(loss) -> keras.Model:
    inputs = keras.Input((16,))
    x = keras.layers.Dense(4, name="scores")(inputs)
    outputs = keras.layers.Activation("log_softmax", name="log_probs")(x)
    model = keras.Model(inputs, outputs)
    model.compile(loss=loss)
    return model


@pytest.mark.parametrize(
    "loss",
    [
        keras.losses.CategoricalCrossentropy(from_logits=True),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    ],
)
def test_log_softmax_before_a_categorical_logits_loss_is_not_reported(loss):
    # log_softmax(x) = x - logsumexp(x): softmax is shift-invariant, so the
    # loss on it equals the loss on the raw logits.
    assert "KO202" not in lint_model(_log_softmax_model(loss)).codes()


def test_log_softmax_before_a_binary_logits_loss_is_reported():
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    (finding,) = lint_model(_log_softmax_model(loss), select="KO202")
    assert finding.layers == ("log_probs",)


# --- Item 3: KO109 only on an exclusive BN -> BN chain -----------------------------


def test_a_bn_feeding_a_residual_trunk_and_a_pre_norm_bn_is_not_consecutive():
    inputs = keras.Input((8, 8, 4))
    trunk = keras.layers.BatchNormalization(name="trunk_bn")(inputs)
    branch = keras.layers.BatchNormalization(name="pre_norm")(trunk)
    branch = keras.layers.Conv2D(4, 1, use_bias=False, name="mixer")(branch)
    outputs = keras.layers.Add(name="residual")([trunk, branch])
    assert lint_model(keras.Model(inputs, outputs), select="KO109").codes() == []


def test_an_exclusive_bn_chain_is_still_consecutive():
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.BatchNormalization(name="bn_1"),
            keras.layers.BatchNormalization(name="bn_2"),
        ]
    )
    (finding,) = lint_model(model, select="KO109")
    assert finding.layers == ("bn_1", "bn_2")


# --- Item 4: KO110 only on predictions ---------------------------------------------


def _post_norm_block(compiled: bool) -> keras.Model:
    inputs = keras.Input((8, 16))
    x = keras.layers.Dense(16, name="projection")(inputs)
    x = keras.layers.Dropout(0.1, name="dropout")(x)
    x = keras.layers.Add(name="residual")([inputs, x])
    outputs = keras.layers.LayerNormalization(name="norm")(x)
    model = keras.Model(inputs, outputs)
    if compiled:
        model.compile(loss="mse")
    return model


def _backbone_without_classes() -> keras.Model:
    """A residual stage whose drop-path output is read through the final BN."""
    inputs = keras.Input((8, 8, 4))
    branch = keras.layers.Conv2D(4, 3, padding="same", use_bias=False)(inputs)
    branch = keras.layers.Dropout(0.1, noise_shape=(None, 1, 1, 1), name="drop")(branch)
    x = keras.layers.Add(name="add")([inputs, branch])
    outputs = keras.layers.BatchNormalization(name="features")(x)
    return keras.Model(inputs, outputs)


def test_dropout_before_a_feature_output_is_not_dropout_on_predictions():
    assert "KO110" not in lint_model(_post_norm_block(compiled=False)).codes()
    assert "KO110" not in lint_model(_backbone_without_classes()).codes()


def test_dropout_before_a_compiled_output_is_reported():
    (finding,) = lint_model(_post_norm_block(compiled=True), select="KO110")
    assert finding.layers == ("dropout", "residual", "norm")
    assert finding.severity == "warning"


def test_an_uncompiled_classifier_head_is_a_prediction():
    model = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(3, name="logits"),
            keras.layers.Dropout(0.5, name="dropout"),
            keras.layers.Softmax(name="probabilities"),
        ]
    )
    (finding,) = lint_model(model, select="KO110")
    assert finding.layers == ("dropout", "probabilities")


# --- Item 2: KO106 only when every consumer normalizes the bias --------------------


def _conv_with_second_consumer(second: str) -> keras.Model:
    inputs = keras.Input((8, 8, 4))
    c = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    normalized = keras.layers.ReLU(name="relu")(
        keras.layers.BatchNormalization(name="bn")(c)
    )
    if second == "concatenate":
        x = keras.layers.Concatenate(name="concat")([normalized, c])
    elif second == "shortcut":
        x = keras.layers.Add(name="shortcut")([normalized, c])
    else:
        pooled = keras.layers.AveragePooling2D(2, name="avg_pool")(c)
        x = keras.layers.Concatenate(name="concat")(
            [keras.layers.AveragePooling2D(2, name="pool")(normalized), pooled]
        )
    return keras.Model(inputs, keras.layers.Conv2D(2, 1, name="head")(x))


@pytest.mark.parametrize("second", ["concatenate", "shortcut", "average_pool"])
def test_a_bias_read_by_an_unnormalized_consumer_is_not_redundant(second):
    model = _conv_with_second_consumer(second)
    assert "KO106" not in lint_model(model).codes()


def test_biases_summed_before_a_bn_are_reported_for_each_conv():
    """RetinaNet-style FPN: lateral + upsampled top-down, then only BNs."""
    lateral_in = keras.Input((8, 8, 4), name="lateral_in")
    top_in = keras.Input((4, 4, 4), name="top_in")
    lateral = keras.layers.Conv2D(4, 1, name="lateral")(lateral_in)
    top = keras.layers.Conv2D(4, 1, name="top")(top_in)
    up = keras.layers.UpSampling2D(name="up")(top)
    merged = keras.layers.Add(name="merge")([lateral, up])
    bn = keras.layers.BatchNormalization(name="bn")(merged)
    pooled = keras.layers.MaxPooling2D(name="pool")(merged)
    bn_small = keras.layers.BatchNormalization(name="bn_small")(pooled)
    model = keras.Model([lateral_in, top_in], [bn, bn_small])
    report = lint_model(model, select="KO106")
    assert [(f.layers, f.targets) for f in report] == [
        (("lateral", "merge", "bn"), ("bn", "bn_small")),
        (("top", "up", "merge", "bn"), ("bn", "bn_small")),
    ]
    assert report[0].message.endswith("Its other consumers, 'bn_small', cancel it too.")


# --- Item 1: KO107 only on redundant pairs -----------------------------------------


def test_attention_pooling_scores_then_softmax_over_time_is_not_redundant():
    inputs = keras.Input((10, 16))
    scores = keras.layers.Dense(1, activation="tanh", name="score")(inputs)
    weights = keras.layers.Softmax(axis=1, name="attention")(scores)
    model = keras.Model(inputs, keras.layers.Multiply()([inputs, weights]))
    assert "KO107" not in lint_model(model).codes()


def test_an_idempotent_repeat_is_info_and_a_squash_is_a_warning():
    repeat = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(8, activation="relu", name="dense"),
            keras.layers.ReLU(name="relu"),
        ]
    )
    (finding,) = lint_model(repeat, select="KO107")
    assert finding.severity == "info"
    assert finding.message == (
        "Dense 'dense' (activation=relu) is followed directly by ReLU 'relu': "
        "relu is idempotent, so the second is a no-op."
    )
    squash = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(3, activation="tanh", name="scores"),
            keras.layers.Softmax(name="probabilities"),
        ]
    )
    (finding,) = lint_model(squash, select="KO107")
    assert finding.severity == "warning"
    assert finding.message == (
        "Dense 'scores' (activation=tanh) is followed directly by Softmax "
        "'probabilities': softmax of tanh is a different function from either one."
    )


def test_zero_padding_keeps_a_bias_from_being_cancelled():
    # The padded zeros carry no bias, so BN's channel mean holds only part of
    # it: ResNet50V2's stem conv -> pad -> max pool -> BN is not reported.
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3, name="conv"),
            keras.layers.ZeroPadding2D(1, name="pad"),
            keras.layers.MaxPooling2D(3, strides=2, name="pool"),
            keras.layers.BatchNormalization(name="bn"),
        ]
    )
    assert lint_model(model, select="KO106").codes() == []
