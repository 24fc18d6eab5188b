"""`preflight`: the data-aware rules' own examples, the model left exactly as
it was (every backend), the data sources, `check(data=)` and
`LintCallback(data=)`."""

from __future__ import annotations

import sys

import keras
import numpy as np
import pytest

import keras_ordering
from keras_ordering import LintCallback, LintError, check, preflight
from keras_ordering.lint.registry import all_rules
from tests.diagnostics.test_training_flag import MonteCarloDropoutOp

DATA_RULES = [rule for rule in all_rules() if rule.needs_data]
EXAMPLES = [
    pytest.param(rule, kind, index, id=f"{rule.code}-{kind}-{index}")
    for rule in DATA_RULES
    for kind in ("VALID", "INVALID")
    for index in range(len(getattr(rule, kind)))
]


def test_the_data_aware_rules_are_ko301_to_ko308():
    codes = {rule.code: rule.name for rule in all_rules() if rule.code >= "KO300"}
    assert codes == {
        "KO301": "labels-do-not-fit-output",
        "KO302": "inputs-not-scaled",
        "KO303": "batch-too-small-for-batchnorm",
        "KO304": "normalization-not-adapted",
        "KO305": "training-flag-ignored",
        "KO306": "loss-at-init-off",
        "KO307": "non-finite-values",
        "KO308": "targets-not-scaled",
    }


@pytest.mark.parametrize(("rule", "kind", "index"), EXAMPLES)
def test_data_rule_examples(rule, kind, index):
    """The generic example test of the data-aware rules: each example is a
    model plus a small dataset, judged by `preflight`."""
    example = getattr(rule, kind)[index]
    x, y = example.data()
    report = preflight(
        example.build(), x, y, batch_size=example.batch_size, select=rule.code
    )
    own = [finding for finding in report if finding.code == rule.code]
    if kind == "VALID":
        assert own == [], f"{rule.code} fired on a VALID example: {own}"
        return
    assert any(f.layers == example.expect for f in own), (
        f"{rule.code} INVALID example: expected {example.expect}, got "
        f"{[f.layers for f in own]}"
    )
    for finding in own:
        assert (finding.name, finding.fix, finding.severity) == (
            rule.name,
            rule.fix,
            rule.severity,
        )
        assert all(name in finding.message for name in finding.layers)
        assert finding.message[0].isupper() and finding.message.endswith(".")
    # The same report renders as text, JSON and HTML with the rule's docs.
    assert rule.code in str(report) and rule.code in report.to_json()
    assert f"{rule.code} {rule.name} docs" in report._repr_html_()


def test_lint_model_never_reports_a_data_aware_rule():
    for rule in DATA_RULES:
        for example in rule.INVALID:
            assert rule.code not in keras_ordering.lint_model(example.build()).codes()


def _cnn() -> keras.Model:
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Dropout(0.3, name="drop")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(8, activation="relu", name="hidden")(x)
    x = keras.layers.GaussianNoise(0.1)(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="head")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _state(model: keras.Model) -> dict:
    optimizer = model.optimizer
    return {
        "variables": [keras.ops.convert_to_numpy(v).copy() for v in model.variables],
        "optimizer": [
            keras.ops.convert_to_numpy(v).copy() for v in optimizer.variables
        ],
        "iterations": int(keras.ops.convert_to_numpy(optimizer.iterations)),
        "metrics": [
            keras.ops.convert_to_numpy(v).copy() for v in model.metrics_variables
        ],
        "trainable": [layer.trainable for layer in model.layers],
        "loss": model.loss,
        "compile": model.get_compile_config(),
        "optimizer_built": optimizer.built,
    }


def _assert_same(before: dict, after: dict) -> None:
    for key in ("variables", "optimizer", "metrics"):
        assert len(before[key]) == len(after[key]), key
        for old, new in zip(before[key], after[key], strict=True):
            assert old.dtype == new.dtype and old.tobytes() == new.tobytes(), key
    for key in ("iterations", "trainable", "loss", "compile", "optimizer_built"):
        assert before[key] == after[key], key


def test_the_model_is_left_exactly_as_it_was():
    """Bit for bit, on the backend running the tests (CI reruns tests/lint on
    JAX and PyTorch): weights, BN moving statistics, seed-generator states,
    optimizer variables and iterations, metrics, trainable flags, the
    compiled loss and metrics."""
    model = _cnn()
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (16, 8, 8, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[np.arange(16) % 3]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # A built optimizer.
    model.layers[1].trainable = False  # A frozen layer stays frozen.
    before = _state(model)
    seed_states = [v for v in model.variables if "seed" in v.path]
    assert seed_states and before["iterations"] == 2
    report = preflight(model, x, y, batch_size=8)
    assert {rule.code for rule in DATA_RULES} <= set(report.rules)
    _assert_same(before, _state(model))


def test_an_unbuilt_optimizer_stays_unbuilt():
    model = _cnn()
    x = np.random.default_rng(1).uniform(0, 1, (8, 8, 8, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[np.arange(8) % 3]
    before = _state(model)
    assert before["optimizer_built"] is False
    preflight(model, x, y)
    _assert_same(before, _state(model))


def _dense(units=4, activation="sigmoid", loss="binary_crossentropy"):
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="relu", name="hidden"),
            keras.layers.Dense(units, activation=activation, name="head"),
        ]
    )
    model.compile(optimizer="adam", loss=loss)
    return model


def _one_hot_data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = np.eye(4, dtype="float32")[np.arange(n) % 4]
    return x, y


def _generator(x, y, batch):
    for start in range(0, len(x), batch):
        yield x[start : start + batch], y[start : start + batch]


class _Sequence(keras.utils.PyDataset):
    def __init__(self, x, y, batch):
        super().__init__()
        self.x, self.y, self.batch = x, y, batch

    def __len__(self):
        return len(self.x) // self.batch

    def __getitem__(self, index):
        part = slice(index * self.batch, (index + 1) * self.batch)
        return self.x[part], self.y[part]


@pytest.mark.parametrize("source", ["arrays", "generator", "pydataset", "dataset"])
def test_every_data_source_gives_the_same_finding(source):
    x, y = _one_hot_data()
    model = _dense()
    if source == "arrays":
        report = preflight(model, x, y, batch_size=16)
    elif source == "generator":
        report = preflight(model, _generator(x, y, 16))
    elif source == "pydataset":
        report = preflight(model, _Sequence(x, y, 16))
    else:
        if "tensorflow" not in sys.modules and keras.backend.backend() != "tensorflow":
            pytest.importorskip("tensorflow")
        import tensorflow as tf

        report = preflight(model, tf.data.Dataset.from_tensor_slices((x, y)).batch(16))
    assert [f.code for f in report if f.code.startswith("KO3")] == ["KO301"]


def test_a_generator_is_read_for_a_bounded_number_of_batches():
    from keras_ordering.preflight_data import MAX_BATCHES

    x, y = _one_hot_data(16 * (MAX_BATCHES + 3))
    batches = _generator(x, y, 16)
    preflight(_dense(), batches)
    assert len(list(batches)) == 3  # The rest is left for fit.


def test_y_with_a_dataset_is_refused():
    x, y = _one_hot_data()
    with pytest.raises(ValueError, match="must be None"):
        preflight(_dense(), _generator(x, y, 16), y)


