"""KO116 missing-nonlinearity."""

from __future__ import annotations

from ...graph import kinds
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule, via


def _dense(node: Node) -> bool:
    """A Dense layer: affine, with units, on the last axis (no layout)."""
    return bool(node.attrs.get("affine")) and "rank" not in node.attrs


def _on_last_axis(node: Node) -> bool:
    """The layer's units are the last axis of its output."""
    if _dense(node):
        return True
    rank, channel_axis = node.attrs.get("rank"), node.attrs.get("channel_axis")
    return rank is not None and channel_axis == rank - 1


def _linear_weight(node: Node) -> bool:
    return (
        node.kind == kinds.WEIGHT
        and bool(node.attrs.get("affine"))
        and isinstance(node.attrs.get("units"), int)
    )


def _channel_mixer(node: Node) -> bool:
    """A layer that only mixes the units of each position: Dense, or a
    pointwise (1x1, stride 1) convolution."""
    return _linear_weight(node) and (_dense(node) or bool(node.attrs.get("pointwise")))


def _keeps_values(node: Node) -> bool:
    """Noise, or a shape-only layer that keeps every axis (Identity, ...)."""
    if node.kind == kinds.NOISE:
        return True
    return node.kind == kinds.SHAPE and node.layer_class in kinds.SAME_SHAPE_CLASSES


def _same_axis(first: Node, second: Node) -> bool:
    if _on_last_axis(first) and _on_last_axis(second):
        return True
    return (
        not _dense(first)
        and not _dense(second)
        and first.attrs.get("channel_axis") == second.attrs.get("channel_axis")
    )


class MissingNonlinearity(Rule):
    """## What it does
    Finds a weight layer with no activation (a Dense layer or a
    convolution) whose output goes only into a Dense layer or a pointwise
    (1x1, stride 1) convolution over the same axis, with nothing but noise
    or identity layers in between, when the first layer has at least as
    many units as the second.

    Left alone on purpose (precision matters more than recall here): a
    first layer with fewer units than the second (a low-rank factorization
    or a linear bottleneck, as in MobileNetV2), a linear layer followed by
    a normalization (BN, LayerNormalization), attention projections (they
    feed an attention layer or a product, not a Dense layer), a layer whose
    output is also used elsewhere, and a reshape or flatten in between.

    ## Why is this bad?
    Two linear maps in a row are one linear map. With no activation
    between them, `Dense(128)` followed by `Dense(10)` computes exactly what
    a single `Dense(10)` can, and when the first has at least as many units
    as the second it does not even limit the rank: the first layer adds
    parameters and compute and nothing else. It is almost always a
    forgotten `activation=`, and the model is shallower than it looks.

    ## Example
    ```python
    x = keras.layers.Dense(128)(x)  # no activation
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dense(128, activation="relu")(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    ```

    ## References
    - NeuraLint (Nikanjam et al., "Automatic fault detection for deep
      learning programs using graph transformations", TOSEM 2021): missing
      activation between layers.
    - Bug reports and answers: stats.stackexchange.com/questions/578762 (a
      convolution without activation keeps a Keras CNN at chance level
      until `activation="relu"` is added), Stack Overflow 51442459 (without
      nonlinear activations in the hidden layers the network behaves like
      a single linear unit), keras-team/keras#1874 (stacked layers without
      nonlinearity in a Keras regression).
    """

    code = "KO116"
    name = "missing-nonlinearity"
    severity = "info"
    pattern = PathPattern(
        start=LayerPattern({kinds.WEIGHT}, where=_linear_weight),
        through=LayerPattern({kinds.NOISE, kinds.SHAPE}, where=_keeps_values),
        end=LayerPattern({kinds.WEIGHT}, where=_channel_mixer),
    )
    fix = (
        'Give the first layer an activation (e.g. activation="relu"), or '
        "drop it: two linear layers in a row are one."
    )
    reference = "https://keras.io/api/layers/core_layers/dense/"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        first, second = nodes[0], nodes[-1]
        if first.attrs["units"] < second.attrs["units"]:
            return False  # A bottleneck: the rank limit may be the point.
        if not _same_axis(first, second):
            return False
        # Every value goes on to the second layer: no fork, no skip.
        return all(len(graph.successors[node.index]) == 1 for node in nodes[:-1])

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        first, second = nodes[0], nodes[-1]
        return (
            f"{first.describe()} has no activation and feeds "
            f"{second.describe()}{via(nodes)}: the two compose to one linear "
            f"map, and with {first.attrs['units']} units against "
            f"{second.attrs['units']} the first adds nothing a single layer "
            'could not compute. Give it an activation (e.g. activation="relu") '
            "or remove it."
        )

    VALID = (
        Example(
            title="an activation between the layers",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "relu", "name": "hidden"}),
                ("Dense", {"units": 4, "name": "out"}),
            ),
        ),
        Example(
            title="a low-rank factorization (fewer units first)",
            input_shape=(64,),
            layers=(
                ("Dense", {"units": 8, "use_bias": False, "name": "down"}),
                ("Dense", {"units": 64, "name": "up"}),
            ),
        ),
        Example(
            title="a linear layer followed by BatchNormalization",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "name": "linear"}),
                ("BatchNormalization", {"name": "bn"}),
                ("Dense", {"units": 4, "name": "out"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="a hidden Dense layer without activation",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 128, "name": "hidden"}),
                ("Dropout", {"rate": 0.2, "name": "drop"}),
                ("Dense", {"units": 10, "activation": "softmax", "name": "out"}),
            ),
            expect=("hidden", "drop", "out"),
        ),
        Example(
            title="a linear convolution, then a 1x1 convolution",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 16, "kernel_size": 3, "name": "conv"}),
                ("Conv2D", {"filters": 8, "kernel_size": 1, "name": "pointwise"}),
            ),
            expect=("conv", "pointwise"),
        ),
    )
