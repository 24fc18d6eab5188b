"""How one layer call becomes graph nodes: `expand`.

`graph.kinds` says what a layer class is (the taxonomy); this module turns a
call of it, with its raw settings, into the chain of (kind, part, attrs)
nodes the graph holds: a weight layer's `activation=` becomes an activation
node after it, `BNActDropout` becomes BN -> activation -> noise, a recurrent
layer's `dropout=` a noise node before it. Both graph adapters (live and
file) read the settings named by `LAYER_ATTRIBUTE_NAMES` and
`CALL_ARGUMENT_NAMES`, so they feed `expand` the same facts. Pure Python:
no keras import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .activations import activation_facts, activation_of_layer, canonical_activation
from .kinds import (
    ACTIVATION,
    AFFINE_MAP_CLASSES,
    AFFINE_WEIGHT_CLASSES,
    ATTENTION_CLASSES,
    BATCH_NORM,
    CONSTANT_ARITHMETIC,
    FUSED_CLASS,
    MERGE,
    NOISE,
    NORMALIZATION,
    OPERATION_ACTIVATIONS,
    OPERATION_MERGES,
    OPERATION_SHAPES,
    POOL,
    RECURRENT_CLASSES,
    SHAPE,
    SPATIAL_SHAPE_CLASSES,
    UNKNOWN,
    WEIGHT,
    constant_initializer,
    kind_of,
    noise_pattern,
    pool_type,
)

Part = tuple[str, "str | None", dict[str, Any]]


def expand(layer_class: str, attrs: Mapping[str, Any]) -> list[Part]:
    """The chain of (kind, part, attrs) nodes a layer call becomes.

    `attrs` are the layer's raw settings, read from its config or from its
    attributes (`layer_attribute_names` lists the ones that matter), with
    what `graph.identity` found: an `opaque_reason` makes it opaque, a
    `subclass` is kept on every node, an `operation` is a `keras.ops` call.
    `tensor_inputs` is the number of tensors the call reads.
    """
    if "opaque_reason" in attrs:
        return [(UNKNOWN, None, {"opaque_reason": attrs["opaque_reason"]})]
    parts = _expand_operation(layer_class, attrs) or _expand_layer(layer_class, attrs)
    subclass = attrs.get("subclass")
    if subclass:
        parts = [
            (kind, part, {**found, "subclass": subclass}) for kind, part, found in parts
        ]
    return parts


def _expand_operation(layer_class: str, attrs: Mapping[str, Any]) -> list[Part] | None:
    """The nodes of a `keras.ops` call, or of an affine map; None otherwise."""
    if layer_class in AFFINE_MAP_CLASSES or (
        layer_class in CONSTANT_ARITHMETIC and attrs.get("tensor_inputs") == 1
    ):
        return [(SHAPE, None, {"elementwise_affine": True})]
    if not attrs.get("operation"):
        return None
    if layer_class in OPERATION_ACTIVATIONS:
        return _activation_parts(OPERATION_ACTIVATIONS[layer_class], attrs)
    if layer_class in OPERATION_SHAPES:
        return [(SHAPE, None, {})]
    if layer_class in ("TrueDivide", "Divide") or layer_class in OPERATION_MERGES:
        return [(MERGE, None, {})]  # Division of two tensors: as a traced RealDiv.
    return None


def _activation_parts(activation: str, attrs: Mapping[str, Any]) -> list[Part]:
    activation_attrs: dict[str, Any] = {"activation": activation}
    if _normalizes_an_axis(activation):
        activation_attrs["axis"] = _normalized_axis(attrs.get("axis", -1))
    axis_size = _axis_size(attrs) if _normalizes_an_axis(activation) else None
    if axis_size is not None:
        activation_attrs["axis_size"] = axis_size
    return [(ACTIVATION, None, activation_attrs)]


def _expand_layer(layer_class: str, attrs: Mapping[str, Any]) -> list[Part]:
    kind = kind_of(layer_class)
    if layer_class == FUSED_CLASS:
        return _expand_fused(attrs)
    if kind == WEIGHT:
        weight_attrs: dict[str, Any] = {
            "use_bias": _uses_bias(layer_class, attrs),
            "affine": layer_class in AFFINE_WEIGHT_CLASSES,
        }
        units = _units(attrs)
        if units is not None:
            weight_attrs["units"] = units
        if layer_class in AFFINE_WEIGHT_CLASSES:
            weight_attrs.update(_channel_layout(layer_class, attrs))
            initializer = attrs.get("kernel_initializer")
            constant = (
                None if initializer is None else constant_initializer(initializer)
            )
            if constant is not None:
                weight_attrs["constant_kernel"] = constant
            input_rank = _rank(attrs)
            if input_rank is not None:
                weight_attrs["input_rank"] = input_rank
            if _is_pointwise(attrs):
                weight_attrs["pointwise"] = True  # A 1x1 kernel, stride 1.
        parts = _dropout_of_weight_layer(layer_class, attrs, weight_attrs)
        parts.append((WEIGHT, None, weight_attrs))
        activation = canonical_activation(attrs.get("activation"))
        if layer_class in AFFINE_WEIGHT_CLASSES and activation is not None:
            activation_attrs: dict[str, Any] = {"activation": activation}
            if _normalizes_an_axis(activation):
                activation_attrs["axis"] = -1  # The functions' default axis.
                if "input_rank" in weight_attrs:  # The output keeps the rank.
                    activation_attrs["input_rank"] = weight_attrs["input_rank"]
            # Units are the size of the last axis, where softmax normalizes.
            if (
                _normalizes_an_axis(activation)
                and units is not None
                and attrs.get("data_format") != "channels_first"
            ):
                activation_attrs["axis_size"] = units
            parts.append((ACTIVATION, "activation", activation_attrs))
        return parts
    if kind == ACTIVATION:
        activation = activation_of_layer(layer_class, attrs)
        if activation is None:
            return [(SHAPE, None, {})]  # A linear activation is the identity.
        return _activation_parts(activation, attrs)
    if kind == NOISE:
        noise = noise_pattern(layer_class, attrs)
        if noise is None:
            return [(SHAPE, None, {})]  # Rate 0: the identity.
        noise_attrs = {
            "noise": noise[0],
            "rate": noise[1],
            **_training(attrs, noise=True),
        }
        return [(NOISE, None, noise_attrs)]
    if kind == POOL:
        operation, is_global = pool_type(layer_class)
        pool_attrs = {"pool": operation, "global": is_global}
        layout = _channel_layout(layer_class, attrs)
        if not is_global:
            pool_attrs.update(layout)
            pool_attrs["shrinks"] = _pool_shrinks(attrs)
        elif layout:  # Its output has no channel axis; its input has one.
            pool_attrs["input_layout_rank"] = layout["rank"]
            pool_attrs["input_channel_axis"] = layout["channel_axis"]
        return [(POOL, None, pool_attrs)]
    if kind == BATCH_NORM:
        return [(BATCH_NORM, None, _batch_norm_attrs(attrs))]
    if kind == NORMALIZATION:
        return [(NORMALIZATION, None, _normalization_attrs(attrs))]
    if layer_class in SPATIAL_SHAPE_CLASSES:
        return [(kind, None, _channel_layout(layer_class, attrs))]
    # A live preprocessing layer never adapted (KO304); configs lack it.
    return [(kind, None, {"adapted": False} if attrs.get("adapted") is False else {})]


def _pool_shrinks(attrs: Mapping[str, Any]) -> bool:
    """False for a pooling whose output is as large as its input: strides of 1
    with "same" padding (YOLO-tiny's), or a window of 1 with strides of 1.
    True when the settings are unknown."""
    strides = attrs.get("strides")
    if strides is None:
        strides = attrs.get("pool_size")
    if strides is None:
        return True
    strides = list(strides) if isinstance(strides, (list, tuple)) else [strides]
    if any(stride != 1 for stride in strides):
        return True
    size = attrs.get("pool_size")
    sizes = list(size) if isinstance(size, (list, tuple)) else [size]
    return attrs.get("padding") != "same" and any(n != 1 for n in sizes)


def _batch_norm_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    axis = attrs.get("axis", -1)
    if isinstance(axis, (list, tuple)):
        axis = list(axis)
    batch_norm_attrs = {"axis": axis, **_training(attrs)}
    for name in ("momentum", "trainable"):
        if name in attrs:
            batch_norm_attrs[name] = attrs[name]
    return batch_norm_attrs


def _normalization_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The axes a LayerNormalization, GroupNormalization, UnitNormalization
    or RMSNormalization normalizes (an int or a tuple), and GN's groups."""
    axis = attrs.get("axis", -1)
    found: dict[str, Any] = {}
    if isinstance(axis, (list, tuple)):
        if all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            # Keras stores `axis=1` as [1] once built: one axis is an int.
            found["axis"] = axis[0] if len(axis) == 1 else tuple(axis)
    elif isinstance(axis, int) and not isinstance(axis, bool):
        found["axis"] = axis
    groups = attrs.get("groups")
    if isinstance(groups, int) and not isinstance(groups, bool):
        found["groups"] = groups
    return found


_UNIT_STRIDES = frozenset({1, (1,), (1, 1), (1, 1, 1)})


def _is_pointwise(attrs: Mapping[str, Any]) -> bool:
    """A convolution whose kernel and strides are all 1: it mixes the
    channels of each position, as a Dense layer mixes the last axis."""
    kernel = attrs.get("kernel_size")
    if kernel is None:
        return False
    strides = attrs.get("strides", 1)
    # Configs hold lists, live layers tuples.
    kernel = tuple(kernel) if isinstance(kernel, list) else kernel
    strides = tuple(strides) if isinstance(strides, list) else strides
    return kernel in _UNIT_STRIDES and strides in _UNIT_STRIDES


def _rank(attrs: Mapping[str, Any]) -> int | None:
    """The rank (batch axis included) of a layer's single input, if known."""
    shape = attrs.get("input_shape")
    if not isinstance(shape, (list, tuple)) or not shape:
        return None
    if isinstance(shape[0], (list, tuple, dict)):
        return None  # Several inputs (the batch axis is None or an int).
    return len(shape)


def _training(attrs: Mapping[str, Any], noise: bool = False) -> dict[str, Any]:
    """The hard-coded `training=` of the call, and the nested model call
    that set it when it came from an enclosing model.

    Keras records `training=False` for every noise layer call (the default
    of their `call`), so for noise only `training=True` was written by hand.
    """
    if attrs.get("training") is None or (noise and not attrs["training"]):
        return {}
    found = {"training": bool(attrs["training"])}
    if attrs.get("training_call"):
        found["training_call"] = attrs["training_call"]
    return found


_SPATIAL_DIMENSIONS = re.compile(r"([123])D")


def _channel_layout(layer_class: str, attrs: Mapping[str, Any]) -> dict[str, int]:
    """Rank and channel axis of the output of a layer with a `data_format`.

    Convolutions, poolings, paddings, croppings and upsamplings over 1, 2 or
    3 spatial dimensions: their output has rank dimensions + 2, and the
    channels at axis 1 (channels_first) or last (channels_last).
    """
    data_format = attrs.get("data_format")
    found = _SPATIAL_DIMENSIONS.search(layer_class)
    if data_format not in ("channels_first", "channels_last") or found is None:
        return {}
    rank = int(found.group(1)) + 2
    return {
        "rank": rank,
        "channel_axis": 1 if data_format == "channels_first" else rank - 1,
    }


def _dropout_of_weight_layer(
    layer_class: str, attrs: Mapping[str, Any], weight_attrs: dict[str, Any]
) -> list[Part]:
    """The noise a recurrent or attention layer draws itself.

    A recurrent layer's `dropout=` drops its inputs, one mask for all time
    steps: a noise part before the weight node, seen by every rule. Its
    `recurrent_dropout=` (on the state) and an attention layer's `dropout=`
    (on the attention weights) act inside the layer, so they only reach the
    output through its weights: they are `internal_dropout` facts of the
    weight node, which only KO120 reads (once per layer: with an input
    dropout part, the part carries the `recurrent_rate`).
    """
    recurrent = layer_class in RECURRENT_CLASSES
    input_rate = _rate(attrs.get("dropout")) if recurrent else 0.0
    if input_rate > 0:
        noise = {"noise": "shared", "rate": input_rate, "dropout_of": "inputs"}
        recurrent_rate = _rate(attrs.get("recurrent_dropout"))
        if recurrent_rate > 0:
            noise["recurrent_rate"] = recurrent_rate
        return [(NOISE, "input-dropout", noise)]
    internal = None
    if layer_class in RECURRENT_CLASSES:
        internal = ("recurrent", _rate(attrs.get("recurrent_dropout")))
    elif layer_class in ATTENTION_CLASSES:
        internal = ("attention", _rate(attrs.get("dropout")))
    if internal is not None and internal[1] > 0:
        weight_attrs["internal_dropout"] = internal[0]
        weight_attrs["rate"] = internal[1]
    return []


def _rate(value: Any) -> float:
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if is_number else 0.0


def _expand_fused(attrs: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [(BATCH_NORM, "batch-norm", _batch_norm_attrs(attrs))]
    activation = canonical_activation(attrs.get("activation"))
    if activation is not None:
        parts.append((ACTIVATION, "activation", {"activation": activation}))
    noise = noise_pattern(FUSED_CLASS, attrs)
    if noise is not None:
        noise_attrs = {
            "noise": noise[0],
            "rate": noise[1],
            **_training(attrs, noise=True),
        }
        parts.append((NOISE, "noise", noise_attrs))
    return parts


def _uses_bias(layer_class: str, attrs: Mapping[str, Any]) -> bool:
    if layer_class == "EinsumDense":
        return attrs.get("bias_axes") is not None
    return bool(attrs.get("use_bias", False))


def _units(attrs: Mapping[str, Any]) -> int | None:
    for key in ("units", "filters"):
        value = attrs.get(key)
        if isinstance(value, int):
            return value
    return None


def _normalizes_an_axis(activation: str) -> bool:
    facts = activation_facts(activation)
    return facts is not None and not facts.elementwise


def _normalized_axis(axis: Any) -> int | tuple[int, ...]:
    """The axis a softmax layer normalizes over: an int, or a tuple of
    several (a one-element list is its element)."""
    if isinstance(axis, (list, tuple)):
        return int(axis[0]) if len(axis) == 1 else tuple(int(a) for a in axis)
    return int(axis)


def _axis_size(attrs: Mapping[str, Any]) -> int | None:
    """Size of the softmax axis, from the layer's input shape.

    `input_shape` is the whole shape when known; a static reader that only
    knows the size of the last axis passes it as `last_dim`.
    """
    axis = attrs.get("axis", -1)
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            return None
        axis = axis[0]
    shape = attrs.get("input_shape")
    if not shape or not isinstance(shape, (list, tuple)):
        last_dim = attrs.get("last_dim")
        return last_dim if axis == -1 and isinstance(last_dim, int) else None
    if isinstance(shape[0], (list, tuple)):
        return None  # Several inputs: not an activation layer's input.
    try:
        size = shape[axis]
    except (IndexError, TypeError):
        return None
    return size if isinstance(size, int) else None


# The raw settings `expand` reads. Config keys and layer attributes share
# these names in Keras 3 (and in Keras 2, plus `alpha` for LeakyReLU).
LAYER_ATTRIBUTE_NAMES = (
    "activation",
    "use_bias",
    "bias_axes",
    "units",
    "filters",
    "rate",
    "stddev",
    "noise_shape",
    "dropout",
    "recurrent_dropout",
    "axis",
    "max_value",
    "negative_slope",
    "threshold",
    "alpha",
    "data_format",
    "momentum",
    "trainable",
    "groups",
    "kernel_initializer",
    "kernel_size",
    # Poolings: whether the output is smaller than the input (KO104).
    "pool_size",
    "strides",
    "padding",
)

# Call arguments `expand` reads, from the call (a Functional node's kwargs)
# rather than from the layer: `training=True` / `False` hard-coded in a graph.
CALL_ARGUMENT_NAMES = ("training",)


def call_attributes(call: Mapping[str, Any], path: str) -> dict[str, Any]:
    """Hard-coded call arguments as settings for `expand`.

    `call` holds the arguments found and `"call"`, the path of the call that
    set them; when that is an enclosing model call rather than the layer's
    own, `training_call` names it.
    """
    attrs = {name: call[name] for name in CALL_ARGUMENT_NAMES if name in call}
    if attrs and call.get("call") != path:
        attrs["training_call"] = call["call"]
    return attrs
