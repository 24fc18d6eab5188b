"""Test-wide settings: quiet TensorFlow, deterministic seeds, clean policy."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# TensorFlow turns oneDNN on by itself only on CPUs with AVX-512; without it
# a channels_first convolution cannot train on CPU ("Conv2DCustomBackprop-
# FilterOp only supports NHWC"). The tests train channels_first models on
# every CPU, so they turn it on everywhere.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import pytest

from tests.applications import APPLICATION_SIZES


@pytest.fixture(autouse=True)
def _fresh_keras_state():
    """Each test starts from the float32 policy and fixed random seeds."""
    import keras

    keras.config.set_dtype_policy("float32")
    keras.utils.set_random_seed(1234)
    yield
    keras.config.set_dtype_policy("float32")


@pytest.fixture(scope="session")
def keras_application():
    """Builds (once per session) a keras.applications model with no weights."""
    import keras

    cache = {}

    def build(name):
        if name == "NASNetMobile" and keras.backend.backend() == "torch":
            pytest.skip("Keras does not provide NASNetMobile on the torch backend")
        if name not in cache:
            size = APPLICATION_SIZES[name]
            cache[name] = getattr(keras.applications, name)(
                weights=None, input_shape=(size, size, 3)
            )
        return cache[name]

    return build


@pytest.fixture(scope="session")
def model_files(tmp_path_factory):
    """Saved `.keras` models with known findings, shared by the file tests.

    - clean: no finding;
    - info: only info findings (KO106);
    - warning: KO101 (warning) and KO102 (info);
    - error: KO201 (error).
    """
    import keras

    directory = tmp_path_factory.mktemp("models")

    def save(name, layers):
        model = keras.Sequential([keras.Input((8,)), *layers], name=name)
        path = directory / f"{name}.keras"
        model.save(path)
        return path

    return {
        "clean": save("clean", [keras.layers.Dense(4, name="dense")]),
        "info": save(
            "info",
            [
                keras.layers.Dense(4, name="dense"),
                keras.layers.BatchNormalization(name="bn"),
            ],
        ),
        "warning": save(
            "warning",
            [
                keras.layers.Dense(4, activation="relu", name="dense"),
                keras.layers.Dropout(0.5, name="dropout"),
                keras.layers.BatchNormalization(name="bn"),
                keras.layers.Dense(2, name="head"),
            ],
        ),
        "error": save(
            "error", [keras.layers.Dense(1, activation="softmax", name="out")]
        ),
    }
