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
  shift: a multiply-add for float32, the fused kernel's inference mode for
  16-bit inputs (the faster of the two on CPU for each, measured by
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

`BNActDropout` falls back to its portable Keras-ops path for masks,
`synchronized=True`, gaussian dropout, other backends and XLA, where XLA
fuses by itself. TensorFlow-private helpers are confined to this module.
"""

from __future__ import annotations

from typing import Any, cast

import tensorflow as tf
from tensorflow.python.framework import ops as tf_ops
from tensorflow.python.ops import control_flow_util

LEVELS = 256  # Random byte values; the keep probability is a multiple of 1/256.
_FAST_DTYPES = frozenset({"float32", "float16", "bfloat16"})
# Activations f with f(k*x) = k*f(x) for k >= 0: the dropout scale folds into BN.
_HOMOGENEOUS = frozenset({"relu", "leaky_relu", "linear"})


def in_xla_context() -> bool:
    """True inside a function compiled by XLA (`jit_compile=True`)."""
    if tf.executing_eagerly():
        return False
    return bool(
        control_flow_util.GraphOrParentsInXlaContext(tf_ops.get_default_graph())
    )


def quantized_keep(rate: float) -> tuple[int, float]:
    """`(threshold, keep)`: a value is kept when its random byte < threshold."""
    threshold = min(LEVELS, max(1, round((1.0 - rate) * LEVELS)))
    return threshold, threshold / LEVELS


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


def applies(layer: Any, inputs: Any, mask: Any) -> bool:
    """Whether the fast path can run this call exactly."""
    return (
        mask is None
        and not layer.synchronized
        and layer.dropout != "gaussian"
        and layer.noise_shape is None
        and layout(len(inputs.shape), layer._channel_axis) is not None
        and inputs.dtype.name in _FAST_DTYPES
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


# Float32 inference uses the fused kernel up to this many channels and a
# multiply-add above: on CPU (oneDNN) the kernel's inference mode slows down
# from 128 channels on (benchmarks/bench_layer.py shows both).
_FUSED_INFERENCE_MAX_CHANNELS = 64


class _Statistics:
    """gamma, beta and moving statistics as float32 tensors."""

    def __init__(self, layer: Any, keep: float, fold_keep: bool):
        channels = layer.moving_mean.shape[0]
        gamma = layer.gamma if layer.scale else tf.ones([channels])
        beta = layer.beta if layer.center else tf.zeros([channels])
        self.gamma = tf.cast(gamma, tf.float32)
        self.beta = tf.cast(beta, tf.float32)
        if fold_keep:
            # f(k * BN(x)) = k * f(BN(x)) for a positively homogeneous f: the
            # dropout scale 1 / keep goes into gamma and beta, not the values.
            self.gamma, self.beta = self.gamma / keep, self.beta / keep
        self.mean = tf.cast(layer.moving_mean, tf.float32)
        self.variance = tf.cast(layer.moving_variance, tf.float32)
        self.channels = channels


def _train_normalize(layer: Any, x: tf.Tensor, stats: _Statistics, data_format: str):
    """Batch-statistics normalization, and the moving-statistics update."""
    empty = tf.constant([], tf.float32)
    y, mean, variance, _, _, _ = tf.raw_ops.FusedBatchNormV3(
        x=x,
        scale=stats.gamma,
        offset=stats.beta,
        mean=empty,
        variance=empty,
        epsilon=layer.epsilon,
        is_training=True,
        data_format=data_format,
    )
    count = tf.cast(tf.size(x) // stats.channels, tf.float32)
    # The kernel reports the unbiased variance; Keras keeps the biased one.
    variance = variance * tf.maximum(count - 1.0, 0.0) / tf.maximum(count, 1.0)
    for variable, old, batch in (
        (layer.moving_mean, stats.mean, mean),
        (layer.moving_variance, stats.variance, variance),
    ):
        updated = old * layer.momentum + batch * (1.0 - layer.momentum)
        variable.assign(tf.cast(updated, variable.dtype))
    return y


def _fused_inference(layer: Any, x: tf.Tensor, stats: _Statistics, data_format: str):
    y, _, _, _, _, _ = tf.raw_ops.FusedBatchNormV3(
        x=x,
        scale=stats.gamma,
        offset=stats.beta,
        mean=stats.mean,
        variance=stats.variance,
        epsilon=layer.epsilon,
        is_training=False,
        data_format=data_format,
    )
    return y


def _folded_inference(layer: Any, x: tf.Tensor, stats: _Statistics) -> tf.Tensor:
    """One per-channel scale and shift on the input's own layout."""
    scale = stats.gamma * tf.math.rsqrt(stats.variance + layer.epsilon)
    shift = stats.beta - stats.mean * scale
    rank = len(x.shape)
    if layer._channel_axis != rank - 1:
        broadcast = [1] * rank
        broadcast[layer._channel_axis] = -1
        scale, shift = tf.reshape(scale, broadcast), tf.reshape(shift, broadcast)
    return x * tf.cast(scale, x.dtype) + tf.cast(shift, x.dtype)


def _activate_and_drop(layer: Any, y: tf.Tensor, mask: tf.Tensor | None, keep: float):
    """The activation, then the dropout mask (values already scaled if folded)."""
    activation = layer._activation_name
    if mask is None:
        return layer.activation(y)
    if activation == "relu":
        return _relu_dropout(y, mask)
    if activation not in _HOMOGENEOUS:
        y = layer.activation(y) * tf.constant(1.0 / keep, y.dtype)
    elif activation != "linear":
        y = layer.activation(y)
    return tf.where(mask, y, tf.constant(0, y.dtype))


def call(layer: Any, inputs: tf.Tensor, training: bool) -> tf.Tensor:
    """The fast path of `BNActDropout.call`; `applies()` must hold."""
    rank = len(inputs.shape)
    # applies() has checked that a layout exists.
    reshape, data_format = cast("tuple[str, str]", layout(rank, layer._channel_axis))
    dropping = bool(training) and layer.rate > 0
    threshold, keep = quantized_keep(layer.rate) if dropping else (LEVELS, 1.0)
    dropping = dropping and threshold < LEVELS
    stats = _Statistics(
        layer, keep, fold_keep=dropping and layer._activation_name in _HOMOGENEOUS
    )

    use_kernel = (
        (training and layer.trainable)
        or inputs.dtype != tf.float32
        or (rank >= 4 and stats.channels <= _FUSED_INFERENCE_MAX_CHANNELS)
    )
    if use_kernel:
        x = _to_rank4(inputs, reshape)
        if training and layer.trainable:
            y = _train_normalize(layer, x, stats, data_format)
        else:
            y = _fused_inference(layer, x, stats, data_format)
        channel_axis = 1 if data_format.startswith("NC") else -1
    else:
        y, reshape, channel_axis = (
            _folded_inference(layer, inputs, stats),
            "none",
            (layer._channel_axis),
        )

    y = tf.cast(y, layer.compute_dtype)
    mask = None
    if dropping:
        seed = tf.cast(
            tf.math.floormod(layer.seed_generator.next(), tf.int32.max - 1), tf.int32
        )
        spatial = layer.dropout == "spatial"
        noise_shape = _noise_shape(y, spatial, channel_axis)
        last_dim = y.shape[-1]
        if spatial and channel_axis % len(y.shape) != len(y.shape) - 1:
            last_dim = 1
        mask = _keep_mask(noise_shape, last_dim, threshold, seed)
    y = _activate_and_drop(layer, y, mask, keep)
    return tf.reshape(y, tf.shape(inputs)) if reshape != "none" else y
