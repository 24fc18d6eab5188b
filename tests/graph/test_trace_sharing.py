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
