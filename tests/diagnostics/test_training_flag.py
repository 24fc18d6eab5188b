"""audit_training_flag: Keras' own layers pass; broken custom code fails."""

from __future__ import annotations

import keras
import numpy as np

from keras_ordering import BNActDropout
from keras_ordering.diagnostics import TrainingFlagAudit, audit_training_flag

SAMPLE = np.random.default_rng(0).normal(size=(32, 16)).astype("float32")


class HardCodedDropout(keras.layers.Layer):
    """The bug the audit exists for: dropout forced on, even at inference."""

    def call(self, inputs):
        return keras.layers.Dropout(0.5)(inputs, training=True)


class NeverPassesTheFlag(keras.Model):
    """A subclassed model whose call has no `training`: fit passes none."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(16, name="dense")
        self.dropout = keras.layers.Dropout(0.5, name="inner_dropout")
        self.bn = keras.layers.BatchNormalization(name="inner_bn")

    def call(self, inputs):
        return self.bn(self.dropout(self.dense(inputs)))


def test_keras_layers_and_bn_act_dropout_pass():
    model = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(16),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(),
            keras.layers.Dropout(0.3, name="dropout"),
            BNActDropout("relu", 0.3, name="fused"),
            BNActDropout("gelu", 0.0, name="fused_no_dropout"),
            keras.layers.GaussianNoise(0.1, name="noise"),
            keras.layers.GaussianDropout(0.2, name="gaussian"),
            keras.layers.Dense(2),
        ]
    )
    audit = audit_training_flag(model, SAMPLE)
    assert isinstance(audit, TrainingFlagAudit)
    assert audit.passed, str(audit)
    assert [e.layer for e in audit] == [
        "bn",
        "dropout",
        "fused",
        "fused_no_dropout",
        "noise",
        "gaussian",
    ]
    assert "batch statistics in training" in audit["bn"].explanation


def test_hard_coded_training_is_caught():
    inputs = keras.Input((16,))
    model = keras.Model(inputs, HardCodedDropout(name="custom")(inputs))
    audit = audit_training_flag(model, SAMPLE)
    assert not audit.passed
    (failure,) = audit.failures
    assert failure.layer.startswith("custom/")
    assert failure.layer_class == "Dropout"
    assert "with training=False: it changed its input in inference" in (
        failure.explanation
    )
    assert "called with training=True explicitly" in failure.explanation
    assert "FAIL" in str(audit) and "FAIL" in audit._repr_html_()


def test_flag_that_never_reaches_the_layers_is_caught():
    model = NeverPassesTheFlag()
    model(SAMPLE)
    audit = audit_training_flag(model, SAMPLE)
    assert {e.layer for e in audit.failures} == {"inner_dropout", "inner_bn"}
    assert "does not reach it" in audit["inner_dropout"].explanation
    assert "moving statistics, not batch statistics" in audit["inner_bn"].explanation


def test_audit_leaves_the_model_unchanged_and_respects_frozen_bn():
    model = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dropout(0.5, seed=1, name="drop"),
        ]
    )
    before = [keras.ops.convert_to_numpy(v) for v in model.variables]
    assert audit_training_flag(model, SAMPLE).passed
    for old, variable in zip(before, model.variables, strict=True):
        np.testing.assert_array_equal(old, keras.ops.convert_to_numpy(variable))
    model.get_layer("bn").trainable = False
    audit = audit_training_flag(model, SAMPLE)
    assert audit.passed
    assert "frozen" in audit["bn"].explanation


class ForcedModeBN(keras.layers.Layer):
    """A BN whose call hard-codes its mode, whatever the model's flag."""

    def __init__(self, mode, **kwargs):
        super().__init__(**kwargs)
        self.mode = mode
        self.bn = keras.layers.BatchNormalization(name="forced_bn")

    def call(self, inputs, training=None):
        return self.bn(inputs, training=self.mode)


