"""KO107 redundant-activation."""

from __future__ import annotations

from ...graph.node import Node
from ..example import Example
from ..path_pattern import PathPattern
from ..patterns import ACTIVATION_NODE
from ..rule import Rule


class RedundantActivation(Rule):
    """## What it does
    Finds two activations in a row, counting a weight layer's
    `activation=` argument as an activation right after the layer.

    ## Why is this bad?
    Usually a slip: `Dense(64, activation="relu")` followed by `ReLU()`
    applies relu twice (harmless but wasted work), and
    `Dense(10, activation="softmax")` followed by `Activation("sigmoid")`
    squashes probabilities into [0.5, 0.73]. Either way, one of the two is
    not doing what its author meant.

    ## Example
    ```python
    x = keras.layers.Dense(64, activation="relu")(x)
    x = keras.layers.ReLU()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dense(64, activation="relu")(x)
    ```

    ## References
    - Keras documentation, `keras.layers.Dense(activation=...)`: "If you
      don't specify anything, no activation is applied".
    """

    code = "KO107"
    name = "redundant-activation"
    severity = "warning"
    pattern = PathPattern(start=ACTIVATION_NODE, end=ACTIVATION_NODE)
    fix = "Remove one of the two activations."
    reference = "https://keras.io/api/layers/core_layers/dense/"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        first, second = nodes
        return (
            f"{first.describe()} ('{first.attrs['activation']}') is followed "
            f"directly by {second.describe()} ('{second.attrs['activation']}'): "
            "two activations in a row."
        )

    VALID = (
        Example(
            title="one activation",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("ReLU", {"name": "relu"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="activation= and an activation layer",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "activation": "relu", "name": "dense"}),
                ("ReLU", {"name": "relu"}),
            ),
            expect=("dense", "relu"),
        ),
    )
