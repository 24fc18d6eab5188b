"""`audit_training_flag`: do stochastic and stateful layers follow `training`?

With its result types: `LayerAudit` (one layer call) and `TrainingFlagAudit`
(every audited call of a model).
"""

from __future__ import annotations

import html
import inspect
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, cast

import keras
import numpy as np

from .._arrays import (
    _allclose,
    _out,
    _scale,
    _Scratch,
    _squares,
    _tolerance,
    _work_dtype,
)
from .._intercept import call_path, intercepting_layer_calls
from .._report_view import ReportView
from ..graph import identity, kinds
from ._observe import is_fused, layer_kind, runs_user_code, to_numpy

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
    # A BN's moving statistics before the call; None where the verdict
    # does not use them (a trainable BN in the training pass).
    moving: tuple[np.ndarray, np.ndarray] | None
    # A BN's gamma and beta (None without scale / center), read once per
    # layer: a forward pass does not move them.
    affine: tuple[Any, Any] = (None, None)


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
        model: a Keras model; one not built yet is built on `sample`, as
            `fit` builds it.
        sample: one batch of inputs (at least 2 samples, so batch statistics
            differ from the moving ones); dropout needs enough values that
            "nothing was dropped" cannot happen by chance.

    Returns:
        A `TrainingFlagAudit` with a pass / fail and an explanation per layer.
    """
    if isinstance(model, keras.Model) and not model.built:
        # Before the snapshot: built in the interception, it sees symbols.
        from ..preflight_checks import build_on_first_batch

        build_on_first_batch(model, sample)
    return run_audit(model, sample, restore=True)


def run_audit(
    model: Any,
    sample: Any,
    *,
    restore: bool,
    inference_sample: Any = None,
    user_calls_only: bool = False,
) -> TrainingFlagAudit:
    """`audit_training_flag`; with `restore=False` the variables its passes
    move (BN moving statistics, seed states) are left moved, for a caller
    that puts the whole model back itself (`preflight`'s `kept_state`) and
    keeps the training pass's autograd graph: restoring PyTorch parameters
    in place would invalidate it. `inference_sample`: the inference pass's
    batch, when not `sample` (fewer rows of it: each verdict reads one
    call's own input and output, never the other pass's); a model that
    fails on it gets `sample` instead. `user_calls_only` (preflight's
    KO305, which wants failures only): a call of Keras' own layer given the
    pass's own `training`, as Keras' graph gives it, is not checked."""
    snapshot = (
        [(v, keras.ops.convert_to_numpy(v)) for v in model.variables] if restore else []
    )
    observations: list[_Observation] = []
    model_training = [False]
    affines: dict[int, tuple[Any, Any]] = {}
    checks = _Checks()

    def followed(layer: Any, kwargs: dict) -> bool:
        # Keras' own layer, given this pass's flag explicitly (as Keras'
        # graph gives it), follows it, whoever the caller is.
        return (
            user_calls_only
            and kwargs.get("training") is model_training[0]
            and not runs_user_code(layer)
        )

    def observe(layer, call, args, kwargs, enclosing):
        if not _is_audited(layer) or followed(layer, kwargs):
            return call(*args, **kwargs)
        moving, affine = None, (None, None)
        if hasattr(layer, "moving_variance") and layer.moving_variance is not None:
            # A trainable BN in the training pass is judged on batch
            # statistics only: its moving ones are not read (two reads).
            if not (model_training[0] and layer.trainable):
                moving = (to_numpy(layer.moving_mean), to_numpy(layer.moving_variance))
            if id(layer) not in affines:
                affines[id(layer)] = (
                    to_numpy(layer.gamma) if layer.scale else None,
                    to_numpy(layer.beta) if layer.center else None,
                )
            affine = affines[id(layer)]
        outputs = call(*args, **kwargs)
        observation = _Observation(
            layer,
            call_path(layer, enclosing, model),
            model_training[0],
            kwargs.get("training"),
            _array(args[0]),
            _array(outputs),
            moving,
            affine,
        )
        observations.append(observation)
        checks.add(observation)
        return outputs

    accepts_training = passes_training(model)

    def run(batch: Any, training: bool) -> None:
        model_training[0] = training
        if accepts_training:
            model(batch, training=training)
        else:
            model(batch)

    try:
        with intercepting_layer_calls(observe):
            run(sample, True)
            observed = len(observations)
            try:
                run(sample if inference_sample is None else inference_sample, False)
            except Exception:
                if inference_sample is None:
                    raise
                # A model that needs the whole batch (a fixed batch size).
                del observations[observed:]
                run(sample, False)
    except BaseException:
        checks.close()
        raise
    finally:
        for variable, value in snapshot:
            variable.assign(value)
    if not observations:
        return TrainingFlagAudit(
            [], notes=["The model has no noise or batch-normalization layer to audit."]
        )
    return TrainingFlagAudit(_verdicts(observations, checks.results(observations)))


def _array(tensor: Any) -> np.ndarray:
    """A layer call's input or output as numpy: a view where tensors are
    immutable (TensorFlow, JAX), a copy elsewhere (PyTorch)."""
    if keras.backend.backend() in ("tensorflow", "jax") and not isinstance(
        tensor, keras.Variable
    ):
        try:
            array = np.asarray(tensor)
        except Exception:  # Not convertible as it is: `to_numpy` below.
            array = None
        if array is not None and array.dtype != object:
            return array
    return to_numpy(tensor)


def passes_training(model: Any) -> bool:
    """Whether the audit calls `model` with `training=`: it is called the
    way Keras' fit / evaluate call it, and a model whose `call` has no
    `training` argument gets none (and then passes nothing on)."""
    return "training" in inspect.signature(model.call).parameters


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


# Calls whose input has fewer values are checked in the calling thread: a
# thread would cost more than their check.
_THREADED_SIZE = 1 << 14


def _cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Checks:
    """`_check` of each observation, started when it is observed: a large
    call's check runs in one of two threads while the passes go on (numpy
    releases the GIL in its loops over large arrays), the others when the
    results are asked for. A BNActDropout's check calls its activation (a
    backend op, maybe the user's): it stays in the calling thread."""

    def __init__(self) -> None:
        self.pool: ThreadPoolExecutor | None = None
        self.futures: dict[int, Future] = {}
        self.local = threading.local()  # `.scratch`: each thread's arrays.

    def _check(self, obs: _Observation) -> str | None:
        scratch = getattr(self.local, "scratch", None)
        if scratch is None:
            scratch = self.local.scratch = _Scratch()
        return _check(obs, scratch)

    def add(self, obs: _Observation) -> None:
        if obs.inputs.size < _THREADED_SIZE or is_fused(obs.layer):
            return
        if self.pool is None:
            if _cpus() < 2:
                return
            self.pool = ThreadPoolExecutor(max_workers=2)
        self.futures[id(obs)] = self.pool.submit(self._check, obs)

    def results(self, observations: list[_Observation]) -> dict[int, str | None]:
        """Each observation's `_check`, by `id`; the threads end here."""
        try:
            return {
                id(obs): (
                    self.futures[id(obs)].result()
                    if id(obs) in self.futures
                    else self._check(obs)
                )
                for obs in observations
            }
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.local = threading.local()  # The arrays go with the audit.


