"""`audit_training_flag`: do stochastic and stateful layers follow `training`?

With its result types: `LayerAudit` (one layer call) and `TrainingFlagAudit`
(every audited call of a model).
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import keras
import numpy as np

from .._intercept import call_path, intercepting_layer_calls
from .._report_view import ReportView
from ..graph import identity, kinds
from ._observe import is_fused, layer_kind, to_numpy

# AlphaDropout is a shape layer for ordering (it keeps mean and variance by
# design), but it is random in training, so the audit checks it too.
_RANDOM_SHAPE_CLASSES = frozenset({"AlphaDropout"})


@dataclass(frozen=True)
class LayerAudit:
    """The verdict on one stochastic or stateful layer.

    Attributes:
        layer: the layer's path (`outer/inner` inside nested layers).
        layer_class: its class name.
        passed: True when it behaved as the flag asked in both modes.
        explanation: what was checked, and what went wrong if anything.
    """

    layer: str
    layer_class: str
    passed: bool
    explanation: str

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "layer_class": self.layer_class,
            "passed": self.passed,
            "explanation": self.explanation,
        }


class TrainingFlagAudit(ReportView):
    """Per-layer pass / fail of the training-flag audit.

    Attributes:
        entries: one `LayerAudit` per stochastic or stateful layer call.
        notes: what the reader should know (e.g. nothing to audit).
    """

    def __init__(self, entries: Sequence[LayerAudit], notes: Sequence[str] = ()):
        self.entries = tuple(entries)
        self.notes = tuple(notes)

    def __iter__(self) -> Iterator[LayerAudit]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def passed(self) -> bool:
        """True when every audited layer followed the flag."""
        return all(entry.passed for entry in self.entries)

    @property
    def failures(self) -> list[LayerAudit]:
        return [entry for entry in self.entries if not entry.passed]

    def __getitem__(self, layer: str) -> LayerAudit:
        for entry in self.entries:
            if entry.layer == layer:
                return entry
        raise KeyError(f"no audited layer {layer!r}")

    def _summary(self) -> str:
        return f"{len(self)} layers, {len(self.failures)} failed"

    def _title(self) -> str:
        verdict = "all passed" if self.passed else f"{len(self.failures)} failed"
        return f"Training-flag audit: {len(self)} layer(s), {verdict}"

    def _header(self) -> tuple[str, ...]:
        return ("result", "layer", "class", "explanation")

    def _rows(self) -> list[tuple[str, ...]]:
        return [
            (
                "PASS" if e.passed else "FAIL",
                e.layer,
                e.layer_class,
                e.explanation,
            )
            for e in self.entries
        ]

    def _html_rows(self) -> list[list[str]]:
        rows = super()._html_rows()
        for entry, row in zip(self.entries, rows, strict=True):
            colour = "#2e7d32" if entry.passed else "#c62828"
            row[0] = f'<span style="color:{colour}"><b>{html.escape(row[0])}</b></span>'
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "entries": [entry.to_dict() for entry in self.entries],
            "notes": list(self.notes),
        }


@dataclass
class _Observation:
    layer: Any
    path: str
    model_training: bool
    explicit_training: Any
    inputs: np.ndarray
    outputs: np.ndarray
    moving: tuple[np.ndarray, np.ndarray] | None


def _is_audited(layer: Any) -> bool:
    return (
        layer_kind(layer) in (kinds.BATCH_NORM, kinds.NOISE)
        or identity.known_class_of(layer) in _RANDOM_SHAPE_CLASSES
    )


def audit_training_flag(model: Any, sample: Any) -> TrainingFlagAudit:
    """Checks that every stochastic or stateful layer follows `training`.

    The model is called on `sample` with `training=True` and with
    `training=False`. Then, per layer call:

    - a noise layer (Dropout, SpatialDropout, GaussianDropout, GaussianNoise,
      AlphaDropout) must change its input in training and leave it unchanged
      in inference;
    - a BatchNormalization must normalize with batch statistics in training
      (unless frozen: `trainable=False` means inference mode) and with its
      moving statistics in inference;
    - a BNActDropout must do both: BN as above, dropout in training only.

    This catches subclassed layers that hard-code `training=` (a
    `Dropout(...)(x, training=True)` drops at inference) and models or layers
    that never pass the flag on (their dropout never drops). The model is
    left exactly as it was: every variable is restored afterwards.

    Args:
        model: a built Keras model.
        sample: one batch of inputs (at least 2 samples, so batch statistics
            differ from the moving ones); dropout needs enough values that
            "nothing was dropped" cannot happen by chance.

    Returns:
        A `TrainingFlagAudit` with a pass / fail and an explanation per layer.
    """
    snapshot = [(v, keras.ops.convert_to_numpy(v)) for v in model.variables]
    observations: list[_Observation] = []
    model_training = [False]

    def observe(layer, call, args, kwargs, enclosing):
        if not _is_audited(layer):
            return call(*args, **kwargs)
        moving = None
        if hasattr(layer, "moving_variance") and layer.moving_variance is not None:
            moving = (to_numpy(layer.moving_mean), to_numpy(layer.moving_variance))
        outputs = call(*args, **kwargs)
        observations.append(
            _Observation(
                layer,
                call_path(layer, enclosing, model),
                model_training[0],
                kwargs.get("training"),
                to_numpy(args[0]),
                to_numpy(outputs),
                moving,
            )
        )
        return outputs

    # Called the way Keras' fit / evaluate call it: a model whose `call` has
    # no `training` argument gets none, and then passes nothing on.
    accepts_training = "training" in inspect.signature(model.call).parameters
    try:
        with intercepting_layer_calls(observe):
            for training in (True, False):
                model_training[0] = training
                if accepts_training:
                    model(sample, training=training)
                else:
                    model(sample)
    finally:
        for variable, value in snapshot:
            variable.assign(value)
    if not observations:
        return TrainingFlagAudit(
            [], notes=["The model has no noise or batch-normalization layer to audit."]
        )
    return TrainingFlagAudit(_verdicts(observations))


def _pairs(observations: list[_Observation]) -> list[dict[bool, _Observation]]:
    """Each layer call of the training run with the same call in inference.

    Calls pair by order when both runs made the same number of them (a layer
    created inside `call` gets a new name each time); otherwise by path.
    """
    runs = {
        mode: [obs for obs in observations if obs.model_training == mode]
        for mode in (True, False)
    }
    if len(runs[True]) == len(runs[False]):
        return [
            {True: a, False: b} for a, b in zip(runs[True], runs[False], strict=True)
        ]
    by_path: dict[tuple[str, int], dict[bool, _Observation]] = {}
    counts: dict[tuple[str, bool], int] = {}
    for obs in observations:
        index = counts.get((obs.path, obs.model_training), 0)
        counts[(obs.path, obs.model_training)] = index + 1
        by_path.setdefault((obs.path, index), {})[obs.model_training] = obs
    return list(by_path.values())


def _verdicts(observations: list[_Observation]) -> list[LayerAudit]:
    entries = []
    for modes in _pairs(observations):
        first = modes.get(True) or modes[False]
        problems, checks = [], []
        for training, obs in sorted(modes.items(), reverse=True):
            problem = _check(obs)
            mode = "training=True" if training else "training=False"
            if problem:
                problems.append(f"with {mode}: {problem}")
            else:
                checks.append(mode)
        explanation = (
            "; ".join(problems)
            if problems
            else f"follows the flag ({', '.join(checks)}): {_expected(first.layer)}"
        )
        entries.append(
            LayerAudit(
                first.path, type(first.layer).__name__, not problems, explanation
            )
        )
    return entries


def _expected(layer: Any) -> str:
    if is_fused(layer):
        return "batch statistics and dropout in training, neither in inference"
    if layer_kind(layer) == kinds.BATCH_NORM:
        if not layer.trainable:
            return "frozen, so moving statistics in both modes"
        return "batch statistics in training, moving statistics in inference"
    return "noise in training only"


def _explicit_note(obs: _Observation) -> str:
    if obs.explicit_training is None:
        return ""
    return f" (it was called with training={obs.explicit_training!r} explicitly)"


def _check(obs: _Observation) -> str | None:
    """None when the call followed the model's flag, else what went wrong."""
    if is_fused(obs.layer):
        return _check_bn_act_dropout(obs)
    if layer_kind(obs.layer) == kinds.BATCH_NORM:
        return _check_batch_norm(obs)
    return _check_noise(obs)