def test_float32_round_off_of_keras_own_bn_is_not_a_wrong_mode():
    # A mean thousands of times the spread: Keras' float32 variance (E[x^2]
    # - E[x]^2) cancels, so its batch-statistics output misses the float64
    # formula by far more than round-off, yet it follows the flag. PyTorch's
    # float32 means cancel sooner (below zero, NaN, past a mean of 1,000).
    offset = 300 if keras.backend.backend() == "torch" else 10_000
    sample = np.random.default_rng(1).uniform(offset, offset + 1, size=(1024, 10))
    sample = sample.astype("float32")
    model = keras.Sequential(
        [keras.Input((10,)), keras.layers.BatchNormalization(name="bn")]
    )
    batch_output = keras.ops.convert_to_numpy(model(sample, training=True))
    mean, variance = sample.mean(axis=0), sample.astype("float64").var(axis=0)
    exact = (sample - mean) / np.sqrt(variance + 1e-3)
    # Not round-off: outside the audit's tolerance of the formula.
    assert np.isfinite(batch_output).all()
    assert not np.allclose(batch_output, exact, atol=1e-3, rtol=1e-3)
    audit = audit_training_flag(model, sample)
    assert audit.passed, str(audit)
    # The same inputs through a BN that ignores the flag still fail, both ways.
    for mode, said in (
        (False, "moving statistics, not batch statistics"),
        (True, "batch statistics in inference"),
    ):
        inputs = keras.Input((10,))
        forced = keras.Model(inputs, ForcedModeBN(mode, name="forced")(inputs))
        audit = audit_training_flag(forced, sample)
        (failure,) = audit.failures
        assert said in failure.explanation, str(audit)


def test_nothing_to_audit_is_a_note():
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(2)])
    audit = audit_training_flag(model, SAMPLE)
    assert len(audit) == 0 and audit.passed
    assert "no noise or batch-normalization layer" in str(audit)


def test_noise_layers_are_read_from_the_layer_taxonomy(monkeypatch):
    from keras_ordering.graph import kinds

    class ShakeNoise(keras.layers.Layer):
        """A noise layer the taxonomy does not know, yet: never audited."""

        def call(self, inputs, training=None):
            return inputs * 2.0 if training else inputs

    model = keras.Sequential([keras.Input((16,)), ShakeNoise(name="shake")])
    assert len(audit_training_flag(model, SAMPLE)) == 0
    # One entry in the taxonomy, and the audit checks it: no other list. The
    # entry names a Keras class (a user's class of that name is not Keras',
    # graph/identity.py), so the class stands in for one defined in Keras.
    monkeypatch.setitem(kinds.LAYER_KINDS, "ShakeNoise", kinds.NOISE)
    monkeypatch.setattr(ShakeNoise, "__module__", "keras.src.layers.shake")
    audit = audit_training_flag(model, SAMPLE)
    assert [(e.layer, e.passed) for e in audit] == [("shake", True)]


def test_the_fast_comparison_is_numpys_allclose():
    """`_allclose` (float32, one pass for the usual verdict) decides as
    `np.allclose` in float64 does, NaN and inf included."""
    from keras_ordering.diagnostics.training_flag import _allclose

    rng = np.random.default_rng(0)
    expected = rng.normal(size=(64, 8)).astype("float32")
    cases = []
    for gap in (0.0, 5e-4, 9e-4, 1.1e-3, 2e-3, 0.5):
        cases.append((expected + np.float32(gap), expected))
        cases.append((expected * np.float32(1 + gap), expected))
    for special in (np.nan, np.inf, -np.inf):
        a, b = expected.copy(), expected.copy()
        a[3, 2] = special
        cases += [(a, expected), (expected, a), (a, a)]
        b[3, 2] = np.inf
        cases.append((a, b))
    cases.append((expected.astype("float16"), expected))
    cases.append((expected.astype("float64") + 1e-9, expected))
    cases.append((np.zeros((0, 8), "float32"), np.zeros((0, 8), "float32")))
    verdicts = set()
    for actual, wanted in cases:
        for atol, rtol in ((1e-3, 1e-3), (1e-4, 1e-5), (3e-2, 1e-3)):
            exact = np.allclose(
                actual.astype("float64"), wanted.astype("float64"), atol=atol, rtol=rtol
            )
            assert _allclose(actual, wanted, atol, rtol) == exact, (actual, wanted)
            verdicts.add(exact)
    assert verdicts == {True, False}


def test_the_float32_normalization_matches_the_float64_formula():
    """`_normalized` works in float32 with float64 sums: it stays within
    float32 rounding of the float64 formula, a large mean included."""
    from keras_ordering.diagnostics.training_flag import _normalized, _Observation

    rng = np.random.default_rng(0)
    for axis, offset in ((-1, 0.0), (1, 0.0), (-1, 1000.0)):
        layer = keras.layers.BatchNormalization(axis=axis, epsilon=1e-3)
        x = (rng.normal(size=(16, 4, 4, 6)) * 3 + offset).astype("float32")
        layer.build(x.shape)
        layer.gamma.assign(rng.uniform(0.5, 2, 6 if axis == -1 else 4))
        layer.beta.assign(rng.normal(size=6 if axis == -1 else 4))
        moving = (
            rng.normal(size=layer.moving_mean.shape) + offset,
            np.full(layer.moving_variance.shape, 9.0),
        )
        obs = _Observation(
            layer,
            "bn",
            True,
            None,
            x,
            x,
            moving,
            (
                keras.ops.convert_to_numpy(layer.gamma),
                keras.ops.convert_to_numpy(layer.beta),
            ),
        )
        shape = [1] * 4
        shape[axis] = -1
        x64 = x.astype("float64")
        reduce = tuple(i for i in range(4) if i != axis % 4)
        gamma = np.reshape(obs.affine[0], shape)
        beta = np.reshape(obs.affine[1], shape)
        for batch in (True, False):
            if batch:
                mean, var = x64.mean(axis=reduce), x64.var(axis=reduce)
            else:
                mean, var = moving
            reference = (x64 - np.reshape(mean, shape)) / np.sqrt(
                np.reshape(var, shape) + 1e-3
            ) * gamma + beta
            got = _normalized(obs, batch)
            assert got.dtype == np.float32
            np.testing.assert_allclose(got, reference, atol=2e-4, rtol=1e-5)


