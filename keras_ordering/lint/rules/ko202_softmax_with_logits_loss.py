"""KO202 softmax-with-logits-loss."""

from __future__ import annotations

from ...graph.activations import names_with
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..patterns import SHAPE_NODE, LayerPattern, PathPattern
from ..rule import Rule, describe_activation, layer_names, via

_PROBABILITY = names_with(probability_output=True)
_SHIFTED_LOGITS = names_with(shifts_logits=True)


def _softmax_loss(loss_name: str) -> bool:
    """Categorical losses apply softmax to logits; binary ones apply sigmoid."""
    return "categorical" in loss_name.lower().replace("_", "")


class SoftmaxWithLogitsLoss(Rule):
    """## What it does
    Finds a compiled model whose loss has `from_logits=True` for an output
    that already passes through softmax or sigmoid.

    ## Why is this bad?
    `from_logits=True` tells the loss to apply softmax (or sigmoid) itself.
    Applied a second time, probabilities in [0, 1] are squashed again: the
    loss is computed on nearly uniform values, its gradient is tiny, and
    training stalls or converges to a poor model with no error raised.

    `log_softmax` before a categorical `from_logits=True` loss is not
    reported: log_softmax(x) = x - logsumexp(x) only subtracts one constant
    per sample, and softmax is shift-invariant (softmax(x - c) =
    softmax(x)), so the loss, its gradient and the predicted class equal
    those on the raw logits. Before a binary (sigmoid) loss it is reported:
    sigmoid is not shift-invariant.

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
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        activation, output = nodes[0], nodes[-1]
        return not (
            activation.attrs["activation"] in _SHIFTED_LOGITS
            and _softmax_loss(str(output.attrs.get("loss", "")))
        )

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        activation, output = nodes[0], nodes[-1]
        if layer_names(nodes) == (output.path,):
            where = f"{describe_activation(activation)} computes the model output"
        else:
            where = (
                f"Output '{output.path}' passes through "
                f"{describe_activation(activation)}{via(nodes)}"
            )
        loss = str(output.attrs.get("loss"))
        own = "softmax" if _softmax_loss(loss) else "sigmoid"
        return (
            f"{where}, but its loss '{loss}' has from_logits=True, so it applies "
            f"its own {own} on top of {activation.attrs['activation']}."
        )

    VALID = (
        Example(
            title="logits with a from_logits loss",
            input_shape=(16,),
            layers=(("Dense", {"units": 3, "name": "logits"}),),
            loss=("SparseCategoricalCrossentropy", {"from_logits": True}),
        ),
        Example(
            title="log_softmax with a categorical from_logits loss",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 3, "activation": "log_softmax", "name": "scores"}),
            ),
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
        Example(
            title="log_softmax with a binary (sigmoid) from_logits loss",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 3, "activation": "log_softmax", "name": "scores"}),
            ),
            loss=("BinaryCrossentropy", {"from_logits": True}),
            expect=("scores",),
        ),
    )
