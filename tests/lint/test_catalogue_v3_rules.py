"""KO114-KO117, KO204 and KO205 beyond their VALID / INVALID examples: the
layouts followed, the cases left alone, and the same findings from a saved
file (functional and Sequential)."""

from __future__ import annotations

import keras
import pytest

from keras_ordering import lint_file, lint_model


def _found(model, code):
    return [f for f in lint_model(model, select=code)]


def _same_from_file(model, tmp_path, code):
    path = tmp_path / "model.keras"
    model.save(path)

    def key(report):
        return [(f.code, f.layers, f.severity, f.message) for f in report]

    live = key(lint_model(model, select=code))
    assert key(lint_file(path, select=code)) == live
    return live


# --- KO114 normalization-axis-mismatch --------------------------------------


def _conv_then_norm(norm, data_format="channels_last", sequential=False):
    shape = (8, 8, 3) if data_format == "channels_last" else (3, 8, 8)
    conv = keras.layers.Conv2D(4, 3, data_format=data_format, name="conv")
    if sequential:
        return keras.Sequential([keras.Input(shape), conv, norm])
    inputs = keras.Input(shape)
    x = conv(inputs)
    skip = keras.layers.Conv2D(4, 3, data_format=data_format, name="skip")(inputs)
    x = keras.layers.Add(name="add")([x, skip])
    return keras.Model(inputs, norm(x))


@pytest.mark.parametrize("sequential", [False, True], ids=["functional", "sequential"])
@pytest.mark.parametrize(
    ("norm", "data_format"),
    [
        (lambda: keras.layers.LayerNormalization(axis=1, name="norm"), "channels_last"),
        (lambda: keras.layers.LayerNormalization(name="norm"), "channels_first"),
        (lambda: keras.layers.UnitNormalization(axis=2, name="norm"), "channels_last"),
        (lambda: keras.layers.RMSNormalization(axis=-1, name="norm"), "channels_first"),
        (
            lambda: keras.layers.GroupNormalization(groups=2, axis=-1, name="norm"),
            "channels_first",
        ),
    ],
    ids=["layer-norm-height", "layer-norm-width", "unit", "rms", "group"],
)
def test_normalization_off_the_channels_is_reported_live_and_from_file(
    norm, data_format, sequential, tmp_path
):
    model = _conv_then_norm(norm(), data_format, sequential)
    (finding,) = _found(model, "KO114")
    assert finding.layers[0] in ("conv", "skip") and finding.layers[-1] == "norm"
    wanted = "-1" if data_format == "channels_last" else "1"
    assert finding.message.endswith(f"Use axis={wanted}.")
    assert _same_from_file(model, tmp_path, "KO114") != []


@pytest.mark.parametrize(
    "norm",
    [
        lambda: keras.layers.LayerNormalization(axis=[1, 2, 3], name="norm"),
        lambda: keras.layers.LayerNormalization(axis=[1, 2], name="norm"),
        lambda: keras.layers.GroupNormalization(groups=2, name="norm"),
        lambda: keras.layers.UnitNormalization(axis=-1, name="norm"),
    ],
    ids=["all-axes", "instance", "group", "unit"],
)
def test_normalization_over_the_channels_or_instance_norm_is_clean(norm, tmp_path):
    model = _conv_then_norm(norm())
    assert _found(model, "KO114") == []
    assert _same_from_file(model, tmp_path, "KO114") == []


def test_normalization_where_the_layout_is_unknown_says_nothing():
    inputs = keras.Input((10, 16))
    embedded = keras.layers.Dense(8, name="dense")(inputs)
    over_time = keras.layers.LayerNormalization(axis=1, name="over_time")(embedded)
    from_input = keras.layers.LayerNormalization(axis=1, name="from_input")(inputs)
    reshaped = keras.layers.Reshape((4, 10))(
        keras.layers.Conv1D(4, 1, name="conv")(inputs)
    )
    after_reshape = keras.layers.LayerNormalization(axis=1, name="after")(reshaped)
    model = keras.Model(inputs, [over_time, from_input, after_reshape])
    assert _found(model, "KO114") == []


# --- KO204 softmax-axis-mismatch --------------------------------------------


def _timestep_classifier(softmax_axis, loss, sequential=False):
    layers = [
        keras.layers.Dense(4, name="logits"),
        keras.layers.Dropout(0.1, name="drop"),
        keras.layers.Softmax(axis=softmax_axis, name="probs"),
    ]
    if sequential:
        model = keras.Sequential([keras.Input((10, 16)), *layers])
    else:
        inputs = keras.Input((10, 16))
        x = inputs
        for layer in layers:
            x = layer(x)
        model = keras.Model(inputs, x)
    if loss is not None:
        model.compile(loss=loss)
    return model


