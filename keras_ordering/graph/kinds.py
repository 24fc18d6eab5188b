"""What each layer class is: the one layer taxonomy of the package.

Layer class name -> kind (weight, batch-norm, noise, activation, ...), and
how a layer call expands into graph nodes. The graph adapters (live and
file), the rewrites and the diagnostics ask this module, never a class name
of their own. Activation facts live in `graph.activations`. Pure Python: no
keras import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .activations import activation_facts, activation_of_layer, canonical_activation

WEIGHT = "weight"
BATCH_NORM = "batch-norm"
NORMALIZATION = "normalization"
NOISE = "noise"
ACTIVATION = "activation"
POOL = "pool"
SHAPE = "shape"
MERGE = "merge"
UNKNOWN = "unknown"
INPUT = "input"
OUTPUT = "output"

KINDS = (
    WEIGHT,
    BATCH_NORM,
    NORMALIZATION,
    NOISE,
    ACTIVATION,
    POOL,
    SHAPE,
    MERGE,
    UNKNOWN,
    INPUT,
    OUTPUT,
)


def _names(text: str) -> list[str]:
    return text.split()


def _classes(kind: str, names: str) -> dict[str, str]:
    return dict.fromkeys(_names(names), kind)


# Weight layers whose `activation=` is applied to their output, and whose bias
# is a per-channel constant (so a following BN cancels it).
AFFINE_WEIGHT_CLASSES = frozenset(
    _names(
        """Dense EinsumDense Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose
    Conv3DTranspose DepthwiseConv1D DepthwiseConv2D SeparableConv1D
    SeparableConv2D Convolution1D Convolution2D Convolution3D
    Convolution2DTranspose Convolution3DTranspose SeparableConvolution1D
    SeparableConvolution2D LocallyConnected1D LocallyConnected2D"""
    )
)

# Noise whose draws keep the mean and variance by design (AlphaDropout): for
# ordering it is transparent like a shape-only layer, yet it is random in
# training.
MOMENT_KEEPING_NOISE_CLASSES = frozenset({"AlphaDropout"})
# Noise drawn in inference as in training (Monte-Carlo dropout): BN learns
# the statistics it meets at inference, and nothing shifts between the two
# modes, so for ordering it is transparent too.
ALWAYS_ON_NOISE_CLASSES = frozenset({"MonteCarloDropout"})
TRANSPARENT_NOISE_CLASSES = MOMENT_KEEPING_NOISE_CLASSES | ALWAYS_ON_NOISE_CLASSES

# Shape-only layers that keep the size of the last axis (channels-last data).
LAST_AXIS_KEEPING_SHAPE_CLASSES = TRANSPARENT_NOISE_CLASSES | frozenset(
    _names(
        """RepeatVector Cropping1D Cropping2D Cropping3D ZeroPadding1D
    ZeroPadding2D ZeroPadding3D UpSampling1D UpSampling2D UpSampling3D Identity
    Masking ActivityRegularization"""
    )
)

LAYER_KINDS: dict[str, str] = {
    **dict.fromkeys(AFFINE_WEIGHT_CLASSES, WEIGHT),
    **_classes(
        WEIGHT,
        """Embedding SimpleRNN LSTM GRU RNN ConvLSTM1D ConvLSTM2D ConvLSTM3D
        CuDNNLSTM CuDNNGRU MultiHeadAttention GroupQueryAttention
        GroupedQueryAttention Attention AdditiveAttention""",
    ),
    **_classes(BATCH_NORM, "BatchNormalization SyncBatchNormalization"),
    **_classes(
        NORMALIZATION,
        """LayerNormalization GroupNormalization UnitNormalization
        RMSNormalization""",
    ),
    **_classes(
        NOISE,
        """Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D
        GaussianDropout GaussianNoise""",
    ),
    **_classes(
        ACTIVATION, "Activation ReLU LeakyReLU PReLU ELU Softmax ThresholdedReLU"
    ),
    **_classes(
        POOL,
        """MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D
        AveragePooling2D AveragePooling3D GlobalMaxPooling1D GlobalMaxPooling2D
        GlobalMaxPooling3D GlobalAveragePooling1D GlobalAveragePooling2D
        GlobalAveragePooling3D MaxPool1D MaxPool2D MaxPool3D AvgPool1D AvgPool2D
        AvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D
        GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D""",
    ),
    **_classes(SHAPE, "Reshape Flatten Permute"),
    **dict.fromkeys(LAST_AXIS_KEEPING_SHAPE_CLASSES, SHAPE),
    **_classes(
        MERGE,
        "Add Subtract Multiply Average Maximum Minimum Concatenate Dot",
    ),
    "InputLayer": INPUT,
}

# Shape-only layers with a `data_format`: they keep the channel axis where
# their input had it.
SPATIAL_SHAPE_CLASSES = frozenset(
    _names(
        """Cropping1D Cropping2D Cropping3D ZeroPadding1D ZeroPadding2D
    ZeroPadding3D UpSampling1D UpSampling2D UpSampling3D"""
    )
)
# Shape-kind layers whose output has exactly the shape of their input, so the
# channel axis stays where it was.
SAME_SHAPE_CLASSES = TRANSPARENT_NOISE_CLASSES | frozenset(
    _names("Identity Masking ActivityRegularization Activation")
)


# Tensor operations between layer calls, seen when a custom layer or a
# subclassed model is traced (TensorFlow op types): the merge or shape node
# each becomes, with the Keras name it reads as. Any other op is opaque.
TENSOR_OPERATIONS: dict[str, tuple[str, str]] = {
    **{op: (MERGE, "Add") for op in _names("AddV2 Add AddN BiasAdd")},
    **{op: (MERGE, "Subtract") for op in _names("Sub")},
    **{op: (MERGE, "Multiply") for op in _names("Mul")},
    **{op: (MERGE, "Divide") for op in _names("RealDiv Div DivNoNan")},
    **{op: (MERGE, "Maximum") for op in _names("Maximum")},
    **{op: (MERGE, "Minimum") for op in _names("Minimum")},
    **{op: (MERGE, "Concatenate") for op in _names("ConcatV2 Concat Pack")},
    **{op: (MERGE, "Where") for op in _names("Select SelectV2")},
    **{
        op: (SHAPE, op)
        for op in _names(
            """Reshape Transpose ExpandDims Squeeze Identity IdentityN
            StridedSlice Slice Pad PadV2 MirrorPad Cast Tile BroadcastTo Split
            SplitV Unpack Neg StopGradient Roll DepthToSpace SpaceToDepth"""
        )
    },
}
TENSOR_OPERATION_ACTIVATIONS = {
    "Relu": "relu",
    "Relu6": "relu6",
    "LeakyRelu": "leaky_relu",
    "Elu": "elu",
    "Selu": "selu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Softplus": "softplus",
    "Softmax": "softmax",
    "LogSoftmax": "log_softmax",
}


def tensor_operation(op_type: str) -> tuple[str, str, dict[str, Any]]:
    """(kind, class, attrs) of a traced tensor operation's node."""
    if op_type in TENSOR_OPERATIONS:
        kind, layer_class = TENSOR_OPERATIONS[op_type]
        return kind, layer_class, {"tensor_op": op_type}
    if op_type in TENSOR_OPERATION_ACTIVATIONS:
        activation = TENSOR_OPERATION_ACTIVATIONS[op_type]
        return ACTIVATION, op_type, {"tensor_op": op_type, "activation": activation}
    reason = f"tensor operation {op_type} inside a traced layer"
    return UNKNOWN, op_type, {"tensor_op": op_type, "opaque_reason": reason}


