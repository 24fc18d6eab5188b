"""KO102 batchnorm-after-activation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph import kinds
from ...graph.node import Node
from ..example import Example
from ..fix import Applicability, Edit, Fix, MoveAfter, MoveBefore, SplitActivation
from ..patterns import (
    ACTIVATION_NODE,
    BATCH_NORM_NODE,
    NOISE_NODE,
    POOL_NODE,
    SHAPE_NODE,
    PathPattern,
    any_of,
)
from ..rule import Rule, describe_activation, via

if TYPE_CHECKING:
    from ...graph.graph import Graph
    from ..finding import Finding


class BatchnormAfterActivation(Rule):
    """## What it does
    Finds a BatchNormalization whose input comes from an activation (an
    activation layer, or a weight layer with a non-linear `activation=`),
    directly or through shape-only, pooling or noise layers.

    Off under `convention="ic"`, which adopts Chen et al.'s "IC layer"
    (activation -> BN -> Dropout -> weight layer) on purpose.

    ## Why is this bad?
    Ioffe & Szegedy place BN directly after the weight layer, before the
    nonlinearity: BN then normalizes the pre-activations, whose distribution
    is closer to Gaussian, and the activation sees a stable input range.
    After a ReLU, BN normalizes a half-rectified distribution and shifts part
    of it below zero again. Some teams prefer BN after the activation and
    report good results; choose your convention and keep it consistent.

    ## Example
    ```python
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.BatchNormalization()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(32, 3, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    ```

    ## References
    - Ioffe & Szegedy (2015), "Batch Normalization", arXiv:1502.03167.
    - Chen et al. (2019), "Rethinking the Usage of Batch Normalization and
      Dropout" (the IC layer), arXiv:1905.05928.
    """

    code = "KO102"
    name = "batchnorm-after-activation"
    severity = "info"
    conventions_off = frozenset({"ic"})
    # Fixed first: with the BN moved before the activation, KO101's noise
    # then moves after BN -> activation in the next round.
    autofix_priority = -1
    pattern = PathPattern(
        start=ACTIVATION_NODE,
        through=any_of(SHAPE_NODE, POOL_NODE, NOISE_NODE),
        end=BATCH_NORM_NODE,
    )
    # The BN's statistics were measured after the activation.
    autofix_applicability = Applicability.CHANGES_PREDICTIONS
    fix = (
        "Put the BN directly after the weight layer and before the activation "
        "(move a weight layer's activation= into a separate layer after the BN)."
    )
    reference = "Ioffe & Szegedy 2015, arXiv:1502.03167"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        activation, batch_norm = nodes[0], nodes[-1]
        return (
            f"{batch_norm.describe()} normalizes the output of "
            f"{describe_activation(activation)}{via(nodes)}. The recommended "
            "order normalizes pre-activations: weight -> BN -> activation."
        )

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Moves the BN before the activation; a weight layer's `activation=`
        becomes an activation layer after the BN."""
        activation, batch_norm = finding.layers[0], finding.layers[-1]
        between = graph.nodes_of_layers(finding.layers[1:-1])
        if not {graph.nodes[i].kind for i in between} <= {kinds.POOL, kinds.NOISE}:
            return "a shape layer between activation and BN changes the channel layout"
        if not kinds.is_batch_norm_class(graph.head(batch_norm).layer_class):
            return "the batch normalization is part of a BNActDropout"
        head = graph.head(activation)
        if head.kind == kinds.WEIGHT:  # A weight layer's activation= part.
            # The BN, then the split-off activation, right after the layer.
            edits: tuple[Edit, ...] = (
                MoveAfter(batch_norm, activation),
                SplitActivation(activation, after=activation),
            )
            what = f"moved '{batch_norm}' between '{activation}' and its activation"
        elif head.kind == kinds.ACTIVATION:
            edits = (MoveBefore(batch_norm, activation),)
            what = f"moved '{batch_norm}' before '{activation}'"
        else:
            return "the activation is part of a BNActDropout"
        return cls.make_fix(finding, what, *edits)

    VALID = (
        Example(
            title="BN before the activation",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "use_bias": False, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
                ("Activation", {"activation": "relu", "name": "relu"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="BN after a weight layer's activation=",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "activation": "relu", "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("dense", "bn"),
        ),
        Example(
            title="BN after an activation layer, through pooling",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("ReLU", {"name": "relu"}),
                ("MaxPooling2D", {"name": "pool"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("relu", "pool", "bn"),
        ),
    )