@pytest.mark.parametrize(
    ("batch_size", "error"),
    [
        (0, ValueError),
        (-4, ValueError),
        ("16", TypeError),
        (2.5, TypeError),
        (True, TypeError),
    ],
)
def test_a_bad_batch_size_is_refused_in_one_line(batch_size, error):
    x, y = _one_hot_data()
    with pytest.raises(
        error, match=r"^`batch_size` must be a positive integer"
    ) as raised:
        preflight(_dense(), x, y, batch_size=batch_size)
    assert "\n" not in str(raised.value)


def test_single_samples_where_the_model_takes_batches_are_named():
    x, y = _one_hot_data()
    unbatched = ((x[i], y[i]) for i in range(len(x)))  # A dataset never batched.
    with pytest.raises(ValueError, match="single samples of shape \\(8,\\)") as raised:
        preflight(_dense(), unbatched)
    assert "batch it" in str(raised.value) and "\n" not in str(raised.value)


def test_a_model_that_fails_on_the_data_is_one_line_with_its_cause():
    x, y = _one_hot_data()
    with pytest.raises(
        ValueError, match=r"^The model fails on the first batch"
    ) as raised:
        preflight(_dense(), x[:, :5], y)  # 5 features where the model takes 8.
    assert "\n" not in str(raised.value)
    assert raised.value.__cause__ is not None  # Keras' own error, kept.


def test_labels_that_are_not_numbers_are_refused_as_fit_refuses_them():
    """KO301 / KO306 do not judge strings; the compiled loss cannot read
    them, as in `fit`: one line, Keras' error chained."""
    x, _ = _one_hot_data()
    labels = np.array(["cat", "dog", "bird", "fish"] * 16)
    with pytest.raises(
        ValueError, match="compiled loss fails on the first batch"
    ) as raised:
        preflight(_dense(), x, labels)
    assert "\n" not in str(raised.value)
    assert raised.value.__cause__ is not None


def test_a_backward_pass_that_fails_is_not_blamed_on_the_labels():
    """`fit` fails too (as Keras 3.15's sparse cross-entropy does on torch
    for (H, W) label masks): one line that names the backward pass."""
    if keras.backend.backend() == "jax":
        pytest.skip("JAX runs a custom gradient's function in the forward call")

    @keras.ops.custom_gradient
    def no_gradient(inputs):
        def gradient(*args, upstream=None):
            raise RuntimeError("this gradient is not implemented")

        return inputs * 1.0, gradient

    class NoGradient(keras.layers.Layer):
        def call(self, inputs):
            return no_gradient(inputs)

    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(4), NoGradient(), keras.layers.Softmax()]
    )
    model.compile(loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((32, 8), dtype="float32")
    y = np.arange(32) % 4
    with pytest.raises(RuntimeError, match="not implemented"):
        model.train_on_batch(x, y)  # What `fit` does.
    with pytest.raises(ValueError, match="fails in its backward pass") as raised:
        preflight(model, x, y)
    message = str(raised.value)
    assert "this gradient is not implemented" in message and "not the data" in message
    # Trained on `add_loss` terms alone, the same failure is refused, not
    # told "compiled without a loss".
    added = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(4), NoGradient(), _LogOfShifted()]
    )
    added.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="fails in its backward pass"):
        preflight(added, x + 200.0, np.zeros((32, 4), "float32"))
    assert "\n" not in message and raised.value.__cause__ is not None


def test_compile_without_a_loss_is_a_custom_loop_and_gets_a_note():
    """keras-io's Reptile: `model.compile(optimizer)` and a GradientTape loop.
    No loss to check: a note, not a refusal blamed on the labels."""
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(5, activation="softmax", name="head"),
        ]
    )
    model.compile(optimizer="sgd")
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (32, 8, 8, 1)).astype("float32")
    report = preflight(model, x, np.arange(32) % 5)
    assert [f.code for f in report if f.code.startswith("KO3")] == []
    assert any("compiled without a loss" in note for note in report.notes)


class _LogOfShifted(keras.layers.Layer):
    def call(self, inputs):
        self.add_loss(keras.ops.mean(keras.ops.log(inputs - 100.0)))
        return inputs


def test_a_model_trained_on_add_loss_alone_gets_its_gradient_step():
    """Compiled without a loss, trained by fit on its `add_loss` terms: the
    step's loss is theirs, and its NaN is found (KO307)."""
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(3, name="dense"),
            _LogOfShifted(name="log"),
        ]
    )
    model.compile(optimizer="adam")
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    report = preflight(model, x, np.zeros((32, 3), "float32"))
    assert "KO307" in [f.code for f in report], [f.message for f in report]
    assert not any("compiled without a loss" in note for note in report.notes)


def test_check_with_data_raises_on_ko301(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x, y = _one_hot_data()
    model = _dense()
    assert check(model, config=False).codes() == []  # The graph alone is fine.
    with pytest.raises(LintError) as raised:
        check(model, config=False, data=(x, y))
    assert raised.value.report.codes() == ["KO301"]
    # [tool.keras_ordering] is honoured as without data.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.keras_ordering]\nignore = ["KO301"]\n'
    )
    assert check(model, data=(x, y)).codes() == []


def test_lint_callback_with_data_stops_fit_before_the_first_step(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x, y = _one_hot_data()
    model = _dense()
    weights = [w.copy() for w in model.get_weights()]
    steps = []
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: steps.append(batch)
    )
    callback = LintCallback(data=(x, y), config=False)
    with pytest.raises(LintError, match="KO301"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callback, counter])
    assert steps == []
    assert all(
        np.array_equal(a, b) for a, b in zip(weights, model.get_weights(), strict=True)
    )
    assert callback.report is not None and callback.report.codes() == ["KO301"]


def test_lint_callback_with_clean_data_trains():
    x, _ = _one_hot_data()
    y = np.eye(4, dtype="float32")[np.arange(len(x)) % 4]
    model = _dense(activation="softmax", loss="categorical_crossentropy")
    history = model.fit(
        x,
        y,
        epochs=1,
        verbose=0,
        callbacks=[LintCallback(data=(x, y), config=False, fail_on="warning")],
    )
    assert len(history.history["loss"]) == 1


