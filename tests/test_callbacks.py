"""check(), LintError, OrderingWarning and LintCallback: the linter in pipelines."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest

from keras_ordering import LintCallback, LintError, OrderingWarning, check, lint_model

DATA = np.random.default_rng(0).normal(size=(32, 8)).astype("float32")
TARGETS = np.zeros((32, 2), "float32")


def risky_model() -> keras.Model:
    """KO101 (warning) and KO102 (info)."""
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, activation="relu", name="dense"),
            keras.layers.Dropout(0.5, name="dropout"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2, name="head"),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    return model


def clean_model() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, use_bias=False, name="dense"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(name="relu"),
            keras.layers.Dropout(0.5, name="dropout"),
            keras.layers.Dense(2, name="head"),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_check_raises_lint_error_carrying_the_report():
    with pytest.raises(LintError) as raised:
        check(risky_model())
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.fail_on == "warning"
    assert error.report.codes() == ["KO102", "KO101"]
    assert "1 finding at or above 'warning'" in str(error)
    assert check(risky_model(), fail_on="error").codes() == ["KO102", "KO101"]
    assert check(risky_model(), fail_on=None).summary["warning"] == 1
    with pytest.raises(LintError, match="2 finding"):
        check(risky_model(), fail_on="info")
    assert check(risky_model(), ignore="KO101").codes() == ["KO102"]
    with pytest.raises(ValueError, match="`fail_on` must be one of"):
        check(risky_model(), fail_on="fatal")


def test_warn_emits_one_ordering_warning_per_finding():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = lint_model(risky_model(), warn=True)
    ordering = [w for w in caught if issubclass(w.category, OrderingWarning)]
    assert len(ordering) == len(report) == 2
    assert str(ordering[1].message).startswith("KO101 dropout-before-batchnorm: ")
    assert ordering[0].filename == __file__  # Points at the caller.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=OrderingWarning)
        with pytest.raises(OrderingWarning, match="KO102"):
            lint_model(risky_model(), warn=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("error")
        warnings.filterwarnings("ignore", category=OrderingWarning)
        lint_model(risky_model(), warn=True)  # Standard filters silence it.


class CountBatches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.batches += 1


def test_callback_stops_fit_before_the_first_batch():
    model = risky_model()
    before = [keras.ops.convert_to_numpy(w) for w in model.weights]
    counter = CountBatches()
    with pytest.raises(LintError) as raised:
        model.fit(
            DATA, TARGETS, epochs=2, verbose=0, callbacks=[LintCallback(), counter]
        )
    assert counter.batches == 0
    assert raised.value.report.codes() == ["KO102", "KO101"]
    for old, new in zip(before, model.weights, strict=True):
        np.testing.assert_array_equal(old, keras.ops.convert_to_numpy(new))


def test_passing_model_trains_exactly_as_without_the_callback():
    histories = []
    weights = []
    for callbacks in ([], [LintCallback(fail_on="warning")]):
        keras.utils.set_random_seed(7)
        model = clean_model()
        history = model.fit(
            DATA,
            TARGETS,
            epochs=2,
            batch_size=8,
            verbose=0,
            shuffle=False,
            callbacks=callbacks,
        )
        histories.append(history.history["loss"])
        weights.append([keras.ops.convert_to_numpy(w) for w in model.weights])
    assert histories[0] == histories[1]
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_callback_with_fail_on_none_shows_every_finding(capsys):
    # No logging set-up: absl's default hides INFO records, and KO102 is info.
    callback = LintCallback(fail_on=None, select=["KO1"])
    model = risky_model()
    model.fit(DATA, TARGETS, epochs=1, verbose=0, callbacks=[callback])
    # KO1 selects the opt-in KO120 too, as a prefix does in ruff, but the one
    # Dropout -> BN is reported once: KO120 leaves out what KO101 reports.
    assert callback.report.codes() == ["KO102", "KO101"]
    out = capsys.readouterr().out
    assert out.startswith("Model 'sequential")
    for finding in callback.report:
        assert f"{finding.code}  {finding.severity}" in out
        assert finding.message in " ".join(out.split())  # Wrapped at words.
    assert "batchnorm-after-activation" in out and "dropout -> bn" in out


def test_callback_below_fail_on_prints_and_a_clean_model_is_quiet(capsys):
    risky_model().fit(
        DATA, TARGETS, verbose=0, callbacks=[LintCallback(fail_on="error")]
    )
    out = capsys.readouterr().out
    assert "KO102  info" in out and "KO101  warning" in out
    clean_model().fit(DATA, TARGETS, verbose=0, callbacks=[LintCallback()])
    assert capsys.readouterr().out == ""


def test_callback_rejects_bad_options():
    with pytest.raises(ValueError, match="`fail_on` must be one of"):
        LintCallback(fail_on="fatal")
    with pytest.raises(TypeError, match="`warn` is not an option"):
        LintCallback(warn=True)
    with pytest.raises(ValueError, match="Unknown rule selector"):
        clean_model().fit(
            DATA, TARGETS, verbose=0, callbacks=[LintCallback(select="KO9")]
        )


def write_config(directory, body: str):
    path = directory / "pyproject.toml"
    path.write_text(f"[tool.keras_ordering]\n{body}\n")
    return path


def test_check_reads_pyproject_and_arguments_override_it(tmp_path, monkeypatch):
    write_config(tmp_path, 'ignore = ["KO101"]\nfail-on = "info"')
    nested = tmp_path / "notebooks"
    nested.mkdir()
    monkeypatch.chdir(nested)  # Found from the current directory upward.
    with pytest.raises(LintError) as raised:
        check(risky_model())
    assert raised.value.fail_on == "info"  # fail-on from the file
    assert raised.value.report.codes() == ["KO102"]  # ignore from the file
    # Each argument overrides the file's key; the other keys still hold.
    assert check(risky_model(), fail_on=None).codes() == ["KO102"]
    assert check(risky_model(), fail_on="warning").codes() == ["KO102"]
    with pytest.raises(LintError, match="at or above 'info'"):
        check(risky_model(), ignore=[])
    # config=False reads no file; a path reads that file.
    with pytest.raises(LintError, match="at or above 'warning'"):
        check(risky_model(), config=False)
    other = write_config(tmp_path / "notebooks", 'select = ["KO2"]')
    assert check(risky_model(), config=other).codes() == []
    with pytest.raises(TypeError, match="`config` must be True"):
        check(risky_model(), config=1)


def test_lint_model_reads_no_file(tmp_path, monkeypatch):
    write_config(tmp_path, 'select = ["KO2"]')
    monkeypatch.chdir(tmp_path)
    assert lint_model(risky_model()).codes() == ["KO102", "KO101"]


def test_callback_reads_pyproject_and_arguments_override_it(
    tmp_path, monkeypatch, capsys
):
    write_config(tmp_path, 'ignore = ["KO101"]\nfail-on = "info"')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LintError) as raised:
        risky_model().fit(DATA, TARGETS, verbose=0, callbacks=[LintCallback()])
    assert raised.value.report.codes() == ["KO102"]
    callback = LintCallback(fail_on=None)
    assert callback.fail_on is None
    risky_model().fit(DATA, TARGETS, verbose=0, callbacks=[callback])
    assert callback.report.codes() == ["KO102"]
    assert LintCallback(config=False).fail_on == "warning"
    # A bad file is an error when the callback is made, not mid-pipeline.
    write_config(tmp_path, 'convention = "xyz"')
    with pytest.raises(ValueError, match="convention must be one of"):
        LintCallback()


class _Subclassed(keras.Model):
    """Built by fit in its first step on TensorFlow: no Input, no build."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(8, activation="relu", name="dense")
        self.dropout = keras.layers.Dropout(0.5, name="dropout")
        self.bn = keras.layers.BatchNormalization(name="bn")
        self.head = keras.layers.Dense(2, name="head")

    def call(self, inputs, training=None):
        hidden = self.dropout(self.dense(inputs), training=training)
        return self.head(self.bn(hidden, training=training))


