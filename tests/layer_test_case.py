"""The shared layer-test helper, in the spirit of keras-hub's `run_layer_test`.

Every layer of the package goes through `run_layer_test` first; value and
parity tests come after it, in the layer's own test module.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np

PRECISION_POLICIES = ("mixed_float16", "mixed_bfloat16", "bfloat16")


@contextlib.contextmanager
def global_dtype_policy(policy: str) -> Iterator[None]:
    """Sets Keras' global dtype policy for the duration of the block."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def seed_generator_count(layer: keras.layers.Layer) -> int:
    # Each SeedGenerator owns one state variable, which is a variable of the
    # layer but not one of its weights.
    return len(layer.variables) - len(layer.weights)


def _fit_one_step(layer: keras.layers.Layer, input_data: np.ndarray) -> None:
    inputs = keras.Input(input_data.shape[1:])
    model = keras.Model(inputs, layer(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    target = np.random.default_rng(1).normal(size=model.output_shape[1:])
    targets = np.broadcast_to(target, (len(input_data), *target.shape))
    before = [keras.ops.convert_to_numpy(w) for w in layer.trainable_weights]
    history = model.fit(
        input_data, targets, batch_size=len(input_data), epochs=1, verbose=0
    )
    assert np.isfinite(history.history["loss"][0])
    for weight, old in zip(layer.trainable_weights, before, strict=True):
        assert not np.allclose(keras.ops.convert_to_numpy(weight), old), (
            f"trainable weight {weight.path} did not change in a fit step"
        )


def run_layer_test(
    layer_cls: type[keras.layers.Layer],
    init_kwargs: dict[str, Any],
    input_data: np.ndarray,
    *,
    expected_output_shape: tuple[int | None, ...],
    expected_num_trainable_weights: int,
    expected_num_non_trainable_weights: int,
    expected_num_seed_generators: int,
    run_training_check: bool = True,
    run_precision_checks: bool = True,
) -> None:
    """Runs the generic checks every layer of the package must pass.

    Covers the config round trip through JSON, build, symbolic and eager
    calls (inference and training), one `fit` step, the `mixed_float16`,
    `mixed_bfloat16` and `bfloat16` policies, and the weight and seed counts.
    """
    input_data = np.asarray(input_data, dtype="float32")

    # Config round trip through JSON, twice: the config is a fixed point.
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    for key in init_kwargs:
        assert key in config, f"get_config() lacks the argument {key!r}"
    serialized = json.dumps(keras.saving.serialize_keras_object(layer))
    revived = keras.saving.deserialize_keras_object(json.loads(serialized))
    assert type(revived) is layer_cls
    assert revived.get_config() == config
    assert layer_cls.from_config(config).get_config() == config

    # Build, then the weight and seed counts.
    layer = layer_cls(**init_kwargs)
    layer.build(input_data.shape)
    assert layer.built
    assert len(layer.trainable_weights) == expected_num_trainable_weights
    assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    assert seed_generator_count(layer) == expected_num_seed_generators

    # Symbolic call keeps an unknown batch size.
    symbolic_input = keras.Input(input_data.shape[1:])
    symbolic_output = layer_cls(**init_kwargs)(symbolic_input)
    assert tuple(symbolic_output.shape) == (None, *expected_output_shape[1:])

    # Eager calls, in both modes.
    layer = layer_cls(**init_kwargs)
    for training in (False, True):
        output = keras.ops.convert_to_numpy(layer(input_data, training=training))
        assert output.shape == tuple(expected_output_shape)
        assert output.dtype == np.dtype(layer.compute_dtype)
        assert np.all(np.isfinite(output))

    if run_training_check:
        _fit_one_step(layer_cls(**init_kwargs), input_data)

    if run_precision_checks:
        for policy_name in PRECISION_POLICIES:
            with global_dtype_policy(policy_name):
                policy = keras.DTypePolicy(policy_name)
                layer = layer_cls(**init_kwargs)
                output = layer(input_data, training=True)
                assert keras.backend.standardize_dtype(output.dtype) == (
                    policy.compute_dtype
                ), policy_name
                for weight in layer.weights:
                    assert weight.dtype == policy.variable_dtype, (
                        policy_name,
                        weight.path,
                    )
                assert np.all(np.isfinite(keras.ops.convert_to_numpy(output)))
                if run_training_check:
                    _fit_one_step(layer_cls(**init_kwargs), input_data)
