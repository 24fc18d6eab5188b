"""`measure_variance_shift`: Li et al.'s variance shift, measured per BN.

With its result types: `BatchNormShift` (one BN) and `VarianceShiftReport`
(every BN of a model).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._report_view import ReportView
from ._observe import (
    ChannelMoments,
    PassProgress,
    batch_norm_paths,
    batches_per_pass,
    observe_batch_norm_inputs,
    replayable,
    to_numpy,
)

NO_BATCH_NORM = (
    "The model has no BatchNormalization layer: there is nothing to measure."
)
# The plot's bar colours, and what they mean (its legend says so too).
NOISE_UPSTREAM_COLOUR = "#c62828"
NO_NOISE_COLOUR = "#1565c0"


@dataclass(frozen=True)
class BatchNormShift:
    """Li et al.'s variance shift at one BatchNormalization.

    Attributes:
        layer: the BN's path (`outer/inner` inside nested models).
        layer_class: `"BatchNormalization"` or `"BNActDropout"` (for a
            subclass of either, its own class name).
        shift: mean over channels of inference input variance / moving
            variance. 1 means no shift; for zero-mean input behind a dropout
            with keep probability p it is about p.
        input_variance: per-channel variance of the BN's input over the data,
            with the model in inference mode.
        moving_variance: the BN's per-channel moving variance.
        ratio: per-channel input_variance / moving_variance.
        noise_layers: noise layers upstream of the BN with no other BN in
            between: the likely cause of a shift.
        training_variance: per-channel variance of the BN's input in
            training mode (noise on, batch statistics), averaged over the
            batches: what the moving variance converges to in `fit`. None
            where it was not measured (recalibration reports).
        noise_shift: mean over channels of input_variance /
            training_variance: the part of the shift the noise layers
            cause (about p behind dropout with keep probability p).
        statistics_lag: mean over channels of training_variance /
            moving_variance: 1 when the moving statistics have converged; far
            from 1 after brief training, whatever the noise.
        converged: whether statistics_lag is within `CONVERGED` of 1; None
            for a frozen BN (its statistics never update) or where not
            measured.
    """

    layer: str
    layer_class: str
    shift: float
    input_variance: np.ndarray = field(repr=False)
    moving_variance: np.ndarray = field(repr=False)
    ratio: np.ndarray = field(repr=False)
    noise_layers: tuple[str, ...] = ()
    training_variance: np.ndarray | None = field(default=None, repr=False)
    noise_shift: float | None = None
    statistics_lag: float | None = None
    converged: bool | None = None

    @property
    def cause(self) -> str:
        """What the shift comes from, as far as the two passes tell."""
        if self.converged is False:
            return "moving statistics not converged"
        if self.noise_shift is not None:
            return "noise upstream" if abs(self.noise_shift - 1) >= 0.1 else "-"
        return "noise upstream" if self.noise_layers else "-"

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "layer_class": self.layer_class,
            "shift": self.shift,
            "input_variance": self.input_variance.tolist(),
            "moving_variance": self.moving_variance.tolist(),
            "ratio": self.ratio.tolist(),
            "noise_layers": list(self.noise_layers),
            "training_variance": None
            if self.training_variance is None
            else self.training_variance.tolist(),
            "noise_shift": self.noise_shift,
            "statistics_lag": self.statistics_lag,
            "converged": self.converged,
            "cause": self.cause,
        }


# Moving statistics count as converged while the variance BN sees in
# training is within 25% of its moving variance. With momentum m the
# initial gap decays as m**steps: at momentum 0.99 about 140 steps for 1/4.
CONVERGED = (0.8, 1.25)
UNCONVERGED_NOTE = (
    "The moving statistics of {layers} have not converged: the variance "
    "these BNs see in training is {lags} times their moving variance, so "
    "their shift says little about dropout. Train longer, or re-estimate "
    "them with keras_ordering.recalibrate_batchnorm(model, data), then "
    "measure again."
)


def _mean_ratio(numerator: np.ndarray, denominator: np.ndarray) -> float:
    ratio = np.divide(
        numerator,
        denominator,
        out=np.full_like(numerator, np.nan),
        where=denominator > 0,
    )
    return float(np.nanmean(ratio))


class VarianceShiftReport(ReportView):
    """The `BatchNormShift` of every BN, printable, with HTML and a plot.

    Attributes:
        entries: one `BatchNormShift` per BN layer, in model order.
        notes: what the reader should know (e.g. a model without BN).
    """

    def __init__(self, entries: Sequence[BatchNormShift], notes: Sequence[str] = ()):
        self.entries = tuple(entries)
        self.notes = tuple(notes)

    @classmethod
    def from_moments(
        cls,
        moments: dict[str, ChannelMoments],
        layers: dict[str, Any],
        upstream: dict[str, list[str]],
        training_moments: dict[str, ChannelMoments] | None = None,
    ) -> VarianceShiftReport:
        """The report of BN input moments observed in inference mode.

        `training_moments`, the same BNs' inputs in training mode, tell a
        shift the noise causes from moving statistics that have not
        converged."""
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
                    **_training_facts(
                        layer, input_variance, moving_variance, training_moments, path
                    ),
                )
            )
        lagging = [entry for entry in entries if entry.converged is False]
        notes = []
        if lagging:
            notes.append(
                UNCONVERGED_NOTE.format(
                    layers=", ".join(f"'{entry.layer}'" for entry in lagging),
                    lags=", ".join(f"{entry.statistics_lag:.2f}" for entry in lagging),
                )
            )
        return cls(entries, notes)

    def __iter__(self) -> Iterator[BatchNormShift]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, key: int | str) -> BatchNormShift:
        if isinstance(key, str):
            for entry in self.entries:
                if entry.layer == key:
                    return entry
            raise KeyError(f"no BN layer {key!r} in the report")
        return self.entries[key]

    def _summary(self) -> str:
        return f"{len(self)} BN layers"

    def _title(self) -> str:
        return (
            "Variance shift: inference input variance / moving variance "
            "(1 = no shift; about p behind dropout with keep probability p)"
        )

    def _header(self) -> tuple[str, ...]:
        return (
            "layer",
            "shift",
            "noise shift",
            "train/moving",
            "per-channel range",
            "channels",
            "upstream noise",
            "cause",
        )

    def _rows(self) -> list[tuple[str, ...]]:
        return [
            (
                entry.layer,
                f"{entry.shift:.3f}",
                _number(entry.noise_shift),
                _number(entry.statistics_lag),
                f"{entry.ratio.min():.3f}..{entry.ratio.max():.3f}",
                str(entry.ratio.size),
                ", ".join(entry.noise_layers) or "-",
                entry.cause,
            )
            for entry in self.entries
        ]

    def _html_rows(self) -> list[list[str]]:
        rows = super()._html_rows()
        for entry, row in zip(self.entries, rows, strict=True):
            colour = "#2e7d32" if abs(entry.shift - 1.0) < 0.1 else "#c62828"
            row[1] = f'<span style="color:{colour}"><b>{row[1]}</b></span>'
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": [entry.to_dict() for entry in self.entries],
            "notes": list(self.notes),
        }

    def plot(self, ax: Any = None, title: str = "Variance shift per BN layer") -> Any:
        """A bar chart of the shift per BN layer; returns the matplotlib Axes.

        Red bars have a noise layer upstream (the likely cause of a shift),
        blue bars none; the dashed line is 1, no shift. The legend says so.
        Needs matplotlib (`pip install "keras-ordering[study]"`).
        """
        try:
            import matplotlib.pyplot as plt
            from matplotlib.patches import Patch
        except ImportError:
            raise ImportError(
                "VarianceShiftReport.plot needs matplotlib: "
                'pip install "keras-ordering[study]"'
            ) from None
        if ax is None:
            _, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(self) + 2.0), 3.5))
        names = [entry.layer for entry in self.entries]
        shifts = [entry.shift for entry in self.entries]
        colours = [
            NOISE_UPSTREAM_COLOUR if entry.noise_layers else NO_NOISE_COLOUR
            for entry in self
        ]
        ax.bar(range(len(shifts)), shifts, color=colours)
        line = ax.axhline(1.0, color="black", linewidth=1, linestyle="--")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=45, ha="right")
        ax.set_ylabel("Var_inference / moving variance")
        ax.set_title(title)
        ax.legend(
            [Patch(color=NOISE_UPSTREAM_COLOUR), Patch(color=NO_NOISE_COLOUR), line],
            [
                "BN with a noise layer upstream",
                "BN with no noise upstream",
                "1 = no shift",
            ],
            fontsize="small",
        )
        return ax


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _training_facts(
    layer: Any,
    input_variance: np.ndarray,
    moving_variance: np.ndarray,
    training_moments: dict[str, ChannelMoments] | None,
    path: str,
) -> dict[str, Any]:
    if not training_moments or path not in training_moments:
        return {}
    _, training_variance = training_moments[path].average_batch_statistics()
    lag = _mean_ratio(training_variance, moving_variance)
    frozen = not layer.trainable
    return {
        "training_variance": training_variance,
        "noise_shift": _mean_ratio(input_variance, training_variance),
        "statistics_lag": lag,
        "converged": None if frozen else bool(CONVERGED[0] <= lag <= CONVERGED[1]),
    }


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

    A second pass runs the data in training mode (noise on, batch
    statistics; the model's moving statistics and seed states are restored
    afterwards) and tells the two causes of a shift apart: `noise_shift`
    (inference over training-mode input variance: what the noise causes)
    and `statistics_lag` (training-mode input variance over the moving
    variance: 1 once the moving statistics have converged). After brief
    training the moving statistics lag far behind, with or without dropout;
    the report then says so in its `cause` column and a note, instead of
    blaming the noise.

    Args:
        model: a built Keras model.
        data: inputs as a NumPy array (or list/dict of arrays), a
            `tf.data.Dataset`, a generator or a `keras.utils.PyDataset`;
            `(x, y)` batches are fine, y is ignored. A generator is read
            once; its batches are kept for the second pass.
        batch_size: batch size for array data.
        steps: number of batches to use (default: all).
        verbose: 0 silences the progress bar; 1 or "auto" shows one bar,
            labelled `measure_variance_shift`; 2 one line at the end.

    Returns:
        A `VarianceShiftReport`; empty, with a note, for a model without BN.

    Raises:
        ValueError: `data` is empty.
    """
    upstream = batch_norm_paths(model)
    if not upstream:
        return VarianceShiftReport([], notes=[NO_BATCH_NORM])
    progress = PassProgress(
        "measure_variance_shift: 2 passes over the data (BN inputs at "
        "inference, then in training mode)",
        passes=2,
        batches=batches_per_pass(data, batch_size, steps),
        verbose=verbose,
    )
    source = replayable(data, steps)
    moments, layers = observe_batch_norm_inputs(
        model, source(), batch_size=batch_size, steps=steps, progress=progress
    )
    training_moments, _ = observe_batch_norm_inputs(
        model,
        source(),
        batch_size=batch_size,
        steps=steps,
        progress=progress,
        training_mode=True,
    )
    progress.close()
    return VarianceShiftReport.from_moments(moments, layers, upstream, training_moments)
