"""measure_variance_shift and recalibrate_batchnorm on models with known shifts."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering import BNActDropout
from keras_ordering.diagnostics import (
    VarianceShiftReport,
    measure_variance_shift,
    recalibrate_batchnorm,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2048, 16)).astype("float32")  # Zero-mean features.
Y = RNG.normal(size=(2048, 1)).astype("float32")


def dropout_before_bn(keep: float) -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dropout(1.0 - keep, name="drop"),
            keras.layers.BatchNormalization(momentum=0.9, name="bn"),
            keras.layers.Dense(1, name="head"),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=3, batch_size=64, verbose=0)
    return model


@pytest.mark.parametrize(
    "keep", [0.5, *(pytest.param(k, marks=pytest.mark.slow) for k in (0.7, 0.9))]
)
def test_shift_is_the_keep_probability_behind_dropout(keep):
    report = measure_variance_shift(dropout_before_bn(keep), X, verbose=0)
    assert isinstance(report, VarianceShiftReport)
    (entry,) = report
    assert entry.layer == "bn" and entry.layer_class == "BatchNormalization"
    assert abs(entry.shift - keep) < 0.1
    assert entry.noise_layers == ("drop",)
    assert entry.ratio.shape == entry.input_variance.shape == (16,)
    np.testing.assert_allclose(entry.input_variance, X.var(axis=0), rtol=1e-4)


def test_recalibration_removes_the_shift_and_touches_only_bn_statistics():
    model = dropout_before_bn(0.5)
    weights = {w.path: keras.ops.convert_to_numpy(w) for w in model.weights}
    report = recalibrate_batchnorm(model, X, batch_size=256, verbose=0)
    assert abs(report.before["bn"].shift - 0.5) < 0.1
    assert abs(report.after["bn"].shift - 1.0) < 0.05
    assert report.batches == 8
    for weight in model.weights:
        value = keras.ops.convert_to_numpy(weight)
        if "moving" in weight.path:
            continue
        np.testing.assert_array_equal(value, weights[weight.path])
    # A cumulative average of the batch statistics, not the momentum EMA.
    batches = X.reshape(8, 256, 16)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model.layers[1].moving_variance),
        batches.var(axis=1).mean(axis=0),
        rtol=1e-4,
    )
    assert "shift before" in str(report) and "<table" in report._repr_html_()


def test_recommended_order_has_no_shift_with_bn_act_dropout_and_nesting():
    inner = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(16, use_bias=False, name="dense"),
            BNActDropout("relu", 0.5, name="fused"),
        ],
        name="block",
    )
    inputs = keras.Input((16,))
    outputs = keras.layers.Dense(1, name="head")(inner(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=3, batch_size=64, verbose=0)
    report = measure_variance_shift(model, X, verbose=0)
    (entry,) = report
    assert entry.layer == "block/fused" and entry.layer_class == "BNActDropout"
    assert abs(entry.shift - 1.0) < 0.1
    assert entry.noise_layers == ()
    # Recalibration works through BNActDropout too, dropout off.
    recalibrated = recalibrate_batchnorm(model, X, verbose=0)
    assert abs(recalibrated.after["block/fused"].shift - 1.0) < 0.05
    assert model.get_layer("block").get_layer("fused").rate == 0.5


def tf_dataset():
    # Keras reads tf.data on every backend, but only with TensorFlow installed.
    tf = pytest.importorskip("tensorflow", reason="tf.data needs TensorFlow")
    return tf.data.Dataset.from_tensor_slices((X, Y)).batch(256)


@pytest.mark.parametrize("source", ["dataset", "generator", "pydataset", "array"])
def test_every_data_source(source):
    model = dropout_before_bn(0.5)
    batches = [X[i : i + 256] for i in range(0, 2048, 256)]
    data = {
        "dataset": tf_dataset,
        "generator": lambda: ((batch,) for batch in batches),
        "pydataset": Batches,
        "array": lambda: X,
    }[source]()
    steps = len(batches) if source == "generator" else None
    report = measure_variance_shift(model, data, steps=steps, verbose=0)
    np.testing.assert_allclose(report["bn"].input_variance, X.var(axis=0), rtol=1e-4)


def test_model_without_bn_gives_an_empty_report_with_a_note():
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(2)])
    report = measure_variance_shift(model, X, verbose=0)
    assert len(report) == 0
    assert "no BatchNormalization layer" in str(report)
    assert recalibrate_batchnorm(model, X, verbose=0).batches == 0


def test_empty_data_is_a_value_error():
    model = dropout_before_bn(0.5)
    with pytest.raises(ValueError, match="`data` is empty"):
        measure_variance_shift(model, X[:0], verbose=0)
    with pytest.raises(ValueError, match="`data` is empty"):
        recalibrate_batchnorm(model, X[:0], verbose=0)
    # Keras itself refuses an empty generator, with its own clear ValueError.
    with pytest.raises(ValueError, match="empty"):
        measure_variance_shift(model, (batch for batch in []), verbose=0)


def test_data_the_model_cannot_take_is_one_line_with_its_cause():
    from keras_ordering import fix_model

    model = dropout_before_bn(0.5)
    wrong = X[:, :5]
    for run in (
        lambda: measure_variance_shift(model, wrong, verbose=0),
        lambda: recalibrate_batchnorm(model, wrong, verbose=0),
    ):
        with pytest.raises(ValueError, match="as `predict` would: ") as raised:
            run()
        assert "\n" not in str(raised.value) and "\x1b" not in str(raised.value)
        assert raised.value.__cause__ is not None
    # fix_model's recalibration (BN moved before the activation: KO102).
    relu_then_bn = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(2),
        ]
    )
    with pytest.raises(ValueError, match="as `predict` would: ") as raised:
        fix_model(relu_then_bn, recalibrate_with=wrong)
    assert "\n" not in str(raised.value)
    with pytest.raises(TypeError, match="`data` is None"):
        recalibrate_batchnorm(model, None, verbose=0)


class _KeywordBatchNorm(keras.Model):
    """Calls its BN with `inputs=` as a keyword."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(4)
        self.drop = keras.layers.Dropout(0.5)
        self.bn = keras.layers.BatchNormalization()

    def call(self, x, training=None):
        return self.bn(inputs=self.drop(self.dense(x), training=training))


