"""`recalibrate_batchnorm`: re-estimate BN statistics with the noise off."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._observe import batch_norm_paths
from .recalibration_report import RecalibrationReport
from .variance_shift import (
    NO_BATCH_NORM,
    measure_variance_shift,
    observe_batch_norm_inputs,
)
from .variance_shift_report import VarianceShiftReport


def recalibrate_batchnorm(
    model: Any,
    data: Any,
    *,
    batch_size: int = 128,
    steps: int | None = None,
    verbose: Any = "auto",
) -> RecalibrationReport:
    """Re-estimates every BN's moving mean and variance over `data`.

    One pass over `data` with every BN in training mode (normalizing with
    batch statistics, as in training) and every noise layer in inference
    mode (so nothing is dropped, as at test time); BNActDropout runs its BN
    in training mode with its dropout off. Each BN's new moving statistics
    are the cumulative average of its batch means and biased batch variances
    over the whole pass (weighted by batch size), not the momentum EMA. No
    other weight changes. This removes the variance shift that dropout before
    BN causes (Li et al. 2018; Hendrycks & Gimpel 2017).

    Args:
        model: a built Keras model; it is updated in place.
        data: as for `measure_variance_shift`.
        batch_size: batch size for array data. Larger batches give batch
            statistics closer to the population's.
        steps: number of batches to use (default: all).
        verbose: Keras progress bar setting; 0 silences it.

    Returns:
        A `RecalibrationReport` with the variance shift before and after.

    Raises:
        ValueError: `data` is empty.
    """
    if not batch_norm_paths(model):
        empty = VarianceShiftReport([], notes=[NO_BATCH_NORM])
        return RecalibrationReport(empty, empty, 0)
    options = {"batch_size": batch_size, "steps": steps, "verbose": verbose}
    before = measure_variance_shift(model, data, **options)
    moments, layers = observe_batch_norm_inputs(
        model, data, training_batch_norm=True, **options
    )
    # Runs on the BN layers themselves; the forward passes above changed
    # only their moving statistics, which are now replaced.
    for path, layer_moments in moments.items():
        mean, variance = layer_moments.average_batch_statistics()
        layer = layers[path]
        layer.moving_mean.assign(mean.astype(np.float32))
        layer.moving_variance.assign(variance.astype(np.float32))
    after = measure_variance_shift(model, data, **options)
    batches = _batch_count(moments)
    return RecalibrationReport(before, after, batches)


def _batch_count(moments) -> int:
    return max((m.batches for m in moments.values()), default=0)
