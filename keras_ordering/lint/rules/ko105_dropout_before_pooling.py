"""KO105 dropout-before-pooling."""

from __future__ import annotations

from ...graph.node import Node
from ..example import Example
from ..patterns import ACTIVATION_NODE, POOL_NODE, LayerPattern, PathPattern
from ..rule import Rule, via

# Noise drawn once per channel map or per sample is constant inside a pooling
# window, so it commutes with pooling.
_WINDOW_CONSTANT_NOISE = frozenset({"spatial", "per-sample"})


class DropoutBeforePooling(Rule):
    """## What it does
    Finds a noise layer that draws different noise inside a pooling window
    (elementwise Dropout, GaussianDropout, GaussianNoise) before a pooling
    layer, directly or through one activation. Warning for max pooling,
    info for average pooling. Spatial dropout and per-sample drop-path are
    constant inside a window and commute with pooling: not reported.

    ## Why is this bad?
    Before max pooling, dropout biases the maximum: in training the max is
    taken over the scaled survivors (values x/p, some zeroed), at inference
    over all unscaled values, so the pooled output has a different
    distribution in the two modes. Before average pooling the expectation is
    kept, but the noise is averaged away over the window: dropping after
    pooling regularizes the same way at a fraction of the cost.

    ## Example
    ```python
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.Dropout(0.25)(x)
    x = keras.layers.MaxPooling2D()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Dropout(0.25)(x)
    ```

    ## References
    - Wu & Gu (2015), "Towards Dropout Training for Convolutional Neural
      Networks" (max-pooling dropout), arXiv:1512.00242.
    """

    code = "KO105"
    name = "dropout-before-pooling"
    severity = "warning"
    severity_note = "warning (max) or info (average)"
    pattern = PathPattern(
        start=LayerPattern(
            {"noise"},
            where=lambda node: node.attrs["noise"] not in _WINDOW_CONSTANT_NOISE,
        ),
        through=ACTIVATION_NODE,
        max_through=1,
        end=POOL_NODE,
    )
    fix = "Move the dropout after the pooling layer."
    reference = "Wu & Gu 2015, arXiv:1512.00242"

    @classmethod
    def severity_of(cls, nodes: list[Node]) -> str:
        return "warning" if nodes[-1].attrs["pool"] == "max" else "info"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        noise, pool = nodes[0], nodes[-1]
        if pool.attrs["pool"] == "max":
            why = (
                "the max is taken over scaled survivors in training and over all "
                "unscaled values at inference, which biases the pooled output"
            )
        else:
            why = "averaging smooths the noise away; dropping after pooling is cheaper"
        return f"{noise.describe()} comes before {pool.describe()}{via(nodes)}: {why}."

    VALID = (
        Example(
            title="pool, then drop",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("MaxPooling2D", {"name": "pool"}),
                ("Dropout", {"rate": 0.25, "name": "dropout"}),
                ("Flatten", {"name": "flatten"}),
                ("Dense", {"units": 2, "name": "head"}),
            ),
        ),
        Example(
            title="spatial dropout is constant inside each window",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("SpatialDropout2D", {"rate": 0.25, "name": "dropout"}),
                ("MaxPooling2D", {"name": "pool"}),
                ("Flatten", {"name": "flatten"}),
                ("Dense", {"units": 2, "name": "head"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="dropout, activation, then max pooling",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("Dropout", {"rate": 0.25, "name": "dropout"}),
                ("ReLU", {"name": "relu"}),
                ("MaxPooling2D", {"name": "pool"}),
            ),
            expect=("dropout", "relu", "pool"),
        ),
        Example(
            title="dropout before global average pooling",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("Dropout", {"rate": 0.25, "name": "dropout"}),
                ("GlobalAveragePooling2D", {"name": "gap"}),
            ),
            expect=("dropout", "gap"),
        ),
    )