# Layers that wrap another layer, and models that nest a graph.
WRAPPER_CLASSES = frozenset({"TimeDistributed", "Bidirectional"})
MODEL_CLASSES = frozenset({"Functional", "Sequential", "Model"})
FUSED_CLASS = "BNActDropout"
# Noise layers the fused layer takes in, with its `dropout=` mode for each.
FUSED_DROPOUT_MODES = {
    "Dropout": "standard",
    "SpatialDropout1D": "spatial",
    "SpatialDropout2D": "spatial",
    "SpatialDropout3D": "spatial",
    "GaussianDropout": "gaussian",
}
# The spatial dropout class for inputs of each rank (batch axis included).
SPATIAL_DROPOUT_CLASSES = {
    3: "SpatialDropout1D",
    4: "SpatialDropout2D",
    5: "SpatialDropout3D",
}

# Kinds whose layers keep the size of the last axis (channels-last data).
_LAST_AXIS_KEEPING_KINDS = frozenset(
    {ACTIVATION, NOISE, BATCH_NORM, NORMALIZATION, POOL}
)


def kind_of(layer_class: str) -> str:
    """The kind of a Keras layer class name; `UNKNOWN` for classes not known.

    `BNActDropout` does several things, so it has no single kind: it is
    `UNKNOWN` here, and `expand` turns it into its batch-norm, activation
    and noise parts.
    """
    return LAYER_KINDS.get(layer_class, UNKNOWN)


def is_known_class(layer_class: str) -> bool:
    """True for the classes this taxonomy knows, `BNActDropout` included."""
    return layer_class in LAYER_KINDS or layer_class == FUSED_CLASS


def is_batch_norm_class(layer_class: str, *, fused: bool = False) -> bool:
    """BatchNormalization (or SyncBatchNormalization); with `fused=True`,
    also `BNActDropout`, whose first part is a batch normalization."""
    return kind_of(layer_class) == BATCH_NORM or (fused and layer_class == FUSED_CLASS)


def is_noise_class(layer_class: str, *, moment_keeping: bool = False) -> bool:
    """A layer that draws noise in training (Dropout, GaussianNoise, ...);
    with `moment_keeping=True`, also AlphaDropout, which the ordering rules
    treat as transparent."""
    return kind_of(layer_class) == NOISE or (
        moment_keeping and layer_class in MOMENT_KEEPING_NOISE_CLASSES
    )


