"""fuse_model knows a layer by its class hierarchy, not by its bare name."""

from __future__ import annotations

import keras
import numpy as np

from keras_ordering import BNActDropout
from keras_ordering.rewrite import fuse_model

RNG = np.random.default_rng(0)


class ChannelBN(keras.layers.BatchNormalization):
    """A BN subclass that only changes a default: it computes what BN does."""

    def __init__(self, momentum=0.9, **kwargs):
        super().__init__(momentum=momentum, **kwargs)


class ScaledBN(keras.layers.BatchNormalization):
    """A BN subclass with its own call: BNActDropout would not compute it."""

    def call(self, inputs, training=None, mask=None):
        return 2.0 * super().call(inputs, training=training)


def _foreign(name: str) -> type:
    """A user's class that only shares a Keras or keras-ordering name."""

    def call(self, inputs, training=None):
        return inputs

    return type(name, (keras.layers.Layer,), {"call": call, "__module__": __name__})


def _chain(batch_norm: keras.layers.Layer) -> keras.Model:
    inputs = keras.Input((8,))
    x = keras.layers.Dense(8, name="dense")(inputs)
    x = batch_norm(x)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.Dropout(0.2, name="drop")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="head")(x))


def test_a_batch_norm_subclass_is_fused_as_a_batch_norm():
    model = _chain(ChannelBN(name="bn"))
    bn = model.get_layer("bn")
    bn.set_weights([RNG.uniform(0.5, 2.0, w.shape) for w in bn.weights])
    fused, changes = fuse_model(model, return_changes=True)
    assert [c.layers for c in changes if c.applied] == [("bn", "relu", "drop")]
    layer = fused.get_layer("bn")
    assert isinstance(layer, BNActDropout) and layer.momentum == 0.9
    x = RNG.normal(size=(4, 8)).astype("float32")
    np.testing.assert_allclose(
        fused.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5
    )


def test_a_batch_norm_subclass_with_its_own_call_is_seen_but_left():
    model = _chain(ScaledBN(name="bn"))
    fused, changes = fuse_model(model, return_changes=True)
    assert not any(c.applied for c in changes)
    (left,) = [c for c in changes if c.layers == ("bn",)]
    assert "ScaledBN" in left.description and "own call" in left.description
    assert isinstance(fused.get_layer("bn"), ScaledBN)


def test_a_foreign_class_named_batch_normalization_is_not_a_batch_norm():
    model = _chain(_foreign("BatchNormalization")(name="bn"))
    fused, changes = fuse_model(model, return_changes=True)
    # Not fused, and not listed as a BN "not followed by a fusable activation".
    assert not [c for c in changes if "bn" in c.layers]
    assert type(fused.get_layer("bn")).__module__ == __name__


def test_a_foreign_activation_or_dropout_name_does_not_join_a_chain():
    inputs = keras.Input((8,))
    x = keras.layers.BatchNormalization(name="bn")(inputs)
    x = keras.layers.ReLU(name="relu")(x)
    x = _foreign("Dropout")(name="drop")(x)
    model = keras.Model(inputs, x)
    fused, changes = fuse_model(model, return_changes=True)
    assert [c.layers for c in changes if c.applied] == [("bn", "relu")]
    assert type(fused.get_layer("drop")).__module__ == __name__


class PlainDropout(keras.layers.Dropout):
    """A Dropout subclass that changes nothing it computes."""


class CountingDropout(keras.layers.Dropout):
    """A Dropout subclass with its own call."""

    def call(self, inputs, training=False):
        return super().call(inputs, training=training)


def _two_dropouts(cls: type) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, name="dense"),
            cls(0.2, name="first"),
            cls(0.5, name="second"),
            keras.layers.Dense(2, name="head"),
        ]
    )


def test_ko108_merges_dropout_subclasses_by_identity_not_by_name():
    # KO108's fix (a rewrite like fuse_model) asks the class hierarchy too.
    from keras_ordering.rewrite import fix_model

    fixed, changes = fix_model(
        _two_dropouts(PlainDropout), select=["KO108"], return_changes=True
    )
    (change,) = [c for c in changes if c.code == "KO108"]
    assert change.applied, change.description
    assert [layer.name for layer in fixed.layers] == ["dense", "second", "head"]
    assert abs(fixed.get_layer("second").rate - 0.6) < 1e-6
    _, changes = fix_model(
        _two_dropouts(CountingDropout), select=["KO108"], return_changes=True
    )
    (change,) = [c for c in changes if c.code == "KO108"]
    assert not change.applied and "own call" in change.description
