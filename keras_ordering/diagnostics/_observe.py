"""The diagnostics' observation engine: find BNs, run data, accumulate moments.

`measure_variance_shift`, `recalibrate_batchnorm` and `audit_training_flag`
all run a model with its layer calls intercepted (through
`keras_ordering/_intercept.py`, the one interception, shared with tracing);
this module holds what they share. Which layer is a BN or a noise layer is
read from the one layer taxonomy, `graph/kinds.py`, by class name, as the
linter reads it.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np

from .._intercept import call_path, intercepting_layer_calls
from .._progress import ProgressLine
from .._text import keras_said
from ..graph import identity, kinds
from ..graph.from_keras import all_layers, graph_calls, graph_from_model, is_graph_model
from ..graph.graph import Graph


def layer_kind(layer: Any) -> str:
    """The layer's kind in the taxonomy; BNActDropout counts as a BN.

    Identity comes from the class hierarchy (`graph.identity`): a subclass
    of a known layer (a custom BN overriding `call`) is audited as the class
    it extends; a user's class that only shares a known name is unknown.
    """
    if is_batch_norm(layer):
        return kinds.BATCH_NORM
    return kinds.kind_of(identity.known_class_of(layer) or "")


def is_batch_norm(layer: Any) -> bool:
    """BatchNormalization, or BNActDropout (whose first part is a BN)."""
    return kinds.is_batch_norm_class(identity.known_class_of(layer) or "", fused=True)


def is_fused(layer: Any) -> bool:
    """A BNActDropout: BN, activation and dropout in one layer."""
    return identity.known_class_of(layer) == kinds.FUSED_CLASS


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
    if is_fused(layer):
        layer.rate = 0.0
    try:
        yield
    finally:
        layer.trainable = trainable
        if is_fused(layer):
            layer.rate = rate


@contextlib.contextmanager
def _non_trainable_state_kept(model: Any) -> Iterator[None]:
    """Restores moving statistics and seed-generator states on exit."""
    saved = [(v, to_numpy(v)) for v in model.non_trainable_variables]
    try:
        yield
    finally:
        for variable, value in saved:
            variable.assign(value)


class ObserverError(RuntimeError):
    """An observer of the layer calls failed, not the model."""


def check_not_empty(data: Any) -> None:
    if data is None:
        raise TypeError(
            "`data` is None: give the inputs to run through the model (arrays, "
            "a tf.data.Dataset, a keras.utils.PyDataset or a generator)."
        )
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
    progress: PassProgress,
) -> None:
    """Runs `data` through `model` in inference mode, with calls intercepted."""
    check_not_empty(data)
    # Datasets, generators and PyDatasets bring their own batches.
    batch = None if _brings_its_batches(data) else batch_size
    with _eager(model), intercepting_layer_calls(wrapper):
        try:
            model.predict(
                data, batch_size=batch, steps=steps, verbose=0, callbacks=[progress]
            )
        except ObserverError:
            progress.close()
            raise
        except Exception as error:
            progress.close()
            raise ValueError(
                "Running `data` through the model fails, as `predict` would: "
                + keras_said(error)
            ) from error
    progress.end_pass()


def observe_batch_norm_inputs(
    model: Any,
    data: Any,
    *,
    batch_size: int | None,
    steps: int | None,
    progress: PassProgress,
    training_batch_norm: bool = False,
    training_mode: bool = False,
) -> tuple[dict[str, ChannelMoments], dict[str, Any]]:
    """Runs `data` and accumulates each BN's input moments, by graph path.

    With `training_batch_norm`, BNs are called with `training=True` (and a
    BNActDropout's dropout switched off), while everything else, noise
    included, stays in inference mode.

    With `training_mode`, BNs and noise layers run as in a training step
    (batch statistics, noise on), so each BN sees the inputs its moving
    statistics average in `fit`; the model's non-trainable state (moving
    statistics, seed generators) is restored afterwards.

    Returns:
        `(moments, layers)`: per BN path, its `ChannelMoments` and the layer.
    """
    moments: dict[str, ChannelMoments] = {}
    layers: dict[str, Any] = {}

    def observe(layer, call, args, kwargs, enclosing):
        if training_mode and layer_kind(layer) == kinds.NOISE:
            return call(*args, **{**kwargs, "training": True})
        if not is_batch_norm(layer):
            return call(*args, **kwargs)
        path = call_path(layer, enclosing, model)
        try:
            values = to_numpy(args[0] if args else kwargs["inputs"])
        except Exception as error:  # Ours, not the model's: not re-worded.
            raise ObserverError(
                f"could not read the input of BatchNormalization '{path}': {error}"
            ) from error
        moments.setdefault(path, ChannelMoments()).add(
            values, channel_axis(layer, values.ndim)
        )
        layers[path] = layer
        if training_mode:
            return call(*args, **{**kwargs, "training": True})
        if not training_batch_norm:
            return call(*args, **kwargs)
        with batch_statistics_without_dropout(layer):
            return call(*args, **{**kwargs, "training": True})

    with contextlib.ExitStack() as stack:
        if training_mode:
            stack.enter_context(_non_trainable_state_kept(model))
        run_data(
            model, data, observe, batch_size=batch_size, steps=steps, progress=progress
        )
    if not any(m.count for m in moments.values()):
        raise ValueError("`data` is empty: no batch reached the model's BN layers.")
    return moments, layers


class PassProgress(keras.callbacks.Callback):
    """One labelled progress bar over one or more passes through the data.

    `model.predict` runs with `verbose=0` (its own bar is unlabelled and
    restarts at every pass); this callback drives a single `Progbar` over
    all passes, with an ETA once the number of batches is known. The bar is
    a `ProgressLine`: clean in a terminal, a notebook and a log.

    Args:
        label: what runs, printed once above the bar.
        passes: how many times the data is run through the model.
        batches: batches per pass, when known in advance.
        verbose: 0 (silent), 1 (bar), 2 (one line per pass) or "auto" (1).
    """

    def __init__(
        self, label: str, passes: int, batches: int | None, verbose: Any
    ) -> None:
        super().__init__()
        self.verbose = 1 if verbose == "auto" else int(verbose)
        self.passes = passes
        self.done = 0
        self.bar = ProgressLine(
            passes * batches if batches else None, unit="batch", verbose=self.verbose
        )
        if self.verbose:
            print(label, flush=True)

    def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
        self.done += 1
        self.bar.update(self.done)

    def end_pass(self) -> None:
        """After the first pass, the number of batches (and so the ETA) is known."""
        if self.bar.total is None and self.done:
            self.bar.total = self.passes * self.done

    def close(self) -> None:
        """Draws the final state of the bar once, and ends its line."""
        self.bar.finish()


def batches_per_pass(
    data: Any, batch_size: int | None, steps: int | None
) -> int | None:
    """Batches in one pass over `data`, or None when only the pass tells."""
    count = None
    if not _brings_its_batches(data):
        first = data  # Arrays: x, (x, y), [x1, x2] or {"name": x}.
        while isinstance(first, (list, tuple, dict)) and first:
            first = next(iter(first.values())) if isinstance(first, dict) else first[0]
        with contextlib.suppress(TypeError):
            count = math.ceil(len(first) / batch_size) if batch_size else None
    elif isinstance(data, keras.utils.PyDataset):
        count = data.num_batches
    elif hasattr(data, "element_spec"):
        cardinality = int(data.cardinality())
        count = cardinality if cardinality >= 0 else None
    if steps is not None:
        count = steps if count is None else min(steps, count)
    return count


def replayable(data: Any, steps: int | None) -> Callable[[], Any]:
    """A source of `data` for several passes.

    A generator or iterator is read once: its batches (at most `steps`) are
    kept and replayed as a fresh generator for every pass. Arrays,
    datasets and PyDatasets are passed as they are."""
    if not (_brings_its_batches(data) and _is_one_shot(data)):
        return lambda: data
    batches = list(itertools.islice(data, steps) if steps else data)
    return lambda: (batch for batch in batches)


def _is_one_shot(data: Any) -> bool:
    return hasattr(data, "__next__") and not (
        isinstance(data, keras.utils.PyDataset) or hasattr(data, "element_spec")
    )


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


# --- Which code decides the training flag ------------------------------------
# In Keras 3, when `fit`, `evaluate` or `predict` call a Functional or
# Sequential model with a `training` flag, its graph passes that flag to every
# layer call, replacing a hard-coded `training=`, and Keras' own layers follow
# it: only user code can ignore or force it.


def followed_by_construction(model: Any) -> bool:
    """Whether Keras itself guarantees that every layer call of `model`
    follows the `training` that `fit`, `evaluate` and `predict` (and
    preflight) pass to `model`: `model` is a Functional or Sequential model
    whose every layer and graph operation, nested ones too, is one of
    Keras' own classes running no user code (no `Lambda`, no user function
    as an `activation` or as an argument of a graph call such as
    `keras.ops.map(fn, x)`). Keras' graph then passes the model's flag to
    every call, replacing a hard-coded `training=`, and its own layers
    follow it: the audit can find nothing there. User code (a subclassed
    model, layer or operation, a `Lambda`, a user function, another
    package's layer) decides at run time, and is what the audit checks."""
    for layer in all_layers(model):
        if runs_user_code(layer):
            return False
        for operation, args, kwargs in graph_calls(layer):
            if runs_user_code(operation) or any(
                _is_user_callable(value) for value in keras.tree.flatten((args, kwargs))
            ):
                return False
    return True


def runs_user_code(operation: Any) -> bool:
    """A layer or operation that is not one of Keras' own classes, a
    `Lambda`, or one of Keras' layers holding a user function (its
    `activation`, ...). The state of a Functional or Sequential model
    (its compiled loss, metrics, optimizer) is not read: its graph, not
    its attributes, runs, and `followed_by_construction` reads that."""
    kind = type(operation)
    if not identity.is_keras_module(kind.__module__) or kind.__name__ == "Lambda":
        return True
    if is_graph_model(operation):
        return False
    return any(_is_user_callable(value) for value in vars(operation).values())


def _is_user_callable(value: Any) -> bool:
    """A callable that is not Keras' own: a function, or an object (a
    layer, an operation) of another module's class, by the `__module__`
    a function has and an object reads from its class. Classes are not
    calls."""
    if isinstance(value, type) or not callable(value):
        return False
    module = getattr(value, "__module__", None) or type(value).__module__
    return not identity.is_keras_module(module)