@pytest.mark.parametrize("sequential", [False, True], ids=["functional", "sequential"])
@pytest.mark.parametrize(
    ("loss", "severity"),
    [
        ("categorical_crossentropy", "error"),
        (None, "warning"),
        (keras.losses.CategoricalCrossentropy(axis=1), "warning"),
        ("mse", "warning"),
    ],
    ids=["cce-last-axis", "no-loss", "cce-same-axis", "mse"],
)
def test_softmax_over_time_severity_follows_the_loss(
    loss, severity, sequential, tmp_path
):
    model = _timestep_classifier(1, loss, sequential)
    (finding,) = _found(model, "KO204")
    assert finding.layers == ("logits", "drop", "probs")
    assert finding.severity == severity
    assert finding.message.endswith("Use axis=-1.")
    assert _same_from_file(model, tmp_path, "KO204") != []


def test_softmax_over_the_classes_is_clean(tmp_path):
    model = _timestep_classifier(-1, "categorical_crossentropy")
    assert _found(model, "KO204") == []
    assert _same_from_file(model, tmp_path, "KO204") == []


def test_attention_pooling_softmax_over_time_is_clean():
    inputs = keras.Input((10, 16))
    scores = keras.layers.Dense(16, name="scores")(inputs)
    weights = keras.layers.Softmax(axis=1, name="weights")(scores)
    pooled = keras.layers.Multiply(name="weigh")([inputs, weights])
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling1D()(pooled))
    assert _found(model, "KO204") == []


def test_softmax_that_is_also_used_elsewhere_is_not_an_output_head():
    inputs = keras.Input((3, 8, 8))
    x = keras.layers.Conv2D(4, 1, data_format="channels_first", name="head")(inputs)
    probs = keras.layers.Softmax(name="probs")(x)
    weighted = keras.layers.Multiply(name="weigh")([x, probs])
    assert _found(keras.Model(inputs, [probs, weighted]), "KO204") == []


def test_no_duplicate_of_ko201_on_one_unit():
    model = _timestep_classifier(1, None)
    one_unit = keras.Sequential(
        [
            keras.Input((3, 8, 8)),
            keras.layers.Conv2D(1, 1, data_format="channels_first"),
            keras.layers.Softmax(axis=-1),
        ]
    )
    assert [f.code for f in lint_model(model, select=["KO201", "KO204"])] == ["KO204"]
    assert _found(one_unit, "KO204") == []


# --- KO115 selu-with-standard-dropout ---------------------------------------


@pytest.mark.parametrize(
    ("dropout", "flagged"),
    [
        (lambda: keras.layers.Dropout(0.1, name="drop"), True),
        (lambda: keras.layers.SpatialDropout1D(0.1, name="drop"), True),
        (lambda: keras.layers.AlphaDropout(0.1, name="drop"), False),
        (lambda: keras.layers.GaussianNoise(0.1, name="drop"), False),
        (lambda: keras.layers.Dropout(0.0, name="drop"), False),
    ],
    ids=["dropout", "spatial", "alpha", "gaussian-noise", "rate-0"],
)
def test_selu_dropout_kinds_live_and_from_file(dropout, flagged, tmp_path):
    inputs = keras.Input((10, 8))
    x = keras.layers.Conv1D(8, 3, activation="selu", name="conv")(inputs)
    x = dropout()(x)
    x = keras.layers.Conv1D(8, 3, activation="selu", name="conv_2")(x)
    model = keras.Model(inputs, x)
    found = _found(model, "KO115")
    assert [f.layers for f in found] == ([("conv", "drop")] if flagged else [])
    assert len(_same_from_file(model, tmp_path, "KO115")) == int(flagged)


def test_selu_behind_batchnorm_then_dropout_is_reported_once():
    inputs = keras.Input((16,))
    x = keras.layers.Dense(16, name="dense")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Activation("selu", name="selu")(x)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    x = keras.layers.Dense(16, activation="selu", name="dense_2")(x)
    (finding,) = _found(keras.Model(inputs, x), "KO115")
    assert finding.layers == ("selu", "drop")
    assert "AlphaDropout" in finding.message


