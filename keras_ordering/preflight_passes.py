"""The model passes of `preflight`: the training and inference passes on
the first batch (shared by the training-flag audit and the NaN / inf
watch) and the loss and gradients of one training step.

On TensorFlow and PyTorch the training pass runs under the gradient tape
(`tf.GradientTape`, `torch.enable_grad`), and the step's loss and
gradients come from that same pass: the model runs forward twice and
backward once. On JAX the step is `jax.value_and_grad` over a
`stateless_call`, one more (traced) training pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .graph.from_keras import (
    call_path,
    compiled_loss_object,
    holds_statistics,
    intercepting_layer_calls,
)
from .preflight_data import Batches, samples


def flat(value: Any) -> list[Any]:
    return [] if value is None else list(keras.tree.flatten(value))


def per_output(value: Any, names: Sequence[str]) -> list[Any]:
    """Labels or weights per model output, in output order."""
    if value is None:
        return [None] * len(names)
    if isinstance(value, Mapping):
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        return (list(value) + [None] * len(names))[: len(names)]
    return [value] + [None] * (len(names) - 1)


def compiled_losses(model: Any, names: Sequence[str]) -> list[Any]:
    loss = getattr(model, "loss", None)
    if isinstance(loss, Mapping):
        return [loss.get(name) for name in names]
    if isinstance(loss, (list, tuple)):
        return (list(loss) + [None] * len(names))[: len(names)]
    return [loss] * len(names)


def finite(value: Any) -> bool:
    """False when a leaf of `value` holds NaN or inf; True also for values
    that have no concrete data here (the tracers a recurrent layer's scan
    hands its cell on JAX): those are judged at the layer that holds them."""
    return all(_leaf_finite(leaf) for leaf in flat(value))


def _leaf_finite(leaf: Any) -> bool:
    try:
        # A view, not a copy, of a TensorFlow or JAX tensor on the CPU (no
        # backend op either: each new shape would compile one on JAX).
        array = np.asarray(leaf)
        if array.dtype == object:
            raise TypeError("not an array of numbers")
    except Exception:  # A PyTorch tensor that requires grad, a symbol...
        try:
            array = np.asarray(keras.ops.convert_to_numpy(leaf))
        except Exception:  # A symbolic value: nothing to read.
            return True
    return not np.issubdtype(array.dtype, np.inexact) or _all_finite(array)


def _all_finite(array: np.ndarray) -> bool:
    """`np.all(np.isfinite(array))`, by one read and no temporary array
    where it can: the sum of squares of float32 / float64 values is NaN or
    inf when one of them is (squares cannot cancel an inf), and finite
    values overflow it only past about 1e19 (float32), where the
    elementwise test decides."""
    if array.dtype in (np.float32, np.float64) and array.size:
        values = array.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.dot(values, values)):
                return True
    return bool(np.all(np.isfinite(array)))


@dataclass
class Recorded:
    """The training pass, kept for the gradient step: its outputs and the
    model's losses (regularization, `add_loss`) as tensors, recorded by a
    `tf.GradientTape` (TensorFlow) or PyTorch's autograd."""

    outputs: Any
    losses: list[Any]
    tape: Any = None

    def release(self) -> None:
        """Drops the tape and the tensors it keeps alive."""
        self.outputs, self.losses, self.tape = None, [], None


