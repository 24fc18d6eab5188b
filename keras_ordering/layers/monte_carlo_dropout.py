"""Dropout that stays on at inference, for Monte-Carlo uncertainty estimates."""

from __future__ import annotations

from typing import Any

import keras

from ._noise import (
    apply_noise,
    channel_axis_of,
    check_axis,
    check_dropout_kind,
    check_noise_shape,
    check_noise_shape_broadcasts,
    check_rate,
)


@keras.saving.register_keras_serializable(package="keras_ordering")
class MonteCarloDropout(keras.layers.Layer):
    """Dropout that is on in training and in inference alike.

    Monte-Carlo dropout keeps dropout active when the model predicts, so
    that repeated predictions sample from an approximate posterior: their
    mean is the prediction and their spread an uncertainty estimate (Gal &
    Ghahramani, 2016).

    Writing `keras.layers.Dropout(rate)(x, training=True)` in a Functional
    model does not do this: `fit`, `evaluate` and `predict` pass their own
    `training` flag to every layer of the graph and replace the recorded
    `True`, so `predict` is deterministic (the linter reports it as KO130).
    This layer ignores the `training` flag altogether: `fit`, `evaluate`,
    `predict` and plain calls all drop.

    The noise kinds and argument names are those of `BNActDropout`.

    Args:
        rate: float in `[0, 1)`, the fraction of units to drop. `0` disables
            the noise and creates no seed generator.
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
        seed: optional integer seed of the noise.
        axis: integer, the channel axis whose channels `dropout="spatial"`
            drops; only for `dropout="spatial"`.
        **kwargs: base layer arguments such as `name` and `dtype`.

    Call arguments:
        inputs: a tensor of any rank (at least 2 for `dropout="spatial"`).
        training: accepted for compatibility and ignored: the noise is always
            on.
        mask: optional mask; it is passed on unchanged to the next layer.

    Example:

    >>> import numpy as np
    >>> import keras
    >>> from keras_ordering import MonteCarloDropout
    >>> inputs = keras.Input((4,))
    >>> x = keras.layers.Dense(64, activation="relu", kernel_initializer="ones")(inputs)
    >>> x = MonteCarloDropout(0.5, seed=0)(x)
    >>> outputs = keras.layers.Dense(1, kernel_initializer="ones")(x)
    >>> model = keras.Model(inputs, outputs)
    >>> data = np.ones((3, 4))
    >>> samples = np.stack([model.predict(data, verbose=0) for _ in range(30)])
    >>> samples.shape  # 30 Monte-Carlo samples of 3 predictions
    (30, 3, 1)
    >>> bool(np.all(samples.std(axis=0) > 0))  # predict is stochastic
    True

    Spatial dropout on channels-first feature maps:

    >>> layer = MonteCarloDropout(0.5, dropout="spatial", axis=1, seed=1)
    >>> maps = layer(np.ones((2, 8, 5, 5), "float32"))
    >>> per_channel = keras.ops.convert_to_numpy(maps).reshape(2, 8, 25)
    >>> bool(np.all(per_channel.min(axis=-1) == per_channel.max(axis=-1)))
    True

    References:
        - [Gal and Ghahramani, 2016](https://arxiv.org/abs/1506.02142):
          dropout as a Bayesian approximation; Monte-Carlo dropout.
        - [Srivastava et al., 2014](https://jmlr.org/papers/v15/srivastava14a.html):
          dropout and gaussian dropout.
        - [Tompson et al., 2015](https://arxiv.org/abs/1411.4280): spatial
          dropout of whole feature maps.
    """

    def __init__(
        self,
        rate: float,
        *,
        dropout: str = "standard",
        noise_shape: tuple[int | None, ...] | None = None,
        seed: int | None = None,
        axis: int = -1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rate = check_rate(rate)
        self.dropout = check_dropout_kind(dropout)
        self.noise_shape = check_noise_shape(noise_shape, dropout)
        self.seed = seed
        self.axis = check_axis(axis)
        if self.axis != -1 and dropout != "spatial":
            raise ValueError(
                "Argument `axis` is only used with dropout='spatial'; "
                f"dropout={dropout!r} draws noise per value. Received: axis={axis}"
            )
        self.supports_masking = True
        # Like keras.layers.Dropout: no seed state unless noise is drawn.
        self.seed_generator = (
            keras.random.SeedGenerator(seed) if self.rate > 0 else None
        )
        self._channel_axis = -1

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if self.dropout == "spatial":
            if len(input_shape) < 2:
                raise ValueError(
                    "MonteCarloDropout(dropout='spatial') needs inputs of rank "
                    f">= 2 (batch and channels). Received input_shape="
                    f"{tuple(input_shape)}"
                )
            self._channel_axis = channel_axis_of(self.axis, input_shape)
        if self.noise_shape is not None:
            check_noise_shape_broadcasts(self.noise_shape, input_shape)

    def call(self, inputs, training=None, mask=None):
        del training, mask  # Always on; the mask passes through unchanged.
        if self.rate == 0:
            return inputs
        return apply_noise(
            inputs,
            rate=self.rate,
            dropout=self.dropout,
            noise_shape=self.noise_shape,
            channel_axis=self._channel_axis,
            seed_generator=self.seed_generator,
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "rate": self.rate,
                "dropout": self.dropout,
                "noise_shape": self.noise_shape,
                "seed": self.seed,
                "axis": self.axis,
            }
        )
        return config
