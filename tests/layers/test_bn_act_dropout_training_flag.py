"""The training-flag matrix of BNActDropout.

fit / evaluate / predict / plain call / explicit argument / nested models /
frozen layer. A probe layer after BNActDropout records what it receives; the
models run eagerly so the probe can read values. One compiled-mode test checks
that the same switches hold inside `tf.function`.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering import BNActDropout

RATE = 0.5  # A multiple of 1/256: the same keep probability on both paths.


@pytest.fixture(autouse=True)
def _both_paths(layer_path):
    """Every test here runs on the fused and on the portable path."""
    yield
    layer_path.assert_used()


DATA = np.random.default_rng(3).normal(2.0, 3.0, size=(64, 16)).astype("float32")
TARGETS = np.zeros((64, 16), "float32")


class Probe(keras.layers.Layer):
    """Identity layer that keeps the last batch and `training` it received.

    It stores them in non-trainable variables, which every backend's trainer
    writes back after a step (JAX traces even an eager fit, so Python-side
    recording would only see tracers).
    """

    def build(self, input_shape):
        self.last_values = self.add_weight(
            shape=DATA.shape, initializer="zeros", trainable=False, name="values"
        )
        self.last_training = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="training"
        )
        self.calls = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="calls"
        )

    def call(self, inputs, training=None):
        self.last_values.assign(inputs)
        self.last_training.assign(-1.0 if training is None else float(training))
        self.calls.assign(self.calls + 1.0)
        return inputs

    @property
    def records(self) -> list[tuple[bool | None, np.ndarray]]:
        """The last call as `[(training, values)]`, empty before any call."""
        if float(keras.ops.convert_to_numpy(self.calls)) == 0:
            return []
        flag = float(keras.ops.convert_to_numpy(self.last_training))
        training = None if flag < 0 else bool(flag)
        return [(training, keras.ops.convert_to_numpy(self.last_values))]

    def reset(self) -> None:
        self.calls.assign(0.0)

    def compute_output_spec(self, inputs, training=None):
        return keras.KerasTensor(inputs.shape, inputs.dtype)


def _layer() -> BNActDropout:
    return BNActDropout(None, RATE, seed=1, momentum=0.5)


def _inference_output(layer: BNActDropout, data: np.ndarray) -> np.ndarray:
    """What the layer computes with moving statistics and no dropout."""
    gamma, beta, mean, variance = (
        keras.ops.convert_to_numpy(weight) for weight in layer.weights
    )
    return gamma * (data - mean) / np.sqrt(variance + layer.epsilon) + beta


def _batch_output(data: np.ndarray, epsilon: float = 1e-3) -> np.ndarray:
    """What the freshly initialised layer computes with batch statistics."""
    return (data - data.mean(0)) / np.sqrt(data.var(0) + epsilon)


def _assert_batch_statistics_with_dropout(record: np.ndarray, data: np.ndarray):
    kept = record != 0
    assert 0.35 < kept.mean() < 0.65, "dropout was not applied"
    np.testing.assert_allclose(
        record[kept], _batch_output(data)[kept] / (1 - RATE), rtol=1e-4, atol=1e-4
    )


def _compile(model: keras.Model, run_eagerly: bool = True) -> keras.Model:
    # A zero learning rate keeps gamma and beta at their initial values, so
    # the expected outputs above stay exact.
    model.compile(
        optimizer=keras.optimizers.SGD(0.0), loss="mse", run_eagerly=run_eagerly
    )
    return model


def _statistics(layer: BNActDropout) -> list[np.ndarray]:
    return [
        keras.ops.convert_to_numpy(layer.moving_mean),
        keras.ops.convert_to_numpy(layer.moving_variance),
    ]


def _functional(layer: BNActDropout, probe: Probe, **call_kwargs) -> keras.Model:
    inputs = keras.Input((16,))
    return keras.Model(inputs, probe(layer(inputs, **call_kwargs)))


def test_fit_uses_batch_statistics_updates_them_and_drops():
    layer, probe = _layer(), Probe()
    model = _compile(_functional(layer, probe))
    model.fit(DATA, TARGETS, batch_size=64, shuffle=False, verbose=0)
    training, record = probe.records[-1]
    assert training is True
    _assert_batch_statistics_with_dropout(record, DATA)
    mean, variance = _statistics(layer)
    np.testing.assert_allclose(mean, 0.5 * DATA.mean(0), rtol=1e-4)
    np.testing.assert_allclose(variance, 0.5 + 0.5 * DATA.var(0), rtol=1e-4)


@pytest.mark.parametrize("mode", ["predict", "evaluate", "call"])
def test_inference_modes_use_moving_statistics_and_no_dropout(mode):
    layer, probe = _layer(), Probe()
    model = _compile(_functional(layer, probe))
    model.fit(DATA, TARGETS, batch_size=64, shuffle=False, verbose=0)
    before = _statistics(layer)
    probe.reset()
    if mode == "predict":
        model.predict(DATA, batch_size=64, verbose=0)
    elif mode == "evaluate":
        model.evaluate(DATA, TARGETS, batch_size=64, verbose=0)
    else:
        model(DATA)
    training, record = probe.records[-1]
    assert not training
    np.testing.assert_allclose(record, _inference_output(layer, DATA), atol=1e-4)
    for old, new in zip(before, _statistics(layer), strict=True):
        np.testing.assert_array_equal(old, new)


def test_explicit_argument_overrides_the_propagated_value():
    # On a direct call.
    layer = _layer()
    _assert_batch_statistics_with_dropout(
        keras.ops.convert_to_numpy(layer(DATA, training=True)), DATA
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(DATA, training=False)),
        _inference_output(layer, DATA),
        atol=1e-5,
    )
    # On a model call, which propagates it to the layer.
    layer, probe = _layer(), Probe()
    model = _functional(layer, probe)
    model(DATA, training=True)
    _assert_batch_statistics_with_dropout(probe.records[-1][1], DATA)


class FixedFlag(keras.Model):
    """Calls the layer with a hard-coded `training`, overriding the outer one."""

    def __init__(self, training, **kwargs):
        super().__init__(**kwargs)
        self.training_value = training
        self.block = _layer()
        self.probe = Probe()

    def call(self, inputs):
        return self.probe(self.block(inputs, training=self.training_value))


def test_explicit_argument_inside_a_subclassed_model_wins():
    model = _compile(FixedFlag(training=False))
    model.fit(DATA, TARGETS, batch_size=64, shuffle=False, verbose=0)
    np.testing.assert_allclose(
        model.probe.records[-1][1], _inference_output(model.block, DATA), atol=1e-4
    )
    np.testing.assert_array_equal(_statistics(model.block)[0], np.zeros(16))

    model = _compile(FixedFlag(training=True))
    model.predict(DATA, batch_size=64, verbose=0)
    _assert_batch_statistics_with_dropout(model.probe.records[-1][1], DATA)


def test_functional_construction_flag_behaves_like_keras_dropout():
    """Keras 3 Functional models pass the outer flag to every layer, replacing a
    `training=` given while the graph was built. BNActDropout does what Keras'
    own Dropout does there."""
    inputs = keras.Input((16,))
    fused = BNActDropout(None, RATE, trainable=False)(inputs, training=False)
    stock = keras.layers.Dropout(RATE)(inputs, training=False)
    model = keras.Model(inputs, [fused, stock])
    for training in (True, False):
        fused_out, stock_out = (
            keras.ops.convert_to_numpy(out) for out in model(DATA, training=training)
        )
        fused_dropped = (fused_out == 0).mean()
        stock_dropped = (stock_out == 0).mean()
        assert (fused_dropped > 0.3) == (stock_dropped > 0.3) == training


class Subclassed(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(16, kernel_initializer="identity")
        self.block = _layer()
        self.probe = Probe()

    def call(self, inputs, training=None):
        x = self.block(self.dense(inputs), training=training)
        return self.probe(x, training=training)


def _nested_functional():
    layer, probe = _layer(), Probe()
    inner = _functional(layer, probe)
    inputs = keras.Input((16,))
    return keras.Model(inputs, inner(inputs)), layer, probe


def _nested_sequential():
    layer, probe = _layer(), Probe()
    inner = keras.Sequential([keras.Input((16,)), layer, probe])
    return keras.Sequential([keras.Input((16,)), inner]), layer, probe


def _nested_subclassed():
    model = Subclassed()
    return model, model.block, model.probe


@pytest.mark.parametrize(
    "build", [_nested_functional, _nested_sequential, _nested_subclassed]
)
def test_nested_layer_sees_the_outer_flag(build):
    model, layer, probe = build()
    _compile(model)
    model.fit(DATA, TARGETS, batch_size=64, shuffle=False, verbose=0)
    training, record = probe.records[-1]
    assert training is True
    _assert_batch_statistics_with_dropout(record, DATA)
    assert not np.allclose(_statistics(layer)[0], 0.0)

    before = _statistics(layer)
    model.predict(DATA, batch_size=64, verbose=0)
    np.testing.assert_allclose(
        probe.records[-1][1], _inference_output(layer, DATA), atol=1e-4
    )
    np.testing.assert_array_equal(before[0], _statistics(layer)[0])


def test_frozen_layer_keeps_statistics_but_still_drops_in_fit():
    layer, probe = _layer(), Probe()
    model = _functional(layer, probe)
    layer.trainable = False
    _compile(model)
    model.fit(DATA, TARGETS, batch_size=64, shuffle=False, verbose=0)
    training, record = probe.records[-1]
    assert training is True
    kept = record != 0
    assert 0.35 < kept.mean() < 0.65, "freezing BN switched dropout off"
    # Normalized with the (initial) moving statistics, then scaled by 1/keep.
    expected = _inference_output(layer, DATA) / (1 - RATE)
    np.testing.assert_allclose(record[kept], expected[kept], rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(_statistics(layer)[0], np.zeros(16))
    np.testing.assert_array_equal(_statistics(layer)[1], np.ones(16))
    assert layer.trainable_weights == []


def test_frozen_layer_matches_frozen_keras_batch_normalization():
    batch_norm = keras.layers.BatchNormalization()
    fused = BNActDropout(None)
    for layer in (batch_norm, fused):
        layer.build(DATA.shape)
        layer.set_weights(
            [np.full(16, 2.0), np.full(16, 0.5), DATA.mean(0), np.ones(16)]
        )
        layer.trainable = False
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(fused(DATA, training=True)),
        keras.ops.convert_to_numpy(batch_norm(DATA, training=True)),
        atol=1e-5,
    )


def test_compiled_fit_follows_the_same_switches():
    """Inside tf.function: fit updates statistics and drops; predict does not."""
    model = keras.Sequential([keras.Input((16,)), _layer()])
    layer = model.layers[0]
    _compile(model, run_eagerly=False)

    # Frozen statistics isolate dropout: with dropout the fit loss differs
    # from the evaluate loss on the same batch; the statistics do not move.
    layer.trainable = False
    _compile(model, run_eagerly=False)
    fit_loss = model.fit(
        DATA, TARGETS, batch_size=64, shuffle=False, verbose=0
    ).history["loss"][0]
    eval_loss = model.evaluate(DATA, TARGETS, batch_size=64, verbose=0)
    assert fit_loss > 1.5 * eval_loss
    np.testing.assert_array_equal(_statistics(layer)[0], np.zeros(16))

    layer.trainable = True
    _compile(model, run_eagerly=False)
    model.fit(DATA, TARGETS, batch_size=64, shuffle=False, verbose=0)
    np.testing.assert_allclose(_statistics(layer)[0], 0.5 * DATA.mean(0), rtol=1e-4)
    before = _statistics(layer)
    model.predict(DATA, verbose=0)
    model.evaluate(DATA, TARGETS, verbose=0)
    np.testing.assert_array_equal(before[0], _statistics(layer)[0])


class AcceptsButDoesNotPass(keras.Model):
    """A subclassed model whose `call` accepts `training` but never passes it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fused = _layer()
        self.stock = keras.layers.BatchNormalization(momentum=0.5)

    def call(self, inputs, training=None):
        return self.fused(inputs) + self.stock(inputs)


class NoTrainingArgument(keras.Model):
    """A subclassed model whose `call` has no `training` argument at all."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fused = _layer()
        self.stock = keras.layers.BatchNormalization(momentum=0.5)

    def call(self, inputs):
        return self.fused(inputs) + self.stock(inputs)


@pytest.mark.parametrize("model_class", [NoTrainingArgument, AcceptsButDoesNotPass])
def test_unpropagated_flag_behaves_like_keras_batch_norm(model_class):
    """Whether Keras delivers the flag through a `call` that does not pass it
    on depends on the backend (TensorFlow's call context does when `call`
    accepts `training`; JAX's stateless training step does not). In every
    case the fused layer does exactly what Keras' BatchNormalization does."""
    model = _compile(model_class(), run_eagerly=False)
    model.fit(DATA, TARGETS, batch_size=64, shuffle=False, verbose=0)
    stock_moved = not np.allclose(
        keras.ops.convert_to_numpy(model.stock.moving_mean), 0.0
    )
    fused_moved = not np.allclose(_statistics(model.fused)[0], 0.0)
    assert fused_moved == stock_moved
