"""What each activation function does: the one table of activation facts.

The linter rules (through the graph's `activation` attribute), the graph
adapters and the rewrites read these facts, so they cannot disagree about
which activation commutes with what. Pure Python: no keras import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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
        idempotent: f(f(x)) == f(x), so a second f is a no-op (relu, hard
            clipping).
        normalizes_axis: f normalizes over an axis (softmax): over an axis of
            size 1 its output is constant.
        probability_output: f's output is a probability or its logarithm,
            what a `from_logits=True` loss computes itself.
        shifts_logits: f(x) is x minus one constant per sample along the
            normalized axis (log_softmax: x - logsumexp(x)). Softmax is
            shift-invariant, so a `from_logits=True` softmax loss on f(x)
            equals the loss on x.
        self_normalizing: f keeps activations near zero mean and unit
            variance by itself, layer after layer (SELU; Klambauer et al.
            2017), as long as the noise between layers keeps the moments too.
        output_range: the closed hull (low, high) of f's values; infinite
            where unbounded.
    """

    zero_at_zero: bool
    positively_homogeneous: bool
    monotonic: bool
    elementwise: bool = True
    value_at_zero: float = 0.0
    idempotent: bool = False
    normalizes_axis: bool = False
    probability_output: bool = False
    shifts_logits: bool = False
    self_normalizing: bool = False
    output_range: tuple[float, float] = (-math.inf, math.inf)

    @property
    def bounded(self) -> bool:
        """f's values lie in a finite interval (sigmoid, tanh, softmax)."""
        return all(math.isfinite(bound) for bound in self.output_range)

    @property
    def clipped_below(self) -> bool:
        """f is flat below a finite floor (relu and its clipped variants): a
        pre-activation below it gives that value and no gradient."""
        return math.isfinite(self.output_range[0]) and self.idempotent


def _facts(
    at_zero: float,
    homogeneous: bool,
    monotonic: bool,
    elementwise: bool = True,
    *,
    idempotent: bool = False,
    normalizes_axis: bool = False,
    probability_output: bool = False,
    shifts_logits: bool = False,
    self_normalizing: bool = False,
    output_range: tuple[float, float] = (-math.inf, math.inf),
) -> ActivationFacts:
    return ActivationFacts(
        at_zero == 0.0,
        homogeneous,
        monotonic,
        elementwise,
        at_zero,
        idempotent,
        normalizes_axis,
        probability_output,
        shifts_logits,
        self_normalizing,
        output_range,
    )


_INF = math.inf
_UNIT = (0.0, 1.0)
_SYMMETRIC = (-1.0, 1.0)


