"""BNActDropout on JAX: the portable path loses nothing under XLA.

JAX has no fast path: XLA fuses the portable ops. These tests check that the
compiled training step of BNActDropout has no more fused kernels (passes
over memory) than that of Keras' three layers, and that buffer donation
works with it. Sharding (DataParallel) is tested in
tests/distributed/test_synchronized.py.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest

from keras_ordering.layers import BNActDropout

if keras.backend.backend() != "jax":
    pytest.skip("JAX backend only", allow_module_level=True)

import jax
import jax.numpy as jnp

SHAPE = (8, 6, 6, 16)


def _stack(fused: bool) -> list:
    if fused:
        return [BNActDropout("relu", 0.2, seed=1)]
    return [
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.Dropout(0.2, seed=1),
    ]


def _step(layers):
    model = keras.Sequential([keras.Input(SHAPE[1:]), *layers])

    def loss(trainable, non_trainable, x):
        y, non_trainable = model.stateless_call(
            trainable, non_trainable, x, training=True
        )
        return jnp.sum(y * y), non_trainable

    def step(trainable, non_trainable, x):
        (value, non_trainable), grads = jax.value_and_grad(loss, has_aux=True)(
            trainable, non_trainable, x
        )
        trainable = [v - 0.1 * g for v, g in zip(trainable, grads, strict=True)]
        return value, trainable, non_trainable

    state = (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
    )
    return step, state


def _fusions(layers) -> int:
    step, (trainable, non_trainable) = _step(layers)
    x = jnp.ones(SHAPE)
    hlo = jax.jit(step).lower(trainable, non_trainable, x).compile().as_text()
    # Each top-level fusion or unfused elementwise kernel is one pass.
    entry = hlo[hlo.index("ENTRY") :]
    return sum(
        1
        for line in entry.splitlines()
        if " fusion(" in line or ("= f32[" in line and "parameter(" not in line)
    )


def test_training_step_has_no_more_kernels_than_keras_layers():
    fused = _fusions(_stack(True))
    stock = _fusions(_stack(False))
    assert fused <= stock, (fused, stock)


def test_donated_state_buffers_are_reused():
    step, (trainable, non_trainable) = _step(_stack(True))
    x = jnp.asarray(np.random.default_rng(0).normal(size=SHAPE), jnp.float32)
    compiled = jax.jit(step, donate_argnums=(0, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Some donated buffers were not usable"
        value, _, new_non_trainable = compiled(trainable, non_trainable, x)
    jax.block_until_ready(value)
    assert all(buffer.is_deleted() for buffer in trainable + non_trainable)
    assert np.isfinite(float(value))
    # The moving statistics moved, the seed state advanced.
    assert not all(
        np.array_equal(a, b)
        for a, b in zip(new_non_trainable, _step(_stack(True))[1][1], strict=True)
    )
