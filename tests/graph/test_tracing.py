"""Data flow inside traced custom layers and subclassed models.

Tensor operations between layer calls (`y + x`) are edges of the graph too:
on TensorFlow they are recovered from the traced graph; elsewhere the
report names the edges it could not trace.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from keras_ordering import lint_model
from keras_ordering.graph import kinds
from keras_ordering.graph.from_keras import graph_from_model

on_tensorflow = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="tensor operations are traced on the TensorFlow backend",
)


def _findings(model, **options) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.code, f.layers) for f in lint_model(model, **options)]


class ResidualDropoutBlock(keras.layers.Layer):
    """Dropout -> y + x -> BatchNormalization, with a tensor `+`."""

    def __init__(self, use_add_layer: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.use_add_layer = use_add_layer
        self.drop = keras.layers.Dropout(0.3, name="drop")
        self.add = keras.layers.Add(name="add") if use_add_layer else None
        self.bn = keras.layers.BatchNormalization(name="bn")
        self.calls = 0

    def call(self, inputs, training=None):
        self.calls += 1
        dropped = self.drop(inputs, training=training)
        summed = self.add([dropped, inputs]) if self.add else dropped + inputs
        return self.bn(summed, training=training)


def _residual_model(use_add_layer: bool = False) -> keras.Model:
    inputs = keras.Input((6,), name="x")
    x = ResidualDropoutBlock(use_add_layer, name="block")(inputs)
    outputs = keras.layers.Dense(2, name="head")(x)
    return keras.Model(inputs, outputs)


@on_tensorflow
def test_tensor_add_inside_a_custom_layer_is_an_edge():
    with_layer = _findings(_residual_model(use_add_layer=True), select="KO101")
    with_operator = _findings(_residual_model(), select="KO101")
    assert with_layer == [("KO101", ("block/drop", "block/add", "block/bn"))]
    assert with_operator == with_layer
    graph = graph_from_model(_residual_model())
    (add,) = [n for n in graph.nodes if n.path == "block/add"]
    assert (add.kind, add.layer_class, add.attrs["tensor_op"]) == (
        kinds.MERGE,
        "Add",
        "AddV2",
    )
    sources = {graph.nodes[i].path for i in graph.predecessors[add.index]}
    assert sources == {"x", "block/drop"}


@on_tensorflow
def test_tracing_changes_no_state_and_leaves_no_patch():
    model = _residual_model()
    bn = model.get_layer("block").bn
    lint_model(model)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(bn.moving_mean), np.zeros(6)
    )
    assert keras.layers.Layer.__call__.__name__ == "__call__"


class SharedInputBlock(keras.layers.Layer):
    """Dropout and BN both read the input; only the dropout branch is noisy.

    At training=False the dropout returns its input unchanged, so a trace in
    inference mode would see BN read the dropout's output.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.drop = keras.layers.Dropout(0.5, name="drop")
        self.dense = keras.layers.Dense(6, name="dense")
        self.bn = keras.layers.BatchNormalization(name="bn")

    def call(self, inputs, training=None):
        noisy = self.dense(self.drop(inputs, training=training))
        return self.bn(inputs, training=training) * noisy


@on_tensorflow
def test_a_dropout_returning_its_input_is_not_mistaken_for_its_consumer():
    inputs = keras.Input((6,), name="x")
    model = keras.Model(inputs, SharedInputBlock(name="block")(inputs))
    assert _findings(model, select="KO101") == []
    graph = graph_from_model(model)
    (bn,) = [n for n in graph.nodes if n.path == "block/bn"]
    assert [graph.nodes[i].path for i in graph.predecessors[bn.index]] == ["x"]


