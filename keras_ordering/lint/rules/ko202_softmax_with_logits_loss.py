"""KO202 softmax-with-logits-loss."""

from __future__ import annotations

from ...graph.activations import names_with
from ...graph.node import Node
from ..example import Example
from ..path_pattern import PathPattern
from ..patterns import SHAPE_NODE, LayerPattern
from ..rule import Rule, via

_PROBABILITY = names_with(probability_output=True)


class SoftmaxWithLogitsLoss(Rule):
    """## What it does
    Finds a compiled model whose loss has `from_logits=True` for an output
    that already passes through softmax or sigmoid.

    ## Why is this bad?
    `from_logits=True` tells the loss to apply softmax (or sigmoid) itself.
    Applied a second time, probabilities in [0, 1] are squashed again: the
    loss is computed on nearly uniform values, its gradient is tiny, and
    training stalls or converges to a poor model with no error raised.

    ## Example
    ```python
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ```

    ## Use instead
    ```python
    outputs = keras.layers.Dense(10)(x)  # logits
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ```

    ## References
    - Keras documentation, `SparseCategoricalCrossentropy(from_logits=...)`:
      "Whether y_pred is expected to be a logits tensor".
    """

    code = "KO202"
    name = "softmax-with-logits-loss"
    severity = "error"
    pattern = PathPattern(
        start=LayerPattern(
            {"activation"}, where=lambda node: node.attrs["activation"] in _PROBABILITY
        ),
        through=SHAPE_NODE,
        end=LayerPattern(
            {"output"}, where=lambda node: bool(node.attrs.get("from_logits"))
        ),
    )
    fix = "Remove the output activation, or compile with from_logits=False."
    reference = "https://keras.io/api/losses/probabilistic_losses/"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        activation, output = nodes[0], nodes[-1]
        return (
            f"Output '{output.path}' passes through {activation.describe()} "
            f"('{activation.attrs['activation']}'){via(nodes)}, but its loss "
            f"'{output.attrs.get('loss')}' has from_logits=True: the activation "
            "is applied twice."
        )

    VALID = (
        Example(
            title="logits with a from_logits loss",
            input_shape=(16,),
            layers=(("Dense", {"units": 3, "name": "logits"}),),
            loss=("SparseCategoricalCrossentropy", {"from_logits": True}),
        ),
    )
    INVALID = (
        Example(
            title="softmax output with a from_logits loss",
            input_shape=(16,),
            layers=(("Dense", {"units": 3, "activation": "softmax", "name": "probs"}),),
            loss=("SparseCategoricalCrossentropy", {"from_logits": True}),
            expect=("probs",),
        ),
    )
