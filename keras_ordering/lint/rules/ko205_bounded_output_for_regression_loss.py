"""KO205 bounded-output-for-regression-loss."""

from __future__ import annotations

import math

from ...graph import kinds
from ...graph.losses import is_regression_loss
from ...graph.node import Node
from ..example import Example
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule, describe_activation, facts_of, layer_names, quoted_list


def _bounded_or_clipped(node: Node) -> bool:
    facts = facts_of(node)
    return facts is not None and (facts.bounded or facts.clipped_below)


def _regression_output(node: Node) -> bool:
    return is_regression_loss(node.attrs.get("loss"))


def _interval(low: float, high: float) -> str:
    def bound(value: float) -> str:
        return "inf" if math.isinf(value) else f"{value:g}"

    return f"[{bound(low)}, {bound(high)}{')' if math.isinf(high) else ']'}"


class BoundedOutputForRegressionLoss(Rule):
    """## What it does
    Finds a model output whose last activation is bounded (sigmoid, tanh,
    softmax, relu6, hard sigmoid ...) or clipped at a floor (ReLU and its
    variants), reached through shape-only or noise layers at most, when the
    output is compiled with a regression loss: mean squared error, mean
    absolute error, Huber or log-cosh.

    This is a question, not a verdict (severity info): the model alone does
    not tell the range of the targets. Targets scaled into the activation's
    range (images in [0, 1] behind a sigmoid, counts behind a ReLU) are
    fine; the data-aware check can tell.

    ## Why is this bad?
    A regression loss compares the output with targets of any real value,
    but the activation confines the output to its range. A target outside
    it can never be reached: the loss has a floor above zero, and the
    pre-activation is pushed into the flat part of the activation, where
    its gradient vanishes (a sigmoid saturates; a ReLU output below 0
    stops learning altogether and may predict 0 for every input). Training
    runs without an error, and the model's predictions are clipped.

    ## Example
    ```python
    outputs = keras.layers.Dense(1, activation="relu")(x)
    model.compile(loss="mse")  # the targets include negative values
    ```

    ## Use instead
    ```python
    outputs = keras.layers.Dense(1)(x)  # a linear output for regression
    model.compile(loss="mse")
    ```

    ## References
    - Keras documentation, regression losses: `MeanSquaredError` computes
      "the mean of squares of errors between labels and predictions".
    - Bug reports and fixes: keras-team/keras#3687 (a ReLU regression
      output with MSE predicts all zeros), ProteomicsML/ProteomicsML#203
      ("Do not use ReLU activation for the final regression layer"),
      curiousily/Credit-Card-Fraud-Detection-using-Autoencoders-in-Keras#1
      (a ReLU autoencoder output for features with negative values),
      tsinghua-rll/VoxelNet-tensorflow#10 (a ReLU box-regression map) and
      jcjohnson/pytorch-examples#30 ("If you apply ReLU to the output layer
      then the network cannot predict negative values").
    """

    code = "KO205"
    name = "bounded-output-for-regression-loss"
    severity = "info"
    judges_model_outputs = True
    pattern = PathPattern(
        start=LayerPattern({kinds.ACTIVATION}, where=_bounded_or_clipped),
        through=LayerPattern({kinds.SHAPE, kinds.NOISE}),
        end=LayerPattern({kinds.OUTPUT}, where=_regression_output),
    )
    fix = (
        "If the targets can leave the activation's range, use a linear "
        "output (no activation) with the regression loss."
    )
    reference = "https://keras.io/api/losses/regression_losses/"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        activation, output = nodes[0], nodes[-1]
        facts = facts_of(activation)
        assert facts is not None  # The pattern only starts at known facts.
        interval = _interval(*facts.output_range)
        following = layer_names(nodes)[1:]  # Shape and noise layers after it.
        after = f" (through {quoted_list(following)})" if following else ""
        return (
            f"{describe_activation(activation)}{after} gives a model "
            f"output values in {interval} only, but its loss "
            f"'{output.attrs['loss']}' is a regression loss: targets outside "
            f"{interval} can never be reached, and the activation saturates "
            "trying. Are the targets scaled into that range? If not, use a "
            "linear output."
        )

    VALID = (
        Example(
            title="a linear output with MSE",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "relu", "name": "hidden"}),
                ("Dense", {"units": 1, "name": "out"}),
            ),
            loss=("MeanSquaredError", {}),
        ),
        Example(
            title="a sigmoid output with binary cross-entropy",
            input_shape=(16,),
            layers=(("Dense", {"units": 1, "activation": "sigmoid", "name": "out"}),),
            loss=("BinaryCrossentropy", {}),
        ),
        Example(
            title="a softplus output (positive, unbounded, never flat) with MSE",
            input_shape=(16,),
            layers=(("Dense", {"units": 1, "activation": "softplus", "name": "out"}),),
            loss=("MeanSquaredError", {}),
        ),
    )
    INVALID = (
        Example(
            title="a ReLU output with MSE",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "relu", "name": "hidden"}),
                ("Dense", {"units": 1, "activation": "relu", "name": "out"}),
            ),
            loss=("MeanSquaredError", {}),
            expect=("out",),
        ),
        Example(
            title="a tanh layer, then a reshape, with MAE",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 4, "name": "dense"}),
                ("Activation", {"activation": "tanh", "name": "tanh"}),
                ("Reshape", {"target_shape": (2, 2), "name": "grid"}),
            ),
            loss=("MeanAbsoluteError", {}),
            expect=("tanh", "grid"),
        ),
    )
