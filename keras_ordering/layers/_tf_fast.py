"""TensorFlow fast path of BNActDropout.

Keras' BatchNormalization is built from separate ops (`moments`, then
`batch_normalization`) and, on a CPU-only TensorFlow, runs without XLA. This
path uses TensorFlow's fused kernel instead and makes dropout cheap:

- `FusedBatchNormV3` computes the batch statistics and the normalization in
  training, for rank 4 and 5 inputs with the channel axis first or last;
  rank 2 and 3 inputs are reshaped to rank 4. The kernel returns the
  Bessel-corrected batch variance; it is turned back into the biased
  variance Keras keeps.
- Inference folds the moving statistics into one per-channel scale and
  shift. On a CPU-only TensorFlow, a float32 image batch (rank 4, channels
  last, 4096 values per sample or more) runs it as a 1x1 depthwise
  convolution with a bias: oneDNN does that in one pass over the tensor,
  and grappler's remapper fuses a following ReLU into it. Smaller float32
  tensors and other layouts use a multiply-add, 16-bit inputs the fused
  kernel's inference mode (the fastest on CPU for each, measured by
  `benchmarks/bench_layer.py`).
- Dropout draws 8 random bits per value (a quarter of the random words of
  a float32 draw) and keeps a value when its byte is below
  `round(keep * 256)`. The keep probability is therefore quantised to
  1/256; survivors are scaled by 1 / (the actual keep probability), so the
  expected output is exact.
- For a positively homogeneous activation (relu, leaky relu, linear) the
  1 / keep scaling is folded into gamma and beta, which costs no pass. For
  relu, a custom gradient turns the dropout-and-relu backward into one
  `ReluGrad` pass over the output.

The contract with `BNActDropout`: the layer calls `applies(...)` and, when
it holds, `call(...)`, with explicit arguments only (its weights, its
channel axis, its activation function); this module reads no attribute of
the layer. Activations are recognised by identity with Keras' own functions
(`keras.activations.relu`), never by name, so a user function called
`relu` runs as written.

`BNActDropout` falls back to its portable Keras-ops path for masks,
`synchronized=True`, gaussian dropout, a `noise_shape`, other backends and
XLA, where XLA fuses by itself. It also falls back, with a one-time
`RuntimeWarning`, when TensorFlow's private modules this path needs cannot
be imported (they move between TensorFlow releases). TensorFlow-private
imports are confined to this module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import keras
import tensorflow as tf

from ._noise import (
    LEVELS,
    FastPathAvailability,
    homogeneous_activations,
    is_one_of,
    quantized_keep,
)

try:  # TensorFlow-private: XLA context detection has no public API.
    from tensorflow.python.framework import ops as tf_ops
    from tensorflow.python.ops import control_flow_util
except ImportError as error:  # pragma: no cover - depends on the TF release
    _PRIVATE_IMPORT_ERROR: ImportError | None = error
else:
    _PRIVATE_IMPORT_ERROR = None

_FAST_DTYPES = frozenset({"float32", "float16", "bfloat16"})
# Activations f with f(k*x) = k*f(x) for k >= 0: the dropout scale folds into BN.
_HOMOGENEOUS = homogeneous_activations()


def unavailable_reason() -> str | None:
    """Why the fast path cannot run in this TensorFlow, or None if it can."""
    if _PRIVATE_IMPORT_ERROR is None:
        return None
    return (
        "TensorFlow's private module needed by the BNActDropout fast path "
        f"could not be imported: {_PRIVATE_IMPORT_ERROR}"
    )


_AVAILABILITY = FastPathAvailability(
    unavailable_reason, "slower on CPU; see docs/layers.md for what differs"
)


def _available() -> bool:
    return _AVAILABILITY.check(stacklevel=4)


def in_xla_context() -> bool:
    """True inside a function compiled by XLA (`jit_compile=True`)."""
    if tf.executing_eagerly():
        return False
    return bool(
        control_flow_util.GraphOrParentsInXlaContext(tf_ops.get_default_graph())
    )


def layout(rank: int, channel_axis: int) -> tuple[str, str] | None:
    """`(how to reshape, data_format)` for the fused kernel, None if unsupported.

    The reshape is "none", "rank2" ((N, C) -> (N, 1, 1, C)), "rank3_last"
    ((N, L, C) -> (N, L, 1, C)) or "rank3_first" ((N, C, L) -> (N, C, L, 1)).
    """
    last = channel_axis == rank - 1
    if rank == 4 and channel_axis in (1, 3):
        return "none", "NHWC" if last else "NCHW"
    if rank == 5 and channel_axis in (1, 4):
        return "none", "NDHWC" if last else "NCDHW"
    if rank == 2 and channel_axis == 1:
        return "rank2", "NHWC"
    if rank == 3 and channel_axis in (1, 2):
        return ("rank3_last", "NHWC") if last else ("rank3_first", "NCHW")
    return None


def applies(
    inputs: Any,
    mask: Any,
    *,
    channel_axis: int,
    synchronized: bool,
    dropout: str,
    noise_shape: Sequence[int | None] | None,
) -> bool:
    """Whether the fast path can run this call exactly.

    Args:
        inputs: the layer's input tensor.
        mask: the call's mask, or None.
        channel_axis: the normalized axis, non-negative.
        synchronized: whether statistics are reduced across replicas.
        dropout: the noise kind, "standard", "spatial" or "gaussian".
        noise_shape: the dropout mask's shape, or None.
    """
    return (
        mask is None
        and not synchronized
        and dropout != "gaussian"
        and noise_shape is None
        and layout(len(inputs.shape), channel_axis) is not None
        and inputs.dtype.name in _FAST_DTYPES
        and _available()
        and not in_xla_context()
    )


def _to_rank4(x: tf.Tensor, reshape: str) -> tf.Tensor:
    shape = tf.shape(x)
    if reshape == "rank2":
        return tf.reshape(x, [shape[0], 1, 1, shape[1]])
    if reshape == "rank3_last":
        return tf.reshape(x, [shape[0], shape[1], 1, shape[2]])
    if reshape == "rank3_first":
        return tf.reshape(x, [shape[0], shape[1], shape[2], 1])
    return x


def _keep_mask(
    shape: tf.Tensor, last_dim: int | None, threshold: int, seed: tf.Tensor
) -> tf.Tensor:
    """Boolean mask, True with probability threshold / 256, from 8-bit draws.

    One uint32 draw gives four bytes. When the (static) last dimension is a
    multiple of 4 the bytes map onto the mask without a copy.
    """
    if last_dim is not None and last_dim % 4 == 0:
        word_shape = tf.concat([shape[:-1], [last_dim // 4]], axis=0)
        words = tf.random.stateless_uniform(
            word_shape, seed, minval=None, maxval=None, dtype=tf.uint32
        )
        bits = tf.reshape(tf.bitcast(words, tf.uint8), shape)
    else:
        size = tf.reduce_prod(shape)
        words = tf.random.stateless_uniform(
            [(size + 3) // 4], seed, minval=None, maxval=None, dtype=tf.uint32
        )
        bits = tf.reshape(tf.reshape(tf.bitcast(words, tf.uint8), [-1])[:size], shape)
    return bits < threshold


def _noise_shape(y: tf.Tensor, spatial: bool, channel_axis: int) -> tf.Tensor:
    """The mask's shape: the value's, or one draw per sample and channel."""
    shape = tf.shape(y)
    if not spatial:
        return shape
    rank = len(y.shape)
    channel_axis %= rank
    return tf.stack([shape[i] if i in (0, channel_axis) else 1 for i in range(rank)])


@tf.custom_gradient
def _relu_dropout(y: tf.Tensor, keep: tf.Tensor) -> tuple[tf.Tensor, Any]:
    """relu, then zero the dropped values (already scaled by 1 / keep)."""
    output = tf.where(keep, tf.nn.relu(y), tf.constant(0, y.dtype))

    def gradient(upstream: tf.Tensor) -> tuple[tf.Tensor, None]:
        # output > 0 exactly where a value was kept and positive.
        return tf.raw_ops.ReluGrad(gradients=upstream, features=output), None

    return output, gradient


# Other float32 inference uses the fused kernel up to this many channels and
# a multiply-add above: where this was measured, the kernel's inference mode
# slowed down from 128 channels on (benchmarks/bench_layer.py shows both).
_FUSED_INFERENCE_MAX_CHANNELS = 64
# Float32 inference of rank-4 channels-last batches from this many values
# per sample runs as a depthwise convolution (`_depthwise_inference`): below,
# the convolution's set-up costs more than the pass it saves.
_DEPTHWISE_MIN_SAMPLE_SIZE = 4096


@functools.cache
def _gpu_visible() -> bool:
    return bool(tf.config.list_physical_devices("GPU"))


def _depthwise_applies(x: tf.Tensor, data_format: str) -> bool:
    """Whether float32 inference of `x` runs as a depthwise convolution: a
    rank-4 channels-last batch of known size per sample, on a TensorFlow
    that sees no GPU (the one-pass fused kernel is oneDNN's, on the CPU)."""
    sample = x.shape[1:]
    return (
        data_format == "NHWC"
        and len(x.shape) == 4
        and x.dtype == tf.float32
        and sample.is_fully_defined()
        and sample.num_elements() >= _DEPTHWISE_MIN_SAMPLE_SIZE
        and not _gpu_visible()
    )


class _Statistics:
    """gamma, beta and moving statistics as float32 tensors."""

    def __init__(
        self,
        gamma: Any,
        beta: Any,
        moving_mean: Any,
        moving_variance: Any,
        keep: float,
        fold_keep: bool,
    ):
        channels = moving_mean.shape[0]
        self.gamma = tf.cast(
            tf.ones([channels]) if gamma is None else gamma, tf.float32
        )
        self.beta = tf.cast(tf.zeros([channels]) if beta is None else beta, tf.float32)
        if fold_keep:
            # f(k * BN(x)) = k * f(BN(x)) for a positively homogeneous f: the
            # dropout scale 1 / keep goes into gamma and beta, not the values.
            self.gamma, self.beta = self.gamma / keep, self.beta / keep
        self.mean = tf.cast(moving_mean, tf.float32)
        self.variance = tf.cast(moving_variance, tf.float32)
        self.channels = channels


def _train_normalize(
    x: tf.Tensor,
    stats: _Statistics,
    data_format: str,
    *,
    epsilon: float,
    momentum: float,
    moving_mean: Any,
    moving_variance: Any,
) -> tf.Tensor:
    """Batch-statistics normalization, and the moving-statistics update."""
    empty = tf.constant([], tf.float32)
    y, mean, variance, _, _, _ = tf.raw_ops.FusedBatchNormV3(
        x=x,
        scale=stats.gamma,
        offset=stats.beta,
        mean=empty,
        variance=empty,
        epsilon=epsilon,
        is_training=True,
        data_format=data_format,
    )
    count = tf.cast(tf.size(x) // stats.channels, tf.float32)
    # The kernel reports the unbiased variance; Keras keeps the biased one.
    variance = variance * tf.maximum(count - 1.0, 0.0) / tf.maximum(count, 1.0)
    for variable, old, batch in (
        (moving_mean, stats.mean, mean),
        (moving_variance, stats.variance, variance),
    ):
        updated = old * momentum + batch * (1.0 - momentum)
        variable.assign(tf.cast(updated, variable.dtype))
    return y


def _fused_inference(
    x: tf.Tensor, stats: _Statistics, data_format: str, epsilon: float
) -> tf.Tensor:
    y, _, _, _, _, _ = tf.raw_ops.FusedBatchNormV3(
        x=x,
        scale=stats.gamma,
        offset=stats.beta,
        mean=stats.mean,
        variance=stats.variance,
        epsilon=epsilon,
        is_training=False,
        data_format=data_format,
    )
    return y


def _depthwise_inference(x: tf.Tensor, stats: _Statistics, epsilon: float) -> tf.Tensor:
    """The per-channel scale and shift as a 1x1 depthwise convolution with a
    bias: each value is multiplied by its channel's scale, then shifted, as
    in `_folded_inference`, in one pass."""
    scale = stats.gamma * tf.math.rsqrt(stats.variance + epsilon)
    shift = stats.beta - stats.mean * scale
    kernel = tf.reshape(scale, [1, 1, stats.channels, 1])
    y = tf.nn.depthwise_conv2d(x, kernel, [1, 1, 1, 1], "VALID", data_format="NHWC")
    return tf.nn.bias_add(y, shift, data_format="NHWC")


def _folded_inference(
    x: tf.Tensor, stats: _Statistics, channel_axis: int, epsilon: float
) -> tf.Tensor:
    """One per-channel scale and shift on the input's own layout."""
    scale = stats.gamma * tf.math.rsqrt(stats.variance + epsilon)
    shift = stats.beta - stats.mean * scale
    rank = len(x.shape)
    if channel_axis != rank - 1:
        broadcast = [1] * rank
        broadcast[channel_axis] = -1
        scale, shift = tf.reshape(scale, broadcast), tf.reshape(shift, broadcast)
    return x * tf.cast(scale, x.dtype) + tf.cast(shift, x.dtype)


def _activate_and_drop(
    activation: Callable, y: tf.Tensor, mask: tf.Tensor | None, keep: float
) -> tf.Tensor:
    """The activation, then the dropout mask (values already scaled if folded)."""
    if mask is None:
        return activation(y)
    if activation is keras.activations.relu:
        return _relu_dropout(y, mask)
    if not is_one_of(activation, _HOMOGENEOUS):
        y = activation(y) * tf.constant(1.0 / keep, y.dtype)
    elif activation is not keras.activations.linear:
        y = activation(y)
    return tf.where(mask, y, tf.constant(0, y.dtype))


def call(
    inputs: tf.Tensor,
    *,
    batch_statistics: bool,
    dropout_rate: float,
    spatial: bool,
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
) -> tf.Tensor:
    """BN, activation and dropout on TensorFlow's fused kernels.

    `applies()` must hold for the same inputs and layer settings.

    Args:
        inputs: the input tensor.
        batch_statistics: normalize with the batch's statistics and update
            `moving_mean` / `moving_variance` (training a trainable layer);
            otherwise normalize with the moving statistics.
        dropout_rate: the fraction of values to drop; 0 for no dropout
            (inference).
        spatial: drop whole channels instead of single values.
        channel_axis: the normalized axis, non-negative.
        activation: the activation function, as `keras.activations.get`
            returns it.
        gamma: the scale variable, or None for no scale.
        beta: the offset variable, or None for no offset.
        moving_mean: the moving mean variable.
        moving_variance: the moving (biased) variance variable.
        epsilon: added to the variance.
        momentum: of the moving statistics' update.
        seed_generator: a `keras.random.SeedGenerator`, used when dropping.
        compute_dtype: the output's dtype.
    """
    rank = len(inputs.shape)
    found = layout(rank, channel_axis)
    if found is None:
        raise ValueError(
            f"The fast path has no layout for rank {rank} and channel axis "
            f"{channel_axis}; call it only where applies() holds."
        )
    reshape, data_format = found
    dropping = dropout_rate > 0
    threshold, keep = quantized_keep(dropout_rate) if dropping else (LEVELS, 1.0)
    dropping = dropping and threshold < LEVELS
    stats = _Statistics(
        gamma,
        beta,
        moving_mean,
        moving_variance,
        keep,
        fold_keep=dropping and is_one_of(activation, _HOMOGENEOUS),
    )

    use_kernel = (
        batch_statistics
        or inputs.dtype != tf.float32
        or (rank >= 4 and stats.channels <= _FUSED_INFERENCE_MAX_CHANNELS)
    )
    if not batch_statistics and _depthwise_applies(inputs, data_format):
        y = _depthwise_inference(inputs, stats, epsilon)
        reshape, output_channel_axis = "none", channel_axis
    elif use_kernel:
        x = _to_rank4(inputs, reshape)
        if batch_statistics:
            y = _train_normalize(
                x,
                stats,
                data_format,
                epsilon=epsilon,
                momentum=momentum,
                moving_mean=moving_mean,
                moving_variance=moving_variance,
            )
        else:
            y = _fused_inference(x, stats, data_format, epsilon)
        output_channel_axis = 1 if data_format.startswith("NC") else -1
    else:
        y = _folded_inference(inputs, stats, channel_axis, epsilon)
        reshape, output_channel_axis = "none", channel_axis

    y = tf.cast(y, compute_dtype)
    mask = None
    if dropping:
        seed = tf.cast(
            tf.math.floormod(seed_generator.next(), tf.int32.max - 1), tf.int32
        )
        noise_shape = _noise_shape(y, spatial, output_channel_axis)
        last_dim = y.shape[-1]
        if spatial and output_channel_axis % len(y.shape) != len(y.shape) - 1:
            last_dim = 1
        mask = _keep_mask(noise_shape, last_dim, threshold, seed)
    y = _activate_and_drop(activation, y, mask, keep)
    return tf.reshape(y, tf.shape(inputs)) if reshape != "none" else y


# Under XLA on CPU, TensorFlow's default stateless algorithm draws random
# numbers about 100x slower than Threefry (benchmarks/bench_layer.py --xla).
XLA_ALGORITHM = "threefry"


def xla_noise(
    x: tf.Tensor,
    *,
    rate: float,
    dropout: str,
    noise_shape: Sequence[int | None] | None,
    channel_axis: int,
    seed_generator: Any,
) -> tf.Tensor:
    """Dropout noise for the portable path inside `jit_compile=True`.

    The same noise as `keras.random.dropout` / `keras.random.normal` (exact
    keep probability `1 - rate`, survivors scaled by `1 / (1 - rate)`), drawn
    with the Threefry-2x32 counter-based generator, which XLA compiles to fast
    vectorized code on CPU and GPU. Stateless: the seed comes from the layer's
    `SeedGenerator`, so `seed=` repeats masks.
    """
    seed = tf.cast(tf.math.floormod(seed_generator.next(), tf.int32.max - 1), tf.int32)
    shape = tf.shape(x)
    if dropout == "gaussian":
        stddev = (rate / (1.0 - rate)) ** 0.5
        noise = tf.random.stateless_normal(
            shape, seed, mean=1.0, stddev=stddev, dtype=x.dtype, alg=XLA_ALGORITHM
        )
        return x * noise
    rank = len(x.shape)
    if dropout == "spatial":
        draw_shape = tf.stack(
            [shape[i] if i in (0, channel_axis) else 1 for i in range(rank)]
        )
    elif noise_shape is not None:
        draw_shape = tf.stack(
            [shape[i] if dim is None else dim for i, dim in enumerate(noise_shape)]
        )
    else:
        draw_shape = shape
    uniform = tf.random.stateless_uniform(draw_shape, seed, alg=XLA_ALGORITHM)
    keep = uniform >= rate
    scale = tf.constant(1.0 / (1.0 - rate), x.dtype)
    return tf.where(keep, x * scale, tf.zeros_like(x))
