"""KO203 activation-loss-mismatch."""

from __future__ import annotations

import math

from ...graph import kinds
from ...graph.activations import ACTIVATION_FACTS, names_with
from ...graph.graph import Graph
from ...graph.losses import loss_family
from ...graph.node import Node
from ..example import Example
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule

# Probabilities per unit (sigmoid), and distributions over the units (softmax).
_SIGMOIDS = names_with(probability_output=True, elementwise=True)
_SOFTMAXES = names_with(
    probability_output=True, normalizes_axis=True, shifts_logits=False
)


def _within_probabilities(output_range: tuple[float, float]) -> bool:
    return output_range[0] >= 0.0 and output_range[1] <= 1.0


def _range_text(output_range: tuple[float, float]) -> str:
    low, high = output_range
    left = "(-inf" if math.isinf(low) else f"[{low:g}"
    right = "inf)" if math.isinf(high) else f"{high:g}]"
    return f"{left}, {right}"


def _probability_loss(node: Node) -> bool:
    """An output compiled with a cross-entropy that expects probabilities."""
    return (
        not node.attrs.get("from_logits")
        and loss_family(node.attrs.get("loss")) is not None
    )


def _single_predecessor(graph: Graph, index: int) -> int | None:
    predecessors = graph.predecessors[index]
    return predecessors[0] if len(predecessors) == 1 else None


def _last_axis_units(graph: Graph, activation: int) -> int | None:
    """Size of the last axis an activation acts on, when the graph tells it."""
    node = graph.nodes[activation]
    if isinstance(node.attrs.get("axis_size"), int):
        return node.attrs["axis_size"]
    index = _single_predecessor(graph, activation)
    while index is not None:
        node = graph.nodes[index]
        if node.kind == kinds.WEIGHT:
            units = node.attrs.get("units")
            rank = node.attrs.get("rank")
            if rank is not None and node.attrs.get("channel_axis") != rank - 1:
                return None  # Channels first: units are not the last axis.
            return units if isinstance(units, int) else None
        if not kinds.keeps_last_axis(node.layer_class):
            return None
        index = _single_predecessor(graph, index)
    return None


def output_head(graph: Graph, output: int) -> list[Node] | None:
    """The nodes from the layer that decides an output's range to the output:
    its activation, or its weight layer when the output is linear. Shape-only
    and noise layers in between keep the range."""
    path = [graph.nodes[output]]
    index = _single_predecessor(graph, output)
    while index is not None:
        node = graph.nodes[index]
        path.append(node)
        if node.kind == kinds.ACTIVATION or (
            node.kind == kinds.WEIGHT and node.attrs.get("affine")
        ):
            return list(reversed(path))
        if node.kind not in (kinds.SHAPE, kinds.NOISE):
            return None
        index = _single_predecessor(graph, index)
    return None