def test_preflight_is_exported_lazily_and_import_stays_light():
    import subprocess

    code = (
        "import sys, keras_ordering; "
        "assert 'preflight' in keras_ordering.__all__; "
        "assert 'keras' not in sys.modules; "
        "from keras_ordering.lint.registry import all_rules; all_rules(); "
        "assert 'keras' not in sys.modules and 'numpy' not in sys.modules, 'heavy'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    from keras_ordering.preflight_run import preflight as implementation

    assert keras_ordering.preflight is implementation


def test_preflight_docstring_example_runs():
    import doctest

    from keras_ordering.preflight_run import preflight as implementation

    tests = doctest.DocTestFinder(recurse=False).find(implementation, "preflight")
    runner = doctest.DocTestRunner()
    for test in tests:
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.attempted >= 5 and results.failed == 0


def _ko302(model, x) -> list:
    y = np.eye(3, dtype="float32")[np.arange(len(x)) % 3]
    return [f for f in preflight(model, x, y, select="KO302")]


def _small_cnn(*front) -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            *front,
            keras.layers.Conv2D(4, 3, name="conv"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy")
    return model


def test_ko302_is_silent_on_caffe_style_preprocessed_images():
    from keras.applications.resnet50 import preprocess_input

    raw = np.random.default_rng(0).integers(0, 256, (32, 16, 16, 3))
    caffe = preprocess_input(raw.astype("float32"))
    assert caffe.min() < 0 < caffe.max()
    assert _ko302(_small_cnn(), caffe) == []
    # The same model fed the raw pixels is flagged, naming its first layer.
    (finding,) = _ko302(_small_cnn(), raw.astype("uint8"))
    assert finding.layers == ("conv",) and "[0, 255]" in finding.message


def test_ko302_knows_models_that_expect_raw_pixels():
    rescaled = _small_cnn(keras.layers.Rescaling(1 / 127.5, offset=-1))
    raw = np.random.default_rng(0).integers(0, 256, (32, 16, 16, 3)).astype("float32")
    assert _ko302(rescaled, raw) == []
    (finding,) = _ko302(rescaled, raw / 255)
    assert "expects raw pixels" in finding.message


def _ko302_of(model, x, y) -> list:
    return [f for f in preflight(model, x, y, select="KO302")]


def _normalized_mlp(adapt_on):
    features = adapt_on.shape[1]
    normalization = keras.layers.Normalization(name="norm")
    normalization.adapt(adapt_on)
    model = keras.Sequential(
        [
            keras.Input((features,)),
            normalization,
            keras.layers.Dense(8, activation="relu", name="dense"),
            keras.layers.Dense(1, name="head"),
        ]
    )
    model.compile(loss="mse")
    return model


@pytest.mark.parametrize(
    "dataset", ["load_wine", "load_breast_cancer", "load_diabetes", "load_digits"]
)
def test_ko302_is_silent_on_a_normalization_adapted_on_the_same_real_data(dataset):
    """Real tabular data that scikit-learn ships, in file order (wine and
    breast cancer are sorted by class): adapted on the first two thirds,
    fed the rest unshuffled."""
    import sklearn.datasets

    x = getattr(sklearn.datasets, dataset)().data.astype("float32")
    split = 2 * len(x) // 3
    model = _normalized_mlp(x[:split])
    y = np.zeros((len(x) - split, 1), "float32")
    assert _ko302_of(model, x[split:], y) == []


def test_ko302_is_silent_on_heavy_tailed_features_normalized_on_themselves():
    """Log-normal features of sigma 3 (a maximum about a million times the
    median): a batch of 32 spreads a median 0.03 of their standard
    deviation, above the 0.01 bound."""
    rng = np.random.default_rng(1)
    x = rng.lognormal(0.0, 3.0, size=(20000, 8)).astype("float32")
    model = _normalized_mlp(x[:-32])
    assert _ko302_of(model, x[-32:], np.zeros((32, 1), "float32")) == []


def test_ko302_reads_float_pixels_without_a_channel_axis_only_when_whole():
    """(28, 28) floats holding whole numbers up to 255 are 8-bit pixels cast
    to float; scaled, standardized or sequence data are not whole."""
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(16, activation="relu", name="dense"),
            keras.layers.Dense(3, activation="softmax", name="head"),
        ]
    )
    model.compile(loss="categorical_crossentropy")
    pixels = np.random.default_rng(0).integers(0, 256, (32, 28, 28)).astype("float32")
    (finding,) = _ko302(model, pixels)
    assert finding.layers == ("dense",) and "raw pixel" in finding.message
    assert _ko302(model, pixels / 255) == []
    assert _ko302(model, (pixels - pixels.mean()) / pixels.std()) == []
    # Daily counts of 10 features over 30 days: whole numbers, not an image.
    sequence = keras.Sequential(
        [
            keras.Input((30, 10)),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax", name="head"),
        ]
    )
    sequence.compile(loss="categorical_crossentropy")
    counts = np.random.default_rng(0).poisson(40, (32, 30, 10)).astype("float32")
    assert _ko302(sequence, counts) == []


def test_ko302_finds_images_that_are_nearly_one_value():
    """Integer division leaves only the saturated pixels; MNIST-like images
    (81% black) and scikit-learn's digits as 8 x 8 images are not judged."""
    import sklearn.datasets

    pixels = np.random.default_rng(0).integers(0, 256, (32, 16, 16, 3))
    (finding,) = _ko302(_small_cnn(), (pixels // 255).astype("float32"))
    assert "in 99.48% of the pixels" in finding.message
    (finding,) = _ko302(_small_cnn(), np.zeros((32, 16, 16, 3), "float32"))
    assert "in every pixel" in finding.message
    sparse = pixels * (np.random.default_rng(1).random(pixels.shape) < 0.19)
    assert _ko302(_small_cnn(), (sparse / 255).astype("float32")) == []
    digits = sklearn.datasets.load_digits().images[:64, :, :, None] / 16
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax", name="head"),
        ]
    )
    model.compile(loss="categorical_crossentropy")
    assert _ko302(model, digits.astype("float32")) == []


def _sequence_model(shape, *layers):
    model = keras.Sequential(
        [keras.Input(shape), *layers, keras.layers.Dense(1, activation="sigmoid")]
    )
    model.compile(loss="binary_crossentropy")
    return model


def test_ko302_is_silent_on_ids_one_hot_rows_and_sparse_pages():
    """What is not an image, or not one zeroed by integer division: character
    ids in a float array read by an Embedding, one-hot characters, uint8
    bags of words, a binarized page of 0.5% ink."""
    rng = np.random.default_rng(0)
    y = (np.arange(32) % 2).astype("float32")

    def ko302(model, x):
        return _ko302_of(model, x, y)

    ids = rng.integers(1, 200, (32, 20, 16)).astype("float32")
    embedded = _sequence_model(
        (20, 16),
        keras.layers.Embedding(200, 8),
        keras.layers.Reshape((20, 128)),
        keras.layers.LSTM(4),
    )
    assert ko302(embedded, ids) == []
    one_hot = np.eye(120, dtype="float32")[rng.integers(0, 120, (32, 40))]
    assert ko302(_sequence_model((40, 120), keras.layers.LSTM(4)), one_hot) == []
    bags = (rng.random((32, 10000)) < 0.009).astype("uint8")
    assert ko302(_sequence_model((10000,), keras.layers.Dense(4)), bags) == []
    page = np.full((32, 64, 64, 1), 255, "uint8")
    page[rng.random(page.shape) < 0.005] = 0
    scanned = _sequence_model(
        (64, 64, 1),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(4, 3),
        keras.layers.GlobalAveragePooling2D(),
    )
    assert ko302(scanned, page) == []


def test_ko302_reports_each_input_of_a_two_input_model():
    images = keras.Input((16, 16, 3), name="image")
    table = keras.Input((4,), name="table")
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(images))
    t = keras.layers.Normalization(mean=0.0, variance=1.0, name="norm")(table)
    merged = keras.layers.Concatenate()([x, keras.layers.Dense(4)(t)])
    model = keras.Model([images, table], keras.layers.Dense(1)(merged))
    model.compile(loss="mse")
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (32, 16, 16, 3)).astype("uint8")
    features = rng.normal(5000.0, 100.0, (32, 4)).astype("float32")
    found = _ko302_of(model, (pixels, features), np.zeros((32, 1), "float32"))
    assert {f.layers[-1] for f in found} >= {"norm"} and len(found) == 2


