"""Keras 2 models get Keras 2 semantics (issue 22 item 4).

Keras 2 keeps a hard-coded `training=` flag that Keras 3's fit, evaluate
and predict replace, so KO130 is a bug under Keras 3 and a migration hazard
for a Keras 2 model. Needs tf_keras (the `test` extra); skipped without it.
The models are the KO130 bug pairs of the corpus (keras-team/keras#9412 and
#20285), built once with tf_keras and once with Keras 3.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_ordering import lint_file, lint_model

tf_keras = pytest.importorskip("tf_keras")

PAIRS = (
    "keras9412_dropout_training_true",
    "keras20285_transfer_learning_training_false",
)


def _pair(slug: str):
    return importlib.import_module(f"tests.lint.corpus.bug_pairs.{slug}")


def _keras2_build(slug: str, monkeypatch) -> tf_keras.Model:
    """The pair's buggy model, built by tf_keras: its builder imports keras
    inside the function, so it gets tf_keras here."""
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "keras", tf_keras)
        return _pair(slug).build_buggy()


def _ko130(report):
    return [
        (f.layers, f.severity, f.message, f.fix) for f in report if f.code == "KO130"
    ]


def _save_all(model, directory, stem):
    paths = [directory / f"{stem}.h5", directory / f"{stem}.keras"]
    for path in paths:
        model.save(path)
    json_path = directory / f"{stem}.json"
    json_path.write_text(model.to_json())
    return [*paths, json_path]


@pytest.mark.parametrize("slug", PAIRS)
def test_keras2_file_and_keras3_file_get_different_true_findings(
    slug, tmp_path, monkeypatch
):
    keras2_model = _keras2_build(slug, monkeypatch)
    keras3_model = _pair(slug).build_buggy()
    keras2 = [_ko130(lint_file(p)) for p in _save_all(keras2_model, tmp_path, "k2")]
    keras3 = [_ko130(lint_file(p)) for p in _save_all(keras3_model, tmp_path, "k3")]
    # Every format of one Keras gives the same findings, and the live model
    # too (the tf_keras one through its config).
    assert keras2 == [_ko130(lint_model(keras2_model))] * 3
    assert keras3 == [_ko130(lint_model(keras3_model))] * 3
    assert keras2[0] and keras3[0]
    assert [f[0] for f in keras2[0]] == [f[0] for f in keras3[0]]
    for (_, severity, message, fix), (_, severity3, message3, fix3) in zip(
        keras2[0], keras3[0], strict=True
    ):
        # Keras 2: the code does what it says; the hazard is the migration.
        assert severity == "info"
        assert "Keras 2 model" in message and "migration hazard" in message
        assert "MonteCarloDropout" not in fix and "freeze_batchnorm" not in fix
        # Keras 3: fit / predict replace the flag now.
        assert severity3 == "warning"
        assert "that flag" in message3 and "Keras 2" not in message3
        assert "migration" not in message3
        assert fix3 != fix


def test_each_face_of_ko130_gets_its_own_fix():
    inputs = keras.Input((8,))
    x = keras.layers.Dropout(0.5, name="mc")(inputs, training=True)
    x = keras.layers.BatchNormalization(name="bn")(x, training=False)
    report = lint_model(keras.Model(inputs, x))
    fixes = {f.layers: f.fix for f in report if f.code == "KO130"}
    assert "MonteCarloDropout" in fixes[("mc",)]
    assert "trainable" not in fixes[("mc",)] and "freeze" not in fixes[("mc",)]
    assert "trainable=False" in fixes[("bn",)]
    assert "MonteCarloDropout" not in fixes[("bn",)]


def test_keras2_file_without_a_version_is_read_from_its_layout(tmp_path):
    # .keras config.json and .h5 model_config record no keras_version.
    data = Path(__file__).resolve().parents[1] / "data" / "keras2"
    config = json.loads((data / "k2_functional.json").read_text())
    assert config["keras_version"].startswith("2.")
    config.pop("keras_version", None)
    from keras_ordering.graph.from_config import graph_from_config

    assert graph_from_config(config).attrs["keras_major"] == 2


def test_lint_model_reads_a_tf_keras_model_through_its_config():
    model = tf_keras.Sequential(
        [
            tf_keras.Input((16,)),
            tf_keras.layers.Dense(8, name="dense"),
            tf_keras.layers.Dropout(0.5, name="dropout"),
            tf_keras.layers.BatchNormalization(name="bn"),
            tf_keras.layers.Dense(3, activation="softmax", name="probs"),
        ]
    )
    model.compile(loss="binary_crossentropy")
    codes = {(f.code, f.layers) for f in lint_model(model)}
    assert ("KO101", ("dropout", "bn")) in codes
    assert ("KO203", ("probs",)) in codes


def test_a_subclassed_tf_keras_model_is_refused_in_one_line():
    class Tiny(tf_keras.Model):
        def call(self, inputs):
            return inputs

    model = Tiny()
    model(np.zeros((1, 2), "float32"))
    with pytest.raises(TypeError, match="subclassed Keras 2"):
        lint_model(model)


# --- The Keras 2 facts the migration finding rests on (tf_keras 2.21) -------


def test_keras2_keeps_training_true_in_predict():
    inputs = tf_keras.Input((256,))
    outputs = tf_keras.layers.Dropout(0.5)(inputs, training=True)
    model = tf_keras.Model(inputs, outputs)
    x = np.ones((4, 256), "float32")
    dropped = float(np.mean(model.predict(x, verbose=0) == 0.0))
    assert 0.3 < dropped < 0.7


def test_keras2_keeps_training_false_in_fit():
    base_inputs = tf_keras.Input((4,))
    batch_norm = tf_keras.layers.BatchNormalization()
    base = tf_keras.Model(base_inputs, batch_norm(base_inputs))
    inputs = tf_keras.Input((4,))
    model = tf_keras.Model(inputs, base(inputs, training=False))
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(5.0, 1.0, (32, 4)).astype("float32")
    model.fit(x, np.zeros((32, 4), "float32"), epochs=1, batch_size=8, verbose=0)
    np.testing.assert_array_equal(batch_norm.moving_mean.numpy(), np.zeros(4))