def _checked(observations: list[_Observation]) -> dict[int, str | None]:
    """`_check` of each observation, by `id`, as the audit runs them."""
    checks = _Checks()
    for obs in observations:
        checks.add(obs)
    return checks.results(observations)


def _verdicts(
    observations: list[_Observation], checked: dict[int, str | None] | None = None
) -> list[LayerAudit]:
    """One entry per layer call; `checked`: the observations' `_check`
    results where they were run already."""
    entries = []
    if checked is None:
        checked = _checked(observations)
    for modes in _pairs(observations):
        first = modes.get(True) or modes[False]
        problems, checks = [], []
        for training, obs in sorted(modes.items(), reverse=True):
            problem = checked[id(obs)]
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


_NOT_REACHED = (
    "; the training flag does not reach it (does every enclosing call "
    "accept `training` and pass it on?)"
)


def _explicit_note(obs: _Observation, unreached: str = "") -> str:
    """Why the call did not follow the model's mode, as far as its own
    `training` argument tells: hard-coded to the other mode, received right
    and overridden by the layer's `call` (a Functional model passes the
    flag to every layer), or not received (`unreached`)."""
    flag = obs.explicit_training
    if flag is None:
        return unreached
    if bool(flag) != obs.model_training:
        return f" (it was called with training={flag!r} explicitly)"
    if not obs.model_training and _frozen_batch_norm(obs.layer):
        return ""
    return f": it received training={flag!r}, and its own `call` overrides it"