def test_ko302_finds_a_normalization_adapted_on_other_data():
    """The digits adapted after scaling to [0, 1], fed raw (0 to 16), and
    images in [0, 1] into a Normalization adapted on raw pixels."""
    import sklearn.datasets

    x = sklearn.datasets.load_digits().data.astype("float32")
    y = np.zeros((len(x), 1), "float32")
    (finding,) = _ko302_of(_normalized_mlp(x / 16), x, y)
    assert finding.layers == ("norm",) and "times too large" in finding.message
    assert "\n" not in finding.message
    pixels = np.random.default_rng(0).integers(0, 256, (64, 16, 16, 3))
    normalization = keras.layers.Normalization(name="norm")
    normalization.adapt(pixels.astype("float32"))
    model = _small_cnn(normalization)
    (finding,) = _ko302(model, (pixels / 255).astype("float32"))
    assert finding.layers == ("norm",) and "nearly constant" in finding.message
    assert (
        "255 times smaller" in finding.message and "Adapted by you" in finding.message
    )
    # Fed what it was adapted on, it says nothing.
    assert _ko302(model, pixels.astype("float32")) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "EfficientNetB0", "ConvNeXtTiny"])
def test_keras_applications_with_their_expected_inputs_are_clean(name):
    application = getattr(keras.applications, name)
    backbone = application(weights=None, include_top=False, input_shape=(32, 32, 3))
    model = keras.Sequential(
        [backbone, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)]
    )
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    raw = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3)).astype("float32")
    module = {"ResNet50": "resnet50", "EfficientNetB0": "efficientnet"}
    module.setdefault(name, "convnext")
    preprocess = getattr(keras.applications, module[name]).preprocess_input
    x = preprocess(raw.copy())
    y = np.eye(3, dtype="float32")[np.arange(8) % 3]
    loud = [
        f.code
        for f in preflight(model, x, y, batch_size=8)
        if f.code.startswith("KO3") and f.severity != "info"
    ]
    assert loud == []


class _ShortLastSequence(_Sequence):
    """A PyDataset whose last item is shorter: ceil(N / batch) items."""

    def __len__(self):
        return -(-len(self.x) // self.batch)


def _tf():
    if "tensorflow" not in sys.modules and keras.backend.backend() != "tensorflow":
        pytest.importorskip("tensorflow")
    import tensorflow as tf

    return tf


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("arrays", (1, 33)),
        ("arrays-divides", (None, 32)),
        ("pydataset", (1, None)),
        ("pydataset-full", (None, None)),
        ("dataset", (1, 33)),
        ("dataset-prefetch-map", (1, 33)),
        ("dataset-drop-remainder", (None, None)),
        ("dataset-repeat", (None, None)),
        ("dataset-filter", (None, None)),
        ("generator", (None, None)),
    ],
)
def test_the_last_batch_is_known_where_the_data_tells(source, expected):
    from keras_ordering.preflight_data import read_batches

    x, y = _one_hot_data(33)
    if source == "arrays":
        batches = read_batches(x, y, batch_size=16)
    elif source == "arrays-divides":
        batches = read_batches(x[:32], y[:32], batch_size=16)
    elif source == "pydataset":
        batches = read_batches(_ShortLastSequence(x, y, 16))
    elif source == "pydataset-full":
        batches = read_batches(_Sequence(x, y, 16))
    elif source == "generator":
        batches = read_batches(_generator(x, y, 16))
    else:
        tf = _tf()
        data = tf.data.Dataset.from_tensor_slices((x, y))
        if source == "dataset":
            data = data.batch(16)
        elif source == "dataset-prefetch-map":
            data = data.shuffle(33).batch(16).map(lambda a, b: (a * 2, b)).prefetch(2)
        elif source == "dataset-drop-remainder":
            data = data.batch(16, drop_remainder=True)
        elif source == "dataset-repeat":
            data = data.batch(16).repeat(2)
        else:
            data = data.batch(16).filter(lambda a, b: True)
        batches = read_batches(data)
    assert (batches.last_batch, batches.total) == expected


# Imports torch into the TensorFlow run (about 4 s).
@pytest.mark.slow
def test_the_last_batch_of_a_torch_dataloader():
    torch_data = pytest.importorskip("torch.utils.data")
    torch = pytest.importorskip("torch")
    from keras_ordering.preflight_data import _last_batch

    dataset = torch_data.TensorDataset(torch.zeros(33, 8), torch.zeros(33, 4))
    assert _last_batch(torch_data.DataLoader(dataset, batch_size=16)) == (1, 33)
    dropped = torch_data.DataLoader(dataset, batch_size=16, drop_last=True)
    assert _last_batch(dropped) == (None, 33)


