"""What each layer class is: the one layer taxonomy of the package.

Layer class name -> kind (weight, batch-norm, noise, activation, ...): the
class tables and the predicates over them. How a layer call expands into
graph nodes is `graph.expand`; which of these classes a live layer or a
config entry is, `graph.identity`. The graph adapters (live and file), the
rewrites and the diagnostics ask these modules, never a class name of their
own. Activation facts live in `graph.activations`. Pure Python: no keras
import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

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


RECURRENT_CLASSES = frozenset(
    _names("SimpleRNN LSTM GRU ConvLSTM1D ConvLSTM2D ConvLSTM3D")
)
ATTENTION_CLASSES = frozenset(
    _names(
        """MultiHeadAttention GroupQueryAttention GroupedQueryAttention
        Attention AdditiveAttention"""
    )
)