def test_a_batchnorm_called_with_inputs_as_a_keyword_is_measured():
    model = _KeywordBatchNorm()
    model(X[:2])
    report = measure_variance_shift(model, X, verbose=0)
    assert len(report) == 1


def test_report_formats_and_plot(tmp_path):
    report = measure_variance_shift(dropout_before_bn(0.5), X, verbose=0)
    text = str(report)
    assert text.splitlines()[1].split()[:2] == ["layer", "shift"]
    assert "bn" in text and "drop" in text
    assert "<table" in report._repr_html_()
    data = report.to_dict()
    assert (
        data["entries"][0]["layer"] == "bn" and len(data["entries"][0]["ratio"]) == 16
    )
    import matplotlib

    matplotlib.use("Agg")
    ax = report.plot()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["bn"]
    ax.figure.savefig(tmp_path / "shift.png")
    assert (tmp_path / "shift.png").stat().st_size > 1000


def test_plot_legend_explains_the_colours():
    import matplotlib

    matplotlib.use("Agg")
    inputs = keras.Input((16,))
    x = keras.layers.Dropout(0.5, name="drop")(inputs)
    x = keras.layers.BatchNormalization(name="bn_after_noise")(x)
    x = keras.layers.Dense(16, name="dense")(x)
    x = keras.layers.BatchNormalization(name="bn_clean")(x)
    model = keras.Model(inputs, x)
    report = measure_variance_shift(model, X, verbose=0)
    ax = report.plot()
    legend = {
        text.get_text(): handle
        for text, handle in zip(
            ax.get_legend().get_texts(), ax.get_legend().legend_handles, strict=True
        )
    }
    assert set(legend) == {
        "BN with a noise layer upstream",
        "BN with no noise upstream",
        "1 = no shift",
    }
    bars = {
        label.get_text(): patch.get_facecolor()
        for label, patch in zip(ax.get_xticklabels(), ax.patches, strict=True)
    }
    noise = legend["BN with a noise layer upstream"].get_facecolor()
    clean = legend["BN with no noise upstream"].get_facecolor()
    assert bars == {"bn_after_noise": noise, "bn_clean": clean} and noise != clean


class Batches(keras.utils.PyDataset):
    """X in batches of 256, as a PyDataset (its length is known)."""

    def __len__(self):
        return len(X) // 256

    def __getitem__(self, index):
        return X[index * 256 : (index + 1) * 256], Y[:256]