def _bn_dense():
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, name="hidden"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(4, activation="softmax", name="head"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def test_ko303_reports_a_short_last_batch_and_says_how_to_fix_it():
    x, y = _one_hot_data(33)
    report = preflight(_bn_dense(), x, y, batch_size=16, select="KO303")
    [finding] = [f for f in report if f.code == "KO303"]
    assert finding.layers == ("bn",)
    assert "last batch of each epoch of 33 samples holds 1 sample" in finding.message
    assert "drop_remainder" in finding.message and "divides 33" in finding.message
    # Batches of 11 divide 33; a last batch of 8 is large enough.
    for size in (11, 25):
        report = preflight(_bn_dense(), x, y, batch_size=size, select="KO303")
        assert "KO303" not in report.codes(), size


def test_ko303_says_nothing_on_a_short_last_batch_when_bn_does_not_train():
    x, y = _one_hot_data(33)
    model = _bn_dense()
    model.get_layer("bn").trainable = False
    assert "KO303" not in preflight(model, x, y, batch_size=16).codes()


class _Counted(keras.layers.Layer):
    """Passes its input through and counts the calls with concrete values."""

    calls = 0

    def call(self, inputs, training=None, mask=None):
        type(self).calls += 1
        return inputs


def test_the_model_runs_twice_and_is_never_cloned(monkeypatch):
    """Two passes shared by the training-flag audit, the NaN watch and (on
    TensorFlow and PyTorch, whose tapes record the training pass) the
    gradients; JAX runs one more, traced, for the gradients. No clone, no
    optimizer step."""

    def refuse(*args, **kwargs):
        raise AssertionError("preflight cloned the model")

    monkeypatch.setattr(keras.models, "clone_model", refuse)
    model = keras.Sequential(
        [keras.Input((8,)), _Counted(), keras.layers.Dense(4, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x, y = _one_hot_data(32)
    _Counted.calls = 0
    report = preflight(model, x, y)
    assert _Counted.calls == (3 if keras.backend.backend() == "jax" else 2)
    assert not report.notes, report.notes
    assert not model.optimizer.built


def _sqrt_of_zero(*more: keras.layers.Layer) -> keras.Model:
    """sqrt of an exact zero: the outputs and the loss are finite, the
    gradient of sqrt at 0 is inf. `more` layers go before the head."""
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(4, kernel_initializer="zeros", name="zeros"),
            keras.layers.Lambda(keras.ops.sqrt, name="sqrt"),
            *more,
            keras.layers.Dense(1, name="head"),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_ko307_finds_non_finite_gradients_behind_finite_outputs():
    model = _sqrt_of_zero()
    x = np.ones((16, 4), dtype="float32")
    y = np.ones((16, 1), dtype="float32")
    [finding] = [f for f in preflight(model, x, y) if f.code == "KO307"]
    assert "gradients" in finding.message


def _recordings(monkeypatch) -> list:
    """Weak references to each training pass recorded for the gradients
    (its tape on TensorFlow, its outputs on PyTorch)."""
    import weakref

    from keras_ordering import preflight_passes

    recorded_call = preflight_passes._recorded_call
    found: list = []

    def spy(*args, **kwargs):
        recorded = recorded_call(*args, **kwargs)
        kept = recorded.tape if recorded.tape is not None else recorded.outputs
        found.append(weakref.ref(kept))
        return recorded

    monkeypatch.setattr(preflight_passes, "_recorded_call", spy)
    return found


def test_the_gradients_come_from_the_recorded_training_pass(monkeypatch):
    """TensorFlow and PyTorch: one recorded training pass gives the loss
    and the gradients (KO307 still finds non-finite gradients), and its
    tape is released when preflight returns."""
    import gc

    found = _recordings(monkeypatch)
    model = _sqrt_of_zero(keras.layers.Dropout(0.2))
    x = np.ones((16, 4), dtype="float32")
    y = np.ones((16, 1), dtype="float32")
    [finding] = [f for f in preflight(model, x, y) if f.code == "KO307"]
    assert "gradients" in finding.message
    gc.collect()
    if keras.backend.backend() == "jax":
        assert found == []  # A traced pass of its own: nothing recorded.
    else:
        assert len(found) == 1
        assert found[0]() is None, "the recorded pass outlived preflight"


def test_a_loss_that_raises_is_a_note_and_releases_the_tape(monkeypatch):
    import gc

    found = _recordings(monkeypatch)

    def broken(y_true, y_pred):
        raise ValueError("a loss that cannot run")

    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(4, activation="softmax")]
    )
    model.compile(optimizer="adam", loss=broken)
    x, y = _one_hot_data(32)
    # `fit` trains on this loss and fails the same way: refused in one line.
    with pytest.raises(ValueError, match="a loss that cannot run"):
        preflight(model, x, y)
    gc.collect()
    assert all(ref() is None for ref in found)

    class OwnStep(keras.Sequential):
        """Trains on something else than the compiled loss."""

        def train_step(self, data):
            return {}

    own = OwnStep([keras.Input((8,)), keras.layers.Dense(4, activation="softmax")])
    own.compile(optimizer="adam", loss=broken)
    report = preflight(own, x, y)
    assert any("could not compute the loss and gradients" in n for n in report.notes)
    assert "ValueError" in " ".join(report.notes)
    gc.collect()
    assert all(ref() is None for ref in found)


@pytest.mark.parametrize("case", ["uncompiled", "no labels", "ko307 off", "nan"])
def test_no_gradient_step_where_there_was_none_before(monkeypatch, case):
    """The step runs only on a compiled model with labels, KO307 selected,
    nothing non-finite before it. A pass is recorded for it only where the
    first three hold (the last is known after the pass), and released."""
    import gc

    from keras_ordering import preflight_run

    found = _recordings(monkeypatch)
    steps: list = []
    monkeypatch.setattr(
        preflight_run,
        "gradient_step",
        lambda *args: steps.append(args) or None,
    )
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(4, activation="softmax", name="head")]
    )
    x, y = _one_hot_data(32)
    options: dict = {}
    if case != "uncompiled":
        model.compile(optimizer="adam", loss="categorical_crossentropy")
    if case == "no labels":
        y = None
    if case == "ko307 off":
        options = {"ignore": ["KO307"]}
    if case == "nan":
        model.get_layer("head").kernel.assign(np.full((8, 4), np.nan, "float32"))
    report = preflight(model, x, y, **options)
    assert steps == []
    recorded = case == "nan" and keras.backend.backend() != "jax"
    assert len(found) == int(recorded)
    gc.collect()
    assert all(ref() is None for ref in found)
    assert (case == "nan") == any(f.code == "KO307" for f in report)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "complex64"])
def test_the_nan_watch_decides_as_the_elementwise_test(dtype):
    """The watch's one-read test (a sum of squares) says "finite" exactly
    when every element is: NaN, +-inf, finite values large enough to
    overflow the sum, strided and empty arrays."""
    from keras_ordering.preflight_passes import _all_finite, _leaf_finite

    rng = np.random.default_rng(0)
    verdicts = set()
    for special in (None, np.nan, np.inf, -np.inf, 3e19, 1e200):
        values = rng.normal(size=(7, 5, 3)).astype(dtype)
        if special is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                values[2, 1, 0] = special
        for array in (values, values[:, ::2], values[..., 0].T, values[:0]):
            exact = bool(np.all(np.isfinite(array)))
            assert _all_finite(array) == exact, (special, array.shape)
            assert _leaf_finite(array) == exact
            verdicts.add(exact)
    assert verdicts == {True, False}
    assert _leaf_finite(np.arange(5)) and _leaf_finite(np.array([True, False]))


class _Rows(keras.layers.Layer):
    """Passes its input through and records (training, rows) per call."""

    seen: list[tuple[bool, int]] = []

    def call(self, inputs, training=None, mask=None):
        type(self).seen.append((bool(training), int(inputs.shape[0])))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class _WholeBatchOnly(keras.layers.Layer):
    """Reshapes with a hard-coded batch size, as some user code does."""

    def call(self, inputs, training=None, mask=None):
        return keras.ops.reshape(inputs, (64, 8))

    def compute_output_shape(self, input_shape):
        return input_shape


class _DropsAtInference(keras.layers.Layer):
    def call(self, inputs, training=None, mask=None):
        return keras.layers.Dropout(0.1)(inputs, training=True)

    def compute_output_shape(self, input_shape):
        return input_shape


