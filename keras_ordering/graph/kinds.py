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
    Masking ActivityRegularization Rescaling"""
    )
)
# Elementwise affine maps, per channel at most (x * scale + offset): shape
# nodes for the rules, which pass through them wherever they pass shape-only
# layers, marked `elementwise_affine` for the rules that read values.
AFFINE_MAP_CLASSES = frozenset({"Rescaling"})

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
    **dict.fromkeys(AFFINE_MAP_CLASSES, SHAPE),
    **dict.fromkeys(LAST_AXIS_KEEPING_SHAPE_CLASSES, SHAPE),
    **_classes(
        MERGE,
        "Add Subtract Multiply Average Maximum Minimum Concatenate Dot",
    ),
    "InputLayer": INPUT,
}

# Shape-only layers that only rearrange positions (no value added, dropped or
# repeated): elementwise noise commutes with them in distribution.
REARRANGING_CLASSES = frozenset(_names("Reshape Flatten Permute"))

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
    _names("Identity Masking ActivityRegularization Activation Rescaling")
)

# `keras.ops` calls recorded in a Functional graph (`x / 127.5`,
# `keras.ops.nn.relu(x)`), by operation class: the activation of each
# activation op (keras.ops.nn, plus numpy's tanh), and the arithmetic that is
# an elementwise affine map when one operand is a constant (Add, Subtract and
# Multiply share the merge layers' names: a merge layer has two inputs or
# more, so one tensor input means a constant operand).
OPERATION_ACTIVATIONS = {
    name: re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    for name in _names(
        """Relu Relu6 LeakyRelu Elu Selu Celu Gelu Silu HardSilu Sigmoid
        HardSigmoid SparseSigmoid LogSigmoid Softplus SparsePlus Squareplus
        Softsign SoftShrink HardShrink TanhShrink HardTanh Tanh LogSoftmax
        Sparsemax"""
    )
}
CONSTANT_ARITHMETIC = frozenset(
    _names("Add Subtract Multiply TrueDivide Divide Negative")
)
# Shape-only and stacking ops (a caffe-style `preprocess_input` flips RGB to
# BGR with GetItem and Stack).
OPERATION_SHAPES = frozenset(
    _names("GetItem Squeeze ExpandDims Transpose Flip Tile Repeat Cast")
)
OPERATION_MERGES = frozenset(_names("Stack Concatenate"))
# Operation class names that are no layer's name.
OPERATION_NAMES = (
    frozenset(OPERATION_ACTIVATIONS)
    | OPERATION_SHAPES
    | frozenset(_names("TrueDivide Divide Negative Stack"))
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
        if not is_global:
            pool_attrs.update(_channel_layout(layer_class, attrs))
            pool_attrs["shrinks"] = _pool_shrinks(attrs)
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


# Initializers that give every entry of a kernel the same value.
_CONSTANT_INITIALIZERS = {"zeros": 0.0, "ones": 1.0, "constant": None}


def constant_initializer(initializer: Any) -> str | None:
    """`"zeros"`, `"ones"` or `"constant(0.5)"` for an initializer that fills
    a kernel with one value; None for any other (or unknown) initializer.

    Accepts a name, a serialized initializer (Keras 3 and Keras 2 configs)
    or a live initializer object, so both graph sources agree.
    """
    value: Any = None
    if initializer is None:
        return None
    if isinstance(initializer, str):
        name = initializer
    elif isinstance(initializer, dict):  # A config read from JSON.
        name = str(initializer.get("class_name", ""))
        config = initializer.get("config")
        if isinstance(config, Mapping):
            value = config.get("value")
    else:
        name = type(initializer).__name__
        value = getattr(initializer, "value", None)
    name = name.lower()
    name = {"zero": "zeros", "one": "ones", "constantinitializer": "constant"}.get(
        name, name
    )
    if name not in _CONSTANT_INITIALIZERS:
        return None
    if name != "constant":
        return name
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None  # A Constant of an array is not one value.
    value = float(value)
    return "zeros" if value == 0.0 else f"constant({value:g})"


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