def test_the_checks_decide_the_same_in_two_threads(monkeypatch):
    """The audit's checks of large calls run in two threads while the
    passes go on: each call gets the verdict it gets alone, failures
    included."""
    from concurrent.futures import ThreadPoolExecutor

    from keras_ordering.diagnostics import training_flag

    class ForcedBatchStatistics(keras.layers.BatchNormalization):
        def call(self, inputs, training=None):
            return super().call(inputs, training=True)

    model = keras.Sequential(
        [
            keras.Input((16, 16, 8)),
            keras.layers.BatchNormalization(name="bn"),
            ForcedBatchStatistics(name="forced"),
            HardCodedDropout(name="custom"),
            BNActDropout("relu", 0.3, name="fused"),
            keras.layers.SpatialDropout2D(0.2, name="spatial"),
        ]
    )
    sample = np.random.default_rng(1).normal(size=(64, 16, 16, 8)).astype("float32")
    seen, pools = [], []
    verdicts = training_flag._verdicts

    def keep(observations, checked=None):
        seen.extend(observations)
        return verdicts(observations, checked)

    def counted(*args, **kwargs):
        pools.append(kwargs)
        return ThreadPoolExecutor(*args, **kwargs)

    monkeypatch.setattr(training_flag, "_verdicts", keep)
    monkeypatch.setattr(training_flag, "ThreadPoolExecutor", counted)
    monkeypatch.setattr(training_flag, "_cpus", lambda: 2)
    audit = audit_training_flag(model, sample)
    assert pools, "the checks did not run in threads"
    alone = {id(obs): training_flag._check(obs) for obs in seen}
    assert training_flag._checked(seen) == alone
    assert sorted(e.layer.split("/")[0] for e in audit.failures) == [
        "custom",
        "forced",
    ]
    assert audit["bn"].passed and audit["fused"].passed and audit["spatial"].passed


def _scaled_dropout(scale: float, forced: bool = False) -> keras.Model:
    """Dropout on activations of about `scale` (EfficientNet's drop-connect
    in a deep, randomly initialized stack sees about 1e-5)."""
    inputs = keras.Input((16,))
    hidden = keras.layers.Rescaling(scale)(inputs)
    hidden = (
        HardCodedDropout(name="dropout")(hidden)
        if forced
        else keras.layers.Dropout(0.2, name="dropout")(hidden)
    )
    return keras.Model(inputs, keras.layers.Dense(2)(hidden))


def test_dropout_on_tiny_activations_follows_the_flag():
    for scale in (1e-3, 1e-5, 1e-7):
        audit = audit_training_flag(_scaled_dropout(scale), SAMPLE)
        assert audit.passed, (scale, [a.explanation for a in audit.failures])
        forced = audit_training_flag(_scaled_dropout(scale, forced=True), SAMPLE)
        assert not forced.passed, scale


def test_dropout_of_zeros_is_no_verdict():
    """A dead ReLU before the dropout: dropping zeros changes nothing, so
    nothing shows whether the layer dropped."""
    inputs = keras.Input((16,))
    hidden = keras.layers.Dense(8, kernel_initializer="zeros", activation="relu")(
        inputs
    )
    hidden = keras.layers.Dropout(0.5, name="dropout")(hidden)
    model = keras.Model(inputs, keras.layers.Dense(2)(hidden))
    audit = audit_training_flag(model, SAMPLE)
    assert audit.passed, [a.explanation for a in audit.failures]


class _OverridesTheFlag(keras.layers.BatchNormalization):
    """keras-resnet#47: a BN subclass that trains whatever flag it gets."""

    def call(self, inputs, training=None, mask=None):
        return super().call(inputs, training=True)