def _rows_model(*more, batch_size=None):
    model = keras.Sequential(
        [
            keras.Input((8,), batch_size=batch_size),
            _Rows(),
            *more,
            keras.layers.Dense(4, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def _rows_per_mode() -> dict[bool, int]:
    return {training: rows for training, rows in _Rows.seen}


def test_the_inference_pass_reads_16_rows_where_shapes_do_not_compile():
    x, y = _one_hot_data(64)
    _Rows.seen = []
    report = preflight(_rows_model(), x, y, batch_size=64)
    assert not report.notes, report.notes
    inference = 64 if keras.backend.backend() == "jax" else 16
    assert _rows_per_mode() == {True: 64, False: inference}


def test_a_model_with_a_fixed_batch_size_gets_the_whole_batch():
    x, y = _one_hot_data(64)
    _Rows.seen = []
    report = preflight(_rows_model(batch_size=64), x, y, batch_size=64)
    assert not report.notes, report.notes
    assert _rows_per_mode() == {True: 64, False: 64}


def test_a_model_that_fails_on_fewer_rows_gets_the_whole_batch():
    x, y = _one_hot_data(64)
    _Rows.seen = []
    report = preflight(_rows_model(_WholeBatchOnly()), x, y, batch_size=64)
    assert report.codes() == [], str(report)
    assert not report.notes, report.notes
    # The last inference call, the one the audit judged, had the whole batch.
    assert [rows for training, rows in _Rows.seen if not training][-1] == 64


def test_dropout_at_inference_is_found_on_fewer_rows():
    """A dropout of rate 0.1 on 8 features forced on at inference: the
    inference pass's 16 rows show it."""
    x, y = _one_hot_data(64)
    for seed in range(5):
        keras.utils.set_random_seed(seed)
        report = preflight(_rows_model(_DropsAtInference()), x, y, batch_size=64)
        assert "KO305" in report.codes(), str(report)


class _Unbuilt(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(8, name="dense")
        self.bn = keras.layers.BatchNormalization(name="bn")
        self.head = keras.layers.Dense(4, activation="softmax", name="head")

    def call(self, inputs, training=None):
        hidden = keras.ops.relu(self.bn(self.dense(inputs), training=training))
        return self.head(hidden)


def test_an_unbuilt_model_is_built_on_the_first_batch_with_the_weights_fit_gets():
    x, y = _one_hot_data(64)
    keras.utils.set_random_seed(3)
    model = _Unbuilt(name="unbuilt")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    report = preflight(model, x, y)
    assert model.built
    assert any("preflight built it" in note for note in report.notes), report.notes
    assert report.codes() == ["KO106"]  # The static lint ran on the built model.
    keras.utils.set_random_seed(3)
    reference = _Unbuilt(name="reference")
    reference(x[:2])
    for ours, theirs in zip(model.weights, reference.weights, strict=True):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs)
        )


def test_a_model_that_cannot_be_built_on_the_data_is_one_line():
    model = keras.Sequential([keras.layers.Reshape((3, 3)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((8, 4), "float32")
    with pytest.raises(ValueError, match="not built, and building it") as raised:
        preflight(model, x, np.zeros((8, 2), "float32"))
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_a_label_vector_for_a_one_unit_head_is_read_as_fit_reads_it(dtype):
    """Labels of shape (n,) for a (n, 1) sigmoid head: `fit`'s loss matches
    their rank to the output's, and so do the gradient step and KO306."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = (np.arange(64) % 2).astype(dtype)
    saturated = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(
                1,
                activation="sigmoid",
                bias_initializer=keras.initializers.Constant(8.0),
                name="head",
            ),
        ]
    )
    saturated.compile(optimizer="sgd", loss="binary_crossentropy")
    report = preflight(saturated, x, y)
    assert not report.notes, report.notes  # The gradient step ran.
    assert report.codes() == ["KO306"], str(report)


def test_the_crossentropy_shortcut_is_the_loss_fit_picks():
    x, y = _one_hot_data(64)
    model = _dense()
    model.compile(optimizer="sgd", loss="crossentropy")
    report = preflight(model, x, y)
    assert not report.notes, report.notes


def test_arrays_of_different_lengths_are_refused_in_one_line():
    x, y = _one_hot_data(64)
    with pytest.raises(ValueError, match=r"`x` 64, `y` 63") as raised:
        preflight(_dense(), x, y[:63])
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("units", "advice"), [(13, "6 (labels - (-6))."), (7, "13 units")]
)
def test_negative_class_indices_are_named_and_shifted(units, advice):
    """tplusone/hanser_ml_zeitreihen#3: classes on a -6..6 scale under sparse
    cross-entropy. The advice is a shift, and a wider head only where the
    shifted indices need one."""
    x = np.random.default_rng(0).normal(size=(65, 8)).astype("float32")
    y = np.arange(65) % 13 - 6
    model = _dense(units, "softmax", "sparse_categorical_crossentropy")
    (finding,) = [f for f in preflight(model, x, y) if f.code == "KO301"]
    assert "negative class indices (from -6 to 6)" in finding.message
    assert advice in finding.message, finding.message


def test_ko307_names_the_layer_where_the_backward_pass_meets_the_nan():
    """keras-team/keras#13203: sqrt at 0, its derivative infinite. The head's
    gradients stay finite (its inputs are 0); those of the layer before the
    sqrt do not, on every backend."""
    model = _sqrt_of_zero()
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    [finding] = [f for f in preflight(model, x, np.ones((16, 1))) if f.code == "KO307"]
    assert finding.layers == ("zeros",), finding.message
    assert "'zeros'" in finding.message and "'head'" not in finding.message


def _transfer_model(application, module: str, *, frozen: bool = True):
    """The keras-io transfer-learning recipe: a frozen backbone, a new head."""
    backbone = application(weights=None, include_top=False, input_shape=(32, 32, 3))
    backbone.trainable = not frozen
    inputs = keras.Input((32, 32, 3))
    hidden = keras.layers.GlobalAveragePooling2D()(backbone(inputs, training=False))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    model.compile(loss="categorical_crossentropy")
    preprocess = getattr(keras.applications, module).preprocess_input
    return model, preprocess


def _ko302_batches_of_8(model, x) -> list:
    y = np.eye(3, dtype="float32")[np.arange(len(x)) % 3]
    return [f for f in preflight(model, x, y, batch_size=8) if f.code == "KO302"]


def _raw_images() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3)).astype("float32")


def test_images_in_0_1_for_a_frozen_application_that_expects_preprocess_input():
    """fchollet/deep-learning-models#96: rescale=1/255 images into a frozen
    pretrained backbone whose `preprocess_input` gives [-1, 1] (MobileNetV2
    here; ResNet50's caffe mode in the slow test)."""

    def mobilenet(**kwargs):
        return keras.applications.MobileNetV2(alpha=0.35, **kwargs)

    model, preprocess = _transfer_model(mobilenet, "mobilenet_v2")
    raw = _raw_images()
    (finding,) = _ko302_batches_of_8(model, raw / 255.0)
    assert "mobilenet_v2.preprocess_input" in finding.message, finding.message
    (finding,) = _ko302_batches_of_8(model, raw)
    assert "raw pixels" in finding.message and "preprocess_input" in finding.message
    assert _ko302_batches_of_8(model, preprocess(raw.copy())) == []
    trainable, _ = _transfer_model(mobilenet, "mobilenet_v2", frozen=False)
    assert _ko302_batches_of_8(trainable, raw / 255.0) == []  # From scratch: any scale.


@pytest.mark.slow
def test_images_in_0_1_for_a_frozen_caffe_style_resnet50():
    model, preprocess = _transfer_model(keras.applications.ResNet50, "resnet50")
    raw = _raw_images()
    (finding,) = _ko302_batches_of_8(model, raw / 255.0)
    assert "mean subtracted" in finding.message, finding.message
    assert _ko302_batches_of_8(model, preprocess(raw.copy())) == []


def test_labels_of_an_uncompiled_model_are_not_read_as_targets():
    """No loss, so integer labels under a softmax head are not 'targets
    outside [0, 1]': nothing says how the labels will be used."""
    x, _ = _one_hot_data(64)
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(3, activation="softmax", name="head")]
    )
    report = preflight(model, x, np.arange(64) % 3)
    assert "KO301" not in report.codes(), str(report)


@pytest.mark.parametrize("part", ["input", "labels"])
def test_ko307_finds_nan_in_any_batch_read_inputs_and_labels(part):
    """Row 100 is in the fourth batch of 32: labels and inputs are read from
    every batch, not only the first one the model runs on."""
    x, y = _one_hot_data(128)
    if part == "input":
        x[100, 2] = np.nan
    else:
        y[100, 1] = np.inf
    model = _dense(4, "softmax", "categorical_crossentropy")
    [finding] = [f for f in preflight(model, x, y, batch_size=32) if f.code == "KO307"]
    assert "row 100" in finding.message, finding.message
    assert ("labels for output" in finding.message) == (part == "labels")


def test_data_without_labels_for_a_compiled_loss_is_a_note():
    x, _ = _one_hot_data(64)
    report = preflight(_dense(), x)
    assert any("holds no labels" in note for note in report.notes), report.notes
    uncompiled = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4)])
    assert not any("labels" in note for note in preflight(uncompiled, x).notes)


def _single_samples(x, y):
    yield from zip(x, y, strict=True)


def _four_tuples(x, y):
    for start in range(0, len(x), 16):
        yield x[start : start + 16], y[start : start + 16], None, None


def _two_shapes(x, y):
    yield x[:16], y[:16]
    yield np.concatenate([x[16:32], x[16:32]], axis=1), y[16:32]


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (_single_samples, "single samples"),
        (_four_tuples, "tuples of 4 items"),
        (_two_shapes, "do not stack"),
    ],
)
def test_batches_fit_would_refuse_are_refused_in_one_line(source, match):
    x, y = _one_hot_data(64)
    with pytest.raises(ValueError, match=match) as raised:
        preflight(_dense(), source(x, y))
    assert "\n" not in str(raised.value)


