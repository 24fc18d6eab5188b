"""`recalibrate_batchnorm`: re-estimate BN statistics with the noise off.

With its result type, `RecalibrationReport`.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .._report_view import ReportView
from ._observe import (
    PassProgress,
    batch_norm_paths,
    batches_per_pass,
    observe_batch_norm_inputs,
    replayable,
)
from .variance_shift import NO_BATCH_NORM, VarianceShiftReport


class RecalibrationReport(ReportView):
    """What `recalibrate_batchnorm` changed.

    Attributes:
        before: the `VarianceShiftReport` measured before recalibration.
        after: the one measured after it.
        batches: number of batches the statistics were averaged over.
    """

    def __init__(
        self, before: VarianceShiftReport, after: VarianceShiftReport, batches: int
    ):
        self.before = before
        self.after = after
        self.batches = batches
        self.notes = before.notes

    def _summary(self) -> str:
        return f"{len(self.before)} BN layers"

    def _title(self) -> str:
        return (
            f"BN statistics re-estimated over {self.batches} batch(es), "
            "noise layers off"
        )

    def _header(self) -> tuple[str, ...]:
        return ("layer", "shift before", "shift after")

    def _rows(self) -> list[tuple[str, ...]]:
        after = {entry.layer: entry.shift for entry in self.after}
        return [
            (e.layer, f"{e.shift:.3f}", f"{after.get(e.layer, float('nan')):.3f}")
            for e in self.before
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "batches": self.batches,
        }


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
    BN causes (Li et al. 2018; Hendrycks & Gimpel 2017). The shift is
    measured before and after, so the data is run through three times.

    Args:
        model: a built Keras model; it is updated in place.
        data: as for `measure_variance_shift`.
        batch_size: batch size for array data. Larger batches give batch
            statistics closer to the population's.
        steps: number of batches to use (default: all).
        verbose: 0 silences the progress bar; 1 or "auto" shows one bar over
            the three passes, labelled `recalibrate_batchnorm`; 2 one line
            at the end.

    Returns:
        A `RecalibrationReport` with the variance shift before and after.

    Raises:
        ValueError: `data` is empty, or gives NaN or inf batch statistics
            (then every BN is left as it was).
    """
    upstream = batch_norm_paths(model)
    if not upstream:
        empty = VarianceShiftReport([], notes=[NO_BATCH_NORM])
        return RecalibrationReport(empty, empty, 0)
    progress = PassProgress(
        "recalibrate_batchnorm: 3 passes over the data (measure the shift, "
        "re-estimate BN statistics, measure again)",
        passes=3,
        batches=batches_per_pass(data, batch_size, steps),
        verbose=verbose,
    )

    source = replayable(data, steps)

    def run_pass(training_batch_norm: bool = False):
        return observe_batch_norm_inputs(
            model,
            source(),
            batch_size=batch_size,
            steps=steps,
            progress=progress,
            training_batch_norm=training_batch_norm,
        )

    moments, layers = run_pass()
    before = VarianceShiftReport.from_moments(moments, layers, upstream)
    # The training-mode pass moves the moving statistics: kept to put back
    # where the data gives no finite statistics.
    saved = [
        (variable, keras.ops.convert_to_numpy(variable))
        for layer in layers.values()
        for variable in (layer.moving_mean, layer.moving_variance)
    ]
    moments, layers = run_pass(training_batch_norm=True)
    estimates = {
        path: layer_moments.average_batch_statistics()
        for path, layer_moments in moments.items()
    }
    broken = [
        path
        for path, (mean, variance) in estimates.items()
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(variance)))
    ]
    if broken:
        for variable, value in saved:
            variable.assign(value)
        progress.close()
        raise ValueError(
            f"The data gives NaN or inf batch statistics for {len(broken)} "
            f"BatchNormalization layer(s) (first: '{broken[0]}'): it holds NaN "
            "or inf, or the model computes them. Every BN was left as it was."
        )
    # Runs on the BN layers themselves; the forward passes above changed
    # only their moving statistics, which are now replaced.
    for path, (mean, variance) in estimates.items():
        layer = layers[path]
        layer.moving_mean.assign(mean.astype(np.float32))
        layer.moving_variance.assign(variance.astype(np.float32))
    batches = max((m.batches for m in moments.values()), default=0)
    moments, layers = run_pass()
    after = VarianceShiftReport.from_moments(moments, layers, upstream)
    progress.close()
    return RecalibrationReport(before, after, batches)
