"""KO201 softmax-on-single-unit."""

from __future__ import annotations

from ...graph.activations import names_with
from ...graph.node import Node
from ..example import Example
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule, describe_activation

_NORMALIZING = names_with(normalizes_axis=True)


def _softmax_over_one(node: Node) -> bool:
    return (
        node.attrs.get("activation") in _NORMALIZING
        and node.attrs.get("axis_size") == 1
    )


class SoftmaxOnSingleUnit(Rule):
    """## What it does
    Finds a softmax (or log_softmax, sparsemax) over an axis of size 1, such
    as `Dense(1, activation="softmax")`.

    ## Why is this bad?
    Softmax normalizes over the axis, and a single value normalizes to 1.0:
    the output is constant, no gradient flows, and the model cannot learn.
    For binary classification with one unit, use sigmoid.

    ## Example
    ```python
    outputs = keras.layers.Dense(1, activation="softmax")(x)
    ```

    ## Use instead
    ```python
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    ```

    ## References
    - Keras documentation, `keras.activations.softmax`: "The softmax of each
      vector x is computed as exp(x) / sum(exp(x))".
    """

    code = "KO201"
    name = "softmax-on-single-unit"
    severity = "error"
    pattern = PathPattern(start=LayerPattern({"activation"}, where=_softmax_over_one))
    fix = "Use sigmoid for a single unit, or give the softmax axis more than one unit."
    reference = "https://keras.io/api/layers/activations/#softmax-function"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        (node,) = nodes
        return (
            f"{describe_activation(node)} normalizes over an axis of size 1: "
            "the output is constant and nothing can be learned."
        )

    VALID = (
        Example(
            title="sigmoid for one unit",
            input_shape=(16,),
            layers=(("Dense", {"units": 1, "activation": "sigmoid", "name": "out"}),),
        ),
    )
    INVALID = (
        Example(
            title="softmax on one unit",
            input_shape=(16,),
            layers=(("Dense", {"units": 1, "activation": "softmax", "name": "out"}),),
            expect=("out",),
        ),
        Example(
            title="a Softmax layer over a size-1 axis",
            input_shape=(4, 1),
            layers=(("Softmax", {"name": "softmax"}),),
            expect=("softmax",),
        ),
    )