def test_single_samples_with_scalar_labels_are_named_before_stacking():
    """An unbatched dataset of (features, class index): its labels are 0-d,
    which would not stack; the message says to batch, not numpy's error."""
    x, _ = _one_hot_data(64)
    model = _dense(4, "softmax", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="single samples, not batches"):
        preflight(model, _single_samples(x, np.arange(64) % 4))


def test_sparse_data_is_refused_in_one_line():
    tf = pytest.importorskip("tensorflow")
    x, y = _one_hot_data(32)
    sparse = tf.sparse.from_dense(x)
    with pytest.raises(ValueError, match="dense data only"):
        preflight(_dense(), sparse, y)


def test_a_nested_python_list_is_refused_as_fit_refuses_it():
    x, y = _one_hot_data(8)
    with pytest.raises(TypeError, match=r"np\.asarray"):
        preflight(_dense(), x.tolist(), y)


def test_the_failure_line_leaves_out_tensor_values():
    x = np.random.default_rng(0).normal(size=(64,)).astype("float32")
    with pytest.raises(ValueError, match="fails on the first batch") as raised:
        preflight(_dense(), x, np.arange(64) % 4)
    assert len(str(raised.value)) <= 480 and "0." not in str(raised.value)


def _two_heads() -> keras.Model:
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    cls = keras.layers.Dense(4, activation="softmax", name="cls")(hidden)
    reg = keras.layers.Dense(1, name="reg")(hidden)
    model = keras.Model(inputs, {"cls": cls, "reg": reg})
    model.compile(loss={"cls": "categorical_crossentropy", "reg": "mse"})
    return model


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        ({"cls": None}, r"no labels for \['reg'\]"),
        ({"cls": None, "reg": None, "oops": None}, r"no output is named \['oops'\]"),
    ],
)
def test_labels_keyed_unlike_the_outputs_are_refused(labels, match):
    x, y = _one_hot_data(64)
    parts = {"cls": y, "reg": np.zeros((64, 1), "float32")}
    y_dict = {key: parts.get(key, parts["reg"]) for key in labels}
    with pytest.raises(ValueError, match=match):
        preflight(_two_heads(), x, y_dict)


def test_labels_keyed_by_every_output_are_read():
    x, y = _one_hot_data(64)
    report = preflight(_two_heads(), x, {"cls": y, "reg": np.zeros((64, 1))})
    assert not report.notes, report.notes


def test_a_dropout_fed_nan_is_not_said_to_ignore_the_flag():
    """NaN in, NaN out in either mode: KO307 reports the data, and KO305
    judges the dropouts on their finite values (danielegrattarola/keras-gat#14)."""
    rng = np.random.default_rng(0)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer="adam")
    x = rng.normal(size=(64, 4)).astype("float32")
    x[0, 1] = np.nan
    codes = [f.code for f in preflight(model, x, np.zeros((64, 1), "float32"))]
    assert codes == ["KO307"]


def test_ko308_is_silent_on_real_targets_of_a_few_hundred():
    """scikit-learn's diabetes progression (25 to 346) and Linnerud's
    physiological targets (pulse, waist, weight up to 247) train on raw
    targets; KO308 waits for 1000 times the output's starting scale."""
    import sklearn.datasets

    for loader in (sklearn.datasets.load_diabetes, sklearn.datasets.load_linnerud):
        data = loader()
        x = data.data.astype("float32")
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        y = np.asarray(data.target, "float32").reshape(len(x), -1)
        model = keras.Sequential(
            [
                keras.Input((x.shape[1],)),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dense(y.shape[1], name="head"),
            ]
        )
        model.compile(loss="mse", optimizer="adam")
        report = preflight(model, x, y, select="KO308")
        assert list(report) == [], [f.message for f in report]


