"""Argument checks and dropout noise shared by the package's layers.

`BNActDropout` and `MonteCarloDropout` take the same noise arguments
(`rate`, `dropout`, `noise_shape`, `seed`, `axis`); they are checked, and
the noise is drawn, here only.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import keras
from keras import ops

DROPOUT_KINDS = ("standard", "spatial", "gaussian")
# Random byte values of the fast paths' 8-bit masks: their keep probability is
# a multiple of 1/256.
LEVELS = 256


def quantized_keep(rate: float) -> tuple[int, float]:
    """`(threshold, keep)`: a value is kept when its random byte < threshold."""
    threshold = min(LEVELS, max(1, round((1.0 - rate) * LEVELS)))
    return threshold, threshold / LEVELS


class FastPathAvailability:
    """Whether a backend's fast path can run here; warns once when it cannot.

    Args:
        reason: returns why the fast path cannot run, or None when it can.
        slower: how the portable path compares, for the warning.
    """

    def __init__(self, reason: Callable[[], str | None], slower: str) -> None:
        self.reason = reason
        self.slower = slower
        self.warned = False

    def check(self, stacklevel: int) -> bool:
        """True when the fast path can run; the first False warns."""
        reason = self.reason()
        if reason is not None and not self.warned:
            self.warned = True
            warnings.warn(
                f"{reason}. BNActDropout uses its portable Keras-ops path "
                f"instead ({self.slower}).",
                RuntimeWarning,
                stacklevel=stacklevel + 1,
            )
        return reason is None


def is_one_of(function: Callable, functions: Sequence[Callable]) -> bool:
    """`function` is one of `functions`, by identity (never by name)."""
    return any(function is known for known in functions)


def homogeneous_activations() -> tuple[Any, ...]:
    """Keras' own functions f with f(k*x) = k*f(x) for k >= 0, and the identity.

    The fast paths fold the dropout scale 1 / keep into gamma and beta for
    these. The facts table says which activations are positively homogeneous;
    functions are compared by identity, never by name.
    """
    from ..graph.activations import names_with

    return (
        *(
            function
            for name in sorted(names_with(positively_homogeneous=True))
            if (function := getattr(keras.activations, name, None)) is not None
        ),
        keras.activations.linear,
    )


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Returns ``value`` as a float, or raises a ValueError naming the range."""
    allowed = "{}{}, {}{}".format(
        "(" if low_open else "[",
        "-inf" if low is None else low,
        "inf" if high is None else high,
        ")" if high_open or high is None else "]",
    )
    valid = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if valid:
        value = float(value)
        valid = math.isfinite(value)
        if low is not None:
            valid = valid and (value > low if low_open else value >= low)
        if high is not None:
            valid = valid and (value < high if high_open else value <= high)
    if not valid:
        raise ValueError(
            f"Argument `{name}` must be a float in {allowed}. "
            f"Received: {name}={value!r}"
        )
    return value


def check_rate(rate: Any) -> float:
    """The dropout rate, a float in [0, 1)."""
    return check_number("rate", rate, low=0.0, high=1.0, high_open=True)


def check_dropout_kind(dropout: Any) -> str:
    if dropout not in DROPOUT_KINDS:
        raise ValueError(
            f"Argument `dropout` must be one of {DROPOUT_KINDS}. "
            f"Received: dropout={dropout!r}"
        )
    return dropout


def check_axis(axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ValueError(f"Argument `axis` must be an integer. Received: axis={axis!r}")
    return int(axis)


def channel_axis_of(axis: int, input_shape: tuple[int | None, ...]) -> int:
    """The non-negative channel axis, or a ValueError for the batch axis."""
    rank = len(input_shape)
    if not -rank <= axis < rank:
        raise ValueError(
            f"Argument `axis` is out of range for inputs of rank {rank}: "
            f"allowed values are {-rank} to {rank - 1}, excluding the batch "
            f"axis. Received: axis={axis}"
        )
    channel_axis = axis % rank
    if channel_axis == 0:
        raise ValueError(
            f"Argument `axis` must not be the batch axis 0. Received: axis={axis}"
        )
    return channel_axis


def check_noise_shape(noise_shape: Any, dropout: str) -> tuple[int | None, ...] | None:
    if noise_shape is None:
        return None
    if dropout != "standard":
        raise ValueError(
            "Argument `noise_shape` is only supported with dropout='standard'; "
            f"dropout={dropout!r} chooses its own noise shape. "
            f"Received: noise_shape={noise_shape!r}"
        )
    try:
        dims = tuple(noise_shape)
    except TypeError:
        dims = None
    if (
        isinstance(noise_shape, str)
        or dims is None
        or not all(dim is None or _is_positive_int(dim) for dim in dims)
    ):
        raise ValueError(
            "Argument `noise_shape` must be a tuple of positive integers or "
            f"None entries. Received: noise_shape={noise_shape!r}"
        )
    return tuple(None if dim is None else int(dim) for dim in dims)


def _is_positive_int(value: Any) -> bool:
    return (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool)
        and int(value) > 0
    )


def check_noise_shape_broadcasts(
    noise_shape: tuple[int | None, ...], input_shape: tuple[int | None, ...]
) -> None:
    broadcasts = len(noise_shape) == len(input_shape) and all(
        noise in (None, 1) or size is None or noise == size
        for noise, size in zip(noise_shape, input_shape, strict=False)
    )
    if not broadcasts:
        raise ValueError(
            "Argument `noise_shape` cannot broadcast to the input: it needs "
            f"{len(input_shape)} entries, each None, 1 or the input's size. "
            f"Received: noise_shape={noise_shape}, "
            f"input_shape={tuple(input_shape)}"
        )


def apply_noise(
    x: Any,
    *,
    rate: float,
    dropout: str,
    noise_shape: tuple[int | None, ...] | None,
    channel_axis: int,
    seed_generator: keras.random.SeedGenerator,
) -> Any:
    """Inverted dropout of the given kind; the expected output is ``x``.

    "standard" drops single values (shared along the axes where
    ``noise_shape`` is 1), "spatial" drops whole channels of each sample,
    "gaussian" multiplies by noise drawn from N(1, rate / (1 - rate)).
    """
    if dropout == "gaussian":
        stddev = math.sqrt(rate / (1.0 - rate))
        return x * keras.random.normal(
            ops.shape(x), mean=1.0, stddev=stddev, dtype=x.dtype, seed=seed_generator
        )
    if dropout == "spatial":
        shape = ops.shape(x)
        noise_shape = tuple(
            shape[i] if i in (0, channel_axis) else 1 for i in range(len(shape))
        )
    return keras.random.dropout(x, rate, noise_shape=noise_shape, seed=seed_generator)