@pytest.mark.parametrize("after", ["output", "batchnorm", "residual-batchnorm"])
def test_selu_dropout_with_no_selu_layer_after_it_is_not_reported(after):
    """keras-io's TabTransformer MLP: BN -> Dense(selu) -> Dropout -> BN ->
    ... -> Dense(1, sigmoid). Nothing after a dropout relies on SELU's
    fixed point."""
    inputs = keras.Input((16,))
    x = keras.layers.Dense(16, activation="selu", name="dense")(inputs)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    if after == "batchnorm":
        x = keras.layers.BatchNormalization(name="bn")(x)
        x = keras.layers.Dense(16, activation="selu", name="dense_2")(x)
    elif after == "residual-batchnorm":
        x = keras.layers.Add()([x, keras.layers.Dense(16, name="side")(inputs)])
        x = keras.layers.BatchNormalization(name="bn")(x)
        x = keras.layers.Dense(16, activation="selu", name="dense_2")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="head")(x)
    assert _found(keras.Model(inputs, outputs), "KO115") == []


# --- KO117 constant-kernel-initializer --------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "flagged"),
    [
        ("zeros", "glorot_uniform", ["hidden"]),  # Zeros before ReLU: dead.
        ("ones", "ones", ["hidden"]),  # Constant chain: symmetric.
        (keras.initializers.Constant(0.3), "zeros", ["hidden"]),
        ("ones", "glorot_uniform", []),  # The random layer breaks symmetry.
        ("he_normal", "zeros", []),
    ],
    ids=["zeros-relu", "ones-ones", "constant-zeros", "ones-random", "random"],
)
def test_constant_kernels_live_and_from_file(first, second, flagged, tmp_path):
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(
                16, activation="relu", kernel_initializer=first, name="hidden"
            ),
            keras.layers.Dense(
                16, activation="relu", kernel_initializer=second, name="hidden_2"
            ),
            keras.layers.Dense(2, name="out"),
        ]
    )
    found = _found(model, "KO117")
    assert [f.layers[0] for f in found] == flagged + (
        ["hidden_2"] if second == "zeros" else []
    )
    assert len(_same_from_file(model, tmp_path, "KO117")) == len(found)


def test_zero_initialized_residual_branch_is_clean():
    inputs = keras.Input((8, 8, 4))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="c1")(inputs)
    x = keras.layers.Conv2D(
        4, 3, padding="same", kernel_initializer="zeros", name="c2"
    )(x)
    x = keras.layers.Add(name="add")([inputs, x])
    x = keras.layers.ReLU(name="relu")(x)
    assert _found(keras.Model(inputs, x), "KO117") == []


def test_constant_initializer_names_from_every_source():
    from keras_ordering.graph.kinds import constant_initializer

    assert constant_initializer("zeros") == "zeros"
    assert constant_initializer({"class_name": "Ones", "config": {}}) == "ones"
    assert constant_initializer(keras.initializers.Constant(0.0)) == "zeros"
    assert constant_initializer(keras.initializers.Constant(2)) == "constant(2)"
    assert constant_initializer({"class_name": "Constant", "config": {}}) is None
    assert constant_initializer(keras.initializers.GlorotUniform()) is None
    assert constant_initializer(None) is None


# --- KO205 bounded-output-for-regression-loss --------------------------------


@pytest.mark.parametrize(
    ("activation", "loss", "flagged"),
    [
        ("sigmoid", "mse", True),
        ("relu", keras.losses.Huber(), True),
        ("tanh", keras.losses.LogCosh(), True),
        ("softmax", "mean_absolute_error", True),
        ("relu", "binary_crossentropy", False),
        ("softplus", "mse", False),
        ("elu", "mse", False),
        (None, "mse", False),
        ("sigmoid", None, False),
    ],
)
def test_bounded_output_with_each_loss_live_and_from_file(
    activation, loss, flagged, tmp_path
):
    inputs = keras.Input((8,))
    x = keras.layers.Dense(3, activation=activation, name="out")(inputs)
    model = keras.Model(inputs, x)
    if loss is not None:
        model.compile(loss=loss)
    found = _found(model, "KO205")
    assert [f.layers for f in found] == ([("out",)] if flagged else [])
    assert all(f.severity == "info" for f in found)
    assert len(_same_from_file(model, tmp_path, "KO205")) == int(flagged)


def test_each_output_is_asked_about_with_its_own_loss():
    inputs = keras.Input((8,))
    value = keras.layers.Dense(1, activation="sigmoid", name="value")(inputs)
    label = keras.layers.Dense(1, activation="sigmoid", name="label")(inputs)
    model = keras.Model(inputs, {"value": value, "label": label})
    model.compile(loss={"value": "mse", "label": "binary_crossentropy"})
    (finding,) = _found(model, "KO205")
    assert finding.layers == ("value",)
    assert "[0, 1]" in finding.message
