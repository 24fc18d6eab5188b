"""KO103 dropout-before-activation."""

from __future__ import annotations

from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..patterns import ACTIVATION_NODE, NOISE_NODE, SHAPE_NODE, PathPattern
from ..rule import Rule, describe_activation, facts_of, via


class DropoutBeforeActivation(Rule):
    """## What it does
    Finds a noise layer directly before an activation that does not commute
    with it, or with shape-only layers (a slice, `Flatten`, `Reshape`)
    between them. Warning when f(0) != 0 (sigmoid, hard_sigmoid, softplus,
    exponential, softmax): a dropped unit becomes f(0), not zero. Info when
    f is not positively homogeneous (tanh, gelu, silu, elu, selu, mish,
    relu6): f(x / p) != f(x) / p. Nothing for relu, leaky relu, PReLU or
    linear, which commute with dropout exactly.

    ## Why is this bad?
    Dropout zeroes units and scales the survivors by 1/p. Only a positively
    homogeneous f with f(0) = 0 passes both through unchanged. With
    sigmoid, a dropped unit turns into 0.5, so "dropout" no longer drops
    anything, and the survivors' scaling is squashed: the expected output in
    training differs from the output at inference.

    ## Example
    ```python
    x = keras.layers.Dense(64)(x)
    x = keras.layers.Dropout(0.5)(x)
    x = keras.layers.Activation("sigmoid")(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dense(64, activation="sigmoid")(x)
    x = keras.layers.Dropout(0.5)(x)
    ```

    ## References
    - Srivastava et al. (2014), "Dropout: A Simple Way to Prevent Neural
      Networks from Overfitting", JMLR 15.
    """

    code = "KO103"
    name = "dropout-before-activation"
    severity = "warning"
    severity_note = "warning (f(0) != 0) or info"
    # Shape-only layers (a slice, Flatten, Reshape) move the dropped zeros
    # into the activation unchanged.
    pattern = PathPattern(start=NOISE_NODE, through=SHAPE_NODE, end=ACTIVATION_NODE)
    fix = "Apply the activation first, then the dropout."
    reference = "Srivastava et al. 2014, JMLR 15(56)"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        facts = facts_of(nodes[-1])
        if facts is None:
            return False  # Unknown activation: no claim either way.
        return not (facts.zero_at_zero and facts.positively_homogeneous)

    @classmethod
    def severity_of(cls, nodes: list[Node]) -> str:
        facts = facts_of(nodes[-1])
        return "info" if facts is not None and facts.zero_at_zero else "warning"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        noise, activation = nodes[0], nodes[-1]
        name = activation.attrs["activation"]
        facts = facts_of(activation)
        if facts is not None and not facts.zero_at_zero:
            why = (
                f"{name}(0) != 0, so dropped units become {name}(0) instead of "
                "zero and dropout no longer drops them"
            )
        else:
            why = (
                f"{name} is not positively homogeneous, so {name}(x/p) != "
                f"{name}(x)/p and training and inference outputs differ in scale"
            )
        return (
            f"{noise.describe()} comes "
            f"{'directly ' if len(nodes) == 2 else ''}before "
            f"{describe_activation(activation)}{via(nodes)}: {why}."
        )

    VALID = (
        Example(
            title="dropout before relu commutes exactly",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("Dropout", {"rate": 0.5, "name": "dropout"}),
                ("ReLU", {"name": "relu"}),
                ("Dense", {"units": 2, "name": "head"}),
            ),
        ),
        Example(
            title="the activation first",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "activation": "sigmoid", "name": "dense"}),
                ("Dropout", {"rate": 0.5, "name": "dropout"}),
                ("Dense", {"units": 2, "name": "head"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="dropout before sigmoid",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("Dropout", {"rate": 0.5, "name": "dropout"}),
                ("Activation", {"activation": "sigmoid", "name": "sigmoid"}),
            ),
            expect=("dropout", "sigmoid"),
        ),
        Example(
            title="dropout before gelu",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("GaussianDropout", {"rate": 0.2, "name": "noise"}),
                ("Activation", {"activation": "gelu", "name": "gelu"}),
            ),
            expect=("noise", "gelu"),
        ),
        Example(
            title="dropout, a Flatten, then sigmoid",
            input_shape=(4, 4),
            layers=(
                ("Dropout", {"rate": 0.2, "name": "dropout"}),
                ("Flatten", {"name": "flatten"}),
                ("Activation", {"activation": "sigmoid", "name": "sigmoid"}),
            ),
            expect=("dropout", "flatten", "sigmoid"),
        ),
    )