class SubclassedWithTensorOps(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(8, name="dense")
        self.drop = keras.layers.Dropout(0.4, name="drop")
        self.bn = keras.layers.BatchNormalization(name="bn")
        self.head = keras.layers.Dense(2, name="head")

    def call(self, inputs, training=None):
        x = self.dense(inputs)
        x = keras.ops.concatenate([self.drop(x, training=training), x], axis=-1)
        return self.head(self.bn(keras.ops.reshape(x, (-1, 16)), training=training))


@on_tensorflow
def test_subclassed_model_tensor_operations_are_edges():
    model = SubclassedWithTensorOps(name="sub")
    model(np.zeros((2, 4), "float32"))
    report = lint_model(model)
    ((code, layers),) = [(f.code, f.layers) for f in report]
    assert code == "KO101"
    assert layers[0] == "drop" and layers[-1] == "bn"
    graph = graph_from_model(model)
    kind_of = {node.path: node.kind for node in graph.nodes}
    assert {kind_of[path] for path in layers[1:-1]} == {kinds.MERGE, kinds.SHAPE}
    assert not any("Unknown edges" in note for note in report.notes)


class ConstantFed(keras.layers.Layer):
    """A sublayer called on a constant has no producer, and that is no loss."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.positions = keras.layers.Embedding(8, 6, name="positions")
        self.bn = keras.layers.BatchNormalization(name="bn")

    def call(self, inputs, training=None):
        positions = self.positions(keras.ops.arange(8))
        return self.bn(inputs + positions, training=training)


@on_tensorflow
def test_a_sublayer_fed_by_a_constant_is_no_unknown_edge():
    inputs = keras.Input((8, 6), name="x")
    model = keras.Model(inputs, ConstantFed(name="block")(inputs))
    report = lint_model(model)
    assert not any("Unknown edges" in note for note in report.notes)
    graph = graph_from_model(model)
    (add,) = [n for n in graph.nodes if n.path == "block/add"]
    sources = {graph.nodes[i].path for i in graph.predecessors[add.index]}
    assert sources == {"x", "block/positions"}


class ValueDependent(keras.Model):
    """Python control flow on a tensor's value: no symbolic trace possible."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.drop = keras.layers.Dropout(0.3, name="drop")
        self.bn = keras.layers.BatchNormalization(name="bn")

    def build(self, input_shape):
        self.bn.build(input_shape)

    def call(self, inputs, training=None):
        if float(keras.ops.convert_to_numpy(keras.ops.sum(inputs))) >= 0:
            inputs = inputs * 2.0
        return self.bn(self.drop(inputs, training=training) + inputs)


@on_tensorflow
def test_untraceable_edges_are_named_in_the_notes():
    model = ValueDependent(name="valued")
    model(np.zeros((2, 6), "float32"))
    report = lint_model(model)
    (note,) = [note for note in report.notes if "Unknown edges" in note]
    assert "layer 'valued': input 0 of sublayer 'drop'" in note
    assert "layer 'valued': input 0 of sublayer 'bn'" in note
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.bn.moving_mean), np.zeros(6)
    )