def keeps_last_axis(layer_class: str) -> bool:
    """True when the layer's output keeps the size of its input's last axis
    (channels-last data)."""
    return (
        kind_of(layer_class) in _LAST_AXIS_KEEPING_KINDS
        or layer_class in LAST_AXIS_KEEPING_SHAPE_CLASSES
        or layer_class == FUSED_CLASS
    )


def noise_pattern(
    layer_class: str, attrs: Mapping[str, Any]
) -> tuple[str, float] | None:
    """How a noise layer draws its noise, and its rate; None when it is a no-op.

    The pattern is `"elementwise"`, `"spatial"` (one draw per channel map),
    `"per-sample"` (one draw per sample: drop-path / stochastic depth),
    `"shared"` (a `noise_shape` sharing draws along some other axes),
    `"gaussian"` (multiplicative, elementwise) or `"additive"` (GaussianNoise).
    """
    if layer_class == "GaussianNoise":
        stddev = float(attrs.get("stddev") or 0.0)
        return ("additive", stddev) if stddev > 0 else None
    rate = float(attrs.get("rate") or 0.0)
    if rate <= 0:
        return None
    if layer_class.startswith("SpatialDropout"):
        return "spatial", rate
    dropout = attrs.get("dropout", "standard")
    if layer_class == "GaussianDropout" or dropout == "gaussian":
        return "gaussian", rate
    if dropout == "spatial":
        return "spatial", rate
    noise_shape = attrs.get("noise_shape")
    if noise_shape and len(noise_shape) > 1:
        if all(d == 1 for d in noise_shape[1:]):
            return "per-sample", rate
        if len(noise_shape) > 2 and all(d == 1 for d in noise_shape[1:-1]):
            return "spatial", rate  # One draw per channels-last channel map.
        if any(d == 1 for d in noise_shape[1:]):
            return "shared", rate
    return "elementwise", rate


def pool_type(layer_class: str) -> tuple[str, bool]:
    """("max" or "average", whether global) of a pooling class."""
    operation = "max" if "Max" in layer_class else "average"
    return operation, layer_class.startswith("Global")


Part = tuple[str, "str | None", dict[str, Any]]


def expand(layer_class: str, attrs: Mapping[str, Any]) -> list[Part]:
    """The chain of (kind, part, attrs) nodes a layer call becomes.

    `attrs` are the layer's raw settings, read from its config or from its
    attributes; `layer_attribute_names` lists the ones that matter.
    """
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
        parts = _dropout_of_weight_layer(layer_class, attrs, weight_attrs)
        parts.append((WEIGHT, None, weight_attrs))
        activation = canonical_activation(attrs.get("activation"))
        if layer_class in AFFINE_WEIGHT_CLASSES and activation is not None:
            activation_attrs: dict[str, Any] = {"activation": activation}
            if _normalizes_an_axis(activation):
                activation_attrs["axis"] = -1  # The functions' default axis.
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
        activation_attrs = {"activation": activation}
        if _normalizes_an_axis(activation):
            activation_attrs["axis"] = _normalized_axis(attrs.get("axis", -1))
        axis_size = _axis_size(attrs) if _normalizes_an_axis(activation) else None
        if axis_size is not None:
            activation_attrs["axis_size"] = axis_size
        return [(ACTIVATION, None, activation_attrs)]
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
        if not is_global:
            pool_attrs.update(_channel_layout(layer_class, attrs))
        return [(POOL, None, pool_attrs)]
    if kind == BATCH_NORM:
        return [(BATCH_NORM, None, _batch_norm_attrs(attrs))]
    if kind == UNKNOWN and "opaque_reason" in attrs:
        return [(UNKNOWN, None, {"opaque_reason": attrs["opaque_reason"]})]
    if layer_class in SPATIAL_SHAPE_CLASSES:
        return [(kind, None, _channel_layout(layer_class, attrs))]
    # A live preprocessing layer never adapted (KO304); configs lack it.
    return [(kind, None, {"adapted": False} if attrs.get("adapted") is False else {})]


def _batch_norm_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    axis = attrs.get("axis", -1)
    if isinstance(axis, (list, tuple)):
        axis = list(axis)
    batch_norm_attrs = {"axis": axis, **_training(attrs)}
    for name in ("momentum", "trainable"):
        if name in attrs:
            batch_norm_attrs[name] = attrs[name]
    return batch_norm_attrs


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


RECURRENT_CLASSES = frozenset(
    _names("SimpleRNN LSTM GRU ConvLSTM1D ConvLSTM2D ConvLSTM3D")
)
ATTENTION_CLASSES = frozenset(
    _names(
        """MultiHeadAttention GroupQueryAttention GroupedQueryAttention
        Attention AdditiveAttention"""
    )
)


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
