"""fix_model: every fixable INVALID example becomes VALID; exact rewrites keep
predictions; weights survive; clear errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering import BNActDropout, lint_model
from keras_ordering.lint.registry import all_rules
from keras_ordering.rewrite import Change, fix_model
from keras_ordering.rewrite.fix import FIXABLE

RNG = np.random.default_rng(0)

FIXABLE_EXAMPLES = [
    pytest.param(rule, index, id=f"{rule.code}-{index}")
    for rule in all_rules()
    if rule.code in FIXABLE
    for index, example in enumerate(rule.INVALID)
    if example.fixable
]


def _randomize_batch_norms(model: keras.Model) -> None:
    """Non-trivial BN statistics, so exactness checks mean something."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            channels = layer.moving_mean.shape[0]
            layer.set_weights(
                [
                    RNG.uniform(0.5, 2.0, channels),
                    RNG.normal(0, 0.5, channels),
                    RNG.normal(0, 1.0, channels),
                    RNG.uniform(0.5, 3.0, channels),
                ][-len(layer.weights) :]
            )


def _data(model: keras.Model) -> np.ndarray:
    return RNG.normal(size=(6, *model.input_shape[1:])).astype("float32")


def _trains(model: keras.Model) -> None:
    x = _data(model)
    y = np.zeros((6, *model.output_shape[1:]), "float32")
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_every_rule_has_a_fixable_invalid_example():
    assert {param.values[0].code for param in FIXABLE_EXAMPLES} == set(FIXABLE)


@pytest.mark.parametrize(("rule", "index"), FIXABLE_EXAMPLES)
def test_fixable_invalid_examples_become_valid(rule, index):
    model = rule.INVALID[index].build()
    _randomize_batch_norms(model)
    before = [keras.ops.convert_to_numpy(w) for w in model.weights]
    # A fix that guesses intent runs only when its rule is named.
    select = rule.code if rule.autofix_on_request else None
    fixed, changes = fix_model(model, select=select, return_changes=True)
    assert fixed is not model
    assert rule.code not in [f.code for f in lint_model(fixed)]
    assert any(c.code == rule.code and c.applied for c in changes)
    assert all(isinstance(c, Change) for c in changes)
    # The input model is never changed.
    for old, weight in zip(before, model.weights, strict=True):
        np.testing.assert_array_equal(old, keras.ops.convert_to_numpy(weight))
    _trains(fixed)


def _activation_before_max_pool() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Conv2D(4, 1, name="conv2"),
            keras.layers.Activation("elu", name="elu"),
            keras.layers.MaxPooling2D(name="pool2"),
            keras.layers.Flatten(),
            keras.layers.Dense(3, name="head"),
        ]
    )


def _bias_before_batch_norm() -> keras.Model:
    inputs = keras.Input((6, 6, 3))
    x = keras.layers.Conv2D(5, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(4, name="dense")(x)
    x = keras.layers.BatchNormalization(name="bn2", scale=False)(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize(
    ("build", "code"),
    [(_activation_before_max_pool, "KO104"), (_bias_before_batch_norm, "KO106")],
)
def test_exact_rewrites_keep_predictions(build, code):
    model = build()
    for layer in model.layers:  # Non-trivial biases and BN statistics.
        if layer.weights:
            layer.set_weights(
                [
                    RNG.normal(0, 0.5, w.shape) + (w.name == "moving_variance") * 2.0
                    for w in layer.weights
                ]
            )
    fixed, changes = fix_model(model, select=code, return_changes=True)
    assert [c.code for c in changes if c.applied] == [code, code]
    assert code not in lint_model(fixed).codes()
    x = _data(model)
    np.testing.assert_allclose(
        fixed.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5
    )
    if code == "KO106":
        assert fixed.get_layer("conv").bias is None
        assert fixed.get_layer("dense").bias is None


def test_weights_are_copied_by_layer_and_survive_save(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(6, activation="relu", name="dense"),
            keras.layers.Dropout(0.3, name="drop"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2, name="head"),
        ]
    )
    _randomize_batch_norms(model)
    fixed = fix_model(model)
    assert isinstance(fixed, keras.Sequential)
    assert [layer.name for layer in fixed.layers] == [
        "dense",
        "bn",
        "dense_activation",
        "drop",
        "head",
    ]
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(fixed.get_layer("head").kernel),
        keras.ops.convert_to_numpy(model.get_layer("head").kernel),
    )
    # The bias of 'dense' went into bn's moving mean (KO106 after KO102).
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(fixed.get_layer("bn").moving_mean),
        keras.ops.convert_to_numpy(model.get_layer("bn").moving_mean)
        - keras.ops.convert_to_numpy(model.get_layer("dense").bias),
    )
    path = tmp_path / "fixed.keras"
    fixed.save(path)
    loaded = keras.saving.load_model(path)
    for layer in fixed.layers:
        for a, b in zip(
            layer.weights, loaded.get_layer(layer.name).weights, strict=True
        ):
            np.testing.assert_array_equal(
                keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b)
            )
    assert lint_model(loaded).codes() == []


