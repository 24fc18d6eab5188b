"""What each layer class is, and what each activation function does.

The one table of layer kinds and activation facts in the package. The linter
rules, the rewrites and the docs all read it, so they cannot disagree about
which activation commutes with what. Pure Python: no keras import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
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
    # AlphaDropout keeps mean and variance by design, so for ordering it is
    # transparent like a shape-only layer.
    **_classes(
        SHAPE,
        """Reshape Flatten Permute RepeatVector Cropping1D Cropping2D Cropping3D
        ZeroPadding1D ZeroPadding2D ZeroPadding3D UpSampling1D UpSampling2D
        UpSampling3D Identity Masking ActivityRegularization AlphaDropout""",
    ),
    **_classes(
        MERGE,
        "Add Subtract Multiply Average Maximum Minimum Concatenate Dot",
    ),
    "InputLayer": INPUT,
}

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


@dataclass(frozen=True)
class ActivationFacts:
    """What an activation function f does, for ordering decisions.

    Attributes:
        zero_at_zero: f(0) == 0, so a dropped unit stays dropped.
        positively_homogeneous: f(k*x) == k*f(x) for k >= 0, so f commutes
            with dropout's scaling.
        monotonic: f is non-decreasing, so f commutes with max pooling.
        elementwise: f acts on each value alone (softmax does not).
        value_at_zero: f(0), for messages.
    """

    zero_at_zero: bool
    positively_homogeneous: bool
    monotonic: bool
    elementwise: bool = True
    value_at_zero: float = 0.0


def _facts(
    at_zero: float, homogeneous: bool, monotonic: bool, elementwise: bool = True
) -> ActivationFacts:
    return ActivationFacts(at_zero == 0.0, homogeneous, monotonic, elementwise, at_zero)


ACTIVATION_FACTS: dict[str, ActivationFacts] = {
    # Positively homogeneous: commute with dropout exactly.
    "relu": _facts(0.0, True, True),
    "leaky_relu": _facts(0.0, True, True),
    # PReLU learns its slope, which may turn negative: not known monotonic.
    "prelu": _facts(0.0, True, False),
    # f(0) == 0 but not homogeneous.
    "relu6": _facts(0.0, False, True),
    "bounded_relu": _facts(0.0, False, True),
    "thresholded_relu": _facts(0.0, False, True),
    "elu": _facts(0.0, False, True),
    "celu": _facts(0.0, False, True),
    "selu": _facts(0.0, False, True),
    "tanh": _facts(0.0, False, True),
    "softsign": _facts(0.0, False, True),
    "hard_tanh": _facts(0.0, False, True),
    "soft_shrink": _facts(0.0, False, True),
    "hard_shrink": _facts(0.0, False, True),
    "tanh_shrink": _facts(0.0, False, True),
    "gelu": _facts(0.0, False, False),
    "silu": _facts(0.0, False, False),
    "hard_silu": _facts(0.0, False, False),
    "mish": _facts(0.0, False, False),
    # f(0) != 0: dropout before f does not zero anything.
    "sigmoid": _facts(0.5, False, True),
    "hard_sigmoid": _facts(0.5, False, True),
    "sparse_sigmoid": _facts(0.5, False, True),
    "log_sigmoid": _facts(-math.log(2.0), False, True),
    "softplus": _facts(math.log(2.0), False, True),
    "sparse_plus": _facts(0.25, False, True),
    "squareplus": _facts(1.0, False, True),
    "exponential": _facts(1.0, False, True),
    # Not elementwise: normalize across an axis.
    "softmax": _facts(math.nan, False, False, elementwise=False),
    "log_softmax": _facts(math.nan, False, False, elementwise=False),
    "sparsemax": _facts(math.nan, False, False, elementwise=False),
    "glu": _facts(0.0, False, False, elementwise=False),
}

ACTIVATION_ALIASES = {
    "swish": "silu",
    "hard_swish": "hard_silu",
    "relu_6": "relu6",
    "linear": None,
    "identity": None,
}


def activation_facts(name: str | None) -> ActivationFacts | None:
    """Facts of a canonical activation name; None when the name is unknown."""
    return ACTIVATION_FACTS.get(name) if name else None


def canonical_activation(identifier: Any) -> str | None:
    """The canonical name of an activation identifier, None for linear.

    Accepts what both sources hold: a name, a function (live model), or a
    serialized dict (Keras 3 and Keras 2 configs). Unknown functions keep
    their own name, whose facts are then unknown.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Mapping):
        config = identifier.get("config")
        if isinstance(config, str):
            identifier = config
        elif isinstance(config, Mapping) and "name" in config:
            identifier = config["name"]
        else:
            identifier = identifier.get("class_name", "custom")
    elif not isinstance(identifier, str):
        identifier = getattr(identifier, "__name__", type(identifier).__name__)
    name = str(identifier).lower()
    return ACTIVATION_ALIASES.get(name, name)