OTHER_BACKEND_SCRIPT = textwrap.dedent(
    """
    import keras
    from keras_ordering import lint_model

    class Block(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.drop = keras.layers.Dropout(0.3, name="drop")
            self.bn = keras.layers.BatchNormalization(name="bn")

        def call(self, inputs, training=None):
            return self.bn(self.drop(inputs, training=training) + inputs)

    inputs = keras.Input((6,), name="x")
    report = lint_model(keras.Model(inputs, Block(name="block")(inputs)))
    print(keras.backend.backend(), report.codes(), report.notes)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_name_the_unknown_edges(backend):
    pytest.importorskip(backend)
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-c", OTHER_BACKEND_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout.strip().splitlines()[-1]
    assert output.startswith(backend)
    assert "Unknown edges" in output
    assert "layer 'block': input 0 of sublayer 'bn'" in output


@on_tensorflow
def test_a_layer_is_traced_once_however_often_it_is_linted():
    model = _residual_model()
    block = model.get_layer("block")
    calls_before = block.calls
    first = _findings(model)
    assert block.calls == calls_before + 1
    assert _findings(model) == first
    assert graph_from_model(model).canonical() == graph_from_model(model).canonical()
    assert block.calls == calls_before + 1


class MaybeResidual(keras.layers.Layer):
    """Identical twins unless `residual` differs (absent from its config)."""

    def __init__(self, residual=True, **kwargs):
        super().__init__(**kwargs)
        self.residual = residual
        self.drop = keras.layers.Dropout(0.3)
        self.bn = keras.layers.BatchNormalization()
        self.calls = 0

    def call(self, inputs, training=None):
        self.calls += 1
        dropped = self.drop(inputs, training=training)
        return self.bn(dropped + inputs if self.residual else dropped)


def _stack(*blocks) -> keras.Model:
    inputs = keras.Input((6,), name="x")
    x = inputs
    for block in blocks:
        x = block(x)
    return keras.Model(inputs, x)


@on_tensorflow
def test_identical_blocks_are_traced_once_per_model():
    blocks = [MaybeResidual(name=f"block_{i}") for i in range(3)]
    model = _stack(*blocks)
    calls = [block.calls for block in blocks]
    graph = graph_from_model(model)
    # Only the first block ran; its twins reuse its plan with their sublayers.
    assert [b.calls - c for b, c in zip(blocks, calls, strict=True)] == [1, 0, 0]
    for index, block in enumerate(blocks):
        (add,) = [n for n in graph.nodes if n.path == f"block_{index}/add"]
        sources = {graph.nodes[i].path for i in graph.predecessors[add.index]}
        previous = f"block_{index - 1}/{blocks[index - 1].bn.name}" if index else "x"
        assert sources == {previous, f"block_{index}/{block.drop.name}"}
    assert len(_findings(model, select="KO101")) == 3


@on_tensorflow
def test_blocks_differing_in_a_plain_attribute_are_not_twins():
    blocks = [MaybeResidual(name="with_skip"), MaybeResidual(name="plain")]
    blocks[1].residual = False  # Same config; only the attribute differs.
    model = _stack(*blocks)
    calls = blocks[1].calls
    graph = graph_from_model(model)
    assert [n.path for n in graph.nodes if n.kind == kinds.MERGE] == ["with_skip/add"]
    assert blocks[1].calls == calls + 1


class Stage(keras.layers.Layer):
    """Identical blocks nested in one custom layer, as in a Swin stage."""

    def __init__(self, depth=3, **kwargs):
        super().__init__(**kwargs)
        self.blocks = [MaybeResidual(name=f"block_{i}") for i in range(depth)]
        self.scale = keras.layers.Dense(6, name="scale")

    def call(self, inputs, training=None):
        x = self.scale(inputs) * inputs
        for block in self.blocks:
            x = block(x, training=training)
        return x


@on_tensorflow
def test_identical_nested_blocks_are_traced_once():
    inputs = keras.Input((6,), name="x")
    stage = Stage(name="stage")
    model = keras.Model(inputs, stage(inputs))
    calls = [block.calls for block in stage.blocks]
    graph = graph_from_model(model)
    assert [b.calls - c for b, c in zip(stage.blocks, calls, strict=True)] == [1, 0, 0]
    (multiply,) = [
        n for n in graph.nodes if n.kind == kinds.MERGE and "block" not in n.path
    ]
    assert multiply.path == "stage/mul"
    sources = {graph.nodes[i].path for i in graph.predecessors[multiply.index]}
    assert sources == {"x", "stage/scale"}
    adds = [n for n in graph.nodes if n.layer_class == "Add"]
    assert [n.path for n in adds] == [f"stage/block_{i}/add" for i in range(3)]
    for index, add in enumerate(adds[1:], start=1):
        sources = {graph.nodes[i].path for i in graph.predecessors[add.index]}
        block = stage.blocks[index]
        previous_bn = f"stage/block_{index - 1}/{stage.blocks[index - 1].bn.name}"
        assert sources == {previous_bn, f"stage/block_{index}/{block.drop.name}"}


@on_tensorflow
def test_twins_on_a_drop_rate_schedule_keep_their_own_rates():
    blocks = [MaybeResidual(name=f"block_{i}") for i in range(3)]
    for block, rate in zip(blocks, (0.1, 0.2, 0.3), strict=True):
        block.drop.rate = rate
    model = _stack(*blocks)
    calls = [block.calls for block in blocks]
    graph = graph_from_model(model)
    assert [b.calls - c for b, c in zip(blocks, calls, strict=True)] == [1, 0, 0]
    rates = [n.attrs["rate"] for n in graph.nodes if n.kind == kinds.NOISE]
    assert rates == [0.1, 0.2, 0.3]


class CountedDropPath(keras.layers.Layer):
    """A custom leaf without `compute_output_shape`, like keras-hub's DropPath."""

    calls = 0

    def __init__(self, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1)

    def call(self, inputs, training=None):
        type(self).calls += 1
        if not training:
            return inputs
        keep = keras.random.uniform(
            (keras.ops.shape(inputs)[0], 1), seed=self.seed_generator
        )
        return inputs * keras.ops.floor(1 - self.rate + keep) / (1 - self.rate)


class TwoPaths(keras.layers.Layer):
    """Two identical custom leaves in one traced container."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = CountedDropPath(0.1, name="first")
        self.second = CountedDropPath(0.2, name="second")
        self.dense = keras.layers.Dense(6, name="dense")

    def call(self, inputs, training=None):
        x = inputs + self.first(inputs)
        return x + self.second(self.dense(x))


@on_tensorflow
def test_identical_custom_leaves_are_run_once_per_input_shape():
    inputs = keras.Input((6,), name="x")
    model = keras.Model(inputs, TwoPaths(name="block")(inputs))
    calls = CountedDropPath.calls
    graph = graph_from_model(model)
    # One run of the first leaf, on a scratch graph, gives both output specs.
    assert CountedDropPath.calls == calls + 1
    edges = {
        (graph.nodes[s].path, graph.nodes[t].path)
        for s, targets in enumerate(graph.successors)
        for t in targets
    }
    assert {
        ("x", "block/first"),
        ("block/add", "block/dense"),
        ("block/dense", "block/second"),
        ("block/second", "block/add_1"),
    } <= edges


class BatchAware(keras.layers.Layer):
    """Reads its batch size, as window attention does, then normalizes over
    the batch axis."""

    seen_batch_sizes: list = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(6, name="dense")
        self.softmax = keras.layers.Softmax(axis=0, name="softmax")

    def call(self, inputs):
        batch = keras.ops.shape(inputs)[0]
        type(self).seen_batch_sizes.append(batch)
        x = keras.ops.reshape(self.dense(inputs), (batch, 2, 3))
        return self.softmax(x)


@on_tensorflow
def test_a_call_is_traced_at_a_known_batch_and_recorded_at_an_unknown_one():
    inputs = keras.Input((6,), name="x")
    model = keras.Model(inputs, BatchAware(name="block")(inputs))
    BatchAware.seen_batch_sizes.clear()
    graph = graph_from_model(model)
    # A known batch makes `ops.shape` plain numbers: no shape arithmetic is
    # traced. The graph still reads the batch as unknown, as Keras does.
    assert BatchAware.seen_batch_sizes == [2]
    (softmax,) = [n for n in graph.nodes if n.path == "block/softmax"]
    (reshape,) = graph.predecessors[softmax.index]
    assert graph.nodes[reshape].layer_class == "Reshape"
    (dense,) = graph.predecessors[reshape]
    assert graph.nodes[dense].path == "block/dense"

    x = keras.layers.Dense(6, name="dense")(inputs)
    x = keras.layers.Reshape((2, 3))(x)
    functional = keras.Model(inputs, keras.layers.Softmax(axis=0, name="softmax")(x))
    (twin,) = [
        n
        for n in graph_from_model(functional).nodes
        if n.path == "softmax" and n.kind == kinds.ACTIVATION
    ]
    assert softmax.attrs == twin.attrs
    assert "axis_size" not in softmax.attrs  # The batch axis has no known size.