def test_nested_models_are_fixed_recursively_and_compile_is_kept():
    inner = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(6, use_bias=False, name="dense"),
            keras.layers.Dropout(0.2, name="drop"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(name="relu"),
        ],
        name="block",
    )
    inputs = keras.Input((6,))
    outputs = keras.layers.Dense(2, name="head")(inner(inputs))
    model = keras.Model(inputs, outputs, name="outer")
    model.compile(optimizer="adam", loss="mse")
    # The block's output feeds the head, so its dropout is not on predictions.
    assert lint_model(model).codes() == ["KO101"]
    fixed, changes = fix_model(model, return_changes=True)
    applied = [c for c in changes if c.applied]
    # Inside the block the dropout moves to its output; that is judged in the
    # outer model, where the head follows it.
    assert [(c.code, c.layers) for c in applied] == [
        ("KO101", ("block/drop", "block/bn")),
    ]
    assert "in 'block': moved 'drop' after 'relu'" in applied[0].description
    assert lint_model(fixed).codes() == []
    assert fixed.compiled and fixed.get_compile_config() == model.get_compile_config()


def test_unreachable_findings_are_left_and_reported():
    inputs = keras.Input((8,))
    drop = keras.layers.Dropout(0.3, name="drop")(inputs)
    side = keras.layers.Dense(8, name="side")(inputs)
    merged = keras.layers.Add(name="add")([drop, side])
    outputs = keras.layers.BatchNormalization(name="bn")(merged)
    model = keras.Model(inputs, outputs)
    fixed, changes = fix_model(model, select="KO101", return_changes=True)
    (change,) = changes
    assert not change.applied and change.code == "KO101"
    assert "branches, merges or goes through a shared layer" in change.description
    assert lint_model(fixed, select="KO101").codes() == ["KO101"]
    # A non-fixable rule is reported as such.
    sigmoid = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dropout(0.5),
            keras.layers.Activation("sigmoid"),
            keras.layers.Dense(1),
        ]
    )
    _, changes = fix_model(sigmoid, return_changes=True)
    assert [(c.code, c.applied) for c in changes] == [("KO103", False)]
    assert "no automatic fix for this rule" in changes[0].description


def test_inexact_merges_are_left():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.GaussianDropout(0.2, name="g1"),
            keras.layers.GaussianDropout(0.2, name="g2"),
            keras.layers.Dense(1),
        ]
    )
    _, changes = fix_model(model, select="KO108", return_changes=True)
    assert [(c.code, c.applied) for c in changes] == [("KO108", False)]
    assert "do not compose into one exactly" in changes[0].description


def test_ic_convention_leaves_batchnorm_after_activation():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(4, activation="relu", name="dense"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(1, name="head"),
        ]
    )
    fixed = fix_model(model, convention="ic")
    assert [layer.name for layer in fixed.layers][:2] == ["dense", "bn"]


class Subclassed(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def test_clear_errors_for_models_that_cannot_be_rewritten():
    model = Subclassed()
    model(np.zeros((1, 3), "float32"))
    with pytest.raises(ValueError, match=r"subclassed model.*lint_model"):
        fix_model(model)
    with pytest.raises(TypeError, match=r"expects a keras\.Model"):
        fix_model(keras.layers.Dense(2))
    fused = keras.Sequential([keras.Input((4,)), BNActDropout("relu", 0.2)])
    assert fix_model(fused).layers[0].__class__ is BNActDropout
