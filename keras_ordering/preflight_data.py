"""The batches `preflight` reads: from arrays, a `tf.data.Dataset`, a
`keras.utils.PyDataset`, a generator or any iterable of batches.

At most `MAX_BATCHES` batches are read (and at most `MAX_SAMPLES` samples of
arrays), each turned into numpy `(x, y, sample_weight)`. The size of an
epoch's last batch is read where it is known without iterating the data:
arrays (their length), a `PyDataset` (its last item), a `tf.data.Dataset`
batched without `drop_remainder` from a source of known cardinality, a
PyTorch `DataLoader` over a sized dataset.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sized
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

# Labels and input ranges are judged on up to this many batches; the model
# runs on the first one only.
MAX_BATCHES = 4
MAX_SAMPLES = 1024
# `fit`'s default batch size, used for arrays when `batch_size` is not given.
DEFAULT_BATCH_SIZE = 32


@dataclass(frozen=True)
class Batches:
    """The data read: the first batch (what the model runs on) and the
    samples of every batch read, stacked (what statistics read)."""

    first: tuple[Any, Any, Any]
    stacked: tuple[Any, Any, Any]
    batch_size: int
    count: int
    # The samples in an epoch's last batch when it is smaller than the
    # others (None when every batch is full or it cannot be known), and the
    # samples of an epoch where they are known.
    last_batch: int | None = None
    total: int | None = None


# Tensors preflight does not densify: it reads dense data only.
_SPARSE_OR_RAGGED = frozenset({"SparseTensor", "SparseTensorValue", "RaggedTensor"})


def _numpy(value: Any) -> Any:
    """numpy arrays, in the same nesting (dict, list, tuple) as `value`."""
    if value is None:
        return None
    kind = type(value).__name__
    if kind in _SPARSE_OR_RAGGED or hasattr(value, "tocsr"):
        raise ValueError(
            f"preflight reads dense data only, and the data holds a {kind}: "
            "give it dense arrays (`.to_tensor()`, `tf.sparse.to_dense`, "
            "`.toarray()`), or use lint_model(model), which needs no data."
        )
    if isinstance(value, Mapping):
        return {key: _numpy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and not _is_scalar_list(value):
        return type(value)(_numpy(item) for item in value)
    if hasattr(value, "detach") and hasattr(value, "requires_grad"):
        value = value.detach()  # A PyTorch tensor that requires grad.
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        try:
            return np.asarray(value.numpy())
        except (TypeError, ValueError, RuntimeError):
            pass
    try:
        return np.asarray(value)
    except (TypeError, ValueError):
        import keras

        return np.asarray(keras.ops.convert_to_numpy(value))


def _is_scalar_list(value: Any) -> bool:
    return bool(value) and all(isinstance(item, (int, float, bool)) for item in value)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [] if value is None else [value]


def samples(value: Any) -> int:
    leaves = _leaves(value)
    return int(leaves[0].shape[0]) if leaves and np.ndim(leaves[0]) else 0


def _map(value: Any, function: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {key: _map(item, function) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_map(item, function) for item in value)
    return function(value)


def _concatenate(parts: list[Any]) -> Any:
    first = parts[0]
    if first is None:
        return None
    if isinstance(first, Mapping):
        return {key: _concatenate([part[key] for part in parts]) for key in first}
    if isinstance(first, (list, tuple)):
        return type(first)(
            _concatenate([part[i] for part in parts]) for i in range(len(first))
        )
    return np.concatenate(parts, axis=0)


def _unpack(element: Any) -> tuple[Any, Any, Any]:
    """A dataset element as `(x, y, sample_weight)`, as `fit` unpacks it."""
    if isinstance(element, tuple) and len(element) > 3:
        raise ValueError(
            f"The data yields tuples of {len(element)} items: yield (x, y) or "
            "(x, y, sample_weight), as fit takes them."
        )
    if isinstance(element, tuple) and 1 <= len(element) <= 3:
        padded = (*element, None, None)
        return padded[0], padded[1], padded[2]
    return element, None, None


def _is_array_like(x: Any) -> bool:
    leaves = _leaves(x)
    return (
        bool(leaves)
        and all(
            hasattr(leaf, "shape") or isinstance(leaf, (list, float, int))
            for leaf in leaves
        )
        and not _brings_batches(x)
    )


def _brings_batches(data: Any) -> bool:
    import keras

    return (
        isinstance(data, keras.utils.PyDataset)
        or hasattr(data, "element_spec")  # tf.data.Dataset
        or hasattr(data, "__next__")  # generators and iterators
        or (hasattr(data, "__iter__") and hasattr(data, "batch_size"))  # DataLoader
    )


def read_batches(
    x: Any, y: Any = None, sample_weight: Any = None, batch_size: int | None = None
) -> Batches:
    """The batches `preflight` judges, as numpy.

    Arrays (and dicts / lists of arrays) are cut into batches of
    `batch_size` (default 32, as `fit`); a dataset, a `PyDataset`, a
    generator or another iterable yields its own batches (then `y` and
    `sample_weight` must be None). A generator is advanced by the batches
    read: pass a fresh one to `fit`.
    """
    check_batch_size(batch_size)
    if _brings_batches(x):
        if y is not None or sample_weight is not None:
            raise ValueError(
                "`y` and `sample_weight` must be None when `x` is a dataset, a "
                "PyDataset or a generator: it yields them itself."
            )
        last, total = _last_batch(x)
        batches = _from_batches(_batches_of(x), batch_size)
        if last is not None and last >= samples(batches.first[0]):
            last = None  # A full last batch (or a PyDataset of equal ones).
        return replace(batches, last_batch=last, total=total)
    if not _is_array_like(x):
        raise TypeError(
            "`x` must be an array (or a dict / list of arrays), a tf.data.Dataset, "
            f"a keras.utils.PyDataset or a generator. Received: {type(x).__name__}"
        )
    if (
        isinstance(x, (list, tuple))
        and x
        and all(isinstance(row, (list, tuple)) and _is_scalar_list(row) for row in x)
    ):
        raise TypeError(
            f"`x` is a Python list of {len(x)} lists of numbers, which fit does "
            "not take either: pass np.asarray(x)."
        )
    x, y, sample_weight = _numpy(x), _numpy(y), _numpy(sample_weight)
    total = samples(x)
    if total == 0:
        raise ValueError("`x` holds no sample")
    _check_cardinality(x=x, y=y, sample_weight=sample_weight)
    size = min(batch_size or DEFAULT_BATCH_SIZE, total)
    kept = min(total, max(size, min(MAX_SAMPLES, size * MAX_BATCHES)))

    def head(n: int) -> Any:
        return lambda array: array[:n]

    first = tuple(_map(part, head(size)) for part in (x, y, sample_weight))
    stacked = tuple(_map(part, head(kept)) for part in (x, y, sample_weight))
    last = total % size or None
    return Batches(first, stacked, size, -(-kept // size), last, total)


def _check_cardinality(**parts: Any) -> None:
    """Raises, as `fit` does, when the arrays do not all hold the same
    number of samples."""
    sizes = {
        name: sorted(
            {int(np.shape(leaf)[0]) for leaf in _leaves(part) if np.ndim(leaf)}
        )
        for name, part in parts.items()
    }
    if len({size for found in sizes.values() for size in found}) > 1:
        said = ", ".join(
            f"`{name}` {' and '.join(map(str, found))}"
            for name, found in sizes.items()
            if found
        )
        raise ValueError(
            f"The arrays hold different numbers of samples ({said}): give every "
            "array the same number, as `fit` requires."
        )


def check_batch_size(batch_size: Any) -> None:
    """Raises unless `batch_size` is None or a positive integer."""
    if batch_size is None:
        return
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(
            "`batch_size` must be a positive integer or None. Received: "
            f"{batch_size!r} of type {type(batch_size).__name__}"
        )
    if batch_size < 1:
        raise ValueError(
            f"`batch_size` must be a positive integer or None. Received: {batch_size}"
        )


def _batches_of(data: Any) -> Any:
    import keras

    if isinstance(data, keras.utils.PyDataset):
        count = data.num_batches
        count = MAX_BATCHES if count is None else min(MAX_BATCHES, count)
        return (data[index] for index in range(count))
    if hasattr(data, "element_spec"):
        return iter(data.take(MAX_BATCHES))
    if hasattr(data, "__next__"):
        return data
    return iter(data)


def _from_batches(batches: Any, batch_size: int | None) -> Batches:
    read = [
        tuple(_numpy(part) for part in _unpack(element))
        for element in itertools.islice(batches, MAX_BATCHES)
    ]
    if not read:
        raise ValueError("The data yielded no batch")
    first = read[0]
    for number, batch in enumerate(read, start=1):
        for part, value in zip(("x", "y", "sample_weight"), batch, strict=True):
            if any(np.ndim(leaf) == 0 for leaf in _leaves(value)):
                raise ValueError(
                    f"Batch {number} of the data holds a single value as its "
                    f"{part}: the data yields single samples, not batches. "
                    "Batch it (`dataset.batch(32)`), as fit needs."
                )
    try:
        stacked = tuple(_concatenate([batch[i] for batch in read]) for i in range(3))
    except ValueError as error:
        shapes = [
            [tuple(np.shape(leaf)) for leaf in _leaves(batch[0])] for batch in read
        ]
        raise ValueError(
            "The batches read do not stack into one sample (their shapes differ "
            f"beyond the batch axis; x of each: {shapes}): give batches of one "
            "shape."
        ) from error
    size = batch_size or samples(first[0])
    return Batches(first, stacked, size, len(read))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _last_batch(data: Any) -> tuple[int | None, int | None]:
    """`(samples in the last batch, samples of an epoch)` of a batch source,
    each None where it is not known without iterating the data
    (generators, filtered or repeated datasets)."""
    import keras

    if isinstance(data, keras.utils.PyDataset):
        count = data.num_batches
        if not count or count < 2:
            return None, None
        # Compared with the first batch by the caller.
        return samples(_numpy(_unpack(data[count - 1])[0])) or None, None
    if hasattr(data, "element_spec"):
        return _dataset_last_batch(data)
    size, dataset = getattr(data, "batch_size", None), getattr(data, "dataset", None)
    if isinstance(size, int) and size > 0 and isinstance(dataset, Sized):
        # A PyTorch DataLoader: `drop_last` drops the short batch.
        total = len(dataset)
        short = None if getattr(data, "drop_last", False) else total % size or None
        return short, total
    return None, None


def _dataset_last_batch(dataset: Any) -> tuple[int | None, int | None]:
    """A `tf.data.Dataset`: the batching op under count-keeping ops
    (prefetch, map, cache...), found through tf.data's `_input_dataset`
    links; its cardinality must equal the outer one, so a `repeat`, `take`
    or `filter` above it makes the answer unknown."""
    cardinality = _int(dataset.cardinality())
    node, depth = dataset, 0
    while node is not None and depth < 16:
        size = getattr(node, "_batch_size", None)
        drop = getattr(node, "_drop_remainder", None)
        source = getattr(node, "_input_dataset", None)
        if size is not None and drop is not None and source is not None:
            size, total = _int(size), _int(source.cardinality())
            if (
                bool(drop)
                or size is None
                or size <= 0
                or total is None
                or total < 0
                or cardinality != _int(node.cardinality())
                or cardinality is None
                or cardinality < 0
            ):
                return None, None
            return total % size or None, total
        node, depth = source, depth + 1
    return None, None
