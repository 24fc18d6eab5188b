"""KO110 dropout-after-output."""

from __future__ import annotations

from ...graph import kinds
from ...graph.activations import names_with
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..patterns import (
    ACTIVATION_NODE,
    BATCH_NORM_NODE,
    MERGE_NODE,
    NOISE_NODE,
    NORMALIZATION_NODE,
    OUTPUT_NODE,
    POOL_NODE,
    SHAPE_NODE,
    PathPattern,
    any_of,
)
from ..rule import Rule, layer_names, via
from .ko101_dropout_before_batchnorm import is_drop_path_on_residual

_PROBABILITY = names_with(probability_output=True)
_FEATURE_KINDS = frozenset({kinds.MERGE, kinds.BATCH_NORM, kinds.NORMALIZATION})


def is_prediction(nodes: list[Node]) -> bool:
    """Whether the output a noise-to-output path ends at is a prediction:
    a loss is compiled on it, or it ends a classifier head."""
    if "loss" in nodes[-1].attrs:
        return True
    between = nodes[1:-1]
    if any(node.attrs.get("activation") in _PROBABILITY for node in between):
        return True
    return not any(node.kind in _FEATURE_KINDS for node in between)


class DropoutAfterOutput(Rule):
    """## What it does
    Finds a noise layer between the last weight layer and a model output
    that is a prediction: dropout applied to logits or probabilities.

    An output is a prediction when a loss is compiled on it or, with no
    loss compiled, when it ends a classifier head: the path from the noise
    to the output passes through a probability activation (softmax,
    sigmoid), or through no merge and no normalization layer
    (`Dense -> Dropout [-> Softmax]` as the last layers). With no loss
    compiled, an output reached through a residual `Add`, a
    LayerNormalization or a BatchNormalization is features (a backbone built with
    `num_classes=0`, a post-LayerNorm transformer block, an encoder read by
    a decoder): the next model's weight layers come after the dropout, so
    it is not reported.

    ## Why is this bad?
    Dropout on the output zeroes logits or probabilities at random in
    training, so the loss is computed on corrupted predictions, while at
    inference the outputs are clean: the model is trained for a different
    output distribution than it serves. Dropout belongs before the last
    weight layer, where the next layer can learn to use the noisy features.

    ## Example
    ```python
    outputs = keras.layers.Dense(10)(x)
    outputs = keras.layers.Dropout(0.5)(outputs)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(10)(x)
    ```

    ## References
    - Srivastava et al. (2014), "Dropout", JMLR 15: dropout is applied to
      the hidden units, not to the output.
    """

    code = "KO110"
    name = "dropout-after-output"
    severity = "warning"
    judges_model_outputs = True
    pattern = PathPattern(
        start=NOISE_NODE,
        through=any_of(
            SHAPE_NODE,
            ACTIVATION_NODE,
            NOISE_NODE,
            POOL_NODE,
            MERGE_NODE,
            BATCH_NORM_NODE,
            NORMALIZATION_NODE,
        ),
        end=OUTPUT_NODE,
    )
    fix = "Move the dropout before the last weight layer."
    reference = "Srivastava et al. 2014, JMLR 15(56)"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        return is_prediction(nodes)

    @classmethod
    def severity_of(cls, nodes: list[Node]) -> str:
        return "info" if is_drop_path_on_residual(nodes) else cls.severity

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        noise, output = nodes[0], nodes[-1]
        if layer_names(nodes) == (noise.path,):
            where = f"{noise.describe()} is a model output"
        else:
            where = f"{noise.describe()} reaches the model output '{output.path}'"
        return (
            f"{where}{via(nodes)} with no weight layer after it: dropout is "
            "applied to the predictions themselves."
        )

    VALID = (
        Example(
            title="features out of a post-LayerNorm transformer block",
            inputs={"tokens": (8, 16)},
            nodes=(
                ("Dense", {"units": 16, "name": "projection"}, ["tokens"]),
                ("Dropout", {"rate": 0.1, "name": "dropout"}, ["projection"]),
                ("Add", {"name": "residual"}, ["tokens", "dropout"]),
                ("LayerNormalization", {"name": "norm"}, ["residual"]),
            ),
            outputs=("norm",),
        ),
        Example(
            title="dropout before the classifier",
            input_shape=(16,),
            layers=(
                ("Dropout", {"rate": 0.5, "name": "dropout"}),
                ("Dense", {"units": 3, "activation": "softmax", "name": "classifier"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="dropout on the logits",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 3, "name": "logits"}),
                ("Dropout", {"rate": 0.5, "name": "dropout"}),
            ),
            expect=("dropout",),
        ),
        Example(
            title="dropout before the output activation",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 3, "name": "logits"}),
                ("Dropout", {"rate": 0.5, "name": "dropout"}),
                ("Softmax", {"name": "probabilities"}),
            ),
            expect=("dropout", "probabilities"),
        ),
        Example(
            title="a loss compiled on a normalized output",
            inputs={"tokens": (8, 16)},
            nodes=(
                ("Dense", {"units": 16, "name": "projection"}, ["tokens"]),
                ("Dropout", {"rate": 0.1, "name": "dropout"}, ["projection"]),
                ("Add", {"name": "residual"}, ["tokens", "dropout"]),
                ("LayerNormalization", {"name": "norm"}, ["residual"]),
            ),
            outputs=("norm",),
            loss=("MeanSquaredError", {}),
            expect=("dropout", "residual", "norm"),
        ),
    )