def test_a_layer_that_overrides_the_flag_it_received_is_told_so():
    inputs = keras.Input((16,))
    hidden = _OverridesTheFlag(name="bn")(keras.layers.Dense(8)(inputs))
    audit = audit_training_flag(keras.Model(inputs, hidden), SAMPLE)
    (failure,) = audit.failures
    # A Functional model passes training=False itself: not "explicitly".
    assert "explicitly" not in failure.explanation, failure.explanation
    assert "its own `call` overrides it" in failure.explanation


def test_an_unbuilt_model_is_built_on_the_sample_and_left_as_built():
    # A Sequential without an Input: the first call builds it symbolically,
    # which used to reach the audit's observer as KerasTensors.
    model = keras.Sequential(
        [
            keras.layers.Dense(16),
            keras.layers.Dropout(0.5, name="drop"),
            keras.layers.BatchNormalization(name="bn"),
        ]
    )
    audit = audit_training_flag(model, SAMPLE)
    assert model.built
    assert audit.passed, str(audit)
    assert [e.layer for e in audit] == ["drop", "bn"]
    moving = model.get_layer("bn").moving_mean
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(moving), 0.0)


def test_keras_own_graphs_follow_the_flag_by_construction():
    from keras_ordering.diagnostics._observe import followed_by_construction

    inner_inputs = keras.Input((16,))
    # Hard-coded modes: Keras' graph replaces them with the model's flag.
    hidden = keras.layers.Dropout(0.5)(inner_inputs, training=True)
    hidden = keras.layers.BatchNormalization()(hidden, training=False)
    inner = keras.Model(inner_inputs, hidden)
    inputs = keras.Input((16,))
    stock = keras.Model(inputs, keras.layers.Dense(2)(inner(inputs, training=True)))
    assert followed_by_construction(stock)
    # ... which the audit confirms on the batch, in both modes.
    assert audit_training_flag(stock, SAMPLE).passed

    custom_inputs = keras.Input((16,))
    custom = keras.Model(custom_inputs, HardCodedDropout()(custom_inputs))
    lambda_model = keras.Sequential(
        [keras.Input((16,)), keras.layers.Lambda(lambda t: t * 2.0)]
    )
    subclassed = NeverPassesTheFlag()
    subclassed(SAMPLE)
    assert not followed_by_construction(custom)
    assert not followed_by_construction(lambda_model)
    assert not followed_by_construction(subclassed)
    assert not followed_by_construction(
        keras.Sequential([keras.Input((16,)), BNActDropout("relu", 0.3)])
    )


class MonteCarloDropoutOp(keras.Operation):
    """An operation, not a layer, that forces its dropout on."""

    def __init__(self):
        super().__init__()
        self.dropout = keras.layers.Dropout(0.5)

    def call(self, inputs):
        return self.dropout(inputs, training=True)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(inputs.shape, inputs.dtype)


class _UserCell(keras.layers.Layer):
    state_size = 4

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 4))

    def call(self, inputs, states, training=None):
        output = keras.ops.matmul(inputs, self.kernel) + states[0]
        return output, [output]


class _Doubles(keras.layers.Layer):
    def call(self, inputs, training=None, mask=None):
        return inputs * 2.0

    def compute_output_shape(self, input_shape):
        return input_shape


def test_user_code_inside_keras_layers_and_graphs_is_audited():
    from keras_ordering.diagnostics._observe import followed_by_construction

    dropout = keras.layers.Dropout(0.5)

    def monte_carlo_relu(values):
        return dropout(keras.ops.relu(values), training=True)

    inputs = keras.Input((16,))
    user_activation = keras.Model(
        inputs, keras.layers.Dense(16, activation=monte_carlo_relu)(inputs)
    )
    inputs = keras.Input((16,))
    user_operation = keras.Model(inputs, MonteCarloDropoutOp()(inputs))
    for model in (user_activation, user_operation):
        assert not followed_by_construction(model)
        audit = audit_training_flag(model, SAMPLE)
        assert not audit.passed, str(audit)

    # Keras' wrappers of a user's layer or cell run it: audited too.
    sequences = keras.Input((5, 3))
    recurrent = keras.Model(sequences, keras.layers.RNN(_UserCell())(sequences))
    distributed = keras.Model(
        sequences, keras.layers.TimeDistributed(_Doubles())(sequences)
    )
    assert not followed_by_construction(recurrent)
    assert not followed_by_construction(distributed)
    # Keras' own activations, wrappers and cells are Keras' code.
    stock = keras.Sequential(
        [
            keras.Input((5, 3)),
            keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True)),
            keras.layers.TimeDistributed(keras.layers.Dense(4, activation="gelu")),
            keras.layers.GRU(4, recurrent_dropout=0.2),
            keras.layers.Activation(keras.activations.silu),
        ]
    )
    assert followed_by_construction(stock)
    assert followed_by_construction(
        keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3))
    )