ACTIVATION_FACTS: dict[str, ActivationFacts] = {
    # Positively homogeneous: commute with dropout exactly.
    "relu": _facts(0.0, True, True, idempotent=True, output_range=(0.0, _INF)),
    "leaky_relu": _facts(0.0, True, True),
    # PReLU learns its slope, which may turn negative: not known monotonic.
    "prelu": _facts(0.0, True, False),
    # f(0) == 0 but not homogeneous.
    "relu6": _facts(0.0, False, True, idempotent=True, output_range=(0.0, 6.0)),
    "bounded_relu": _facts(0.0, False, True, idempotent=True, output_range=(0.0, _INF)),
    "thresholded_relu": _facts(
        0.0, False, True, idempotent=True, output_range=(0.0, _INF)
    ),
    "elu": _facts(0.0, False, True),
    "celu": _facts(0.0, False, True),
    "selu": _facts(0.0, False, True, self_normalizing=True),
    "tanh": _facts(0.0, False, True, output_range=_SYMMETRIC),
    "softsign": _facts(0.0, False, True, output_range=_SYMMETRIC),
    "hard_tanh": _facts(0.0, False, True, idempotent=True, output_range=_SYMMETRIC),
    "soft_shrink": _facts(0.0, False, True),
    "hard_shrink": _facts(0.0, False, True, idempotent=True),
    "tanh_shrink": _facts(0.0, False, True),
    "gelu": _facts(0.0, False, False),
    "silu": _facts(0.0, False, False),
    "hard_silu": _facts(0.0, False, False),
    "mish": _facts(0.0, False, False),
    # f(0) != 0: dropout before f does not zero anything.
    "sigmoid": _facts(0.5, False, True, probability_output=True, output_range=_UNIT),
    "hard_sigmoid": _facts(
        0.5, False, True, probability_output=True, output_range=_UNIT
    ),
    "sparse_sigmoid": _facts(0.5, False, True, output_range=_UNIT),
    "log_sigmoid": _facts(-math.log(2.0), False, True),
    "softplus": _facts(math.log(2.0), False, True, output_range=(0.0, _INF)),
    "sparse_plus": _facts(0.25, False, True),
    "squareplus": _facts(1.0, False, True),
    "exponential": _facts(1.0, False, True, output_range=(0.0, _INF)),
    # Not elementwise: normalize across an axis.
    "softmax": _facts(
        math.nan,
        False,
        False,
        False,
        normalizes_axis=True,
        probability_output=True,
        output_range=_UNIT,
    ),
    "log_softmax": _facts(
        math.nan,
        False,
        False,
        False,
        normalizes_axis=True,
        probability_output=True,
        shifts_logits=True,
    ),
    # A sparse probability distribution over the axis.
    "sparsemax": _facts(
        math.nan,
        False,
        False,
        False,
        normalizes_axis=True,
        probability_output=True,
        output_range=_UNIT,
    ),
    "glu": _facts(0.0, False, False, elementwise=False),
}

ACTIVATION_ALIASES = {
    "swish": "silu",
    "hard_swish": "hard_silu",
    "relu_6": "relu6",
    "linear": None,
    "identity": None,
}

# Activation layers computing one fixed function, whatever their settings.
_FIXED_ACTIVATION_LAYERS = {
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "ELU": "elu",
    "Softmax": "softmax",
    "ThresholdedReLU": "thresholded_relu",
}


def output_range(name: str | None) -> tuple[float, float] | None:
    """The values an activation can output (its facts' `output_range`), None
    when unbounded on both sides or unknown: targets outside it cannot be
    reached (KO205, KO301)."""
    facts = activation_facts(name)
    if facts is None or not any(map(math.isfinite, facts.output_range)):
        return None
    return facts.output_range


def activation_facts(name: str | None) -> ActivationFacts | None:
    """Facts of a canonical activation name; None when the name is unknown."""
    return ACTIVATION_FACTS.get(name) if name else None


def names_with(**facts: Any) -> frozenset[str]:
    """Canonical activation names whose facts have the given values.

    Example: `names_with(normalizes_axis=True)` is softmax, log_softmax and
    sparsemax.
    """
    return frozenset(
        name
        for name, known in ACTIVATION_FACTS.items()
        if all(getattr(known, fact) == value for fact, value in facts.items())
    )


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
    if layer_class in _FIXED_ACTIVATION_LAYERS:
        return _FIXED_ACTIVATION_LAYERS[layer_class]
    return canonical_activation(attrs.get("activation"))


def activation_argument_of_layer(layer_class: str, attrs: Mapping[str, Any]) -> Any:
    """The `activation=` argument that computes exactly what an activation
    layer computes, or None when no Keras activation function does.

    An `Activation` layer gives its own argument back unchanged; `ReLU` as
    relu or relu6, `ELU(alpha=1)` and `Softmax(axis=-1)` give their Keras
    function's name. The settings are read from `attrs` (config or layer
    attributes).
    """
    if layer_class == "Activation":
        return attrs.get("activation")
    name = activation_of_layer(layer_class, attrs)
    exact = {
        "relu": True,
        "relu6": True,
        "elu": float(attrs.get("alpha", 1.0)) == 1.0,
        "softmax": attrs.get("axis", -1) in (-1, [-1], (-1,)),
    }
    return name if exact.get(name or "", False) else None
