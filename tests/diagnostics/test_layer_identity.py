"""The diagnostics know a layer by its class hierarchy, not its bare name:
a BatchNormalization subclass is a BN, a user's class that only shares a
name with Keras' or this package's layers is not audited as one."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering.diagnostics import audit_training_flag, measure_variance_shift

X = np.random.default_rng(0).normal(size=(256, 8)).astype("float32")


class CountingBN(keras.layers.BatchNormalization):
    """A BN subclass overriding `call` (to count calls): still a BN."""

    calls = 0

    def call(self, inputs, training=None, mask=None):
        type(self).calls += 1
        return super().call(inputs, training=training, mask=mask)


def _foreign(name: str) -> keras.layers.Layer:
    """A user's layer named like a known class: the identity, nothing more."""

    def call(self, inputs, training=None):
        return inputs

    cls = type(name, (keras.layers.Layer,), {"call": call, "__module__": __name__})
    return cls(name="odd")


def _model(middle: keras.layers.Layer) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dropout(0.5, name="drop"),
            middle,
            keras.layers.Dense(1, name="head"),
        ]
    )


def test_variance_shift_measures_a_batch_norm_subclass():
    report = measure_variance_shift(_model(CountingBN(name="bn")), X, verbose=0)
    (entry,) = report
    assert entry.layer == "bn" and entry.layer_class == "CountingBN"
    assert entry.noise_layers == ("drop",)
    np.testing.assert_allclose(entry.input_variance, X.var(axis=0), rtol=1e-4)


@pytest.mark.parametrize("name", ["BatchNormalization", "BNActDropout"])
def test_variance_shift_skips_a_foreign_class_named_like_a_batch_norm(name):
    report = measure_variance_shift(_model(_foreign(name)), X, verbose=0)
    assert len(report) == 0


def test_training_flag_audits_a_batch_norm_subclass():
    audit = audit_training_flag(_model(CountingBN(name="bn")), X[:32])
    assert [entry.layer for entry in audit] == ["drop", "bn"]
    assert audit.passed, str(audit)


@pytest.mark.parametrize("name", ["BatchNormalization", "BNActDropout", "Dropout"])
def test_training_flag_does_not_audit_a_foreign_class_named_like_ours(name):
    audit = audit_training_flag(_model(_foreign(name)), X[:32])
    assert [entry.layer for entry in audit] == ["drop"]
    assert audit.passed, str(audit)
