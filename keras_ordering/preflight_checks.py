"""What `preflight` refuses or reads before judging: an unbuilt model built
as `fit` builds it, labels that do not match the outputs, NaN / inf in
the data read, and the one-line messages for what `fit` would refuse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from ._text import keras_said
from .graph.from_keras import compute_output_spec
from .graph.graph import Graph
from .preflight_data import Batches
from .preflight_passes import (
    BackwardPassError,
    compiled_losses,
    finite,
    flat,
    per_output,
)
from .preflight_rule import NormalizationFacts


def output_names(model: Any, graph: Graph) -> list[str]:
    names = list(getattr(model, "output_names", None) or [])
    return names or [graph.nodes[index].path for index in graph.outputs]


def input_name(tensor: Any, position: int) -> str:
    history = getattr(tensor, "_keras_history", None)
    operation = getattr(history, "operation", None)
    return str(getattr(operation, "name", None) or f"input {position}")


BUILT_NOTE = (
    "The model was not built: preflight built it on the first batch's "
    "shapes, as `fit` does before its first step (the same weights)."
)


def build_on_first_batch(model: Any, x: Any) -> str:
    """Builds an unbuilt model (a subclassed model, a `Sequential` without
    an `Input`) as `fit` does before its first step: one symbolic call on
    the batch's shapes and dtypes. Returns the note that says so; raises a
    one-line `ValueError` when the model cannot be built on that batch."""

    def symbolic(leaf: Any) -> Any:
        dtype = keras.backend.standardize_dtype(leaf.dtype)
        return keras.KerasTensor(tuple(leaf.shape), dtype)

    try:
        compute_output_spec(
            model, keras.tree.map_structure(symbolic, x), training=False
        )
    except Exception as error:
        raise ValueError(
            "The model is not built, and building it on the first batch, as "
            "`fit` would, failed: "
            + call_failure(model, x, error).split(" would: ", 1)[-1]
        ) from error
    return BUILT_NOTE


def check_label_structure(model: Any, graph: Graph, labels: Any) -> None:
    """Raises, as `fit` does, on labels keyed by names the model has no
    output of, or missing for an output compiled with a loss."""
    names = output_names(model, graph)
    losses = compiled_losses(model, names)
    if isinstance(labels, Mapping):
        unknown = sorted(set(map(str, labels)) - set(names))
        missing = [
            name
            for name, loss in zip(names, losses, strict=True)
            if loss is not None and name not in labels
        ]
        if unknown or missing:
            raise ValueError(
                "The labels do not match the model's outputs "
                + (f"{names}: " if len(names) < 12 else ": ")
                + "; ".join(
                    part
                    for part in (
                        f"no output is named {unknown}" if unknown else "",
                        f"no labels for {missing}, compiled with a loss"
                        if missing
                        else "",
                    )
                    if part
                )
                + ". Key the labels by output name, as fit needs."
            )
    elif (
        isinstance(labels, (list, tuple))
        and len(names) > 1
        and len(labels) != len(names)
    ):
        raise ValueError(
            f"The labels are a {type(labels).__name__} of {len(labels)} arrays, "
            f"but the model has {len(names)} outputs: give one per output, as "
            "fit needs."
        )


def non_finite_data(
    model: Any, graph: Graph, batches: Batches
) -> tuple[str, str, str] | None:
    """("input" or "labels", the input or output name, "row N") for the first
    NaN or inf in the batches read (inputs first, then labels), or None."""
    inputs = list(getattr(model, "inputs", None) or [])
    for position, leaf in enumerate(flat(batches.stacked[0])):
        row = _first_non_finite_row(leaf)
        if row is not None:
            tensor = inputs[position] if position < len(inputs) else None
            return ("input", input_name(tensor, position), f"row {row}")
    names = output_names(model, graph)
    for name, labels in zip(names, per_output(batches.stacked[1], names), strict=True):
        row = None if labels is None else _first_non_finite_row(labels)
        if row is not None:
            return ("labels", name, f"row {row}")
    return None


def _first_non_finite_row(values: Any) -> int | None:
    if finite(values):
        return None
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.inexact) or array.ndim == 0:
        return None
    bad = ~np.isfinite(array.reshape(len(array), -1)).all(axis=1)
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def call_failure(model: Any, x: Any, error: BaseException) -> str:
    """One line for a model that fails on the first batch: data of single
    samples where the model takes batches of them, or what Keras said."""
    inputs = list(getattr(model, "inputs", None) or [])
    for position, (leaf, tensor) in enumerate(zip(flat(x), inputs, strict=False)):
        shape, expected = getattr(leaf, "shape", None), tuple(tensor.shape)
        if shape is None or len(shape) != len(expected) - 1:
            continue
        if all(e is None or e == d for e, d in zip(expected[1:], shape, strict=True)):
            return (
                f"The model's input '{input_name(tensor, position)}' takes batches of "
                f"shape {expected}, but the data holds single samples of shape "
                f"{tuple(shape)}: batch it (`dataset.batch(32)`), or pass the "
                "arrays whole."
            )
    return (
        "The model fails on the first batch of the data, as `fit` would: "
        + keras_said(error)
    )


def fit_computes_the_compiled_loss(model: Any) -> bool:
    """Whether `fit` trains on the compiled loss as preflight computes it:
    the model keeps Keras' own `train_step` and `compute_loss`."""
    for klass in type(model).__mro__:
        if klass.__module__.startswith("keras."):
            return True  # Keras' own classes from here on.
        if "train_step" in vars(klass) or "compute_loss" in vars(klass):
            return False
    return False


