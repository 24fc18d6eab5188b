"""KO108 consecutive-dropout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph import identity, kinds
from ...graph.node import Node
from ..example import Example
from ..fix import Fix, SetConfig, Skip
from ..patterns import NOISE_NODE, SHAPE_NODE, PathPattern
from ..rule import Rule, via

if TYPE_CHECKING:
    from ...graph.graph import Graph
    from ..finding import Finding


class ConsecutiveDropout(Rule):
    """## What it does
    Finds two noise layers in a row, with shape-only layers (Flatten,
    Reshape, Permute...) at most between them: those move values without
    changing them, so the two still act as one.

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
    pattern = PathPattern(start=NOISE_NODE, through=SHAPE_NODE, end=NOISE_NODE)
    fix = "Merge the two noise layers into one with the combined rate."
    reference = "Srivastava et al. 2014, JMLR 15(56)"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        first, second = nodes[0], nodes[-1]
        return (
            f"{first.describe()} is followed "
            f"{'directly ' if len(nodes) == 2 else ''}by {second.describe()}"
            f"{via(nodes)}: two noise layers in a row act as one with a "
            "combined rate."
        )

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Merges two noise layers of the same kind where that is exact."""
        import numpy as np

        first, second = (
            model.get_layer(name) for name in (finding.layers[0], finding.layers[-1])
        )
        if len(finding.layers) > 2 and getattr(first, "noise_shape", None) is not None:
            return "a noise shape means other axes after the shape layer between"
        # Identity from the class hierarchy (a user's class named Dropout is
        # not Keras'); a subclass with its own `call` may not compose.
        layer_class = identity.known_class_of(first) or ""
        if type(first) is not type(second) or getattr(
            first, "noise_shape", None
        ) != getattr(second, "noise_shape", None):
            return "the two noise layers draw different kinds of noise"
        if identity.redefined(type(first), ("call",)):
            return f"{type(first).__name__} has its own call: its rates may not compose"
        draws = (
            kinds.noise_pattern(layer_class, first.get_config())
            if kinds.is_noise_class(layer_class)
            else None
        )
        if draws is None or draws[0] == "gaussian":
            return f"two {layer_class} layers do not compose into one exactly"
        if draws[0] == "additive":
            stddev = float(np.hypot(first.stddev, second.stddev))
            merged: dict[str, Any] = {"stddev": stddev}
            what = f"merged into one {layer_class}(stddev={stddev:.4g})"
        else:
            # Two independent masks drop a unit unless both keep it.
            keep = (1.0 - first.rate) * (1.0 - second.rate)
            merged = {"rate": 1.0 - keep}
            what = f"merged into one {layer_class}(rate={1.0 - keep:.4g})"
        return cls.make_fix(
            finding, what, SetConfig(second.name, merged), Skip(first.name)
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
        Example(
            title="two dropouts with a Flatten between them",
            input_shape=(4, 4),
            layers=(
                ("Dropout", {"rate": 0.2, "name": "dropout_1"}),
                ("Flatten", {"name": "flatten"}),
                ("Dropout", {"rate": 0.5, "name": "dropout_2"}),
            ),
            expect=("dropout_1", "flatten", "dropout_2"),
        ),
    )
