"""KO106 bias-before-batchnorm."""

from __future__ import annotations

from ...graph.node import Node
from ..example import Example
from ..path_pattern import PathPattern
from ..patterns import BATCH_NORM_NODE, SHAPE_NODE, LayerPattern
from ..rule import Rule, via


def _affine_with_bias(node: Node) -> bool:
    return bool(node.attrs.get("affine") and node.attrs.get("use_bias"))


class BiasBeforeBatchnorm(Rule):
    """## What it does
    Finds a Dense or convolution layer with `use_bias=True` and no
    non-linear activation whose output reaches a BatchNormalization through
    shape-only layers only.

    ## Why is this bad?
    BN subtracts the batch mean of every channel, and a per-channel bias
    shifts that mean by exactly the bias: the bias is cancelled and BN's
    `beta` takes its role. The bias costs parameters, memory and an add per
    value, and its gradient is always zero.

    ## Example
    ```python
    x = keras.layers.Conv2D(32, 3)(x)  # use_bias=True by default
    x = keras.layers.BatchNormalization()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(32, 3, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    ```

    ## References
    - Ioffe & Szegedy (2015), section 3.2: "the bias b can be ignored since
      its effect will be canceled by the subsequent mean subtraction",
      arXiv:1502.03167.
    """

    code = "KO106"
    name = "bias-before-batchnorm"
    severity = "info"
    pattern = PathPattern(
        start=LayerPattern({"weight"}, where=_affine_with_bias),
        through=SHAPE_NODE,
        end=BATCH_NORM_NODE,
    )
    fix = "Set use_bias=False on the layer before the batch normalization."
    reference = "Ioffe & Szegedy 2015, arXiv:1502.03167, section 3.2"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        weight, batch_norm = nodes[0], nodes[-1]
        return (
            f"{weight.describe()} has a bias, and {batch_norm.describe()}"
            f"{via(nodes)} subtracts the channel mean, which cancels it: "
            "the bias only costs parameters and time."
        )

    VALID = (
        Example(
            title="no bias before BN",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "use_bias": False, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
        ),
        Example(
            title="a non-linear activation in between",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "activation": "relu", "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="a biased convolution, then BN through Flatten",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("Flatten", {"name": "flatten"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("conv", "flatten", "bn"),
            fixable=False,  # Flatten spreads each channel's bias over features.
        ),
        Example(
            title="a biased dense layer directly before BN",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("dense", "bn"),
        ),
    )
