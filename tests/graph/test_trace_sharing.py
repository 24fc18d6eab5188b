"""Trace sharing is correct by construction (issue 19, fault 3).

Twins share one trace only when they are provably alike: same class, same
config, equal instance attributes compared by value, deeply. A layer whose
Python state changed is traced again, even inside a newly built model.
"""

from __future__ import annotations

import collections
import dataclasses

import keras
import pytest

from keras_ordering import lint_model
from keras_ordering.graph import fingerprint, trace


def _ko101(model) -> list[tuple[str, ...]]:
    return [f.layers for f in lint_model(model, select="KO101")]


@dataclasses.dataclass
class Order:
    """How a block orders its dropout and its BN: not in the block's config."""

    dropout_first: bool


@dataclasses.dataclass
class Step:
    kind: str  # "drop" or "bn"


class _Counted(keras.layers.Layer):
    # Per block name, how often its `call` ran (a class attribute: not state).
    runs: collections.Counter = collections.Counter()

    def count(self) -> None:
        type(self).runs[self.name] += 1


class ConfiguredBlock(_Counted):
    """Dropout -> BN or BN -> Dropout, as its dataclass says."""

    def __init__(self, order, **kwargs):
        super().__init__(**kwargs)
        self.order = order
        self.drop = keras.layers.Dropout(0.3, name="drop")
        self.bn = keras.layers.BatchNormalization(name="bn")

    def call(self, inputs, training=None):
        self.count()
        if self.order.dropout_first:
            return self.bn(self.drop(inputs, training=training), training=training)
        return self.drop(self.bn(inputs, training=training), training=training)


