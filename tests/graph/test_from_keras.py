"""The live-model adapter: every graph feature, seen through the rules."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering import BNActDropout, lint_model
from keras_ordering.graph import kinds
from keras_ordering.graph.from_keras import graph_from_model


def _findings(model, **options) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.code, f.layers) for f in lint_model(model, **options)]


def test_sequential_graph_has_input_output_and_parts():
    model = keras.Sequential(
        [
            keras.Input((4,), name="features"),
            keras.layers.Dense(3, activation="relu", name="dense"),
            BNActDropout("gelu", 0.2, name="fused"),
        ]
    )
    graph = graph_from_model(model)
    described = [(n.kind, n.path, n.part) for n in graph.nodes]
    assert described == [
        ("input", "features", None),
        ("weight", "dense", None),
        ("activation", "dense", "activation"),
        ("batch-norm", "fused", "batch-norm"),
        ("activation", "fused", "activation"),
        ("noise", "fused", "noise"),
        ("output", "fused", None),
    ]
    assert [graph.successors[i] for i in range(6)] == [[1], [2], [3], [4], [5], [6]]


def test_nested_model_boundary_is_crossed():
    inner = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, name="dense"),
            keras.layers.Dropout(0.3, name="dropout"),
        ],
        name="inner",
    )
    inputs = keras.Input((8,))
    x = inner(inputs)
    outputs = keras.layers.BatchNormalization(name="bn")(x)
    model = keras.Model(inputs, outputs, name="outer")
    assert ("KO101", ("inner/dropout", "bn")) in _findings(model)


def test_functional_nested_in_functional_and_sequential():
    inputs = keras.Input((8,))
    x = keras.layers.Dropout(0.3, name="drop")(inputs)
    block = keras.Model(inputs, x, name="block")
    model = keras.Sequential(
        [keras.Input((8,)), block, keras.layers.BatchNormalization(name="bn")]
    )
    assert ("KO101", ("block/drop", "bn")) in _findings(model)


def test_shared_layer_calls_are_separate_nodes():
    shared_dropout = keras.layers.Dropout(0.5, name="shared_dropout")
    left, right = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    left_bn = keras.layers.BatchNormalization(name="left_bn")(shared_dropout(left))
    right_dense = keras.layers.Dense(4, name="right_dense")(shared_dropout(right))
    model = keras.Model([left, right], [left_bn, right_dense])
    graph = graph_from_model(model)
    noise_nodes = [n for n in graph.nodes if n.path == "shared_dropout"]
    assert len(noise_nodes) == 2
    # Only the call that feeds a BN is reported.
    assert _findings(model, select="KO101") == [
        ("KO101", ("shared_dropout", "left_bn"))
    ]


def test_multi_input_branches_merge_into_batchnorm():
    image, side = keras.Input((8,), name="image"), keras.Input((8,), name="side")
    dropped = keras.layers.Dropout(0.3, name="drop")(image)
    merged = keras.layers.Concatenate(name="concat")([dropped, side])
    outputs = keras.layers.BatchNormalization(name="bn")(merged)
    model = keras.Model([image, side], outputs)
    assert _findings(model, select="KO101") == [("KO101", ("drop", "concat", "bn"))]


def test_time_distributed_and_bidirectional_are_looked_inside():
    inputs = keras.Input((5, 8))
    x = keras.layers.TimeDistributed(keras.layers.Dropout(0.3, name="d"), name="td")(
        inputs
    )
    x = keras.layers.TimeDistributed(
        keras.layers.BatchNormalization(name="b"), name="td_bn"
    )(x)
    x = keras.layers.Bidirectional(keras.layers.LSTM(4), name="bi")(x)
    model = keras.Model(inputs, x)
    assert ("KO101", ("td/d", "td_bn/b")) in _findings(model)
    graph = graph_from_model(model)
    lstm = [n for n in graph.nodes if n.path.startswith("bi/")]
    assert [n.kind for n in lstm] == ["weight"]


def test_bn_act_dropout_followed_by_batchnorm():
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, use_bias=False),
            BNActDropout("relu", 0.3, name="fused"),
            keras.layers.BatchNormalization(name="bn"),
        ]
    )
    found = _findings(model)
    assert ("KO101", ("fused", "bn")) in found
    assert ("KO102", ("fused", "bn")) in found
    # Rate 0: no noise part, so only the activation -> BN ordering remains.
    model.layers[1].rate = 0.0
    fused_zero = keras.Sequential(
        [
            keras.Input((8,)),
            BNActDropout("relu", 0.0, name="fused"),
            keras.layers.BatchNormalization(name="bn"),
        ]
    )
    assert [code for code, _ in _findings(fused_zero)] == ["KO102"]


class Subclassed(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(8, name="dense")
        self.dropout = keras.layers.Dropout(0.4, name="dropout")
        self.bn = keras.layers.BatchNormalization(name="bn")
        self.head = keras.layers.Dense(2, name="head")

    def call(self, inputs, training=None):
        x = self.dropout(self.dense(inputs))
        return self.head(self.bn(x))


def test_subclassed_model_is_traced_from_its_layer_calls():
    model = Subclassed(name="sub")
    model(np.zeros((2, 4), "float32"))
    report = lint_model(model)
    assert [(f.code, f.layers) for f in report] == [("KO101", ("dropout", "bn"))]
    assert any("traced" in note for note in report.notes)
    # Tracing changed nothing: no statistics update, no leftover patch.
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.bn.moving_mean), np.zeros(8)
    )
    assert keras.layers.Layer.__call__.__name__ == "__call__"


class Block(keras.layers.Layer):
    """A custom layer with sublayers: flattened by tracing."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dropout = keras.layers.Dropout(0.3, name="inner_dropout")
        self.bn = keras.layers.BatchNormalization(name="inner_bn")

    def call(self, inputs, training=None):
        return self.bn(self.dropout(inputs, training=training), training=training)


