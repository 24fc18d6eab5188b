"""KO112 batchnorm-momentum-inverted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph.node import Node
from ..example import Example
from ..fix import Fix, SetConfig
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule

if TYPE_CHECKING:
    from ...graph.graph import Graph
    from ..finding import Finding

# Below this, a Keras momentum reads as PyTorch's convention (0.1 there is
# 0.9 here); no Keras model or paper we know keeps less than half of the
# moving statistics per step.
INVERTED_BELOW = 0.5


def _momentum(node: Node) -> float | None:
    momentum = node.attrs.get("momentum")
    return float(momentum) if isinstance(momentum, (int, float)) else None


def _inverted(node: Node) -> bool:
    """Below 0.5 (PyTorch's convention), or 1 and above: the moving
    statistics never move (1) or grow without bound (above 1)."""
    momentum = _momentum(node)
    return momentum is not None and (momentum < INVERTED_BELOW or momentum >= 1)


class BatchnormMomentumInverted(Rule):
    """## What it does
    Finds a BatchNormalization (or the batch-norm part of `BNActDropout`)
    whose `momentum` is below 0.5, `momentum=0` included, or 1 and above
    (what a converter gives for PyTorch's `momentum=0`).

    ## Why is this bad?
    Keras updates the moving statistics as
    `moving = momentum * moving + (1 - momentum) * batch`; PyTorch writes
    the same update with `momentum` and `1 - momentum` swapped. A model
    ported from PyTorch with `momentum=0.1` keeps only 10% of the history
    at each step: the moving mean and variance follow the last few batches,
    so inference uses noisy statistics and accuracy drops or swings between
    checkpoints, with no error raised. With `momentum=0` the moving
    statistics are simply those of the last training batch. With
    `momentum=1` they never leave their initial mean 0 and variance 1, so
    inference normalizes with statistics that were never measured; above
    1 they grow without bound (pytorch2keras#70: NaN after training).

    ## Example
    ```python
    x = keras.layers.BatchNormalization(momentum=0.1)(x)  # PyTorch's 0.1
    ```

    ## Use instead
    ```python
    x = keras.layers.BatchNormalization(momentum=0.9)(x)  # 1 - 0.1
    ```

    ## References
    - Keras documentation, `BatchNormalization`: "moving_mean =
      moving_mean * momentum + mean(batch) * (1 - momentum)".
    - PyTorch documentation, `torch.nn.BatchNorm2d`: "This momentum argument
      is different from one used in optimizer classes and the conventional
      notion of momentum".
    - Bug reports: titu1994/Wide-Residual-Networks#21 (`momentum=0.1` in a
      Keras WRN), keras-team/keras#16001 (ResNet-RS with `momentum=0.0`,
      fixed in keras-team/keras#16726), ludwig-ai/ludwig#2100 and
      pytorch/examples#289 (the two conventions).
    """

    code = "KO112"
    name = "batchnorm-momentum-inverted"
    severity = "warning"
    pattern = PathPattern(start=LayerPattern({"batch-norm"}, where=_inverted))
    fix = "Set momentum to 1 - m, the Keras value of PyTorch's m (0.1 becomes 0.9)."
    reference = "https://keras.io/api/layers/normalization_layers/batch_normalization/"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        (node,) = nodes
        momentum = _momentum(node) or 0.0  # The pattern matched a number.
        if momentum >= 1:
            return (
                f"{node.describe()} has momentum={momentum:g}: its moving mean "
                "and variance "
                + (
                    "never leave their initial 0 and 1"
                    if momentum == 1
                    else "grow without bound at every training step"
                )
                + ", so inference normalizes with statistics that were never "
                "measured. Use momentum=0.99 (the Keras default) or 0.9."
            )
        if momentum == 0:
            return (
                f"{node.describe()} has momentum=0: its moving mean and variance "
                "are those of the last training batch alone, so inference "
                "depends on whichever batch came last. Use momentum=0.99 (the "
                "Keras default) or 0.9."
            )
        return (
            f"{node.describe()} has momentum={momentum:g}, PyTorch's "
            "convention: in Keras it keeps only that fraction of the moving "
            "statistics per step, so inference uses the noisy statistics of the "
            f"last few batches. Use momentum={1 - momentum:g}."
        )

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Sets momentum to 1 - m (0 becomes the Keras default, 0.99)."""
        (name,) = finding.layers
        momentum = float(model.get_layer(name).momentum)
        # 1 - 0 = 1 would never update the moving statistics.
        keras_momentum = round(1.0 - momentum, 6) if 0 < momentum < 1 else 0.99
        return cls.make_fix(
            finding,
            f"set the momentum of '{name}' from {momentum:g} to "
            f"{keras_momentum:g}: training changes (the moving statistics now "
            "average over many batches); retrain, or recalibrate the BN "
            "statistics, for inference to benefit",
            SetConfig(name, {"momentum": keras_momentum}),
        )

    VALID = (
        Example(
            title="the Keras default momentum",
            input_shape=(8,),
            layers=(("BatchNormalization", {"momentum": 0.99, "name": "bn"}),),
        ),
        Example(
            title="PyTorch's 0.1 translated to Keras",
            input_shape=(8,),
            layers=(("BNActDropout", {"momentum": 0.9, "name": "block"}),),
        ),
    )
    INVALID = (
        Example(
            title="PyTorch's momentum copied into Keras",
            input_shape=(8, 8, 3),
            layers=(
                (
                    "Conv2D",
                    {"filters": 4, "kernel_size": 3, "use_bias": False, "name": "conv"},
                ),
                ("BatchNormalization", {"momentum": 0.1, "name": "bn"}),
            ),
            expect=("bn",),
        ),
        Example(
            title="momentum=0: the last batch's statistics",
            input_shape=(8,),
            layers=(("BNActDropout", {"momentum": 0.0, "name": "block"}),),
            expect=("block",),
        ),
        Example(
            title="momentum=1: the moving statistics never move",
            input_shape=(8,),
            layers=(("BatchNormalization", {"momentum": 1.0, "name": "bn"}),),
            expect=("bn",),
        ),
    )
