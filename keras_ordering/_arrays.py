"""Array comparisons of the training-flag audit: numpy only, in float32
unless an array is float64, with reusable work arrays (`_Scratch`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class _Scratch:
    """One thread's work arrays, reused from check to check: a fresh large
    array costs a page fault per page on its first write, more than the
    arithmetic that fills it. Each slot holds one array at a time."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, slot: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        dtype = np.dtype(dtype)
        size = math.prod(shape)
        buffer = self.buffers.get(slot)
        if buffer is None or buffer.dtype != dtype or buffer.size < size:
            buffer = self.buffers[slot] = np.empty(size, dtype)
        return buffer[:size].reshape(shape)


def _out(
    scratch: _Scratch | None, slot: str, shape: tuple[int, ...], dtype: Any
) -> np.ndarray | None:
    return None if scratch is None else scratch.get(slot, shape, dtype)


def _tolerance(values: np.ndarray) -> float:
    return 1e-4 if values.dtype == np.float32 or values.dtype == np.float64 else 3e-2


def _work_dtype(*arrays: np.ndarray) -> type[np.floating]:
    """float64 where an array is float64, else float32: the audit compares
    with tolerances of 1e-4 and more, far above float32's rounding."""
    return np.float64 if any(a.dtype == np.float64 for a in arrays) else np.float32


def _allclose(
    actual: np.ndarray,
    expected: np.ndarray,
    atol: float,
    rtol: float,
    scratch: _Scratch | None = None,
) -> bool:
    """`np.allclose(actual, expected, rtol, atol)`, in float32 unless an
    array is float64, with one subtraction and one pass for the common
    verdict (every gap under `atol`); arrays holding NaN or inf go to
    `np.allclose` itself in float64, which has its own rules for them."""
    dtype = _work_dtype(actual, expected)
    a, e = actual.astype(dtype, copy=False), expected.astype(dtype, copy=False)
    if a.size == 0:
        return True
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.subtract(
            a, e, out=_out(scratch, "gap", np.broadcast_shapes(a.shape, e.shape), dtype)
        )
        np.abs(gap, out=gap)
        worst = gap.max()
    if worst <= atol:
        return True
    if not np.isfinite(worst):
        return bool(
            np.allclose(
                actual.astype(np.float64),
                expected.astype(np.float64),
                atol=atol,
                rtol=rtol,
            )
        )
    bound = np.abs(e)
    bound *= rtol
    bound += atol
    return bool(np.all(gap <= bound))


def _scale(values: np.ndarray) -> float:
    """The largest magnitude in `values` (1.0 where NaN / inf or nothing
    numeric leaves no scale), without a temporary array."""
    if not values.size or not np.issubdtype(values.dtype, np.number):
        return 1.0
    with np.errstate(invalid="ignore"):
        scale = float(max(values.max(), -values.min()))
    return scale if math.isfinite(scale) else 1.0


def _squares(values: np.ndarray, axis: int) -> np.ndarray:
    """The sum of squares of `values` per index of `axis`, accumulated in
    float64 without a squared copy of the array."""
    letters = "abcdefghijklmnopqrstuvwxyz"[: values.ndim]
    spec = f"{letters},{letters}->{letters[axis]}"
    return np.einsum(spec, values, values, dtype=np.float64)