def _passes_spied(monkeypatch) -> dict[str, int]:
    """Counts the training-flag audits and the inference passes, lazy or
    inside the passes (either module's name for it)."""
    import keras_ordering.diagnostics.training_flag as training_flag
    import keras_ordering.preflight_run as preflight_run

    counts = {"audit": 0, "inference": 0}

    def counted(name, function):
        def wrapped(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(
        training_flag, "run_audit", counted("audit", training_flag.run_audit)
    )
    import keras_ordering.preflight_passes as preflight_passes

    inference = counted("inference", preflight_passes.inference_pass)
    monkeypatch.setattr(preflight_run, "inference_pass", inference)
    monkeypatch.setattr(preflight_passes, "inference_pass", inference)
    return counts


def _modes_seen(monkeypatch, layer_class: type) -> list[bool]:
    """The `training` of every call of `layer_class`, whoever makes it
    (patched on the class: a user function on the layer would make it
    user code)."""
    original = layer_class.call
    modes: list[bool] = []

    def call(self, inputs, training=None, **kwargs):
        modes.append(bool(training))
        return original(self, inputs, training=training, **kwargs)

    monkeypatch.setattr(layer_class, "call", call)
    return modes


def _stock_classifier(with_custom_layer: bool = False) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, use_bias=False, name="hidden"),
            *([_DropsAtInference()] if with_custom_layer else []),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(),
            keras.layers.Dropout(0.2, name="dropout"),
            keras.layers.Dense(4, activation="softmax", name="head"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def test_keras_own_graph_runs_neither_the_audit_nor_an_inference_pass(monkeypatch):
    counts = _passes_spied(monkeypatch)
    x, y = _one_hot_data(64)
    model = _stock_classifier()
    modes = _modes_seen(monkeypatch, keras.layers.BatchNormalization)
    report = preflight(model, x, y)
    assert report.codes() == [], str(report)
    assert counts == {"audit": 0, "inference": 0}
    # The training pass (and JAX's traced one for the gradients) only.
    assert modes and all(modes), modes


def test_user_code_is_audited_in_both_modes(monkeypatch):
    counts = _passes_spied(monkeypatch)
    x, y = _one_hot_data(64)
    model = _stock_classifier(with_custom_layer=True)
    modes = _modes_seen(monkeypatch, keras.layers.BatchNormalization)
    report = preflight(model, x, y)
    assert "KO305" in report.codes(), str(report)
    # The audit observes the training pass and its own inference pass.
    assert counts == {"audit": 1, "inference": 0}
    assert True in modes and False in modes, modes


def test_a_loss_above_its_bound_gets_the_inference_pass_ko306_asks_for(monkeypatch):
    counts = _passes_spied(monkeypatch)
    x, y = _one_hot_data(64)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(4, activation="softmax", name="head"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    report = preflight(model, x * 1000.0, y)
    assert "KO306" in report.codes(), str(report)
    assert counts == {"audit": 0, "inference": 1}


def test_a_regression_output_gets_the_inference_pass_ko308_asks_for(monkeypatch):
    counts = _passes_spied(monkeypatch)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(8), keras.layers.Dense(1, name="head")]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
    prices = np.random.default_rng(1).uniform(3.5e4, 7.5e5, size=(64, 1))
    report = preflight(model, x, prices.astype("float32"))
    assert "KO308" in report.codes(), str(report)
    assert counts["inference"] == 1
    ages = np.random.default_rng(1).uniform(18, 90, size=(64, 1)).astype("float32")
    assert "KO308" not in preflight(model, x, ages).codes()


def test_the_audit_checks_only_the_calls_user_code_makes(monkeypatch):
    import keras_ordering.diagnostics.training_flag as training_flag

    checked: list[tuple[str, bool]] = []
    original = training_flag._Checks.add

    def add(self, observation):
        checked.append((type(observation.layer).__name__, observation.model_training))
        return original(self, observation)

    monkeypatch.setattr(training_flag._Checks, "add", add)
    x, y = _one_hot_data(64)
    report = preflight(_stock_classifier(with_custom_layer=True), x, y)
    assert "KO305" in report.codes(), str(report)
    # The Dropout the custom layer forces on, in the inference pass; in the
    # training pass it gets that pass's flag, as the graph's own
    # BatchNormalization and Dropout do in both: they follow it.
    assert checked == [("Dropout", False)], checked
    # The public audit still lists every layer it audits.
    checked.clear()
    keras_ordering.diagnostics.audit_training_flag(
        _stock_classifier(with_custom_layer=True), x[:32]
    )
    assert {name for name, _ in checked} == {"Dropout", "BatchNormalization"}


class _ForcesDropout(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dropout = keras.layers.Dropout(0.5)

    def call(self, inputs, training=None, mask=None):
        return self.dropout(inputs, training=True)

    def compute_output_shape(self, input_shape):
        return input_shape


def _forced_on_behind_keras_code(case: str) -> tuple[keras.Model, tuple]:
    """A Dropout forced on at inference by user code that Keras' own layers
    or operations run: `TimeDistributed` calls its layer's `call`, not the
    layer, and a `keras.Operation` is no layer."""
    dropout = keras.layers.Dropout(0.5)

    def forced_relu(values):
        return dropout(keras.ops.relu(values), training=True)

    shape = {"operation": (8,), "activation": (5, 8)}.get(case, (3, 5, 8))
    inputs = keras.Input(shape)
    if case == "operation":
        hidden = MonteCarloDropoutOp()(inputs)
    elif case == "activation":
        dense = keras.layers.Dense(8, activation=forced_relu)
        hidden = keras.layers.TimeDistributed(dense)(inputs)
    else:
        inner = keras.layers.TimeDistributed(_ForcesDropout())
        hidden = keras.layers.TimeDistributed(inner)(inputs)
    if len(hidden.shape) > 2:
        hidden = keras.layers.Flatten()(hidden)
    model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model, shape


@pytest.mark.parametrize("case", ["operation", "activation", "wrapped_twice"])
def test_a_flag_forced_by_user_code_behind_keras_code_is_reported(case):
    model, shape = _forced_on_behind_keras_code(case)
    x = np.random.default_rng(0).normal(size=(64, *shape)).astype("float32")
    y = np.eye(4, dtype="float32")[np.arange(64) % 4]
    report = preflight(model, x, y)
    assert "KO305" in report.codes(), str(report)


def test_a_user_function_given_to_a_graph_operation_is_user_code():
    from keras_ordering.diagnostics._observe import followed_by_construction

    dropout = keras.layers.Dropout(0.5)
    inputs = keras.Input((8,))
    mapped = keras.ops.map(lambda row: dropout(row, training=True), inputs)
    assert not followed_by_construction(keras.Model(inputs, mapped))
    inputs = keras.Input((8,))
    assert followed_by_construction(keras.Model(inputs, keras.ops.relu(inputs) * 2.0))


def test_a_user_loss_or_odd_attribute_does_not_stop_the_judgement():
    from keras_ordering.diagnostics._observe import followed_by_construction

    model = _stock_classifier()
    # The compiled loss never runs in the forward pass.
    model.compile(optimizer="adam", loss=lambda y_true, y_pred: y_pred)
    assert followed_by_construction(model)

    class OddAttribute(keras.layers.Layer):
        operations = 7  # Not a graph's operations: must not be iterated.

        def call(self, inputs, training=None, mask=None):
            return inputs

    inputs = keras.Input((8,))
    odd = keras.Model(inputs, OddAttribute()(inputs))
    assert not followed_by_construction(odd)


def test_the_restore_puts_back_a_moved_variable_it_cannot_read(monkeypatch):
    import keras_ordering.preflight_run as preflight_run

    model = _stock_classifier()
    moving_mean = model.get_layer("bn").moving_mean
    saved = np.array(keras.ops.convert_to_numpy(moving_mean))
    read = keras.ops.convert_to_numpy
    assigned = []
    with preflight_run.kept_state(model):
        moving_mean.assign(moving_mean + 1.0)
        original_assign = moving_mean.assign

        def counted_assign(value):
            assigned.append(True)
            return original_assign(value)

        def unreadable(value, *args, **kwargs):
            if value is moving_mean:
                raise RuntimeError("the buffer was donated")
            return read(value, *args, **kwargs)

        monkeypatch.setattr(moving_mean, "assign", counted_assign)
        monkeypatch.setattr(keras.ops, "convert_to_numpy", unreadable)
    monkeypatch.undo()
    assert assigned == [True]
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(moving_mean), saved)


def test_the_restore_puts_the_random_states_back_first(monkeypatch):
    import random

    import keras_ordering.preflight_run as preflight_run

    model = _stock_classifier()
    moving_mean = model.get_layer("bn").moving_mean
    python_state, numpy_state = random.getstate(), np.random.get_state()

    def failing_assign(value):
        raise RuntimeError("assignment failed")

    with (
        pytest.raises(RuntimeError, match="assignment failed"),
        preflight_run.kept_state(model),
    ):
        random.random()
        np.random.random()
        moving_mean.assign(moving_mean + 1.0)
        monkeypatch.setattr(moving_mean, "assign", failing_assign)
    assert random.getstate() == python_state
    restored = np.random.get_state()
    assert restored[0] == numpy_state[0]
    np.testing.assert_array_equal(restored[1], numpy_state[1])
    assert restored[2:] == numpy_state[2:]