def test_custom_layer_with_sublayers_is_flattened():
    inputs = keras.Input((6,))
    model = keras.Model(inputs, Block(name="block")(inputs))
    assert ("KO101", ("block/inner_dropout", "block/inner_bn")) in _findings(model)


class Double(keras.layers.Layer):
    """A custom layer without sublayers: its call is not looked into."""

    def call(self, inputs):
        return inputs * 2.0


def test_unknown_layers_are_opaque_and_reported():
    inputs = keras.Input((6,))
    x = keras.layers.Dropout(0.3, name="drop")(inputs)
    x = Double(name="double")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    report = lint_model(keras.Model(inputs, x))
    assert report.codes() == []  # The path stops at the custom layer.
    assert report.opaque_layers == (
        ("double", "Double", "Double is not a layer class the linter knows"),
    )
    assert "Opaque layers" in str(report)


def test_weight_layer_activation_counts_as_an_activation():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.BatchNormalization(name="bn"),
        ]
    )
    assert _findings(model) == [("KO102", ("conv", "bn"))]
    kinds_seen = [n.kind for n in graph_from_model(model).nodes]
    assert kinds_seen.count(kinds.ACTIVATION) == 1


def test_bad_input_raises_clear_errors():
    with pytest.raises(TypeError, match=r"expects a keras.Model"):
        lint_model(keras.layers.Dense(3))
    with pytest.raises(TypeError, match=r"expects a keras.Model"):
        lint_model("model.keras")
    with pytest.raises(ValueError, match=r"not built.*model.build\(input_shape\)"):
        lint_model(Subclassed())
    with pytest.raises(ValueError, match="has no layers"):
        lint_model(keras.Sequential([keras.Input((3,))]))


# --- Per-lint class facts (lint speed): never stale, same settings ---------


def test_class_facts_are_worked_out_again_at_each_lint(monkeypatch):
    """A class patched between two lints is seen as it is now: its facts are
    kept for one lint only (graph/from_keras.py `_ClassFacts`)."""

    class Shake(keras.layers.Layer):
        def call(self, inputs):
            return inputs

    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(4), Shake(name="shake")]
    )
    assert graph_from_model(model).nodes[-2].kind == kinds.UNKNOWN
    monkeypatch.setitem(kinds.LAYER_KINDS, "Shake", kinds.SHAPE)
    monkeypatch.setattr(Shake, "__module__", "keras.src.layers.shake")
    assert graph_from_model(model).nodes[-2].kind == kinds.SHAPE


def test_settings_read_as_getattr_reads_them():
    """Settings come from the instance dict where no class defines them, and
    through `getattr` otherwise: a property, and a class attribute, count;
    a class with its own `__getattr__` is read through `getattr` alone."""
    from keras_ordering.graph import expand
    from keras_ordering.graph.from_keras import layer_attributes

    class WithProperty(keras.layers.Dropout):
        @property
        def stddev(self):
            return 0.25

    class WithClassSetting(keras.layers.Layer):
        units = 7

    class WithGetattr(keras.layers.Layer):
        def __getattr__(self, name):
            if name == "momentum":
                return 0.5
            raise AttributeError(name)

    for layer in (
        keras.layers.Conv2D(3, 3),
        keras.layers.BatchNormalization(momentum=0.9),
        WithProperty(0.3),
        WithClassSetting(),
        WithGetattr(),
    ):
        expected = {
            name: getattr(layer, name)
            for name in expand.LAYER_ATTRIBUTE_NAMES
            if hasattr(layer, name)
        }
        assert layer_attributes(layer) == expected, type(layer).__name__
    assert layer_attributes(WithProperty(0.3))["stddev"] == 0.25
    assert layer_attributes(WithClassSetting())["units"] == 7
    assert layer_attributes(WithGetattr())["momentum"] == 0.5
