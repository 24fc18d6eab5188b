"""freeze_batchnorm: every BN in inference mode during fit, dropout untouched."""

from __future__ import annotations

import keras
import numpy as np

from keras_ordering import BNActDropout, freeze_batchnorm

DATA = np.random.default_rng(5).normal(3.0, 2.0, size=(64, 8)).astype("float32")
TARGETS = np.zeros((64, 1), "float32")


class ZeroFraction(keras.layers.Layer):
    """Identity that records the fraction of zeros of its last training input.

    In a non-trainable variable, which every backend's trainer writes back.
    """

    def build(self, input_shape):
        self.fraction = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="fraction"
        )

    def call(self, inputs, training=None):
        if training:
            zeros = keras.ops.cast(keras.ops.equal(inputs, 0.0), "float32")
            self.fraction.assign(keras.ops.mean(zeros))
        return inputs


class Block(keras.layers.Layer):
    """A custom layer holding a BN as an attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(8, bias_initializer="ones")
        self.norm = keras.layers.BatchNormalization(
            beta_initializer="ones", name="block_bn"
        )

    def call(self, inputs, training=None):
        return self.norm(self.dense(inputs), training=training)


def _model() -> tuple[keras.Model, ZeroFraction]:
    inner = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, bias_initializer="ones"),
            keras.layers.BatchNormalization(name="inner_bn"),
        ],
        name="inner",
    )
    probe = ZeroFraction()
    inputs = keras.Input((8,))
    x = keras.layers.BatchNormalization(name="outer_bn")(inputs)
    x = inner(x)
    x = Block(name="block")(x)
    x = BNActDropout(None, 0.5, seed=1, name="fused")(x)
    x = probe(x)
    outputs = keras.layers.Dense(1)(x)
    return keras.Model(inputs, outputs), probe


def _moving(model: keras.Model) -> dict[str, np.ndarray]:
    return {
        variable.path: keras.ops.convert_to_numpy(variable)
        for variable in model.non_trainable_variables
        if "moving" in variable.path
    }


def test_fit_leaves_every_moving_statistic_unchanged_but_dropout_drops():
    model, probe = _model()
    changed = freeze_batchnorm(model)
    assert sorted(layer.name for layer in changed) == [
        "block_bn",
        "fused",
        "inner_bn",
        "outer_bn",
    ]
    assert all(not layer.trainable for layer in changed)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    before = _moving(model)
    assert len(before) == 8  # Mean and variance of 4 BNs.
    dense_before = keras.ops.convert_to_numpy(model.layers[-1].kernel)
    model.fit(DATA, TARGETS, batch_size=32, epochs=2, verbose=0)
    for path, values in _moving(model).items():
        np.testing.assert_array_equal(values, before[path], err_msg=path)
    # The model still trained, and BNActDropout's dropout still dropped in fit.
    assert not np.allclose(
        keras.ops.convert_to_numpy(model.layers[-1].kernel), dense_before
    )
    fraction = float(keras.ops.convert_to_numpy(probe.fraction))
    assert 0.35 < fraction < 0.65, fraction


def test_without_freezing_fit_moves_the_statistics():
    # The control: the same model, unfrozen, changes every moving statistic.
    model, _ = _model()
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    before = _moving(model)
    model.fit(DATA, TARGETS, batch_size=32, epochs=1, verbose=0)
    for path, values in _moving(model).items():
        assert not np.allclose(values, before[path]), path


def test_gamma_and_beta_stop_training_too_and_already_frozen_layers_are_skipped():
    model, _ = _model()
    model.get_layer("outer_bn").trainable = False
    changed = freeze_batchnorm(model)
    assert "outer_bn" not in [layer.name for layer in changed]
    frozen_weights = {weight.path for layer in changed for weight in layer.weights}
    trainable = {weight.path for weight in model.trainable_weights}
    assert frozen_weights and not frozen_weights & trainable
    assert freeze_batchnorm(model) == []


class Stack(keras.layers.Layer):
    """A custom layer holding BNs in a list and in a dict."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norms = [keras.layers.BatchNormalization(name=n) for n in "ab"]
        self.by_name = {"last": keras.layers.BatchNormalization(name="c")}

    def call(self, inputs, training=None):
        for norm in self.norms:
            inputs = norm(inputs, training=training)
        return self.by_name["last"](inputs, training=training)


def test_layers_held_in_lists_and_dicts_are_frozen():
    stack = Stack()
    stack(np.ones((2, 3), "float32"))
    assert [layer.name for layer in freeze_batchnorm(stack)] == ["a", "b", "c"]


def test_wrappers_and_a_bare_layer():
    wrapped = keras.layers.TimeDistributed(keras.layers.BatchNormalization())
    inputs = keras.Input((3, 4))
    model = keras.Model(inputs, wrapped(inputs))
    assert freeze_batchnorm(model) == [wrapped.layer]
    layer = keras.layers.BatchNormalization()
    assert freeze_batchnorm(layer) == [layer]


def _transfer_learning_model() -> tuple[keras.Model, keras.Model]:
    base = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(4), keras.layers.BatchNormalization()],
        name="base",
    )
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(base(inputs)))
    return base, model


def test_the_documented_order_keeps_the_batchnorms_frozen_in_fit():
    # The guide's fine-tuning step unfreezes the base, then the BNs are frozen.
    base, model = _transfer_learning_model()
    base.trainable = True
    freeze_batchnorm(model)
    bn = base.layers[-1]
    assert not bn.trainable and base.layers[0].trainable
    before = keras.ops.convert_to_numpy(bn.moving_mean)
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(3.0, 1.0, (32, 4)).astype("float32")
    model.fit(x, np.zeros((32, 1)), epochs=1, batch_size=8, verbose=0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(bn.moving_mean), before)


def test_unfreezing_after_the_freeze_undoes_it_as_the_docs_warn():
    # The guide's flow: freeze the base, train the head, unfreeze the base.
    base, model = _transfer_learning_model()
    base.trainable = False
    freeze_batchnorm(model)
    assert not base.layers[-1].trainable
    base.trainable = True  # Keras sets trainable recursively.
    assert base.layers[-1].trainable
    # The documented order: unfreeze first, then freeze the BNs.
    assert freeze_batchnorm(model) == [base.layers[-1]]
