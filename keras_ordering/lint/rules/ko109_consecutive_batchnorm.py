"""KO109 consecutive-batchnorm."""

from __future__ import annotations

from ...graph.node import Node
from ..example import Example
from ..path_pattern import PathPattern
from ..patterns import BATCH_NORM_NODE
from ..rule import Rule


class ConsecutiveBatchnorm(Rule):
    """## What it does
    Finds two BatchNormalization layers in a row.

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
    def message(cls, nodes: list[Node]) -> str:
        first, second = nodes
        return (
            f"{first.describe()} is followed directly by {second.describe()}: "
            "the second normalizes an already normalized input."
        )

    VALID = (
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
