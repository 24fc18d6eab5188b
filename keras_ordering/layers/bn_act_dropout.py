"""BatchNormalization, activation and dropout in one layer, in that order."""

from __future__ import annotations

import os
from typing import Any

import keras
from keras import activations, constraints, initializers, ops, regularizers

from ._noise import (
    apply_noise,
    channel_axis_of,
    check_axis,
    check_dropout_kind,
    check_noise_shape,
    check_noise_shape_broadcasts,
    check_number,
    check_rate,
)

# Set to 1 to force the portable Keras-ops path everywhere (e.g. for parity).
PORTABLE_ENV = "KERAS_ORDERING_PORTABLE"
# Backends with a fast path (layers/_tf_fast.py, layers/_torch_fast.py).
_FAST_BACKENDS = ("tensorflow", "torch")


@keras.saving.register_keras_serializable(package="keras_ordering")
class BNActDropout(keras.layers.Layer):
    """Batch normalization, then an activation, then dropout, in one layer.

    The layer computes exactly what the three Keras layers
    `BatchNormalization -> Activation -> Dropout` compute, in the order
    recommended by Ioffe & Szegedy (2015) and Srivastava et al. (2014). Its
    weights are named and ordered like those of `keras.layers.BatchNormalization`
    (`gamma`, `beta`, `moving_mean`, `moving_variance`), so
    `layer.set_weights(batch_norm.get_weights())` copies them one to one.

    Batch statistics are computed in float32 even for float16 or bfloat16
    inputs; the output has the layer's compute dtype. The moving variance is
    the biased batch variance, updated as
    `moving = moving * momentum + batch * (1 - momentum)`.

    The two halves of the layer follow different switches, as the separate
    layers do. Batch normalization uses batch statistics only when
    `training=True` **and** the layer is trainable; a frozen layer
    (`trainable=False`) always normalizes with its moving statistics and never
    updates them. Dropout follows `training` alone: freezing the layer does not
    switch dropout off.

    Args:
        activation: anything `keras.activations.get` accepts: a name such as
            `"relu"` or `"gelu"`, a function, or `None` for the identity.
        rate: float in `[0, 1)`, the fraction of units to drop. `0` disables
            dropout and creates no seed generator.
        dropout: the kind of noise. `"standard"` is inverted dropout like
            `keras.layers.Dropout`. `"spatial"` drops whole channels like
            `SpatialDropout1D/2D/3D`; the channel axis is `axis`, so it works
            for channels-last and channels-first data. `"gaussian"` multiplies
            by noise drawn from `N(1, rate / (1 - rate))`, like
            `keras.layers.GaussianDropout`.
        noise_shape: optional tuple of the dropout mask's shape, as in
            `keras.layers.Dropout`; only for `dropout="standard"`. Its length
            is the input rank; each entry is `None` (the input's size), `1`
            (shared along that axis) or the input's size.
        seed: optional integer seed of the dropout noise.
        axis: integer, the channel axis that is normalized.
        momentum: float in `[0, 1]`, momentum of the moving statistics.
        epsilon: float `> 0` added to the variance.
        center: if `True`, add the learned offset `beta`.
        scale: if `True`, multiply by the learned scale `gamma`.
        beta_initializer: initializer of `beta`.
        gamma_initializer: initializer of `gamma`.
        moving_mean_initializer: initializer of the moving mean.
        moving_variance_initializer: initializer of the moving variance.
        beta_regularizer: optional regularizer of `beta`.
        gamma_regularizer: optional regularizer of `gamma`.
        beta_constraint: optional constraint of `beta`.
        gamma_constraint: optional constraint of `gamma`.
        synchronized: if `True`, batch statistics are reduced across replicas
            under a `tf.distribute` strategy. TensorFlow backend only.
        fused: `None` (default) uses the backend's fast path (TensorFlow or
            PyTorch: fused batch norm, 8-bit dropout masks) whenever it
            applies and the portable Keras-ops path otherwise; `False` always
            uses the portable path; `True` requires the fast path. The
            environment variable `KERAS_ORDERING_PORTABLE=1` forces the
            portable path everywhere. On the fast paths the keep probability
            is quantised to 1/256 (survivors are scaled by the actual keep
            probability, so the expected output is exact) and the masks
            differ from the portable path's; docs/layers.md says what differs.
        **kwargs: base layer arguments such as `name` and `dtype`.

    Call arguments:
        inputs: a tensor of any rank of at least 2.
        training: Python boolean or `None`. `None` takes the value Keras
            propagates: `True` inside `fit`, `False` in `evaluate`, `predict`
            and a plain call. An explicit value overrides it.
        mask: optional boolean tensor with one dimension less than `inputs`;
            masked positions are left out of the batch statistics.

    Example:

    >>> import numpy as np
    >>> import keras
    >>> from keras_ordering import BNActDropout
    >>> inputs = keras.Input((8, 8, 3))
    >>> x = keras.layers.Conv2D(16, 3, use_bias=False)(inputs)
    >>> x = BNActDropout("relu", rate=0.1, seed=0)(x)
    >>> model = keras.Model(inputs, x)
    >>> images = np.random.default_rng(0).normal(size=(2, 8, 8, 3))
    >>> tuple(model.predict(images, verbose=0).shape)
    (2, 6, 6, 16)

    Weights copy one to one from a `BatchNormalization` layer:

    >>> batch_norm = keras.layers.BatchNormalization()
    >>> batch_norm.build((None, 4))
    >>> fused = BNActDropout("gelu")
    >>> fused.build((None, 4))
    >>> fused.set_weights(batch_norm.get_weights())
    >>> [weight.name for weight in fused.weights]
    ['gamma', 'beta', 'moving_mean', 'moving_variance']

    References:
        - [Ioffe and Szegedy, 2015](https://arxiv.org/abs/1502.03167):
          batch normalization, placed before the nonlinearity.
        - [Srivastava et al., 2014](https://jmlr.org/papers/v15/srivastava14a.html):
          dropout.
        - [Li et al., 2018](https://arxiv.org/abs/1801.05134): dropout before
          batch normalization shifts the variance between training and
          inference; dropout after the last batch normalization does not.
    """

    def __init__(
        self,
        activation: Any = "relu",
        rate: float = 0.0,
        *,
        dropout: str = "standard",
        noise_shape: tuple[int | None, ...] | None = None,
        seed: int | None = None,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        fused: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.activation = _get_activation(activation)
        self.rate = check_rate(rate)
        self.dropout = check_dropout_kind(dropout)
        self.noise_shape = check_noise_shape(noise_shape, dropout)
        self.seed = seed
        self.axis = check_axis(axis)
        self.momentum = check_number("momentum", momentum, low=0.0, high=1.0)
        self.epsilon = check_number("epsilon", epsilon, low=0.0, low_open=True)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        if synchronized and keras.backend.backend() != "tensorflow":
            raise ValueError(
                "Argument `synchronized=True` is only supported with the "
                f"TensorFlow backend. Current backend: {keras.backend.backend()!r}"
            )
        self.synchronized = bool(synchronized)
        if fused not in (None, True, False):
            raise ValueError(
                f"Argument `fused` must be None, True or False. Received: {fused!r}"
            )
        backend = keras.backend.backend()
        if fused and (
            backend not in _FAST_BACKENDS
            or (
                backend == "tensorflow"
                and (
                    self.synchronized
                    or dropout == "gaussian"
                    or self.noise_shape is not None
                )
            )
        ):
            raise ValueError(
                "Argument `fused=True` needs the TensorFlow or PyTorch backend; "
                "on TensorFlow it is not available with synchronized=True, "
                "dropout='gaussian' or a noise_shape. Use fused=None to choose "
                "automatically."
            )
        self.fused = fused

        self.supports_masking = True
        # Like keras.layers.Dropout: no seed state unless noise is drawn.
        self.seed_generator = (
            keras.random.SeedGenerator(seed) if self.rate > 0 else None
        )
        # Created in build().
        self.gamma: Any = None
        self.beta: Any = None
        self.moving_mean: Any = None
        self.moving_variance: Any = None
        # Set by build() from `axis` and the input rank.
        self._channel_axis: int = -1
        self._reduction_axes: list[int] = []

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        rank = len(input_shape)
        if rank < 2:
            raise ValueError(
                "BNActDropout needs inputs of rank >= 2 (batch and channels). "
                f"Received input_shape={tuple(input_shape)}"
            )
        channel_axis = channel_axis_of(self.axis, input_shape)
        channels = input_shape[channel_axis]
        if channels is None:
            raise ValueError(
                f"The channel axis {self.axis} of the input must have a known "
                f"size. Received input_shape={tuple(input_shape)}"
            )
        if self.noise_shape is not None:
            check_noise_shape_broadcasts(self.noise_shape, input_shape)
        self._channel_axis = channel_axis
        self._reduction_axes = [i for i in range(rank) if i != channel_axis]

        shape = (channels,)
        if self.scale:
            self.gamma = self.add_weight(
                shape=shape,
                name="gamma",
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
                autocast=False,
            )
        if self.center:
            self.beta = self.add_weight(
                shape=shape,
                name="beta",
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
                autocast=False,
            )
        self.moving_mean = self.add_weight(
            shape=shape,
            name="moving_mean",
            initializer=self.moving_mean_initializer,
            trainable=False,
            autocast=False,
        )
        self.moving_variance = self.add_weight(
            shape=shape,
            name="moving_variance",
            initializer=self.moving_variance_initializer,
            trainable=False,
            autocast=False,
        )
        self.input_spec = keras.layers.InputSpec(
            ndim=rank, axes={channel_axis: channels}
        )

    def call(self, inputs, training=None, mask=None):
        if mask is not None and len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(
                "The mask must have one dimension less than the inputs. "
                f"Received: mask.shape={mask.shape}, inputs.shape={inputs.shape}"
            )
        backend = keras.backend.backend()
        if self._fast_path_allowed(backend):
            output = self._fast_call(backend, inputs, training, mask)
            if output is not None:
                return output
        return self._portable_call(inputs, training, mask)

    def _fast_path_allowed(self, backend: str) -> bool:
        return (
            self.fused is not False
            and backend in _FAST_BACKENDS
            and os.environ.get(PORTABLE_ENV, "") in ("", "0")
        )

    def _fast_call(self, backend, inputs, training, mask):
        """The backend's fast path, or None where it does not apply."""
        arguments = {
            "batch_statistics": bool(training) and self.trainable,
            "dropout_rate": self.rate if training else 0.0,
            "channel_axis": self._channel_axis,
            "activation": self.activation,
            "gamma": self.gamma,
            "beta": self.beta,
            "moving_mean": self.moving_mean,
            "moving_variance": self.moving_variance,
            "epsilon": self.epsilon,
            "momentum": self.momentum,
            "seed_generator": self.seed_generator,
            "compute_dtype": self.compute_dtype,
        }
        if backend == "torch":
            from . import _torch_fast

            if _torch_fast.applies(inputs, mask, channel_axis=self._channel_axis):
                return _torch_fast.call(
                    inputs,
                    dropout=self.dropout,
                    noise_shape=self.noise_shape,
                    seeded=self.seed is not None,
                    **arguments,
                )
            reason = _torch_fast.unavailable_reason()
        else:
            from . import _tf_fast

            if _tf_fast.applies(
                inputs,
                mask,
                channel_axis=self._channel_axis,
                synchronized=self.synchronized,
                dropout=self.dropout,
                noise_shape=self.noise_shape,
            ):
                return _tf_fast.call(
                    inputs, spatial=self.dropout == "spatial", **arguments
                )
            reason = _tf_fast.unavailable_reason()
        if self.fused:
            reason = reason or (
                "a mask, an unsupported rank, channel axis or dtype, or XLA compilation"
            )
            raise ValueError(
                "BNActDropout(fused=True) cannot run this call on the fused "
                f"path ({reason}); use fused=None."
            )
        return None

    def _portable_call(self, inputs, training, mask):
        """BN, activation and dropout in Keras ops: any backend, any call."""
        # Statistics in float32 at least, as keras.layers.BatchNormalization.
        stats_dtype = keras.backend.result_type(inputs.dtype, "float32")
        x = ops.cast(inputs, stats_dtype)
        moving_mean = ops.cast(self.moving_mean, stats_dtype)
        moving_variance = ops.cast(self.moving_variance, stats_dtype)
        gamma = ops.cast(self.gamma, stats_dtype) if self.scale else None
        beta = ops.cast(self.beta, stats_dtype) if self.center else None

        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            self.moving_mean.assign(
                moving_mean * self.momentum + mean * (1.0 - self.momentum)
            )
            self.moving_variance.assign(
                moving_variance * self.momentum + variance * (1.0 - self.momentum)
            )
        else:
            mean, variance = moving_mean, moving_variance

        x = ops.batch_normalization(
            x,
            mean=mean,
            variance=variance,
            axis=self._channel_axis,
            offset=beta,
            scale=gamma,
            epsilon=self.epsilon,
        )
        x = ops.cast(self.activation(x), self.compute_dtype)
        if training and self.rate > 0:
            noise = apply_noise
            backend = keras.backend.backend()
            if backend == "tensorflow" and self._fast_path_allowed(backend):
                from . import _tf_fast

                if _tf_fast.unavailable_reason() is None and _tf_fast.in_xla_context():
                    # XLA's default random numbers are slow on CPU.
                    noise = _tf_fast.xla_noise
            x = noise(
                x,
                rate=self.rate,
                dropout=self.dropout,
                noise_shape=self.noise_shape,
                channel_axis=self._channel_axis,
                seed_generator=self.seed_generator,
            )
        return x

    def _moments(self, x, mask):
        """Biased per-channel mean and variance, leaving masked steps out."""
        if mask is None:
            return ops.moments(
                x, axes=self._reduction_axes, synchronized=self.synchronized
            )
        # A select, not a product: 0 * inf is NaN, and padded steps may hold
        # anything (as in keras.layers.BatchNormalization).
        valid = ops.broadcast_to(
            ops.expand_dims(ops.cast(mask, "bool"), axis=-1), ops.shape(x)
        )
        axes = self._reduction_axes
        count = ops.sum(ops.cast(valid, x.dtype), axis=axes, keepdims=True)
        count = ops.maximum(count, keras.config.epsilon())
        mean = ops.sum(ops.where(valid, x, 0.0), axis=axes, keepdims=True) / count
        deviation = ops.where(valid, x - mean, 0.0)
        variance = ops.sum(ops.square(deviation), axis=axes, keepdims=True) / count
        channels = (x.shape[self._channel_axis],)
        return ops.reshape(mean, channels), ops.reshape(variance, channels)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "activation": activations.serialize(self.activation),
                "rate": self.rate,
                "dropout": self.dropout,
                "noise_shape": self.noise_shape,
                "seed": self.seed,
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(
                    self.moving_mean_initializer
                ),
                "moving_variance_initializer": initializers.serialize(
                    self.moving_variance_initializer
                ),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
                "synchronized": self.synchronized,
                "fused": self.fused,
            }
        )
        return config


def _get_activation(identifier: Any):
    try:
        return activations.get(identifier)
    except (ValueError, TypeError) as error:
        raise ValueError(
            "Argument `activation` must be a name, function or config that "
            "`keras.activations.get` accepts, or None. "
            f"Received: activation={identifier!r} ({error})"
        ) from None
