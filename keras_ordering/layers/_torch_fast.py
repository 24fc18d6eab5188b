"""PyTorch fast path of BNActDropout.

Keras 3 computes batch normalization on the torch backend with separate ops
(a mean, a variance, then the normalization), each its own pass forward and
backward. This path uses torch's fused kernel instead and makes dropout
cheap:

- `torch.nn.functional.batch_norm` computes the batch statistics, the
  normalization and, in its backward, all gradients in fused passes.
  Channels-last inputs of any rank are viewed as `(values, channels)`
  (a reshape without a copy); channels-first inputs go in as they are.
- Keras' moving statistics are kept exactly: the kernel writes the batch
  mean and the Bessel-corrected (unbiased) batch variance into scratch
  buffers (momentum 1), the variance is turned back into the biased one
  Keras keeps, and the moving statistics are updated with Keras' convention
  `moving = moving * momentum + batch * (1 - momentum)`.
- 16-bit inputs are normalized and activated in float32, as on the portable
  path; the output has the layer's compute dtype.
- Dropout draws 8 random bits per value on CPU: one full-range 64-bit draw
  of torch's generator (`random_(-2**63, None)`: all 64 bits random) gives
  eight uniform bytes, and a value is kept when its byte is below
  `round(keep * 256)`: an eighth of the random words of a float32 draw,
  and one contiguous compare. The keep probability is therefore quantised
  to 1/256, as on the TensorFlow fast path; survivors are scaled by
  1 / (the actual keep probability), so the expected output is exact.
  Inside `torch.compile` (and off CPU) the mask is `torch.rand(...) <
  threshold / 256`, the form the compiler fuses into one kernel; the
  probability is the same.
- For a positively homogeneous activation (relu, leaky relu, linear) the
  1 / keep scaling is folded into gamma and beta, which costs no pass. For
  relu the dropout-and-relu backward is one `threshold_backward` pass over
  the output.

Seeds follow Keras' torch backend: an unseeded layer draws from torch's
global generator (which `keras.utils.set_random_seed` seeds); a layer with
`seed=` draws from a `torch.Generator` seeded from its `SeedGenerator` at
each call, so seeded layers repeat their masks. Inside `torch.compile` that
seeded draw runs eagerly (one graph break, as with Keras' own seeded
dropout); unseeded layers compile without a break.

The contract with `BNActDropout` is the TensorFlow path's: `applies(...)`,
then `call(...)` with explicit arguments only. The layer falls back to its
portable path for masks, a channel axis in the middle, ranks below 2,
integer dtypes, a batch of one value per channel and the symbolic ("meta")
device. It also falls back, with a one-time `RuntimeWarning`, when the
torch-internal operator this path needs is missing. Torch-internal names
are confined to this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import keras
import torch
from torch.nn import functional

from ._noise import (
    LEVELS,
    FastPathAvailability,
    homogeneous_activations,
    is_one_of,
    quantized_keep,
)

try:  # Torch-internal: ATen's relu backward has no public Python name.
    _THRESHOLD_BACKWARD: Any = torch.ops.aten.threshold_backward.default
except (AttributeError, RuntimeError) as error:  # pragma: no cover - torch release
    _PRIVATE_IMPORT_ERROR: Exception | None = error
else:
    _PRIVATE_IMPORT_ERROR = None

_FAST_DTYPES = frozenset({torch.float32, torch.float64, torch.float16, torch.bfloat16})
_HOMOGENEOUS = homogeneous_activations()
_BYTES_PER_DRAW = 8  # Of a full-range 64-bit draw: every byte uniform.
_INT64_MIN = -(2**63)


def unavailable_reason() -> str | None:
    """Why the fast path cannot run in this torch, or None if it can."""
    if _PRIVATE_IMPORT_ERROR is None:
        return None
    return (
        "The torch operator needed by the BNActDropout fast path "
        f"(aten.threshold_backward) is missing: {_PRIVATE_IMPORT_ERROR}"
    )


_AVAILABILITY = FastPathAvailability(unavailable_reason, "slower")


def _available() -> bool:
    return _AVAILABILITY.check(stacklevel=4)


def applies(inputs: Any, mask: Any, *, channel_axis: int) -> bool:
    """Whether the fast path can run this call exactly.

    Args:
        inputs: the layer's input tensor.
        mask: the call's mask, or None.
        channel_axis: the normalized axis, non-negative.
    """
    if mask is not None or not isinstance(inputs, torch.Tensor):
        return False
    rank = inputs.dim()
    return (
        rank >= 2
        and channel_axis in (1, rank - 1)
        and inputs.dtype in _FAST_DTYPES
        and inputs.device.type != "meta"
        # torch's kernel refuses one value per channel; Keras gives variance 0.
        and inputs.numel() > inputs.shape[channel_axis]
        and _available()
    )


class _ReluDropout(torch.autograd.Function):
    """relu, then zero the dropped values (already scaled by 1 / keep)."""

    @staticmethod
    def forward(y: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        output = y.clamp_min(0)
        output.mul_(keep)
        return output

    @staticmethod
    def setup_context(ctx: Any, inputs: Any, output: torch.Tensor) -> None:
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx: Any, upstream: torch.Tensor) -> Any:
        # output > 0 exactly where a value was kept and positive.
        (output,) = ctx.saved_tensors
        return _THRESHOLD_BACKWARD(upstream, output, 0), None


def _generator(seed_generator: Any, device: torch.device) -> torch.Generator:
    """A generator seeded like Keras' torch backend seeds its dropout."""
    first, second = (int(part) for part in seed_generator.next())
    generator = torch.Generator(device=device)
    generator.manual_seed((first + second) & 0xFFFFFFFF)
    return generator