def loss_failure(error: BaseException) -> str:
    if isinstance(error, BackwardPassError):
        cause = error.__cause__ or error
        return (
            "One training step fails in its backward pass on the "
            f"{keras.backend.backend()} backend, as `fit` would: "
            f"{keras_said(cause)} (the loss was computed from the labels: "
            "the gradient of a layer or of the loss fails, not the data)"
        )
    return (
        "The compiled loss fails on the first batch of the data and its "
        f"labels, as `fit` would: {keras_said(error)}"
    )


def normalization_facts(
    normalized: list[tuple[str, Any, Any]],
) -> list[NormalizationFacts]:
    """The batch mean and spread, per feature, of each observed
    `Normalization` output (`run_passes`' last item). A feature is a
    position of the axes the layer keeps (`axis`); the batch and the other
    axes are reduced, as `adapt` reduces them. Outputs that are not
    concrete arrays (a symbolic call) or hold fewer than 2 samples are
    skipped."""
    facts = []
    for path, layer, output in normalized:
        try:
            values = np.asarray(keras.ops.convert_to_numpy(output), dtype="float64")
        except Exception:  # A symbolic tensor: nothing to read.
            continue
        if values.ndim == 0 or values.shape[0] < 2 or not np.all(np.isfinite(values)):
            continue
        axis = getattr(layer, "axis", None)
        kept = () if axis is None else (axis,) if isinstance(axis, int) else axis
        kept = sorted({a % values.ndim for a in kept} - {0})
        reduced = [a for a in range(values.ndim) if a not in kept]
        features = np.moveaxis(values, reduced, list(range(len(reduced))))
        features = features.reshape(-1, int(np.prod(features.shape[len(reduced) :])))
        means = features.mean(axis=0)
        stds = features.std(axis=0)
        varying = stds[stds > 1e-12 * (1.0 + np.abs(means))]
        facts.append(
            NormalizationFacts(
                layer=path,
                offset=float(np.median(np.abs(means))),
                spread=float(np.median(varying)) if varying.size else None,
                features=int(means.size),
                spreads=stds,
                explicit=getattr(layer, "input_mean", None) is not None,
            )
        )
    return facts