def _frozen_batch_norm(layer: Any) -> bool:
    return layer_kind(layer) == kinds.BATCH_NORM and not layer.trainable


def _check(obs: _Observation, scratch: _Scratch | None = None) -> str | None:
    """None when the call followed the model's flag, else what went wrong;
    `scratch`: work arrays to reuse (fresh ones without)."""
    if is_fused(obs.layer):
        return _check_bn_act_dropout(obs)
    if layer_kind(obs.layer) == kinds.BATCH_NORM:
        return _check_batch_norm(obs, scratch)
    return _check_noise(obs, scratch)


def _changed(
    obs: _Observation, scratch: _Scratch | None = None, scale: float | None = None
) -> bool:
    """Whether the call changed its input: by more than the tolerance, which
    shrinks with inputs smaller than 1 (a dropout on activations of 1e-5
    changes them by about 1e-5, under a fixed 1e-4)."""
    if scale is None:
        scale = _scale(obs.inputs)
    return not _allclose(
        obs.outputs,
        obs.inputs,
        atol=_tolerance(obs.outputs) * min(1.0, scale),
        rtol=1e-5,
        scratch=scratch,
    )


def _noise_is_active(layer: Any) -> bool:
    return float(getattr(layer, "rate", 0.0) or getattr(layer, "stddev", 0.0) or 0) > 0


def _check_noise(obs: _Observation, scratch: _Scratch | None = None) -> str | None:
    if not _noise_is_active(obs.layer):
        return None  # Rate 0: nothing to see in either mode.
    if obs.inputs.shape == obs.outputs.shape and np.issubdtype(
        obs.inputs.dtype, np.inexact
    ):
        finite = np.isfinite(obs.inputs)
        if not finite.all():
            # NaN in, NaN out in either mode (KO307 reports them): the
            # finite values decide.
            if not finite.any():
                return None
            obs = replace(obs, inputs=obs.inputs[finite], outputs=obs.outputs[finite])
            scratch = None
    scale = _scale(obs.inputs)
    changed = _changed(obs, scratch, scale)
    if obs.model_training and not changed and scale == 0:
        return None  # Dropping zeros changes nothing: no verdict.
    if obs.model_training and not changed:
        return (
            "its input came out unchanged, so it did not add noise in training"
            + _explicit_note(obs, _NOT_REACHED)
        )
    if not obs.model_training and changed:
        return (
            "it changed its input in inference, so it adds noise at test time"
            + _explicit_note(obs)
        )
    return None