@pytest.mark.parametrize(
    "source", ["array", pytest.param("pydataset", marks=pytest.mark.slow)]
)
def test_one_labelled_progress_bar(source, capsys):
    model = dropout_before_bn(0.5)
    capsys.readouterr()
    data = X if source == "array" else Batches()
    measure_variance_shift(model, data, batch_size=256, verbose=1)
    out = capsys.readouterr().out
    assert out.count("measure_variance_shift") == 1
    # Two passes (inference, then training mode), one bar of 16 batches.
    assert "16/16 batches" in out and "8/8" not in out and "Unknown" not in out
    # Outside a terminal or notebook: one final line, no control characters.
    assert len(out.splitlines()) == 2
    assert not any(char in out for char in "\b\r\x1b")

    # Three passes, one bar: 24 batches in all, never three bars of 8.
    recalibrate_batchnorm(model, data, batch_size=256, verbose=1)
    out = capsys.readouterr().out
    assert out.count("recalibrate_batchnorm") == 1
    assert "24/24" in out and "8/8" not in out

    measure_variance_shift(model, X, verbose=0)
    recalibrate_batchnorm(model, X, verbose=0)
    assert capsys.readouterr().out == ""


def test_batches_unknown_in_advance_are_counted_on_the_first_pass(capsys):
    model = dropout_before_bn(0.5)
    capsys.readouterr()
    batches = [X[i : i + 256] for i in range(0, 2048, 256)]
    data = ((batch,) for batch in batches)  # No length, no steps.
    measure_variance_shift(model, data, verbose=1)
    out = capsys.readouterr().out
    # The first pass counts the batches: the bar ends at 2 passes x 8.
    assert out.splitlines()[-1].startswith("16/16 batches [")


def _briefly_trained(dropout: float, steps: int, momentum: float) -> keras.Model:
    """Features of variance 0.04 behind an optional dropout: BN's moving
    variance starts at 1 and needs many steps to get there."""
    layers = [keras.Input((16,))]
    if dropout:
        layers.append(keras.layers.Dropout(dropout, seed=3, name="drop"))
    layers += [
        keras.layers.BatchNormalization(momentum=momentum, name="bn"),
        keras.layers.Dense(1, name="head"),
    ]
    model = keras.Sequential(layers)
    model.compile(optimizer="sgd", loss="mse")
    small = 0.2 * X
    model.fit(small, Y, epochs=1, batch_size=64, steps_per_epoch=steps, verbose=0)
    return model


def test_unconverged_moving_statistics_are_told_apart_from_the_noise():
    # Without any dropout, 10 steps at momentum 0.99 leave the moving variance
    # near its initial 1 while the inputs have variance 0.04: a large "shift".
    model = _briefly_trained(dropout=0.0, steps=10, momentum=0.99)
    state = [keras.ops.convert_to_numpy(v) for v in model.non_trainable_variables]
    report = measure_variance_shift(model, 0.2 * X, verbose=0)
    (entry,) = report
    assert entry.shift < 0.2
    assert entry.converged is False and entry.statistics_lag < 0.2
    assert abs(entry.noise_shift - 1.0) < 0.05  # No noise: nothing from it.
    assert entry.cause == "moving statistics not converged"
    assert any("have not converged" in note and "'bn'" in note for note in report.notes)
    assert "moving statistics not converged" in str(report)
    # The training-mode pass restored the moving statistics and seed states.
    for variable, before in zip(model.non_trainable_variables, state, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), before)


def test_a_converged_shift_behind_dropout_is_put_on_the_noise():
    report = measure_variance_shift(dropout_before_bn(0.5), X, verbose=0)
    (entry,) = report
    assert entry.converged is True and abs(entry.statistics_lag - 1.0) < 0.25
    assert abs(entry.noise_shift - 0.5) < 0.1
    assert entry.cause == "noise upstream"
    assert not any("have not converged" in note for note in report.notes)
    data = entry.to_dict()
    assert data["cause"] == "noise upstream" and data["converged"] is True


def test_a_briefly_trained_dropout_model_gets_both_causes_apart():
    model = _briefly_trained(dropout=0.5, steps=10, momentum=0.99)
    (entry,) = measure_variance_shift(model, 0.2 * X, verbose=0)
    assert entry.converged is False
    assert abs(entry.noise_shift - 0.5) < 0.1  # The noise's own share.
    np.testing.assert_allclose(
        entry.shift, entry.noise_shift * entry.statistics_lag, rtol=0.15
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_recalibration_on_non_finite_data_leaves_every_bn_as_it_was(bad):
    model = dropout_before_bn(0.5)
    before = [keras.ops.convert_to_numpy(v) for v in model.variables]
    data = X[:256].copy()
    data[7, 3] = bad
    with pytest.raises(ValueError, match="NaN or inf batch statistics") as raised:
        recalibrate_batchnorm(model, data, verbose=0)
    assert "\n" not in str(raised.value)
    for variable, value in zip(model.variables, before, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), value)