def _recorded_call(model: Any, call: Any, args: tuple, kwargs: dict) -> Recorded:
    """The model's training-mode call, recorded for its gradients."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tape = tf.GradientTape()
        with tape:
            outputs = call(*args, **kwargs)
            losses = list(model.losses)
        return Recorded(outputs, losses, tape)
    import torch

    with torch.enable_grad():
        outputs = call(*args, **kwargs)
        losses = list(model.losses)
    return Recorded(outputs, losses)


def shares_the_training_pass(model: Any, audit: bool) -> bool:
    """Whether the gradient step can use the training pass that the audit
    and the NaN watch run: on TensorFlow and PyTorch, when that pass gets
    `training=True` (the audit calls a model whose `call` takes no
    `training` without it). On JAX the step stays a `stateless_call` under
    `jax.value_and_grad`: a traced pass, not the observed eager one."""
    if keras.backend.backend() not in ("tensorflow", "torch"):
        return False
    if not audit:
        return True
    from .diagnostics.training_flag import passes_training

    return passes_training(model)


# The most rows the inference pass runs on. Its checks read each call's own
# input and output (the audit) or only the output's shape (KO301, KO306),
# never another row, and on TensorFlow and PyTorch a pass over 16 rows of a
# batch of 32 costs about half a full one. 16 rows still give a dropout of
# rate 0.1 on 4 features 64 chances to show that it drops at inference.
INFERENCE_ROWS = 16


def inference_batch(model: Any, x: Any) -> Any:
    """The first `INFERENCE_ROWS` rows of `x` for the inference pass, or `x`
    itself: on JAX (each new shape compiles every op again), for a model
    whose inputs fix the batch size, and for inputs that cannot be sliced
    (sparse tensors)."""
    if keras.backend.backend() == "jax" or samples(x) <= INFERENCE_ROWS:
        return x
    for tensor in getattr(model, "inputs", None) or []:
        shape = getattr(tensor, "shape", None)
        if shape is not None and len(shape) and shape[0] is not None:
            return x
    try:
        return keras.tree.map_structure(lambda leaf: leaf[:INFERENCE_ROWS], x)
    except Exception:  # A tf.SparseTensor, a custom structure...
        return x


def _normalizes_inputs(layer: Any) -> bool:
    """A `Normalization` that standardizes (not `invert=True`) with
    statistics it holds: adapted, explicit or loaded."""
    return (
        isinstance(layer, keras.layers.Normalization)
        and not getattr(layer, "invert", False)
        and holds_statistics(layer) is True
    )


def inference_pass(model: Any, x: Any) -> list[Any]:
    """The model's outputs in inference mode on the first
    `INFERENCE_ROWS` rows of `x` (the whole batch for a model that needs
    it), numpy."""
    fewer = inference_batch(model, x)
    try:
        outputs = model(fewer, training=False)
    except Exception:
        if fewer is x:
            raise
        outputs = model(x, training=False)  # It needs the whole batch.
    return [np.asarray(keras.ops.convert_to_numpy(leaf)) for leaf in flat(outputs)]


def run_passes(
    model: Any,
    x: Any,
    audit: bool,
    record: bool = False,
    restore: bool = True,
) -> tuple[
    list[Any],
    list[Any],
    tuple[str, str, str] | None,
    Any,
    Recorded | None,
    list[tuple[str, Any, Any]],
]:
    """The model's training pass on `x` and, with `audit`, the audit's
    inference pass: their outputs (the inference ones empty when that pass
    did not run; `inference_pass` runs it when a rule asks), the first
    layer whose training-mode output holds NaN or inf while its inputs did
    not, (`audit`) the training-flag audit, (`record`) the training pass
    recorded for the gradient step, and `(path, layer, output)` of every
    `Normalization` holding statistics that the training pass called. The
    audit makes the same two calls, so its passes are the ones observed
    here: the model runs twice, not four times. `restore`: the audit puts
    back the variables its passes moved (needed only when another pass
    follows; `kept_state` puts everything back at the end)."""
    first: list[tuple[str, str, str]] = []
    runs: list[Any] = []
    recorded: list[Recorded] = []
    normalized: list[tuple[str, Any, Any]] = []

    def observe(layer, call, args, kwargs, enclosing):
        top = layer is model and not enclosing
        if top:
            runs.append(None)
        if top and record and len(runs) == 1 and kwargs.get("training") is True:
            recorded.append(_recorded_call(model, call, args, kwargs))
            outputs = recorded[0].outputs
        else:
            outputs = call(*args, **kwargs)
        if top:
            runs[-1] = outputs
            return outputs
        if len(runs) != 1:
            return outputs
        if not first and not finite(outputs) and finite((args, kwargs)):
            path = call_path(layer, enclosing, model)
            first.append(("output", path, type(layer).__name__))
        if _normalizes_inputs(layer):
            normalized.append((call_path(layer, enclosing, model), layer, outputs))
        return outputs

    result = None
    fewer = inference_batch(model, x)
    with intercepting_layer_calls(observe):
        if audit:
            from .diagnostics.training_flag import run_audit

            result = run_audit(
                model,
                x,
                restore=restore,
                inference_sample=None if fewer is x else fewer,
                user_calls_only=True,
            )
        else:
            model(x, training=True)
    training = [np.asarray(keras.ops.convert_to_numpy(leaf)) for leaf in flat(runs[0])]
    predictions = (
        [np.asarray(keras.ops.convert_to_numpy(leaf)) for leaf in flat(runs[-1])]
        if len(runs) > 1
        else []
    )
    return (
        predictions,
        training,
        (first[0] if first else None),
        result,
        (recorded[0] if recorded else None),
        normalized,
    )


def _step_loss(
    model: Any, names: Sequence[str], y: Any, weights: Any, outputs: Any
) -> Any:
    """The loss one training step minimizes, from the loss functions the
    model was compiled with, called directly: the model's compiled loss
    object is never built or updated here. None when no output has a loss
    and labels."""
    labels, sample_weights = per_output(y, names), per_output(weights, names)
    losses = compiled_losses(model, names)
    total = None
    for position, prediction in enumerate(flat(outputs)):
        loss = losses[position] if position < len(losses) else None
        label = labels[position] if position < len(labels) else None
        if loss is None or label is None:
            continue
        label = keras.ops.convert_to_tensor(label)
        function = compiled_loss_object(loss, label, prediction)
        value = function(label, prediction, sample_weight=sample_weights[position])
        total = value if total is None else total + value
    return total


class BackwardPassError(RuntimeError):
    """The loss of a training step was computed from the labels; the
    backend could not compute its gradients (a backend failure, not one of
    the data)."""


def gradient_step(
    model: Any,
    batches: Batches,
    names: Sequence[str],
    recorded: Recorded | None = None,
) -> str | NonFiniteGradients | None:
    """The loss and gradients of one training step on the first batch, the
    weights left unchanged (no optimizer runs): what became non-finite
    (`"loss"`, or the variables whose gradients did), None when all stayed
    finite. With `recorded` (TensorFlow, PyTorch) the loss is taken from the training
    pass already run and only the backward pass runs; without it one more
    training pass runs (recorded the same way on TensorFlow and PyTorch,
    traced under `jax.value_and_grad` on JAX). The training pass moves BN
    statistics and seed
    states; `kept_state` puts them back. Raises when the loss cannot be
    computed, `BackwardPassError` when its gradients cannot."""
    x, y, weights = batches.first
    trainable = list(model.trainable_variables)
    backend = keras.backend.backend()

    def loss_of(outputs: Any, extra: Sequence[Any]) -> Any:
        loss = _step_loss(model, names, y, weights, outputs)
        if loss is None and not extra:
            raise ValueError("no output has both a loss and labels")
        if loss is None:  # Trained on its `add_loss` terms alone, as fit does.
            return sum(extra)
        return loss + sum(extra) if extra else loss

    if recorded is None and backend in ("tensorflow", "torch"):
        # Not shared with the observed pass: the training pass runs now.
        recorded = _recorded_call(model, model, (x,), {"training": True})
    if recorded is not None and recorded.tape is not None:
        tape = recorded.tape
        with tape:  # Re-entered: the loss joins the recorded pass.
            loss = loss_of(recorded.outputs, recorded.losses)
        try:
            gradients = tape.gradient(loss, trainable) if trainable else []
        except Exception as error:
            raise BackwardPassError(str(error)) from error
    elif recorded is not None:
        import torch

        with torch.enable_grad():
            loss = loss_of(recorded.outputs, recorded.losses)
            parameters = [v.value for v in trainable if v.value.requires_grad]
            try:
                gradients = (
                    torch.autograd.grad(loss, parameters, allow_unused=True)
                    if parameters
                    else []
                )
            except Exception as error:
                raise BackwardPassError(str(error)) from error
    elif backend == "jax":
        import jax

        fixed = [v.value for v in model.non_trainable_variables]

        def forward(values: list[Any]) -> Any:
            outputs, _, extra = model.stateless_call(
                values, fixed, x, training=True, return_losses=True
            )
            return loss_of(outputs, extra)

        values = [v.value for v in trainable]
        try:
            # Traced with its forward-mode derivatives: an op that has none
            # (a pure callback) fails here, not in `backward`.
            loss, backward = jax.vjp(forward, values)
        except Exception as error:
            forward(values)  # Raises when the loss itself fails.
            raise BackwardPassError(str(error)) from error
        try:
            (gradients,) = backward(jax.numpy.ones_like(loss))
        except Exception as error:
            raise BackwardPassError(str(error)) from error
    else:
        raise NotImplementedError(f"no gradient step on backend {backend}")
    if not finite(loss):
        return "loss"
    variables = (
        [v for v in trainable if v.value.requires_grad]
        if backend == "torch"
        else trainable
    )
    bad = [
        variable
        for variable, gradient in zip(variables, gradients, strict=False)
        if gradient is not None and not finite(gradient)
    ]
    if bad:
        return NonFiniteGradients(tuple(bad))
    return None


@dataclass(frozen=True)
class NonFiniteGradients:
    """The trainable variables whose gradients hold NaN or inf, in the
    model's variable order."""

    variables: tuple[Any, ...]
