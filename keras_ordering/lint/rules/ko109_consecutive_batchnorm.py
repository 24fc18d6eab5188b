"""KO109 consecutive-batchnorm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph import kinds
from ...graph.node import Node
from ..example import Example
from ..fix import Fix, NewWeights, SetConfig, Skip
from ..patterns import BATCH_NORM_NODE, PathPattern
from ..rule import Rule

if TYPE_CHECKING:
    from ...graph.graph import Graph
    from ..finding import Finding


class ConsecutiveBatchnorm(Rule):
    """## What it does
    Finds two BatchNormalization layers in a row, where the first feeds
    only the second. A BN whose output also feeds another branch (a
    residual trunk next to a pre-norm BN, as in MogaNet or ConvNeXt-style
    blocks) is not reported: the other branch uses the first BN's output,
    so neither BN is redundant.

    ## Why is this bad?
    The second BN receives an already normalized input, so its batch
    statistics are about (beta, gamma^2) of the first: it adds parameters,
    moving statistics and a batch reduction while learning nothing the
    first could not. It is almost always an editing mistake.

    ## Example
    ```python
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.BatchNormalization()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.BatchNormalization()(x)
    ```

    ## References
    - Ioffe & Szegedy (2015), "Batch Normalization", arXiv:1502.03167.
    """

    code = "KO109"
    name = "consecutive-batchnorm"
    severity = "warning"
    pattern = PathPattern(start=BATCH_NORM_NODE, end=BATCH_NORM_NODE)
    fix = "Remove one of the two batch normalizations."
    reference = "Ioffe & Szegedy 2015, arXiv:1502.03167"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        return len(graph.successors[nodes[0].index]) == 1

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        first, second = nodes
        return (
            f"{first.describe()} is followed directly by {second.describe()}: "
            "the second normalizes an already normalized input."
        )

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Merges two plain BNs on the same axis into one (exact at
        inference)."""
        import keras
        import numpy as np

        if not all(
            kinds.is_batch_norm_class(graph.head(name).layer_class)
            for name in finding.layers
        ):
            return "only two plain BatchNormalization layers merge"
        first, second = (model.get_layer(name) for name in finding.layers)
        rank = len(first.input.shape)
        if first.axis % rank != second.axis % rank:
            return "the two BNs normalize different axes"

        def parts(layer: Any) -> tuple[Any, Any, Any, Any]:
            weights = {
                w.name: np.asarray(keras.ops.convert_to_numpy(w)) for w in layer.weights
            }
            channels = weights["moving_mean"].shape
            gamma = weights.get("gamma", np.ones(channels))
            beta = weights.get("beta", np.zeros(channels))
            return gamma, beta, weights["moving_mean"], weights["moving_variance"]

        g1, b1, m1, v1 = parts(first)
        g2, b2, m2, v2 = parts(second)
        s2 = np.sqrt(v2 + second.epsilon)
        # BN2(BN1(x)) = g2/s2 * (g1 (x - m1)/s1 + b1 - m2) + b2: one BN with
        # the first one's statistics and combined gamma and beta.
        gamma = g2 * g1 / s2
        beta = g2 * (b1 - m2) / s2 + b2
        return cls.make_fix(
            finding,
            f"merged '{first.name}' into '{second.name}' (exact at inference; "
            "in training the merged BN normalizes once)",
            Skip(first.name),
            SetConfig(
                second.name,
                {
                    "epsilon": first.epsilon,
                    "center": True,
                    "scale": True,
                    "momentum": first.momentum,
                },
            ),
            NewWeights(second.name, (gamma, beta, m1, v1)),
        )

    VALID = (
        Example(
            title="a BN feeding a residual trunk and a pre-norm BN",
            inputs={"features": (8, 8, 4)},
            nodes=(
                ("BatchNormalization", {"name": "trunk_bn"}, ["features"]),
                ("BatchNormalization", {"name": "pre_norm"}, ["trunk_bn"]),
                (
                    "Conv2D",
                    {"filters": 4, "kernel_size": 1, "name": "mixer"},
                    ["pre_norm"],
                ),
                ("Add", {"name": "residual"}, ["trunk_bn", "mixer"]),
            ),
            outputs=("residual",),
        ),
        Example(
            title="one BN",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "use_bias": False, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="two BNs",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("BatchNormalization", {"name": "bn_1"}),
                ("BatchNormalization", {"name": "bn_2"}),
            ),
            expect=("bn_1", "bn_2"),
        ),
    )
