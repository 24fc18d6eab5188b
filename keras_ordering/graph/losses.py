"""Which loss each model output is trained with, from a serialized loss.

Reads the `loss` entry of a compile config, as `model.get_compile_config()`
returns it and as `.keras` / `.h5` files store it. Pure Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _loss_facts(loss: Any) -> dict[str, Any] | None:
    if loss is None:
        return None
    if isinstance(loss, str):
        return {"loss": loss, "from_logits": False}
    if isinstance(loss, Mapping):
        config = loss.get("config")
        if isinstance(config, str):  # A serialized loss function.
            return {"loss": config, "from_logits": False}
        config = config if isinstance(config, Mapping) else {}
        name = config.get("name") or loss.get("class_name", "loss")
        facts = {"loss": str(name), "from_logits": bool(config.get("from_logits"))}
        axis = config.get("axis")
        if isinstance(axis, int) and not isinstance(axis, bool) and axis != -1:
            facts["loss_axis"] = axis  # A cross-entropy over another axis.
        return facts
    return {"loss": str(loss), "from_logits": False}


def _is_serialized_object(value: Mapping) -> bool:
    return "class_name" in value


def losses_per_output(
    loss: Any, output_names: Sequence[str]
) -> list[dict[str, Any] | None]:
    """One `{"loss": name, "from_logits": bool}` (or None) per model output.

    `loss` is one loss for every output, a list in output order, or a dict
    keyed by output name, each entry a name or a serialized loss.
    """
    count = len(output_names)
    if isinstance(loss, Mapping) and not _is_serialized_object(loss):
        return [_loss_facts(loss.get(name)) for name in output_names]
    if isinstance(loss, Sequence) and not isinstance(loss, str):
        facts = [_loss_facts(entry) for entry in loss]
        return (facts + [None] * count)[:count]
    return [_loss_facts(loss)] * count


# What each cross-entropy expects of y_pred, by function and class name:
# "categorical": one probability distribution per sample over the last axis;
# "binary": an independent probability per unit.
_CATEGORICAL = """categorical_crossentropy sparse_categorical_crossentropy
categorical_focal_crossentropy CategoricalCrossentropy
SparseCategoricalCrossentropy CategoricalFocalCrossentropy"""
_BINARY = """binary_crossentropy binary_focal_crossentropy BinaryCrossentropy
BinaryFocalCrossentropy"""
LOSS_FAMILIES: dict[str, str] = {
    **dict.fromkeys(_CATEGORICAL.split(), "categorical"),
    **dict.fromkeys(_BINARY.split(), "binary"),
}


def loss_family(name: Any) -> str | None:
    """`"categorical"` or `"binary"` for a cross-entropy loss name (as
    `losses_per_output` reports it), None for any other loss."""
    return LOSS_FAMILIES.get(name) if isinstance(name, str) else None


# Regression losses, by function, alias and class name (as
# `losses_per_output` reports them): they compare y_pred with targets of
# any real value.
_REGRESSION = """mean_squared_error mse MSE MeanSquaredError mean_absolute_error
mae MAE MeanAbsoluteError huber huber_loss Huber log_cosh logcosh LogCosh"""
REGRESSION_LOSSES = frozenset(_REGRESSION.split())


def is_regression_loss(name: Any) -> bool:
    """True for MSE, MAE, Huber and log-cosh, whatever their spelling."""
    return isinstance(name, str) and name in REGRESSION_LOSSES
