"""KO104 activation-before-maxpool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph import kinds
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..fix import Edit, Fix, MoveAfter, SplitActivation
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule, describe_activation, facts_of

if TYPE_CHECKING:
    from ..finding import Finding


def _monotonic_elementwise(node: Node) -> bool:
    facts = facts_of(node)
    return facts is not None and facts.monotonic and facts.elementwise


def _shrinking_max_pool(node: Node) -> bool:
    # A max pooling as large as its input (strides 1, "same" padding, as in
    # YOLO-tiny) computes the activation on as many values either way.
    return node.attrs["pool"] == "max" and node.attrs.get("shrinks", True)


class ActivationBeforeMaxpool(Rule):
    """## What it does
    Finds a monotonic non-decreasing activation (relu, leaky relu, elu,
    tanh, sigmoid, ...) directly before max pooling, when the pooling is the
    activation's only consumer. Never fires for average pooling, for a max
    pooling whose output is as large as its input (strides of 1 with
    `padding="same"`), or for non-monotonic activations (gelu, silu, mish).

    ## Why is this bad?
    It is not wrong, only wasteful: for a non-decreasing f,
    max(f(a), f(b)) = f(max(a, b)), so pooling first gives exactly the same
    result while applying f to 4x fewer values (for 2x2 pooling).

    ## Example
    ```python
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(32, 3)(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.ReLU()(x)
    ```

    ## References
    - Max pooling commutes with every monotonic non-decreasing function:
      max(f(a), f(b)) = f(max(a, b)). Average pooling commutes only with
      affine f.
    """

    code = "KO104"
    name = "activation-before-maxpool"
    severity = "info"
    pattern = PathPattern(
        start=LayerPattern({"activation"}, where=_monotonic_elementwise),
        end=LayerPattern({"pool"}, where=_shrinking_max_pool),
    )
    fix = "Pool first, then apply the activation: identical output, less work."
    reference = "max(f(a), f(b)) = f(max(a, b)) for non-decreasing f"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        return len(graph.successors[nodes[0].index]) == 1

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        activation, pool = nodes
        return (
            f"{describe_activation(activation)} comes directly before"
            f" {pool.describe()}. The activation is monotonic, "
            "so pooling first gives the same output and computes the activation "
            "on fewer values."
        )

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Pools first, then applies the activation (exactly equivalent)."""
        activation, pool = finding.layers
        head = graph.head(activation)
        if head.kind == kinds.WEIGHT:
            edits: tuple[Edit, ...] = (SplitActivation(activation, after=pool),)
            what = f"'{pool}' now pools before the activation of '{activation}'"
        elif head.kind == kinds.ACTIVATION:
            edits = (MoveAfter(activation, pool),)
            what = f"moved '{activation}' after '{pool}'"
        else:
            return "the activation is part of a BNActDropout"
        return cls.make_fix(finding, what, *edits)

    VALID = (
        Example(
            title="pool, then activate",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("MaxPooling2D", {"name": "pool"}),
                ("ReLU", {"name": "relu"}),
            ),
        ),
        Example(
            title="average pooling does not commute",
            input_shape=(8, 8, 3),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 4,
                        "kernel_size": 3,
                        "activation": "relu",
                        "name": "conv",
                    },
                ),
                ("AveragePooling2D", {"pool_size": 2, "name": "pool"}),
            ),
        ),
        Example(
            title="a max pooling that does not shrink (strides=1, same padding)",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("LeakyReLU", {"negative_slope": 0.1, "name": "leaky"}),
                (
                    "MaxPooling2D",
                    {"pool_size": 2, "strides": 1, "padding": "same", "name": "pool"},
                ),
            ),
        ),
        Example(
            title="gelu is not monotonic",
            input_shape=(8, 8, 3),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 4,
                        "kernel_size": 3,
                        "activation": "gelu",
                        "name": "conv",
                    },
                ),
                ("MaxPooling2D", {"name": "pool"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="relu before max pooling",
            input_shape=(8, 8, 3),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 4,
                        "kernel_size": 3,
                        "activation": "relu",
                        "name": "conv",
                    },
                ),
                ("MaxPooling2D", {"name": "pool"}),
            ),
            expect=("conv", "pool"),
        ),
    )