@np.errstate(invalid="ignore", over="ignore")  # NaN / inf inputs: judged anyway.
def _normalized(
    obs: _Observation, batch_statistics: bool, scratch: _Scratch | None = None
) -> np.ndarray:
    """What the BN part computes on this call's input, in `_work_dtype`:
    `(x - mean) * gamma / sqrt(variance + epsilon) + beta`, its statistics
    summed in float64 (batch statistics: mean, then the centred squares).
    With `scratch`, the result is its "expected" array."""
    layer = obs.layer
    dtype = _work_dtype(obs.inputs)
    x = obs.inputs.astype(dtype, copy=False)
    axis = layer.axis % x.ndim
    reduce = tuple(i for i in range(x.ndim) if i != axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    if batch_statistics:
        count = max(1, x.size // max(1, x.shape[axis]))
        mean = x.sum(axis=reduce, dtype=np.float64, keepdims=True) / count
        shift = mean.astype(dtype)
        centred = np.subtract(x, shift, out=_out(scratch, "expected", x.shape, dtype))
        # The centred values' own mean (`mean - shift`, the rounding of the
        # shift) is taken out of the variance and the output below.
        residual = mean - shift
        variance = _squares(centred, axis).reshape(shape) / count - residual**2
    else:
        # Observations judged on moving statistics carry them.
        moving_mean, moving_variance = cast("tuple[np.ndarray, np.ndarray]", obs.moving)
        shift = np.reshape(moving_mean, shape).astype(dtype)
        centred = np.subtract(x, shift, out=_out(scratch, "expected", x.shape, dtype))
        residual = np.zeros_like(shift, dtype=np.float64)
        variance = np.reshape(moving_variance, shape).astype(np.float64)
    gamma, beta = obs.affine
    gamma = np.reshape(gamma, shape) if gamma is not None else 1.0
    beta = np.reshape(beta, shape) if beta is not None else 0.0
    scale = gamma / np.sqrt(variance + layer.epsilon)
    centred *= scale.astype(dtype)
    centred += (beta - residual * scale).astype(dtype)
    return centred


def _check_batch_norm(obs: _Observation, scratch: _Scratch | None = None) -> str | None:
    wants_batch = obs.model_training and obs.layer.trainable
    tolerance = _tolerance(obs.outputs) * 10
    expected = _normalized(obs, wants_batch, scratch)
    if _allclose(obs.outputs, expected, atol=tolerance, rtol=1e-3, scratch=scratch):
        return None
    if not _took_the_other_mode(obs, wants_batch, expected, tolerance):
        return None
    if wants_batch:
        return (
            "it normalized with moving statistics, not batch statistics"
            + _explicit_note(obs, _NOT_REACHED)
        )
    if obs.model_training:  # Frozen: inference mode in both passes.
        return (
            "it is frozen (trainable=False) but normalized with batch "
            "statistics in training"
        )
    return "it normalized with batch statistics in inference" + _explicit_note(obs)


def _took_the_other_mode(
    obs: _Observation, wants_batch: bool, expected: np.ndarray, tolerance: float
) -> bool:
    """Whether an output that missed `expected` is the other mode's: it
    matches it, or lies much nearer to it. An output near neither is the
    flag followed with float32 round-off of its own (Keras' variance is
    `E[x^2] - E[x]^2`, which cancels where the mean dwarfs the spread, and
    sums over large batches drift), not the wrong statistics."""
    other = obs
    if wants_batch:
        # Read after the call: a BN that ignored the flag did not move them.
        layer = obs.layer
        other = replace(
            obs, moving=(to_numpy(layer.moving_mean), to_numpy(layer.moving_variance))
        )
    alternative = _normalized(other, not wants_batch)
    if _allclose(obs.outputs, alternative, atol=tolerance, rtol=1e-3):
        return True
    dtype = _work_dtype(obs.outputs, expected)
    outputs = obs.outputs.astype(dtype, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):
        missed = np.abs(outputs - expected.astype(dtype, copy=False))
        other_gap = np.abs(outputs - alternative.astype(dtype, copy=False))
    # NaN or inf (Keras' variance can cancel below zero) tell neither mode:
    # KO307 reports them; the finite values decide.
    judged = np.isfinite(missed) & np.isfinite(other_gap)
    if not judged.any():
        return False
    return float(other_gap[judged].max()) * 4 < float(missed[judged].max())


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
        if _allclose(outputs, expected, atol=tolerance, rtol=1e-3):
            return None
        if layer.rate > 0 and np.mean((outputs == 0) & (expected != 0)) > 0:
            return "it dropped values in inference" + _explicit_note(obs)
        return "its batch normalization did not follow the flag" + _explicit_note(obs)
    kept = (outputs != 0) & (np.abs(expected) > 1e-6)
    dropped = (outputs == 0) & (np.abs(expected) > 1e-6)
    if not dropped.any():
        return "it dropped nothing in training" + _explicit_note(obs, _NOT_REACHED)
    scale = np.median(outputs[kept] / expected[kept]) if kept.any() else 1.0
    if not np.allclose(
        outputs[kept], scale * expected[kept], atol=tolerance, rtol=1e-3
    ):
        return "its batch normalization did not use batch statistics in training"
    return None