def _keep_mask(
    shape: Sequence[int],
    threshold: int,
    device: torch.device,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """Boolean mask, True with probability threshold / 256."""
    if device.type != "cpu" or torch.compiler.is_compiling():
        return torch.rand(shape, device=device, generator=generator) < (
            threshold / LEVELS
        )
    size = math.prod(shape)
    words = torch.empty(
        ((size + _BYTES_PER_DRAW - 1) // _BYTES_PER_DRAW,),
        dtype=torch.int64,
        device=device,
    ).random_(_INT64_MIN, None, generator=generator)
    # Every byte is uniform, so any byte order gives the same distribution.
    uniform = words.view(torch.uint8)[:size]
    return (uniform < threshold).view(tuple(shape))


def _noise(
    kind: str,
    shape: Sequence[int],
    *,
    threshold: int,
    stddev: float,
    device: torch.device,
    generator: torch.Generator | None,
) -> torch.Tensor:
    if kind == "gaussian":
        return torch.empty(tuple(shape), device=device).normal_(
            1.0, stddev, generator=generator
        )
    return _keep_mask(shape, threshold, device, generator)


@torch.compiler.disable
def _seeded_noise(kind: str, shape: Sequence[int], *, seed_generator: Any, **kw):
    # torch.Generator cannot enter a compiled graph: this draw runs eagerly.
    generator = _generator(seed_generator, kw["device"])
    return _noise(kind, shape, generator=generator, **kw)


def _noise_shape(
    shape: Sequence[int],
    kind: str,
    noise_shape: Sequence[int | None] | None,
    channel_axis: int,
) -> tuple[int, ...]:
    if kind == "spatial":
        return tuple(
            size if i in (0, channel_axis) else 1 for i, size in enumerate(shape)
        )
    if noise_shape is None:
        return tuple(shape)
    return tuple(
        size if noise is None else noise
        for size, noise in zip(shape, noise_shape, strict=True)
    )


def _value(variable: Any) -> torch.Tensor | None:
    return None if variable is None else variable.value


def _normalize(
    x: torch.Tensor,
    *,
    batch_statistics: bool,
    channel_axis: int,
    gamma: torch.Tensor | None,
    beta: torch.Tensor | None,
    moving_mean: Any,
    moving_variance: Any,
    epsilon: float,
    momentum: float,
) -> torch.Tensor:
    """The fused kernel on a `(values, channels)` view or channels-first input."""
    channels = x.shape[channel_axis]
    last = channel_axis == x.dim() - 1 and x.dim() > 2
    kernel_input = x.reshape(-1, channels) if last else x
    mean, variance = moving_mean.value, moving_variance.value
    if batch_statistics:
        # Scratch buffers: with momentum 1 the kernel writes the batch mean
        # and the unbiased batch variance into them, nothing else.
        batch_mean = torch.zeros(channels, dtype=x.dtype, device=x.device)
        batch_variance = torch.zeros(channels, dtype=x.dtype, device=x.device)
        y = functional.batch_norm(
            kernel_input, batch_mean, batch_variance, gamma, beta, True, 1.0, epsilon
        )
        count = x.numel() // channels
        biased = batch_variance * ((count - 1) / count)
        for variable, old, batch in (
            (moving_mean, mean, batch_mean),
            (moving_variance, variance, biased),
        ):
            updated = old.to(x.dtype) * momentum + batch * (1.0 - momentum)
            variable.assign(updated.to(old.dtype))
    else:
        y = functional.batch_norm(
            kernel_input,
            mean.to(x.dtype),
            variance.to(x.dtype),
            gamma,
            beta,
            False,
            0.0,
            epsilon,
        )
    return y.view(x.shape) if last else y


def call(
    inputs: torch.Tensor,
    *,
    batch_statistics: bool,
    dropout_rate: float,
    dropout: str,
    noise_shape: Sequence[int | None] | None,
    seeded: bool,
    channel_axis: int,
    activation: Callable,
    gamma: Any,
    beta: Any,
    moving_mean: Any,
    moving_variance: Any,
    epsilon: float,
    momentum: float,
    seed_generator: Any,
    compute_dtype: str,
) -> torch.Tensor:
    """BN, activation and dropout on torch's fused batch-norm kernel.

    `applies()` must hold for the same inputs and layer settings.

    Args:
        inputs: the input tensor.
        batch_statistics: normalize with the batch's statistics and update
            `moving_mean` / `moving_variance` (training a trainable layer);
            otherwise normalize with the moving statistics.
        dropout_rate: the dropout rate; 0 for no noise (inference).
        dropout: the noise kind, "standard", "spatial" or "gaussian".
        noise_shape: the standard dropout mask's shape, or None.
        seeded: whether the layer has a seed (draw from `seed_generator`),
            else torch's global generator is used, as Keras does.
        channel_axis: the normalized axis, 1 or the last one.
        activation: the activation function, as `keras.activations.get`
            returns it.
        gamma: the scale variable, or None for no scale.
        beta: the offset variable, or None for no offset.
        moving_mean: the moving mean variable.
        moving_variance: the moving (biased) variance variable.
        epsilon: added to the variance.
        momentum: of the moving statistics' update.
        seed_generator: a `keras.random.SeedGenerator`, used when seeded.
        compute_dtype: the output's dtype.
    """
    # Statistics in float32 at least, as keras.layers.BatchNormalization.
    x = inputs if inputs.dtype == torch.float64 else inputs.to(torch.float32)
    kind = dropout
    threshold, keep = LEVELS, 1.0
    if dropout_rate > 0 and kind != "gaussian":
        threshold, keep = quantized_keep(dropout_rate)
    dropping = (
        dropout_rate > 0
        and threshold > 0
        and (kind == "gaussian" or threshold < LEVELS)
    )
    fold = dropping and kind != "gaussian" and is_one_of(activation, _HOMOGENEOUS)

    gamma_value, beta_value = _value(gamma), _value(beta)
    if fold:
        # f(k * BN(x)) = k * f(BN(x)) for a positively homogeneous f: the
        # dropout scale 1 / keep goes into gamma and beta, not the values.
        channels = x.shape[channel_axis]
        if gamma_value is None:
            gamma_value = torch.full(
                (channels,), 1.0 / keep, dtype=x.dtype, device=x.device
            )
        else:
            gamma_value = gamma_value.to(x.dtype) / keep
        if beta_value is not None:
            beta_value = beta_value.to(x.dtype) / keep
    else:
        gamma_value = None if gamma_value is None else gamma_value.to(x.dtype)
        beta_value = None if beta_value is None else beta_value.to(x.dtype)

    y = _normalize(
        x,
        batch_statistics=batch_statistics,
        channel_axis=channel_axis,
        gamma=gamma_value,
        beta=beta_value,
        moving_mean=moving_mean,
        moving_variance=moving_variance,
        epsilon=epsilon,
        momentum=momentum,
    )
    if not dropping:
        output = activation(y)
    else:
        shape = _noise_shape(tuple(y.shape), kind, noise_shape, channel_axis)
        draw: dict[str, Any] = {
            "threshold": threshold,
            "stddev": math.sqrt(dropout_rate / (1.0 - dropout_rate)),
            "device": y.device,
        }
        if seeded:
            noise = _seeded_noise(kind, shape, seed_generator=seed_generator, **draw)
        else:
            noise = _noise(kind, shape, generator=None, **draw)
        output = _activate_and_drop(activation, y, noise, kind, keep, fold)
    return output.to(_torch_dtype(compute_dtype))


def _torch_dtype(name: str) -> torch.dtype:
    dtype = getattr(torch, keras.backend.standardize_dtype(name))
    if not isinstance(dtype, torch.dtype):  # pragma: no cover - Keras dtypes
        raise TypeError(f"Not a torch dtype: {name!r}")
    return dtype


def _activate_and_drop(
    activation: Callable,
    y: torch.Tensor,
    noise: torch.Tensor,
    kind: str,
    keep: float,
    folded: bool,
) -> torch.Tensor:
    """The activation, then the noise (values already scaled if folded)."""
    if kind == "gaussian":
        return activation(y) * noise
    if not folded:
        # One select gives the scaled mask: 0 or 1 / keep.
        return activation(y) * torch.where(noise, 1.0 / keep, 0.0).to(y.dtype)
    if (
        activation is keras.activations.relu
        and noise.shape == y.shape
        and not torch.compiler.is_compiling()
    ):
        return _ReluDropout.apply(y, noise)
    activated = y if activation is keras.activations.linear else activation(y)
    return activated * noise
