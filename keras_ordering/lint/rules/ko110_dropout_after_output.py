"""KO110 dropout-after-output."""

from __future__ import annotations

from ...graph.node import Node
from ..example import Example
from ..path_pattern import PathPattern
from ..patterns import (
    ACTIVATION_NODE,
    BATCH_NORM_NODE,
    MERGE_NODE,
    NOISE_NODE,
    NORMALIZATION_NODE,
    OUTPUT_NODE,
    POOL_NODE,
    SHAPE_NODE,
    any_of,
)
from ..rule import Rule, via
from .ko101_dropout_before_batchnorm import is_drop_path_on_residual


class DropoutAfterOutput(Rule):
    """## What it does
    Finds a noise layer between the last weight layer and a model output:
    dropout applied to logits or predictions.

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
    def severity_of(cls, nodes: list[Node]) -> str:
        return "info" if is_drop_path_on_residual(nodes) else cls.severity

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        noise, output = nodes[0], nodes[-1]
        return (
            f"{noise.describe()} reaches the model output '{output.path}'"
            f"{via(nodes)} with no weight layer after it: dropout is applied "
            "to the predictions themselves."
        )

    VALID = (
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
    )