class StepsBlock(_Counted):
    """Calls its sublayers in the order of a dataclass list inside a dict."""

    def __init__(self, spec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.drop = keras.layers.Dropout(0.3, name="drop")
        self.bn = keras.layers.BatchNormalization(name="bn")

    def call(self, inputs, training=None):
        self.count()
        x = inputs
        for step in self.spec["steps"]:
            x = getattr(self, step.kind)(x, training=training)
        return x


class PlainOrder:
    """A configuration object that cannot be compared by value."""

    def __init__(self, dropout_first: bool):
        self.dropout_first = dropout_first


def _steps(dropout_first: bool) -> dict:
    kinds = ["drop", "bn"] if dropout_first else ["bn", "drop"]
    return {"steps": [Step(kind) for kind in kinds]}


def _parallel(*blocks) -> keras.Model:
    inputs = keras.Input((6,), name="x")
    return keras.Model(inputs, [block(inputs) for block in blocks])


BLOCKS = {
    "dataclass": lambda name, first: ConfiguredBlock(Order(first), name=name),
    "dataclass in a list in a dict": lambda name, first: StepsBlock(
        _steps(first), name=name
    ),
    "uncomparable object": lambda name, first: ConfiguredBlock(
        PlainOrder(first), name=name
    ),
}


@pytest.mark.parametrize("make", BLOCKS.values(), ids=BLOCKS.keys())
@pytest.mark.parametrize("dropout_first", [(True, False), (False, True)])
def test_blocks_configured_apart_are_not_twins_in_either_order(make, dropout_first):
    # One block has Dropout -> BN (a real KO101), the other BN -> Dropout:
    # the real one is found and no false one appears, whichever comes first.
    first, second = (
        make(name, flag) for name, flag in zip("ab", dropout_first, strict=True)
    )
    found = _ko101(_parallel(first, second))
    culprit = "a" if dropout_first[0] else "b"
    assert found == [(f"{culprit}/drop", f"{culprit}/bn")]


def test_blocks_equal_by_value_are_still_twins():
    blocks = [ConfiguredBlock(Order(True), name=f"twin_{i}") for i in range(3)]
    model = _parallel(*blocks)
    runs = [_Counted.runs[b.name] for b in blocks]
    found = _ko101(model)
    # Equal dataclasses (three objects): one block is traced, its twins reuse
    # its plan with their own sublayers.
    traced = [_Counted.runs[b.name] - r for b, r in zip(blocks, runs, strict=True)]
    assert sorted(traced) == [0, 0, 1]
    assert found == [(f"twin_{i}/drop", f"twin_{i}/bn") for i in range(3)]


def test_changed_python_state_gives_the_new_findings():
    block = ConfiguredBlock(Order(True), name="block")
    model = _parallel(block)
    assert _ko101(model) == [("block/drop", "block/bn")]
    block.order = Order(False)
    assert _ko101(model) == []
    block.order.dropout_first = True  # Changed in place, one level down.
    assert _ko101(model) == [("block/drop", "block/bn")]
    block.order.dropout_first = False
    rebuilt = _parallel(block)  # The same block in a newly built model.
    assert _ko101(rebuilt) == []


class Switchable(keras.Model):
    """A subclassed model whose ordering is a plain Python attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dropout_first = True
        self.drop = keras.layers.Dropout(0.3, name="drop")
        self.bn = keras.layers.BatchNormalization(name="bn")
        self.head = keras.layers.Dense(2, name="head")

    def call(self, inputs, training=None):
        if self.dropout_first:
            x = self.bn(self.drop(inputs, training=training), training=training)
        else:
            x = self.drop(self.bn(inputs, training=training), training=training)
        return self.head(x)


def test_changed_state_of_a_subclassed_model_gives_the_new_findings():
    model = Switchable()
    model.build((None, 6))
    assert _ko101(model) == [("drop", "bn")]
    model.dropout_first = False
    assert _ko101(model) == []


def test_a_layer_traced_twice_in_one_state_is_traced_once():
    block = ConfiguredBlock(Order(True), name="once")
    model = _parallel(block)
    runs = _Counted.runs[block.name]
    _ko101(model)
    _ko101(model)
    assert _Counted.runs[block.name] == runs + 1


def test_fingerprints_compare_values_deeply():
    def facts(value):
        return repr(fingerprint._Facts(None, []).of(value))

    assert facts({"a": [Step("drop"), (1, 2.0)]}) == facts(
        {"a": [Step("drop"), (1, 2.0)]}
    )
    assert facts({"a": [Step("drop")]}) != facts({"a": [Step("bn")]})
    assert facts([1]) != facts((1,)) != facts([True]) != facts([1.0])
    assert facts({frozenset({1, 2})}) == facts({frozenset({2, 1})})
    assert facts(keras.initializers.RandomNormal(stddev=1.0)) != facts(
        keras.initializers.RandomNormal(stddev=2.0)
    )
    with pytest.raises(fingerprint.UncomparableError):
        facts([PlainOrder(True)])


def test_plan_cache_can_be_cleared():
    block = ConfiguredBlock(Order(True), name="cleared")
    model = _parallel(block)
    _ko101(model)
    runs = _Counted.runs[block.name]
    trace.clear_plan_cache()
    assert _ko101(model) == [("cleared/drop", "cleared/bn")]
    assert _Counted.runs[block.name] == runs + 1


class CountingBlock(keras.layers.Layer):
    """Counts its own calls in an instance attribute: state its trace leaves."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0
        self.drop = keras.layers.Dropout(0.3, name="drop")
        self.bn = keras.layers.BatchNormalization(name="bn")

    def call(self, inputs, training=None):
        self.calls += 1
        return self.bn(self.drop(inputs, training=training), training=training)


class Outer(_Counted):
    """A container whose sublayer block changes its own state when called."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = CountingBlock(name="inner")
        self.head = keras.layers.Dense(6, name="head")

    def call(self, inputs, training=None):
        self.count()
        return self.head(self.inner(inputs, training=training))


def test_state_a_trace_leaves_on_a_sublayer_is_not_traced_again():
    # The inner block's counter moves in the trace: the plan is keyed by the
    # state the trace left too, so the next lint reuses it.
    block = Outer(name="outer")
    model = _parallel(block)
    assert _ko101(model) == [("outer/inner/drop", "outer/inner/bn")]
    runs, calls = _Counted.runs[block.name], block.inner.calls
    assert _ko101(model) == [("outer/inner/drop", "outer/inner/bn")]
    assert (_Counted.runs[block.name], block.inner.calls) == (runs, calls)
    block.inner.calls = 100  # Changed by the user: traced again.
    _ko101(model)
    assert _Counted.runs[block.name] == runs + 1


# Keras' own layers, each with variants that differ in one setting their
# config holds (the first of each list is the reference).
KERAS_VARIANTS = {
    "Dense": [
        lambda: keras.layers.Dense(4),
        lambda: keras.layers.Dense(5),
        lambda: keras.layers.Dense(4, activation="relu"),
        lambda: keras.layers.Dense(4, use_bias=False),
        lambda: keras.layers.Dense(4, kernel_initializer="zeros"),
        lambda: keras.layers.Dense(4, kernel_regularizer="l2"),
        lambda: keras.layers.Dense(4, trainable=False),
        lambda: keras.layers.Dense(4, dtype="float16"),
        lambda: keras.layers.Dense(4, activity_regularizer="l1"),
    ],
    "BatchNormalization": [
        lambda: keras.layers.BatchNormalization(),
        lambda: keras.layers.BatchNormalization(axis=1),
        lambda: keras.layers.BatchNormalization(momentum=0.9),
        lambda: keras.layers.BatchNormalization(center=False),
        lambda: keras.layers.BatchNormalization(dtype="mixed_float16"),
    ],
    "Conv2D": [
        lambda: keras.layers.Conv2D(4, 3),
        lambda: keras.layers.Conv2D(4, 5),
        lambda: keras.layers.Conv2D(4, 3, padding="same"),
        lambda: keras.layers.Conv2D(4, 3, strides=2),
        lambda: keras.layers.Conv2D(4, 3, dilation_rate=2),
    ],
    "MultiHeadAttention": [
        lambda: keras.layers.MultiHeadAttention(2, 4),
        lambda: keras.layers.MultiHeadAttention(3, 4),
        lambda: keras.layers.MultiHeadAttention(2, 4, use_bias=False),
        lambda: keras.layers.MultiHeadAttention(2, 4, output_shape=8),
    ],
    "Reshape": [
        lambda: keras.layers.Reshape((2, 3)),
        lambda: keras.layers.Reshape((3, 2)),
    ],
    "Activation": [
        lambda: keras.layers.Activation("relu"),
        lambda: keras.layers.Activation("gelu"),
    ],
}


@pytest.mark.parametrize("variants", KERAS_VARIANTS.values(), ids=KERAS_VARIANTS)
def test_keras_layers_described_without_their_config_tell_configs_apart(variants):
    # Keras' own layers are fingerprinted from their attributes, not their
    # serialized config: two of them are alike exactly when their configs
    # (their names aside) are equal.
    def config(layer):
        return {k: v for k, v in layer.get_config().items() if k != "name"}

    layers = [make() for make in variants] + [variants[0]()]
    for layer in layers:
        assert fingerprint._config_is_attributes(type(layer))
    for first in layers:
        for second in layers:
            alike = fingerprint.describe_layer(
                first, False, []
            ) == fingerprint.describe_layer(second, False, [])
            assert alike == (config(first) == config(second))


def test_a_keras_layer_changed_in_place_has_a_new_fingerprint():
    layer = keras.layers.Dense(
        4, kernel_initializer=keras.initializers.VarianceScaling()
    )
    before = fingerprint.describe_layer(layer, False, [])
    layer.trainable = False
    assert fingerprint.describe_layer(layer, False, []) != before
    layer.trainable = True
    assert fingerprint.describe_layer(layer, False, []) == before
    layer.kernel_initializer.scale = 2.0  # In place, one level down.
    assert fingerprint.describe_layer(layer, False, []) != before
