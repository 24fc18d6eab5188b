"""Test-wide settings: quiet TensorFlow, deterministic seeds, clean policy."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest


@pytest.fixture(autouse=True)
def _fresh_keras_state():
    """Each test starts from the float32 policy and fixed random seeds."""
    import keras

    keras.config.set_dtype_policy("float32")
    keras.utils.set_random_seed(1234)
    yield
    keras.config.set_dtype_policy("float32")
