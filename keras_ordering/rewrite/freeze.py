"""`freeze_batchnorm`: every batch normalization in inference mode, for fine-tuning."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keras

from ..layers.bn_act_dropout import BNActDropout

# BNActDropout's first part is a batch normalization.
_BATCH_NORM_CLASSES = (keras.layers.BatchNormalization, BNActDropout)


def freeze_batchnorm(model: keras.layers.Layer) -> list[keras.layers.Layer]:
    """Puts every batch normalization of `model` in inference mode, in place.

    Sets `trainable = False` on each `keras.layers.BatchNormalization`
    (subclasses included) and each `BNActDropout`, in nested models,
    wrappers and custom layers too. In Keras 3 a frozen BN normalizes with
    its moving statistics and never updates them, even inside `fit`, which
    is what fine-tuning needs. Calling a layer or a base model with
    `training=False` does *not* do this: `fit` still updates the statistics
    (the linter reports that as KO130).

    `BNActDropout` keeps its dropout: its dropout follows the `training`
    flag only, so a frozen `BNActDropout` still drops in `fit`.

    The trade-off: `trainable = False` also stops training of the layer's
    `gamma` and `beta`, as Keras 3 defines it. To train them on moving
    statistics, write a BN subclass whose `call` passes `training=False` to
    the parent instead.

    Changing `trainable` takes effect when the model is compiled: call
    `model.compile(...)` after `freeze_batchnorm`, as after any change of
    `trainable`.

    Call it after any `trainable = True` on an enclosing model: Keras sets
    `trainable` recursively, so the transfer-learning step
    `base_model.trainable = True` makes every BN inside trainable again and
    silently undoes an earlier freeze. The order is: unfreeze, then
    `freeze_batchnorm(model)`, then `compile`.

    Args:
        model: a Keras model or layer.

    Returns:
        The layer objects it changed (those that were trainable), in the
        order they were found; layers that were already frozen are left out.
        Set `layer.trainable = True` on them to undo.

    Example:

    >>> import keras
    >>> from keras_ordering import BNActDropout, freeze_batchnorm
    >>> inputs = keras.Input((8,))
    >>> x = keras.layers.Dense(16)(inputs)
    >>> x = keras.layers.BatchNormalization(name="bn")(x)
    >>> x = BNActDropout("relu", 0.2, name="fused")(x)
    >>> model = keras.Model(inputs, x)
    >>> [layer.name for layer in freeze_batchnorm(model)]
    ['bn', 'fused']
    >>> freeze_batchnorm(model)  # Already frozen: nothing changes.
    []
    """
    changed = []
    for layer in _walk(model):
        if isinstance(layer, _BATCH_NORM_CLASSES) and layer.trainable:
            layer.trainable = False
            changed.append(layer)
    return changed


def _walk(root: Any) -> Iterator[Any]:
    """The root and every layer it holds, depth first, each once."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        yield layer
        stack.extend(reversed(_children(layer)))


def _children(layer: Any) -> list[Any]:
    """Sublayers held as attributes, directly or in a list, tuple or dict.

    Keras tracks sublayers the same way: by attribute assignment. This
    reaches the layers of nested models, wrappers (`TimeDistributed`,
    `Bidirectional`) and custom layers through public attributes only.
    """
    if isinstance(layer, keras.Model) and hasattr(layer, "layers"):
        children = list(layer.layers)
    else:
        children = []
    for value in vars(layer).values():
        if isinstance(value, dict):
            values = list(value.values())
        elif isinstance(value, (list, tuple)):
            values = list(value)
        else:
            values = [value]
        children.extend(v for v in values if isinstance(v, keras.layers.Layer))
    return children
