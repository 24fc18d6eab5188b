"""KO113 dropout-rate-as-keep-probability."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..fix import Applicability, Fix, SetConfig
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule

if TYPE_CHECKING:
    from ..finding import Finding

# Thresholds from the bug reports: keep_prob values copied as Keras rates
# were 0.9 (keras-deeplab-v3-plus), 0.8 (Inception-v4) and 0.7 / 0.75 (the
# TF1 tutorials). But 0.8 is also chosen on purpose (LSTM-FCN states it in its
# paper), so from 0.7 the finding is info, and a warning only where the rate
# leaves almost nothing (>= 0.9) or the model backs the keep_prob reading.
WARNING_FROM = 0.9
INFO_FROM = 0.7
# Additive noise has a stddev, not a rate.
_RATED_NOISE = frozenset({"elementwise", "spatial", "per-sample", "shared", "gaussian"})


def _rate(node: Node) -> float:
    return float(node.attrs.get("rate", 0.0))


def _reads_as_keep_probability(node: Node) -> bool:
    return node.attrs.get("noise") in _RATED_NOISE and _rate(node) >= INFO_FROM


def keep_probability_evidence(node: Node, graph: Graph) -> str | None:
    """What else in the model backs reading `node`'s rate as a keep_prob:
    a name that says so, or the same high rate on another noise layer (one
    TF1 `keep_prob` fed to every dropout). None when nothing does."""
    if "keep" in node.name.lower():
        return f"its name '{node.name}' says keep"
    rate = _rate(node)
    twins = [
        other.path
        for other in graph.nodes
        if other.kind == node.kind
        and other.path != node.path
        and _reads_as_keep_probability(other)
        and _rate(other) == rate
    ]
    if twins:
        names = ", ".join(f"'{path}'" for path in dict.fromkeys(twins[:3]))
        return f"the same rate {rate:g} is on {names} too, as one keep_prob would be"
    return None


class DropoutRateAsKeepProbability(Rule):
    """## What it does
    Finds a noise layer whose rate reads as TensorFlow 1's `keep_prob`, from
    rate 0.7. It is a warning where the rate leaves almost nothing (0.9 and
    up) or where something else in the model backs the keep_prob reading (a
    layer name with "keep", or the same rate on several noise layers, as one
    `keep_prob` fed to each); info otherwise. Additive `GaussianNoise` has a
    standard deviation, not a rate, and is left alone.

    ## Why is this bad?
    Keras' `rate` is the fraction of units dropped; TensorFlow 1's
    `tf.nn.dropout(keep_prob=...)` and slim took the fraction kept. A
    `keep_prob=0.9` copied as `Dropout(0.9)` keeps 10% of the units instead
    of 90% and scales the survivors by 10: training is far noisier than
    intended and the model underfits, with no error raised.

    Rates of 0.7 to 0.9 are sometimes chosen on purpose (LSTM-FCN drops 80%
    after its LSTM, as its paper states), so alone they are info only.

    ## Example
    ```python
    x = keras.layers.Dropout(0.9)(x)  # keep_prob=0.9 in the TF1 original
    ```

    ## Use instead
    ```python
    x = keras.layers.Dropout(0.1)(x)  # rate = 1 - keep_prob
    ```

    ## References
    - Keras documentation, `Dropout`: "rate: Float between 0 and 1.
      Fraction of the input units to drop."
    - Bug reports: bonlime/keras-deeplab-v3-plus#4 (`Dropout(0.9)` for
      `keep_prob=0.9`), titu1994/Inception-v4#5 (0.8),
      hunkim/DeepLearningZeroToAll#204 (0.7) and
      aymericdamien/TensorFlow-Examples#205 (0.75).
    """

    code = "KO113"
    name = "dropout-rate-as-keep-probability"
    severity = "warning"
    severity_note = (
        "warning (rate >= 0.9, or >= 0.7 where the model backs the keep_prob "
        "reading) or info (>= 0.7)"
    )
    pattern = PathPattern(
        start=LayerPattern({"noise"}, where=_reads_as_keep_probability)
    )
    fix = "If the rate was a keep probability, use 1 - rate (0.9 becomes 0.1)."
    reference = "https://keras.io/api/layers/regularization_layers/dropout/"
    # It guesses that the rate was a keep_prob.
    autofix_applicability = Applicability.ON_REQUEST

    @classmethod
    def severity_in(cls, nodes: list[Node], graph: Graph) -> str:
        (node,) = nodes
        if _rate(node) >= WARNING_FROM or keep_probability_evidence(node, graph):
            return cls.severity
        return "info"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        (node,) = nodes
        rate = _rate(node)
        return (
            f"{node.describe()} drops {rate:.0%} of its inputs in training and "
            f"keeps {1 - rate:.0%}; if {rate:g} was meant as TensorFlow 1's "
            f"keep_prob, write rate={1 - rate:.2g}."
        )

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Reads the rate as a keep probability: rate becomes 1 - rate."""
        (name,) = finding.layers
        if graph.head(name).part is not None:
            return "the noise is part of a BNActDropout: set its rate by hand"
        rate = float(model.get_layer(name).rate)
        new_rate = round(1.0 - rate, 6)
        return cls.make_fix(
            finding,
            f"set the rate of '{name}' from {rate:g} to {new_rate:g}, reading "
            f"{rate:g} as a keep probability: training changes; retrain",
            SetConfig(name, {"rate": new_rate}),
        )

    VALID = (
        Example(
            title="a usual dropout rate",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "activation": "relu", "name": "dense"}),
                ("Dropout", {"rate": 0.5, "name": "dropout"}),
            ),
        ),
        Example(
            title="additive noise has a stddev, not a rate",
            input_shape=(16,),
            layers=(("GaussianNoise", {"stddev": 0.9, "name": "noise"}),),
        ),
    )
    INVALID = (
        Example(
            title="keep_prob=0.9 copied as a rate",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "activation": "relu", "name": "dense"}),
                ("Dropout", {"rate": 0.9, "name": "dropout"}),
            ),
            expect=("dropout",),
        ),
        Example(
            title="a rate near 0.7 (info)",
            input_shape=(4, 4, 8),
            layers=(("SpatialDropout2D", {"rate": 0.75, "name": "drop"}),),
            expect=("drop",),
        ),
    )
