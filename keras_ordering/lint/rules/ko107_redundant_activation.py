"""KO107 redundant-activation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...graph.node import Node
from ..example import Example
from ..patterns import ACTIVATION_NODE, PathPattern
from ..rule import Rule, describe_activation, facts_of

if TYPE_CHECKING:
    from ...graph.graph import Graph


def _repeats_an_idempotent(first: Node, second: Node) -> bool:
    """The same idempotent function twice: f(f(x)) == f(x)."""
    facts = facts_of(first)
    same = first.attrs["activation"] == second.attrs["activation"]
    return same and facts is not None and facts.idempotent


def _normalizes_another_axis(first: Node, second: Node) -> bool:
    """`second` normalizes over an axis other than the one `first` produces
    its scores along (attention pooling: Dense(1, "tanh"), then softmax over
    time), or over another axis than a normalizing `first`."""
    facts = facts_of(second)
    if facts is None or facts.elementwise:
        return False
    axis = second.attrs.get("axis", -1)
    first_facts = facts_of(first)
    if first_facts is not None and not first_facts.elementwise:
        return axis != first.attrs.get("axis", -1)
    return axis != -1


class RedundantActivation(Rule):
    """## What it does
    Finds two activations in a row, counting a weight layer's
    `activation=` argument as an activation right after the layer, when
    the second one is redundant or undoes what the first one meant.

    Which pairs are reported, from the activation facts
    (`graph/activations.py`: idempotent, elementwise, the normalized axis):

    - The same idempotent function twice (relu -> relu, relu6 -> relu6,
      hard_tanh): f(f(x)) == f(x), so the second is an exact no-op. Info:
      the model computes what its author meant, at the cost of one more
      pass over the tensor.
    - Any other pair of elementwise functions (relu -> sigmoid, tanh ->
      tanh) and any pair with softmax over the last axis (softmax ->
      sigmoid, tanh -> softmax): the composition is a different function,
      such as probabilities squashed into [0.5, 0.73]. Warning.
    - Not reported: a softmax over another axis than the last, after an
      elementwise activation. `Dense(1, activation="tanh")` on a (T, 16)
      input followed by `Softmax(axis=1)` scores each time step, then
      normalizes the scores over time (attention pooling): the two
      activations act along different axes, and neither is redundant. Nor
      are two softmaxes over different axes, or an activation the facts
      table does not know (a custom function): no claim either way.

    ## Why is this bad?
    Usually a slip: `Dense(64, activation="relu")` followed by `ReLU()`
    applies relu twice (harmless but wasted work), and
    `Dense(10, activation="softmax")` followed by `Activation("sigmoid")`
    squashes probabilities into [0.5, 0.73]. Either way, one of the two is
    not doing what its author meant.

    ## Example
    ```python
    x = keras.layers.Dense(64, activation="relu")(x)
    x = keras.layers.ReLU()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dense(64, activation="relu")(x)
    ```

    ## References
    - Keras documentation, `keras.layers.Dense(activation=...)`: "If you
      don't specify anything, no activation is applied".
    """

    code = "KO107"
    name = "redundant-activation"
    severity = "warning"
    severity_note = "warning, or info for an idempotent repeat (relu -> relu)"
    pattern = PathPattern(start=ACTIVATION_NODE, end=ACTIVATION_NODE)
    fix = "Remove one of the two activations."
    reference = "https://keras.io/api/layers/core_layers/dense/"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        first, second = nodes
        if facts_of(first) is None or facts_of(second) is None:
            return False  # A function the facts table does not know.
        return not _normalizes_another_axis(first, second)

    @classmethod
    def severity_of(cls, nodes: list[Node]) -> str:
        return "info" if _repeats_an_idempotent(*nodes) else cls.severity

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        first, second = nodes
        function = first.attrs["activation"]
        if _repeats_an_idempotent(first, second):
            return (
                f"{describe_activation(first)} is followed directly by "
                f"{describe_activation(second)}: {function} is idempotent, so the "
                "second is a no-op."
            )
        return (
            f"{describe_activation(first)} is followed directly by "
            f"{describe_activation(second)}: {second.attrs['activation']} of "
            f"{function} is a different function from either one."
        )

    VALID = (
        Example(
            title="one activation",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("ReLU", {"name": "relu"}),
            ),
        ),
        Example(
            title="attention pooling: scores, then softmax over time",
            input_shape=(10, 16),
            layers=(
                ("Dense", {"units": 1, "activation": "tanh", "name": "score"}),
                ("Softmax", {"axis": 1, "name": "attention"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="activation= and an activation layer",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "activation": "relu", "name": "dense"}),
                ("ReLU", {"name": "relu"}),
            ),
            expect=("dense", "relu"),
        ),
        Example(
            title="softmax probabilities squashed by a sigmoid",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 3, "activation": "softmax", "name": "dense"}),
                ("Activation", {"activation": "sigmoid", "name": "sigmoid"}),
            ),
            expect=("dense", "sigmoid"),
        ),
    )
