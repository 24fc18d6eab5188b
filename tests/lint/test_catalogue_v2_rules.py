"""KO111, KO112, KO113, KO130 and KO203 beyond their VALID / INVALID examples:
thresholds, the data format followed through the graph, nested models,
multi-output losses, and the same findings from a saved file."""

from __future__ import annotations

import keras
import pytest

from keras_ordering import BNActDropout, lint_file, lint_model
from keras_ordering.graph.from_config import graph_from_config
from keras_ordering.lint.registry import all_rules


def _found(model, code):
    return [f for f in lint_model(model, select=code)]


def _same_from_file(model, tmp_path):
    path = tmp_path / "model.keras"
    model.save(path)
    live = [(f.code, f.layers, f.severity, f.message) for f in lint_model(model)]
    static = [(f.code, f.layers, f.severity, f.message) for f in lint_file(path)]
    assert static == live
    return live


# --- KO111 batchnorm-axis-mismatch ------------------------------------------


def _channels_first_block(bn_axis, between):
    inputs = keras.Input((3, 8, 8), name="image")
    x = keras.layers.Conv2D(4, 3, data_format="channels_first", name="conv")(inputs)
    skip = keras.layers.Conv2D(4, 3, data_format="channels_first", name="skip_conv")(
        inputs
    )
    x = between(x, skip)
    x = keras.layers.BatchNormalization(axis=bn_axis, name="bn")(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize(
    "between",
    [
        lambda x, skip: keras.layers.Add(name="add")([x, skip]),
        lambda x, skip: keras.layers.Concatenate(axis=1, name="concat")([x, skip]),
        lambda x, skip: keras.layers.Dropout(0.1, name="drop")(
            keras.layers.ReLU(name="relu")(x)
        ),
        lambda x, skip: keras.layers.ZeroPadding2D(
            data_format="channels_first", name="pad"
        )(x),
    ],
    ids=["add", "concatenate", "relu-dropout", "padding"],
)
def test_axis_mismatch_follows_the_data_format(between, tmp_path):
    model = _channels_first_block(-1, between)
    (finding,) = _found(model, "KO111")
    assert finding.layers[-1] == "bn"
    assert "Use axis=1." in finding.message
    assert _found(_channels_first_block(1, between), "KO111") == []
    assert ("KO111", finding.layers, finding.severity, finding.message) in (
        _same_from_file(model, tmp_path)
    )


def test_axis_mismatch_says_nothing_where_the_format_is_unknown():
    inputs = keras.Input((8, 8, 3))
    reshaped = keras.layers.Reshape((3, 8, 8), name="reshape")(
        keras.layers.Conv2D(3, 1, name="conv")(inputs)
    )
    after_reshape = keras.layers.BatchNormalization(axis=1, name="bn1")(reshaped)
    after_input = keras.layers.BatchNormalization(axis=1, name="bn2")(inputs)
    dense = keras.layers.Dense(4, name="dense")(inputs)
    after_dense = keras.layers.BatchNormalization(axis=1, name="bn3")(dense)
    model = keras.Model(inputs, [after_reshape, after_input, after_dense])
    assert _found(model, "KO111") == []


def test_axis_mismatch_sees_bn_act_dropout_and_list_axes():
    model = keras.Sequential(
        [
            keras.Input((16, 4)),
            keras.layers.Conv1D(8, 3, name="conv"),
            BNActDropout("relu", 0.1, axis=1, name="block"),
        ]
    )
    assert [f.layers for f in _found(model, "KO111")] == [("conv", "block")]
    # Keras 2 files store the axis of a built BN as a list: [2] is axis -1.
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "k2",
            "layers": [
                {
                    "class_name": "Conv1D",
                    "config": {
                        "name": "conv",
                        "filters": 8,
                        "data_format": "channels_last",
                        "batch_input_shape": [None, 16, 4],
                    },
                },
                {
                    "class_name": "BatchNormalization",
                    "config": {"name": "bn", "axis": [2]},
                },
            ],
        },
    }
    from keras_ordering.lint.api import lint_graph
    from keras_ordering.lint.registry import resolve

    assert list(lint_graph(graph_from_config(config), resolve("KO111"))) == []
    config["config"]["layers"][1]["config"]["axis"] = [1]
    assert [
        f.code for f in lint_graph(graph_from_config(config), resolve("KO111"))
    ] == ["KO111"]


