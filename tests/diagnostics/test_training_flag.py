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