def _relu_variant(attrs: Mapping[str, Any]) -> str | None:
    max_value = attrs.get("max_value")
    slope = attrs.get("negative_slope", attrs.get("alpha")) or 0.0
    threshold = attrs.get("threshold") or 0.0
    if threshold:
        return "thresholded_relu"
    if max_value is not None:
        return "relu6" if float(max_value) == 6.0 and not slope else "bounded_relu"
    return "leaky_relu" if slope else "relu"


def activation_of_layer(layer_class: str, attrs: Mapping[str, Any]) -> str | None:
    """Canonical activation name computed by an activation layer."""
    if layer_class == "ReLU":
        return _relu_variant(attrs)
    fixed = {
        "LeakyReLU": "leaky_relu",
        "PReLU": "prelu",
        "ELU": "elu",
        "Softmax": "softmax",
        "ThresholdedReLU": "thresholded_relu",
    }
    if layer_class in fixed:
        return fixed[layer_class]
    return canonical_activation(attrs.get("activation"))


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
    kind = LAYER_KINDS.get(layer_class, UNKNOWN)
    if layer_class == FUSED_CLASS:
        return _expand_fused(attrs)
    if kind == WEIGHT:
        weight_attrs = {
            "use_bias": _uses_bias(layer_class, attrs),
            "affine": layer_class in AFFINE_WEIGHT_CLASSES,
        }
        units = _units(attrs)
        if units is not None:
            weight_attrs["units"] = units
        parts = _dropout_of_weight_layer(layer_class, attrs, weight_attrs)
        parts.append((WEIGHT, None, weight_attrs))
        activation = canonical_activation(attrs.get("activation"))
        if layer_class in AFFINE_WEIGHT_CLASSES and activation is not None:
            activation_attrs = {"activation": activation}
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
        axis_size = _axis_size(attrs) if _normalizes_an_axis(activation) else None
        if axis_size is not None:
            activation_attrs["axis_size"] = axis_size
        return [(ACTIVATION, None, activation_attrs)]
    if kind == NOISE:
        noise = noise_pattern(layer_class, attrs)
        if noise is None:
            return [(SHAPE, None, {})]  # Rate 0: the identity.
        return [(NOISE, None, {"noise": noise[0], "rate": noise[1]})]
    if kind == POOL:
        operation, is_global = pool_type(layer_class)
        return [(POOL, None, {"pool": operation, "global": is_global})]
    if kind == BATCH_NORM:
        return [(BATCH_NORM, None, {"axis": attrs.get("axis", -1)})]
    if kind == UNKNOWN and "opaque_reason" in attrs:
        return [(UNKNOWN, None, {"opaque_reason": attrs["opaque_reason"]})]
    return [(kind, None, {})]


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
    parts: list[Part] = [(BATCH_NORM, "batch-norm", {"axis": attrs.get("axis", -1)})]
    activation = canonical_activation(attrs.get("activation"))
    if activation is not None:
        parts.append((ACTIVATION, "activation", {"activation": activation}))
    noise = noise_pattern(FUSED_CLASS, attrs)
    if noise is not None:
        parts.append((NOISE, "noise", {"noise": noise[0], "rate": noise[1]}))
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
)
