"""`measure_variance_shift`: Li et al.'s variance shift, measured per BN."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph.from_keras import call_path
from ._observe import (
    ChannelMoments,
    batch_norm_paths,
    batch_statistics_without_dropout,
    channel_axis,
    is_batch_norm,
    run_data,
    to_numpy,
)
from .batchnorm_shift import BatchNormShift
from .variance_shift_report import VarianceShiftReport

NO_BATCH_NORM = (
    "The model has no BatchNormalization layer: there is nothing to measure."
)


def measure_variance_shift(
    model: Any,
    data: Any,
    *,
    batch_size: int = 128,
    steps: int | None = None,
    verbose: Any = "auto",
) -> VarianceShiftReport:
    """Compares each BN's input variance at inference with its moving variance.

    The model runs in inference mode over `data`; for every BatchNormalization
    (in nested models too, and the BN inside each `BNActDropout`) the
    per-channel variance of the BN's input over all of `data` is divided by
    the BN's moving variance. The shift is the mean of that ratio over
    channels: Li et al.'s Delta. For zero-mean input behind a dropout with
    keep probability p, the shift is about p; 1 means no shift.

    Args:
        model: a built Keras model.
        data: inputs as a NumPy array (or list/dict of arrays), a
            `tf.data.Dataset`, a generator or a `keras.utils.PyDataset`;
            `(x, y)` batches are fine, y is ignored.
        batch_size: batch size for array data.
        steps: number of batches to use (default: all).
        verbose: Keras progress bar setting; 0 silences it.

    Returns:
        A `VarianceShiftReport`; empty, with a note, for a model without BN.

    Raises:
        ValueError: `data` is empty.
    """
    upstream = batch_norm_paths(model)
    if not upstream:
        return VarianceShiftReport([], notes=[NO_BATCH_NORM])
    moments, layers = observe_batch_norm_inputs(
        model, data, batch_size=batch_size, steps=steps, verbose=verbose
    )
    return shift_report(moments, layers, upstream)


def observe_batch_norm_inputs(
    model, data, *, batch_size, steps, verbose, training_batch_norm: bool = False
):
    """Runs `data` and accumulates each BN's input moments, by graph path.

    With `training_batch_norm`, BNs are called with `training=True` (and a
    BNActDropout's dropout switched off), while everything else, noise
    included, stays in inference mode.
    """
    moments: dict[str, ChannelMoments] = {}
    layers: dict[str, Any] = {}

    def observe(layer, call, args, kwargs, enclosing):
        if not is_batch_norm(layer):
            return call(*args, **kwargs)
        path = call_path(layer, enclosing, model)
        values = to_numpy(args[0])
        moments.setdefault(path, ChannelMoments()).add(
            values, channel_axis(layer, values.ndim)
        )
        layers[path] = layer
        if not training_batch_norm:
            return call(*args, **kwargs)
        with batch_statistics_without_dropout(layer):
            return call(*args, **{**kwargs, "training": True})

    run_data(model, data, observe, batch_size=batch_size, steps=steps, verbose=verbose)
    if not any(m.count for m in moments.values()):
        raise ValueError("`data` is empty: no batch reached the model's BN layers.")
    return moments, layers


def shift_report(moments, layers, upstream) -> VarianceShiftReport:
    entries = []
    for path, layer_moments in moments.items():
        layer = layers[path]
        input_variance = layer_moments.population_variance()
        moving_variance = to_numpy(layer.moving_variance).astype(np.float64)
        ratio = np.divide(
            input_variance,
            moving_variance,
            out=np.full_like(input_variance, np.nan),
            where=moving_variance > 0,
        )
        entries.append(
            BatchNormShift(
                layer=path,
                layer_class=type(layer).__name__,
                shift=float(np.nanmean(ratio)),
                input_variance=input_variance,
                moving_variance=moving_variance,
                ratio=ratio,
                noise_layers=tuple(upstream.get(path, ())),
            )
        )
    return VarianceShiftReport(entries)
