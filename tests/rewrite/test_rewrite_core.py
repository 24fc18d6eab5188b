"""The rewrite core: rules carry their fixes, fuse is a pattern plus a
replacement, and the regressions found on real models."""

from __future__ import annotations

import keras
import numpy as np

from keras_ordering import BNActDropout, lint_model
from keras_ordering.lint.registry import all_rules, fixable_codes, fixable_rules
from keras_ordering.lint.rule import Rule
from keras_ordering.rewrite import fix_model, fuse_model

RNG = np.random.default_rng(0)


def test_the_fixable_set_is_the_rules_that_carry_an_autofix():
    carrying = {rule.code for rule in all_rules() if "autofix" in vars(rule)}
    assert set(fixable_codes()) == carrying
    # KO102 goes first within a round; the others in code order.
    assert fixable_codes() == (
        "KO102",
        "KO101",
        "KO104",
        "KO106",
        "KO108",
        "KO109",
        "KO111",
        "KO112",
        "KO113",
        "KO130",
    )
    assert all(rule.has_autofix() for rule in fixable_rules())
    assert not Rule.has_autofix()


def test_fuse_batchnorm_relu_spatial_dropout_1d():
    """fuse_model once raised AttributeError here: SpatialDropout1D has no
    data_format."""
    model = keras.Sequential(
        [
            keras.Input((10, 4)),
            keras.layers.Conv1D(4, 3, use_bias=False, name="conv"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(name="relu"),
            keras.layers.SpatialDropout1D(0.2, name="spatial"),
            keras.layers.GlobalAveragePooling1D(name="gap"),
        ]
    )
    fused, changes = fuse_model(model, return_changes=True)
    assert [c.layers for c in changes if c.applied] == [("bn", "relu", "spatial")]
    layer = fused.get_layer("bn")
    assert isinstance(layer, BNActDropout)
    assert (layer.dropout, layer.rate) == ("spatial", 0.2)
    x = RNG.normal(size=(3, 10, 4)).astype("float32")
    np.testing.assert_allclose(
        fused.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5
    )


def test_fuse_leaves_spatial_dropout_on_another_axis():
    inputs = keras.Input((4, 6, 6))
    x = keras.layers.BatchNormalization(axis=-1, name="bn")(inputs)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.SpatialDropout2D(
        0.2, data_format="channels_first", name="spatial"
    )(x)
    fused = fuse_model(keras.Model(inputs, x))
    assert [type(layer).__name__ for layer in fused.layers[1:]] == [
        "BNActDropout",
        "SpatialDropout2D",
    ]
    assert fused.get_layer("bn").rate == 0.0


def test_fuse_a_linear_activation_layer():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Activation("linear", name="linear"),
        ]
    )
    fused = fuse_model(model)
    assert [type(layer).__name__ for layer in fused.layers] == ["BNActDropout"]


def test_fix_never_drops_a_batchnorm_after_a_fused_activation():
    """KO102 on BNActDropout -> BN is left, and the BN is kept."""
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, use_bias=False, name="dense"),
            BNActDropout(activation="relu", rate=0.1, name="fused"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2, name="out"),
        ]
    )
    assert "KO102" in lint_model(model).codes()
    fixed, changes = fix_model(model, return_changes=True)
    assert [layer.name for layer in fixed.layers] == ["dense", "fused", "bn", "out"]
    left = [c for c in changes if c.code == "KO102"]
    assert [c.applied for c in left] == [False]
    assert "part of a BNActDropout" in left[0].description