def _unbuilt(kind: str) -> keras.Model:
    if kind == "subclassed":
        model = _Subclassed(name="subclassed")
    else:  # A Sequential without an Input, as many tutorials write it.
        model = keras.Sequential(
            [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)]
        )
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("kind", ["subclassed", "sequential"])
def test_callback_on_a_model_fit_builds_trains_and_lints(kind, capsys):
    model = _unbuilt(kind)
    callback = LintCallback(fail_on=None, config=False)
    model.fit(DATA, TARGETS, epochs=1, verbose=0, callbacks=[callback])
    assert model.optimizer.iterations.numpy() == 1
    assert callback.report is not None
    deferred = [note for note in callback.report.notes if "linted after" in note]
    # JAX and PyTorch build the model before the callbacks start.
    built_late = keras.backend.backend() == "tensorflow"
    assert len(deferred) == (1 if built_late else 0), callback.report.notes
    if kind == "subclassed":
        assert sorted(callback.report.codes()) == ["KO101", "KO102"]


def test_callback_on_an_unbuilt_model_still_stops_fit():
    model = _unbuilt("subclassed")
    with pytest.raises(LintError):
        model.fit(
            DATA,
            TARGETS,
            epochs=3,
            verbose=0,
            callbacks=[LintCallback(fail_on="warning", config=False)],
        )
    # Before the first step where the model was built before the callbacks
    # began, right after it where fit built it in that step (TensorFlow).
    steps = 1 if keras.backend.backend() == "tensorflow" else 0
    assert int(model.optimizer.iterations.numpy()) == steps


def test_callback_with_data_builds_an_unbuilt_model_before_any_step():
    model = _unbuilt("subclassed")
    with pytest.raises(LintError) as raised:
        model.fit(
            DATA,
            TARGETS,
            epochs=1,
            verbose=0,
            callbacks=[
                LintCallback(fail_on="warning", config=False, data=(DATA, TARGETS))
            ],
        )
    assert int(model.optimizer.iterations.numpy()) == 0
    built_by_preflight = any(
        "preflight built it" in n for n in raised.value.report.notes
    )
    # JAX and PyTorch build the model before the callbacks start.
    assert built_by_preflight == (keras.backend.backend() == "tensorflow")


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"select": ["KO999"]}, ValueError, "KO999"),
        ({"bogus": 1}, TypeError, "unexpected keyword argument"),
        ({"data": (DATA, TARGETS), "batch_size": True}, TypeError, "batch_size"),
        ({"per_layer_ignores": ["dense*"]}, TypeError, "must map layer-name globs"),
    ],
)
def test_callback_refuses_bad_options_when_it_is_made(options, error, match):
    """Not when fit has started and built its data pipeline."""
    with pytest.raises(error, match=match) as raised:
        LintCallback(config=False, **options)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([DATA, TARGETS], "list of 2 items"),
        ((DATA, TARGETS, None, TARGETS), "tuple of 4 items"),
    ],
)
def test_check_refuses_data_it_would_read_wrongly(data, match):
    """A list is the model's inputs, as in fit: [x, y] for a one-input model
    would drop the labels; a 4-tuple is no (x, y, sample_weight)."""
    with pytest.raises(ValueError, match=match):
        check(risky_model(), config=False, fail_on=None, data=data)