# --- KO112 batchnorm-momentum-inverted --------------------------------------


@pytest.mark.parametrize(
    ("momentum", "flagged"), [(0.0, True), (0.1, True), (0.49, True), (0.5, False)]
)
def test_momentum_threshold(momentum, flagged):
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.BatchNormalization(momentum=momentum)]
    )
    found = _found(model, "KO112")
    assert bool(found) == flagged
    if momentum == 0.1:
        assert "Use momentum=0.9." in found[0].message


# --- KO113 dropout-rate-as-keep-probability ---------------------------------


@pytest.mark.parametrize(
    ("layer", "severity"),
    [
        (keras.layers.Dropout(0.5), None),
        (keras.layers.Dropout(0.69), None),
        (keras.layers.Dropout(0.7), "info"),
        (keras.layers.Dropout(0.79), "info"),
        # 0.8 alone is info (issue 22: LSTM-FCN drops 80% on purpose).
        (keras.layers.Dropout(0.8), "info"),
        (keras.layers.Dropout(0.89), "info"),
        (keras.layers.Dropout(0.9), "warning"),
        (keras.layers.GaussianDropout(0.9), "warning"),
        (keras.layers.GaussianNoise(0.9), None),
    ],
    ids=lambda value: getattr(value, "name", value),
)
def test_keep_probability_thresholds(layer, severity):
    model = keras.Sequential([keras.Input((4,)), layer])
    found = _found(model, "KO113")
    assert [f.severity for f in found] == ([severity] if severity else [])


def test_new_rules_stay_quiet_on_every_valid_example():
    """The other rules' VALID examples stay clean under the new rules."""
    new = {"KO111", "KO112", "KO113", "KO130", "KO203"}
    for rule in all_rules():
        for example in rule.VALID:
            codes = {f.code for f in lint_model(example.build(), select=sorted(new))}
            assert not codes, f"{rule.code} VALID example: {codes}"


# --- KO130 training-argument-overridden -------------------------------------


def _base_model():
    inputs = keras.Input((8,), name="base_in")
    x = keras.layers.Dense(8, use_bias=False, name="dense")(inputs)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.Dense(8, use_bias=False, name="dense2")(x)
    x = keras.layers.BatchNormalization(name="bn2")(x)
    return keras.Model(inputs, x, name="base_model")


def _fine_tuned(base_model):
    inputs = keras.Input((8,), name="features")
    x = base_model(inputs, training=False)
    outputs = keras.layers.Dense(1, name="logit")(x)
    return keras.Model(inputs, outputs, name="fine_tuned")


def test_nested_model_with_training_false_is_one_finding(tmp_path):
    model = _fine_tuned(_base_model())
    (finding,) = _found(model, "KO130")
    assert finding.layers == ("base_model",)
    assert "2 trainable BatchNormalizations" in finding.message
    assert "'base_model/bn1'" in finding.message
    # The remedy for a whole model is freeze_batchnorm, and it works:
    assert "keras_ordering.freeze_batchnorm on 'base_model'" in finding.message
    from keras_ordering import freeze_batchnorm

    freeze_batchnorm(model.get_layer("base_model"))
    assert _found(model, "KO130") == []
    model = _fine_tuned(_base_model())
    assert _same_from_file(model, tmp_path)[0][:2] == ("KO130", ("base_model",))


