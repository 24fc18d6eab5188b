"""KO115 selu-with-standard-dropout."""

from __future__ import annotations

from ...graph import kinds
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..patterns import SHAPE_NODE, LayerPattern, PathPattern
from ..rule import Rule, describe_activation, facts_of, via

# Dropout that zeroes values and rescales the rest: one draw per value, per
# channel map or shared along some axes. Drop-path (one draw per sample) and
# gaussian or additive noise are other regularizers.
_ZEROING_DROPOUT = frozenset({"elementwise", "spatial", "shared"})


def _self_normalizing(node: Node) -> bool:
    facts = facts_of(node)
    return facts is not None and facts.self_normalizing


def _zeroing_dropout(node: Node) -> bool:
    return node.attrs.get("noise") in _ZEROING_DROPOUT


# Layers that set their own output moments: past one, no SELU chain is left
# for the dropout to break.
_RENORMALIZING = frozenset({kinds.BATCH_NORM, kinds.NORMALIZATION})


def _feeds_selu(graph: Graph, dropout: Node) -> bool:
    """Whether a self-normalizing activation reads the dropout's output,
    through any layers but a normalization (a BN re-sets the moments; a
    dropout just before the output has no SELU layer left to mislead)."""
    seen, stack = {dropout.index}, [dropout.index]
    while stack:
        for successor in graph.successors[stack.pop()]:
            node = graph.nodes[successor]
            if successor in seen or node.kind in _RENORMALIZING:
                continue
            if node.kind == kinds.ACTIVATION and _self_normalizing(node):
                return True
            seen.add(successor)
            stack.append(successor)
    return False


class SeluWithStandardDropout(Rule):
    """## What it does
    Finds a SELU activation (`activation="selu"`) whose output goes,
    through shape-only layers at most, into a standard `Dropout` (or a
    spatial dropout), the layer that zeroes values and rescales the rest,
    when another SELU layer reads the dropout's output without a
    normalization layer in between. `AlphaDropout`, the dropout made for
    SELU networks, is not reported. Nor is a dropout whose output only
    reaches a BatchNormalization (it re-sets the moments; KO101 judges a
    dropout before BN) or the model's output: no self-normalizing layer is
    left to mislead.

    ## Why is this bad?
    A self-normalizing network (Klambauer et al. 2017) keeps its
    activations near zero mean and unit variance layer after layer because
    SELU maps those moments to themselves. Standard dropout sets values to
    0 and scales the others by 1 / (1 - rate): the mean stays, but the
    variance grows, and 0 is not SELU's resting value (its negative
    saturation is about -1.76), so the fixed point moves. In training the
    layers after the dropout see other moments than at inference, and the
    self-normalization that was the reason to pick SELU is lost. AlphaDropout
    sets dropped values to SELU's saturation and rescales so that mean and
    variance are kept.

    ## Example
    ```python
    x = keras.layers.Dense(256, activation="selu")(x)
    x = keras.layers.Dropout(0.1)(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dense(256, activation="selu")(x)
    x = keras.layers.AlphaDropout(0.1)(x)
    ```

    ## References
    - Klambauer, Unterthiner, Mayr and Hochreiter, "Self-Normalizing Neural
      Networks", NeurIPS 2017, section "New Dropout Technique".
    - Keras documentation, `AlphaDropout`: "Alpha Dropout fits well to
      Scaled Exponential Linear Units (SELU) by randomly setting activations
      to the negative saturation value."
    - Bug reports and fixes: civisanalytics/muffnn#92 (an MLP's
      `tf.nn.dropout` replaced by alpha dropout for SELU),
      NVIDIA-Merlin/models#369 (AlphaDropout added to the MLP block for
      SELU), cchallu/nbeatsx#1 and ageron/handson-ml#88 (regular dropout
      breaks SELU's self-normalization).
    """

    code = "KO115"
    name = "selu-with-standard-dropout"
    severity = "warning"
    pattern = PathPattern(
        start=LayerPattern({kinds.ACTIVATION}, where=_self_normalizing),
        through=SHAPE_NODE,  # Shape-only layers pass the values on unchanged.
        end=LayerPattern({kinds.NOISE}, where=_zeroing_dropout),
    )
    fix = "Use AlphaDropout with SELU; it keeps the mean and variance SELU relies on."
    reference = "https://keras.io/api/layers/regularization_layers/alpha_dropout/"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        return _feeds_selu(graph, nodes[-1])

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        selu, dropout = nodes[0], nodes[-1]
        return (
            f"{dropout.describe()} zeroes the outputs of "
            f"{describe_activation(selu)}{via(nodes)}: in training it changes "
            "their variance and moves them off SELU's fixed point, so the "
            "layers after it are no longer self-normalizing. Use "
            "AlphaDropout instead."
        )

    VALID = (
        Example(
            title="SELU with AlphaDropout",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "selu", "name": "dense"}),
                ("AlphaDropout", {"rate": 0.1, "name": "drop"}),
                ("Dense", {"units": 32, "activation": "selu", "name": "dense_2"}),
            ),
        ),
        Example(
            title="SELU behind BatchNormalization, no dropout",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
                ("Activation", {"activation": "selu", "name": "selu"}),
            ),
        ),
        Example(
            title="SELU, dropout, then BatchNormalization before the next SELU",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "selu", "name": "dense"}),
                ("Dropout", {"rate": 0.1, "name": "drop"}),
                ("BatchNormalization", {"name": "bn"}),
                ("Dense", {"units": 32, "activation": "selu", "name": "dense_2"}),
            ),
        ),
        Example(
            title="the last SELU layer's dropout feeds the output head",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "selu", "name": "dense"}),
                ("Dropout", {"rate": 0.1, "name": "drop"}),
                ("Dense", {"units": 1, "activation": "sigmoid", "name": "head"}),
            ),
        ),
        Example(
            title="ReLU with standard dropout",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "relu", "name": "dense"}),
                ("Dropout", {"rate": 0.1, "name": "drop"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="a SELU layer followed by standard dropout",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "selu", "name": "dense"}),
                ("Dropout", {"rate": 0.1, "name": "drop"}),
                ("Dense", {"units": 32, "activation": "selu", "name": "dense_2"}),
            ),
            expect=("dense", "drop"),
        ),
        Example(
            title="a SELU activation layer, flattened, then dropout",
            input_shape=(4, 4),
            layers=(
                ("Activation", {"activation": "selu", "name": "selu"}),
                ("Flatten", {"name": "flat"}),
                ("Dropout", {"rate": 0.2, "name": "drop"}),
                ("Dense", {"units": 8, "activation": "selu", "name": "dense"}),
            ),
            expect=("selu", "flat", "drop"),
        ),
    )
