"""Shared machinery of the diagnostics: find BNs, run data, accumulate moments."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np

from ..graph import kinds
from ..graph.from_keras import graph_from_model, intercepting_layer_calls
from ..graph.graph import Graph
from ..layers.bn_act_dropout import BNActDropout


def is_batch_norm(layer: Any) -> bool:
    """Keras BatchNormalization, or BNActDropout (whose first part is a BN)."""
    return isinstance(layer, (keras.layers.BatchNormalization, BNActDropout))


def upstream_noise(graph: Graph) -> dict[str, list[str]]:
    """Each BN's path -> the noise layers that reach it without another BN.

    Paths may cross weight layers (Li et al.'s shift survives them) but stop
    at other BNs and at opaque layers.
    """
    found: dict[str, list[str]] = {}
    for index in graph.of_kind([kinds.BATCH_NORM]):
        seen = {index}
        frontier = list(graph.predecessors[index])
        noise: list[str] = []
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            seen.add(current)
            node = graph.nodes[current]
            if node.kind in (kinds.BATCH_NORM, kinds.UNKNOWN, kinds.INPUT):
                continue
            if node.kind == kinds.NOISE and node.path not in noise:
                noise.append(node.path)
            frontier.extend(graph.predecessors[current])
        found[graph.nodes[index].path] = sorted(noise)
    return found


def batch_norm_paths(model: Any) -> dict[str, list[str]]:
    """The model's BN layers (by graph path) and their upstream noise layers."""
    return upstream_noise(graph_from_model(model))


class ChannelMoments:
    """Per-channel statistics of a BN's inputs, accumulated batch by batch.

    Keeps, in float64, the population sums over all batches (for the
    inference variance) and the count-weighted sums of each batch's own mean
    and biased variance (what BN's moving statistics average).
    """

    def __init__(self) -> None:
        self.count = 0
        self.batches = 0
        # float64 arrays of one value per channel, from the first batch on.
        self.total: Any = None
        self.total_squares: Any = None
        self.batch_means: Any = None
        self.batch_variances: Any = None

    def add(self, values: np.ndarray, axis: int) -> None:
        values = np.moveaxis(np.asarray(values, np.float64), axis, -1)
        values = values.reshape(-1, values.shape[-1])
        n = values.shape[0]
        if n == 0:
            return
        mean = values.mean(axis=0)
        variance = values.var(axis=0)
        if self.total is None:
            zeros = np.zeros_like(mean)
            self.total, self.total_squares = zeros.copy(), zeros.copy()
            self.batch_means, self.batch_variances = zeros.copy(), zeros.copy()
        self.count += n
        self.batches += 1
        self.total += values.sum(axis=0)
        self.total_squares += np.square(values).sum(axis=0)
        self.batch_means += n * mean
        self.batch_variances += n * variance

    def population_variance(self) -> np.ndarray:
        mean = self.total / self.count
        return np.maximum(self.total_squares / self.count - np.square(mean), 0.0)

    def average_batch_statistics(self) -> tuple[np.ndarray, np.ndarray]:
        return self.batch_means / self.count, self.batch_variances / self.count


@contextlib.contextmanager
def batch_statistics_without_dropout(layer: Any) -> Iterator[None]:
    """For one call: a frozen BN normalizes with batch statistics too, and a
    BNActDropout drops nothing."""
    trainable = layer.trainable
    rate: Any = getattr(layer, "rate", None)
    layer.trainable = True
    if isinstance(layer, BNActDropout):
        layer.rate = 0.0
    try:
        yield
    finally:
        layer.trainable = trainable
        if isinstance(layer, BNActDropout):
            layer.rate = rate


def check_not_empty(data: Any) -> None:
    try:
        size = len(data)
    except TypeError:
        return  # Generators and datasets: checked after the pass.
    if size == 0:
        raise ValueError("`data` is empty: nothing to run through the model.")


@contextlib.contextmanager
def _eager(model: Any) -> Iterator[None]:
    """Runs `model.predict` eagerly, so layer inputs can be read as arrays."""
    run_eagerly, predict_function = model.run_eagerly, model.predict_function
    model.run_eagerly, model.predict_function = True, None
    try:
        yield
    finally:
        model.run_eagerly, model.predict_function = run_eagerly, predict_function


def run_data(
    model: Any,
    data: Any,
    wrapper: Callable,
    *,
    batch_size: int | None,
    steps: int | None,
    verbose: Any,
) -> None:
    """Runs `data` through `model` in inference mode, with calls intercepted."""
    check_not_empty(data)
    # Datasets, generators and PyDatasets bring their own batches.
    batch = None if _brings_its_batches(data) else batch_size
    with _eager(model), intercepting_layer_calls(wrapper):
        model.predict(data, batch_size=batch, steps=steps, verbose=verbose)


def _brings_its_batches(data: Any) -> bool:
    return (
        isinstance(data, keras.utils.PyDataset)
        or hasattr(data, "element_spec")  # tf.data.Dataset
        or hasattr(data, "__next__")  # generators and iterators
    )


def to_numpy(tensor: Any) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(tensor))


def channel_axis(layer: Any, rank: int) -> int:
    return layer.axis % rank