class ActivationLossMismatch(Rule):
    """## What it does
    Finds a model output whose activation does not match the cross-entropy
    it is compiled with (`from_logits=False`, string losses included):

    - sigmoid with a categorical cross-entropy (categorical, sparse
      categorical or categorical focal);
    - softmax over 3 units or more with a binary cross-entropy (binary or
      binary focal). Over 2 units the pairing is correct: with one-hot
      targets, binary cross-entropy on (p, 1 - p) is categorical
      cross-entropy term for term, with the same gradient, and `"accuracy"`
      gives the same number;
    - no activation at all (a linear, unbounded output) with any of them;
    - an activation whose values are not all in [0, 1] (relu, tanh, elu,
      softplus, log_softmax...) with any of them.

    Each output of a multi-output model is checked against its own loss.
    Softmax over a single unit is KO201's, and a probability activation with
    `from_logits=True` is KO202's.

    ## Why is this bad?
    With `from_logits=False` the loss takes `y_pred` as probabilities, and
    Keras makes them so without a word:

    - a categorical cross-entropy divides the outputs by their sum, so
      independent sigmoids are rescaled into a distribution they are not
      (a single sigmoid unit always becomes 1, and the loss is 0);
    - a binary cross-entropy scores each softmax unit (3 or more) as an
      independent yes/no, which is another loss: several labels cannot all
      be predicted, and the `"accuracy"` metric turns into binary accuracy,
      inflated by the many zero labels;
    - raw scores are clipped into (0, 1) by the binary cross-entropy (the
      gradient vanishes outside) and divided by their sum by the categorical
      one (meaningless for negative scores): training stalls or yields NaN.
      A relu head is the same: its units at 0 score log(1e-7) with no
      gradient, so the loss freezes (keras-team/keras#12096).

    ## Example
    ```python
    outputs = keras.layers.Dense(10, activation="sigmoid")(x)
    model.compile(loss="categorical_crossentropy")
    ```

    ## Use instead
    ```python
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model.compile(loss="categorical_crossentropy")
    ```

    ## References
    - Keras documentation, probabilistic losses: `from_logits` "Whether
      y_pred is expected to be a logits tensor. By default, we assume that
      y_pred encodes a probability distribution."
    - Bug reports: tensorflow/tensorflow#28718, keras-team/keras#6421
      (sigmoid on 2 units with categorical cross-entropy) and
      keras-team/keras#14729 (sigmoid on 1 unit with categorical
      cross-entropy).
    """

    code = "KO203"
    name = "activation-loss-mismatch"
    severity = "error"
    pattern = PathPattern(start=LayerPattern({"output"}, where=_probability_loss))
    fix = (
        "Match the head to the loss: softmax with categorical, sigmoid with "
        "binary cross-entropy, or from_logits=True for a linear output."
    )
    reference = "https://keras.io/api/losses/probabilistic_losses/"

    @classmethod
    def reported_path(cls, nodes: list[Node], graph: Graph) -> list[Node] | None:
        """An output's head (its last layer to the output), when its
        activation does not fit the loss."""
        head = output_head(graph, nodes[0].index)
        if head is None or cls.mismatch(graph, head) is None:
            return None
        return head

    @classmethod
    def message_in(cls, nodes: list[Node], graph: Graph) -> str:
        message = cls.mismatch(graph, nodes)
        assert message is not None  # `reported_path` kept mismatches only.
        return message

    @classmethod
    def mismatch(cls, graph: Graph, head: list[Node]) -> str | None:
        """The message for a mismatched output head, None when it matches."""
        last, output = head[0], head[-1]
        loss = output.attrs["loss"]
        family = loss_family(loss)
        start = f"Output '{output.path}'"
        if last.kind == kinds.WEIGHT:
            effect = (
                "clips the raw scores into (0, 1), where the gradient vanishes"
                if family == "binary"
                else "divides the raw scores by their sum, which is meaningless "
                "for negative scores"
            )
            return (
                f"{start} has no activation ({last.describe()} is linear), but "
                f"its loss '{loss}' expects probabilities and {effect}. Compile "
                "the loss with from_logits=True."
            )
        activation = last.attrs.get("activation")
        units = _last_axis_units(graph, last.index)
        if activation in _SIGMOIDS and family == "categorical":
            if units == 1:
                return (
                    f"{start} is one {activation} unit, but its loss '{loss}' "
                    "normalizes the outputs to sum to 1, which makes a single "
                    "unit always 1: the loss is 0 and nothing is learned. Use "
                    "binary_crossentropy."
                )
            return (
                f"{start} applies {activation} to independent units, but its "
                f"loss '{loss}' rescales them to sum to 1 as if they were a "
                "softmax. Use softmax for one label per sample, or "
                "binary_crossentropy for several."
            )
        # Over 2 units, softmax + binary cross-entropy is categorical
        # cross-entropy term for term (p2 = 1 - p1), and 'accuracy' gives the
        # same number: a common, correct pairing. From 3 units it is another
        # loss, and 'accuracy' becomes binary_accuracy.
        facts = ACTIVATION_FACTS.get(activation) if activation else None
        if facts is not None and not _within_probabilities(facts.output_range):
            return (
                f"{start} applies {activation}, whose outputs span "
                f"{_range_text(facts.output_range)}, not probabilities, but its "
                f"loss '{loss}' expects probabilities and "
                + (
                    "clips them into (1e-7, 1 - 1e-7): outside, the gradient vanishes"
                    if family == "binary"
                    else "divides them by their sum and clips them into "
                    "(1e-7, 1): a unit at 0 or below scores log(1e-7) with no "
                    "gradient"
                )
                + ". Use "
                + ("sigmoid" if family == "binary" else "softmax")
                + ", or a linear output with from_logits=True."
            )
        if activation in _SOFTMAXES and family == "binary" and (units or 0) > 2:
            return (
                f"{start} applies {activation} over {units} units, but its loss "
                f"'{loss}' scores each unit as an independent yes/no: from 3 "
                "units that is another loss than categorical cross-entropy, and "
                "'accuracy' becomes binary_accuracy, inflated by the zero labels. "
                "Use categorical_crossentropy for one label per sample, or "
                "sigmoid for several."
            )
        return None

    VALID = (
        Example(
            title="softmax with categorical cross-entropy",
            input_shape=(16,),
            layers=(("Dense", {"units": 3, "activation": "softmax", "name": "out"}),),
            loss=("CategoricalCrossentropy", {}),
        ),
        Example(
            title="logits with from_logits=True",
            input_shape=(16,),
            layers=(("Dense", {"units": 1, "name": "out"}),),
            loss=("BinaryCrossentropy", {"from_logits": True}),
        ),
        Example(
            title="softmax over 2 units with binary cross-entropy (the same loss)",
            input_shape=(16,),
            layers=(("Dense", {"units": 2, "activation": "softmax", "name": "out"}),),
            loss=("BinaryCrossentropy", {}),
        ),
        Example(
            title="a relu output with a regression loss",
            input_shape=(16,),
            layers=(("Dense", {"units": 1, "activation": "relu", "name": "out"}),),
            loss=("MeanSquaredError", {}),
        ),
        Example(
            title="sigmoid with binary cross-entropy (multi-label)",
            input_shape=(16,),
            layers=(("Dense", {"units": 5, "activation": "sigmoid", "name": "out"}),),
            loss=("BinaryCrossentropy", {}),
        ),
    )
    INVALID = (
        Example(
            title="a relu output with categorical cross-entropy",
            input_shape=(16,),
            layers=(("Dense", {"units": 2, "activation": "relu", "name": "out"}),),
            loss=("CategoricalCrossentropy", {}),
            expect=("out",),
        ),
        Example(
            title="sigmoid on several units with categorical cross-entropy",
            input_shape=(16,),
            layers=(("Dense", {"units": 2, "activation": "sigmoid", "name": "out"}),),
            loss=("CategoricalCrossentropy", {}),
            expect=("out",),
        ),
        Example(
            title="softmax over 3 units or more with binary cross-entropy",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 3, "name": "logits"}),
                ("Softmax", {"name": "probs"}),
            ),
            loss=("BinaryCrossentropy", {}),
            expect=("probs",),
        ),
        Example(
            title="a linear output with a probability loss",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 1, "name": "score"}),
                ("Flatten", {"name": "flat"}),
            ),
            loss=("BinaryCrossentropy", {"from_logits": False}),
            expect=("score", "flat"),
        ),
    )
