"""fix_model on KO111, KO112, KO113 and KO130 findings: what changes, what the
change list says, and what is left alone."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering import fix_model, lint_model


def _applied(changes, code):
    return [c for c in changes if c.code == code and c.applied]


def _left(changes, code):
    return [c for c in changes if c.code == code and not c.applied]


def test_ko112_momentum_becomes_one_minus_m_and_keeps_the_statistics():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(4, use_bias=False, name="dense"),
            keras.layers.BatchNormalization(momentum=0.1, name="bn"),
            keras.layers.BatchNormalization(momentum=0.0, name="bn_zero"),
        ]
    )
    model.get_layer("bn").moving_mean.assign(np.full(4, 3.0, "float32"))
    fixed, changes = fix_model(model, select="KO112", return_changes=True)
    assert fixed.get_layer("bn").momentum == pytest.approx(0.9)
    assert fixed.get_layer("bn_zero").momentum == pytest.approx(0.99)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(fixed.get_layer("bn").moving_mean), 3.0
    )
    assert len(_applied(changes, "KO112")) == 2
    assert all("retrain" in c.description for c in _applied(changes, "KO112"))
    assert "KO112" not in lint_model(fixed).codes()


def test_ko113_is_fixed_only_when_named():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(4, activation="relu", name="dense"),
            keras.layers.Dropout(0.9, name="dropout"),
        ]
    )
    fixed, changes = fix_model(model, return_changes=True)
    assert fixed.get_layer("dropout").rate == pytest.approx(0.9)
    (left,) = _left(changes, "KO113")
    assert "only on request" in left.description
    fixed, changes = fix_model(model, select="KO1", return_changes=True)
    assert fixed.get_layer("dropout").rate == pytest.approx(0.9)
    for select in ("KO113", ["dropout-rate-as-keep-probability"]):
        fixed, changes = fix_model(model, select=select, return_changes=True)
        assert fixed.get_layer("dropout").rate == pytest.approx(0.1)
        (applied,) = _applied(changes, "KO113")
        assert "keep probability" in applied.description
        assert "retrain" in applied.description
    # Named in extend_select is a request too; ignored wins over the request.
    fixed = fix_model(model, extend_select=["KO113"])
    assert fixed.get_layer("dropout").rate == pytest.approx(0.1)
    fixed, changes = fix_model(
        model, extend_select="KO113", ignore="KO113", return_changes=True
    )
    assert fixed.get_layer("dropout").rate == pytest.approx(0.9)
    assert not [c for c in changes if c.code == "KO113"]


def test_cli_fix_applies_ko113_only_when_named(capsys, tmp_path):
    from keras_ordering import cli

    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(4, activation="relu", name="dense"),
            keras.layers.Dropout(0.9, name="dropout"),
        ]
    )
    source, target = tmp_path / "m.keras", tmp_path / "out.keras"
    model.save(source)
    cli.main(["fix", str(source), str(target), "--isolated", "--exit-zero"])
    assert "fixed only on request" in capsys.readouterr().out
    rate = keras.saving.load_model(target).get_layer("dropout").rate
    assert rate == pytest.approx(0.9)
    argv = ["fix", str(source), str(target), "--isolated", "--exit-zero"]
    cli.main([*argv, "--extend-select", "KO113"])
    assert "fixed KO113" in capsys.readouterr().out
    rate = keras.saving.load_model(target).get_layer("dropout").rate
    assert rate == pytest.approx(0.1)


def _channels_first(axis_size_changes: bool):
    inputs = keras.Input((3, 8, 8 if axis_size_changes else 4), name="image")
    conv = {"data_format": "channels_first", "padding": "same"}
    x = keras.layers.Conv2D(4, 3, name="conv", **conv)(inputs)
    skip = keras.layers.Conv2D(4, 1, name="skip", **conv)(inputs)
    x = keras.layers.Add(name="add")([x, skip])
    x = keras.layers.BatchNormalization(name="bn")(x)
    return keras.Model(inputs, x)


def test_ko111_sets_the_axis_and_reinitialises_resized_weights():
    model = _channels_first(axis_size_changes=True)
    fixed, changes = fix_model(model, select="KO111", return_changes=True)
    batch_norm = fixed.get_layer("bn")
    assert batch_norm.axis == 1
    assert [tuple(w.shape) for w in batch_norm.weights] == [(4,)] * 4
    (applied,) = _applied(changes, "KO111")
    assert "re-initialised" in applied.description and "retrain" in applied.description
    assert "KO111" not in lint_model(fixed).codes()
    assert fixed.predict(np.ones((2, 3, 8, 8), "float32"), verbose=0).shape == (
        2,
        4,
        8,
        8,
    )


def test_ko111_keeps_weights_of_the_same_size():
    model = _channels_first(axis_size_changes=False)  # Width 4 == 4 channels.
    model.get_layer("bn").moving_variance.assign(np.full(4, 2.0, "float32"))
    fixed, changes = fix_model(model, select="KO111", return_changes=True)
    assert fixed.get_layer("bn").axis == 1
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(fixed.get_layer("bn").moving_variance), 2.0
    )
    assert "re-initialised" not in _applied(changes, "KO111")[0].description


def test_ko130_batchnorm_training_false_becomes_a_frozen_batchnorm():
    inputs = keras.Input((4,))
    x = keras.layers.Dense(4, use_bias=False, name="dense")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x, training=False)
    model = keras.Model(inputs, x)
    fixed, changes = fix_model(model, select="KO130", return_changes=True)
    assert fixed.get_layer("bn").trainable is False
    (change,) = _applied(changes, "KO130")
    assert "gamma and beta stop training" in change.description
    assert change.exact  # Inference used the moving statistics already.
    assert "KO130" not in lint_model(fixed).codes()


def test_ko130_nested_model_call_is_left_with_a_reason():
    base_inputs = keras.Input((4,))
    base = keras.Model(
        base_inputs,
        keras.layers.BatchNormalization(name="bn")(base_inputs),
        name="base",
    )
    inputs = keras.Input((4,))
    model = keras.Model(inputs, base(inputs, training=False))
    _, changes = fix_model(model, select="KO130", return_changes=True)
    (left,) = _left(changes, "KO130")
    assert "nested model" in left.description


def _monte_carlo_model():
    inputs = keras.Input((64,))
    x = keras.layers.Dense(64, name="dense")(inputs)
    x = keras.layers.Dropout(0.5, name="mc")(x, training=True)
    return keras.Model(inputs, x)


def test_ko130_monte_carlo_dropout_becomes_monte_carlo_dropout():
    fixed, changes = fix_model(
        _monte_carlo_model(), select="KO130", return_changes=True
    )
    assert type(fixed.get_layer("mc")).__name__ == "MonteCarloDropout"
    x = np.ones((4, 64), "float32")
    assert not np.array_equal(fixed.predict(x, verbose=0), fixed.predict(x, verbose=0))
    (change,) = _applied(changes, "KO130")
    assert "predict and evaluate now draw the noise" in change.description
    # Keras 3 ran the old layer without noise in predict: not an exact rewrite.
    assert not change.exact


def test_ko130_channels_first_spatial_dropout_keeps_its_channel_axis():
    inputs = keras.Input((4, 6, 6))
    x = keras.layers.SpatialDropout2D(0.5, data_format="channels_first", name="mc")(
        inputs, training=True
    )
    fixed = fix_model(keras.Model(inputs, x), select="KO130")
    layer = fixed.get_layer("mc")
    assert type(layer).__name__ == "MonteCarloDropout"
    assert (layer.dropout, layer.axis) == ("spatial", 1)
    # Whole channel maps on axis 1 are dropped together.
    out = keras.ops.convert_to_numpy(fixed.predict(np.ones((2, 4, 6, 6)), verbose=0))
    per_channel = out.reshape(2, 4, -1)
    assert np.all(per_channel.min(axis=-1) == per_channel.max(axis=-1))
