"""KO108 consecutive-dropout."""

from __future__ import annotations

from ...graph.node import Node
from ..example import Example
from ..path_pattern import PathPattern
from ..patterns import NOISE_NODE
from ..rule import Rule


class ConsecutiveDropout(Rule):
    """## What it does
    Finds two noise layers in a row.

    ## Why is this bad?
    Two dropouts with keep probabilities p1 and p2 act as one dropout with
    keep probability p1 * p2, at twice the cost and with a rate that is hard
    to read off the model. Usually one of them was left behind by an edit.

    ## Example
    ```python
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.Dropout(0.3)(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dropout(0.44)(x)  # 1 - 0.8 * 0.7
    ```

    ## References
    - Srivastava et al. (2014), "Dropout", JMLR 15.
    """

    code = "KO108"
    name = "consecutive-dropout"
    severity = "info"
    pattern = PathPattern(start=NOISE_NODE, end=NOISE_NODE)
    fix = "Merge the two noise layers into one with the combined rate."
    reference = "Srivastava et al. 2014, JMLR 15(56)"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        first, second = nodes
        return (
            f"{first.describe()} is followed directly by {second.describe()}: "
            "two noise layers in a row act as one with a combined rate."
        )

    VALID = (
        Example(
            title="one dropout",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("Dropout", {"rate": 0.44, "name": "dropout"}),
                ("Dense", {"units": 2, "name": "head"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="two dropouts",
            input_shape=(16,),
            layers=(
                ("Dropout", {"rate": 0.2, "name": "dropout_1"}),
                ("Dropout", {"rate": 0.3, "name": "dropout_2"}),
            ),
            expect=("dropout_1", "dropout_2"),
        ),
    )