def test_frozen_batchnorm_is_not_reported():
    base_model = _base_model()
    base_model.trainable = False
    assert _found(_fine_tuned(base_model), "KO130") == []
    base_model.trainable = True
    base_model.get_layer("bn1").trainable = False
    (finding,) = _found(_fine_tuned(base_model), "KO130")
    assert "1 trainable BatchNormalization (" in finding.message


def test_outer_training_flag_wins_over_the_inner_one():
    inner_in = keras.Input((8,))
    inner = keras.Model(
        inner_in, keras.layers.Dropout(0.5, name="drop")(inner_in, training=True)
    )
    outer_in = keras.Input((8,))
    model = keras.Model(outer_in, inner(outer_in, training=False))
    # Keras passes the outer training=False to the inner dropout: no MC face.
    assert _found(model, "KO130") == []


def test_dropout_without_a_hard_coded_flag_is_not_reported(tmp_path):
    inputs = keras.Input((8,))
    outputs = keras.layers.Dropout(0.5)(keras.layers.Dense(8)(inputs))
    model = keras.Model(inputs, outputs)
    assert _found(model, "KO130") == []
    assert "KO130" not in [code for code, *_ in _same_from_file(model, tmp_path)]


def test_monte_carlo_noise_of_bn_act_dropout():
    inputs = keras.Input((8,))
    outputs = BNActDropout("relu", 0.2, name="block")(inputs, training=True)
    (finding,) = _found(keras.Model(inputs, outputs), "KO130")
    assert finding.layers == ("block",)
    assert "predict and evaluate" in finding.message


def test_keras2_node_kwargs_carry_the_training_flag():
    config = {
        "class_name": "Model",
        "config": {
            "name": "k2",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "name": "in",
                    "config": {"name": "in", "batch_input_shape": [None, 4]},
                    "inbound_nodes": [],
                },
                {
                    "class_name": "Dropout",
                    "name": "mc",
                    "config": {"name": "mc", "rate": 0.5},
                    "inbound_nodes": [[["in", 0, 0, {"training": True}]]],
                },
            ],
            "input_layers": [["in", 0, 0]],
            "output_layers": [["mc", 0, 0]],
        },
    }
    (noise,) = [n for n in graph_from_config(config).nodes if n.kind == "noise"]
    assert noise.attrs["training"] is True


# --- KO203 activation-loss-mismatch -----------------------------------------


def test_each_output_is_checked_against_its_own_loss(tmp_path):
    inputs = keras.Input((8,))
    labels = keras.layers.Dense(5, activation="sigmoid", name="labels")(inputs)
    classes = keras.layers.Dense(3, activation="softmax", name="classes")(inputs)
    score = keras.layers.Dense(1, name="score")(inputs)
    model = keras.Model(inputs, [labels, classes, score])
    model.compile(
        loss={
            "labels": "binary_crossentropy",
            "classes": "categorical_crossentropy",
            "score": "mse",
        }
    )
    assert _found(model, "KO203") == []
    model.compile(
        loss={
            "labels": "categorical_crossentropy",
            "classes": "binary_crossentropy",
            "score": keras.losses.BinaryCrossentropy(),
        }
    )
    found = {f.layers: f.message for f in _found(model, "KO203")}
    assert set(found) == {("labels",), ("classes",), ("score",)}
    assert "from_logits=True" in found[("score",)]
    assert [f[0] for f in _same_from_file(model, tmp_path)].count("KO203") == 3


def test_no_duplicate_of_ko201_or_ko202():
    single = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(1, activation="softmax")]
    )
    single.compile(loss="binary_crossentropy")
    assert {f.code for f in lint_model(single)} == {"KO201"}
    logits = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(3, activation="sigmoid")]
    )
    logits.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    assert {f.code for f in lint_model(logits)} == {"KO202"}


def test_single_sigmoid_with_sparse_categorical_crossentropy():
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(1, activation="sigmoid", name="p")]
    )
    model.compile(loss="sparse_categorical_crossentropy")
    (finding,) = _found(model, "KO203")
    assert "always 1" in finding.message