def _tolerance(values: np.ndarray) -> float:
    return 1e-4 if values.dtype == np.float32 or values.dtype == np.float64 else 3e-2


def _changed(obs: _Observation) -> bool:
    inputs = obs.inputs.astype(np.float64)
    return not np.allclose(
        obs.outputs.astype(np.float64), inputs, atol=_tolerance(obs.outputs)
    )


def _noise_is_active(layer: Any) -> bool:
    return float(getattr(layer, "rate", 0.0) or getattr(layer, "stddev", 0.0) or 0) > 0


def _check_noise(obs: _Observation) -> str | None:
    if not _noise_is_active(obs.layer):
        return None  # Rate 0: nothing to see in either mode.
    changed = _changed(obs)
    if obs.model_training and not changed:
        return (
            "its input came out unchanged, so it did not add noise in training; "
            "the training flag does not reach it (does every enclosing call "
            "accept `training` and pass it on?)" + _explicit_note(obs)
        )
    if not obs.model_training and changed:
        return (
            "it changed its input in inference, so it adds noise at test time"
            + _explicit_note(obs)
        )
    return None


def _normalized(obs: _Observation, batch_statistics: bool) -> np.ndarray:
    """What the BN part computes on this call's input, in float64."""
    layer, x = obs.layer, obs.inputs.astype(np.float64)
    axis = layer.axis % x.ndim
    reduce = tuple(i for i in range(x.ndim) if i != axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    if batch_statistics:
        mean, variance = x.mean(axis=reduce), x.var(axis=reduce)
    else:
        # Observations of a BN always carry its moving statistics.
        mean, variance = cast("tuple[np.ndarray, np.ndarray]", obs.moving)
    gamma = to_numpy(layer.gamma) if layer.scale else 1.0
    beta = to_numpy(layer.beta) if layer.center else 0.0
    normalized = (x - np.reshape(mean, shape)) / np.sqrt(
        np.reshape(variance, shape) + layer.epsilon
    )
    return normalized * np.reshape(gamma, shape if layer.scale else ()) + np.reshape(
        beta, shape if layer.center else ()
    )


def _check_batch_norm(obs: _Observation) -> str | None:
    wants_batch = obs.model_training and obs.layer.trainable
    outputs = obs.outputs.astype(np.float64)
    tolerance = _tolerance(obs.outputs) * 10
    if np.allclose(outputs, _normalized(obs, wants_batch), atol=tolerance, rtol=1e-3):
        return None
    if wants_batch:
        return (
            "it normalized with moving statistics, not batch statistics; the "
            "training flag does not reach it (does every enclosing call accept "
            "`training` and pass it on?)" + _explicit_note(obs)
        )
    return "it normalized with batch statistics in inference" + _explicit_note(obs)


def _check_bn_act_dropout(obs: _Observation) -> str | None:
    layer = obs.layer
    wants_batch = obs.model_training and layer.trainable
    expected = keras.ops.convert_to_numpy(
        layer.activation(_normalized(obs, wants_batch).astype(np.float32))
    ).astype(np.float64)
    outputs = obs.outputs.astype(np.float64)
    tolerance = _tolerance(obs.outputs) * 10
    dropping = obs.model_training and layer.rate > 0
    if not dropping:
        if np.allclose(outputs, expected, atol=tolerance, rtol=1e-3):
            return None
        if layer.rate > 0 and np.mean((outputs == 0) & (expected != 0)) > 0:
            return "it dropped values in inference" + _explicit_note(obs)
        return "its batch normalization did not follow the flag" + _explicit_note(obs)
    kept = (outputs != 0) & (np.abs(expected) > 1e-6)
    dropped = (outputs == 0) & (np.abs(expected) > 1e-6)
    if not dropped.any():
        return "it dropped nothing in training" + _explicit_note(obs)
    scale = np.median(outputs[kept] / expected[kept]) if kept.any() else 1.0
    if not np.allclose(
        outputs[kept], scale * expected[kept], atol=tolerance, rtol=1e-3
    ):
        return "its batch normalization did not use batch statistics in training"
    return None
