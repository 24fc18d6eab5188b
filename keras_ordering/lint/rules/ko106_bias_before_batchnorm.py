"""KO106 bias-before-batchnorm."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...graph import kinds
from ...graph.node import Node
from ..example import Example
from ..fix import Fix, NewWeights, SetConfig
from ..patterns import BATCH_NORM_NODE, POOL_NODE, LayerPattern, PathPattern, any_of
from ..rule import Rule, quoted_list, via

if TYPE_CHECKING:
    from ...graph.graph import Graph
    from ..finding import Finding


def _affine_with_bias(node: Node) -> bool:
    return bool(node.attrs.get("affine") and node.attrs.get("use_bias"))


# Merges that pass a per-channel constant on as a per-channel constant
# (Concatenate keeps each input's channels; the others are linear).
_BIAS_KEEPING_MERGES = frozenset({"Add", "Subtract", "Average", "Concatenate"})
# Nodes a bias passes through and stays a per-channel constant: shape-only
# layers, pooling (max(x + b) = max(x) + b, and so for averages) and the
# merges above. Zero padding is not one: its zeros carry no bias, so BN's
# mean no longer holds the whole bias.
BIAS_KEEPING = any_of(
    LayerPattern(
        {kinds.SHAPE}, where=lambda n: not n.layer_class.startswith("ZeroPadding")
    ),
    POOL_NODE,
    LayerPattern({kinds.MERGE}, where=lambda n: n.layer_class in _BIAS_KEEPING_MERGES),
)


# Channel-preserving nodes: a bias reaching a GroupNormalization through
# them is still one constant per channel of the weight layer.
_CHANNEL_KEEPING = any_of(
    POOL_NODE,
    LayerPattern(
        {kinds.MERGE}, where=lambda n: n.layer_class in {"Add", "Subtract", "Average"}
    ),
)
GROUP_NORM_NODE = LayerPattern(
    {kinds.NORMALIZATION}, where=lambda n: n.layer_class == "GroupNormalization"
)


def _instance_norm_of(weight: Node, node: Node) -> bool:
    """A GroupNormalization with one channel per group (instance
    normalization) on the weight layer's channel axis: it subtracts each
    channel's own mean, per sample, so a per-channel bias cancels."""
    units, rank = weight.attrs.get("units"), weight.attrs.get("rank")
    axis, channel_axis = node.attrs.get("axis"), weight.attrs.get("channel_axis")
    return (
        GROUP_NORM_NODE.matches(node)
        and isinstance(units, int)
        and node.attrs.get("groups") == units
        and isinstance(axis, int)
        and isinstance(rank, int)
        and isinstance(channel_axis, int)
        and axis % rank == channel_axis
    )


class BiasBeforeBatchnorm(Rule):
    """## What it does
    Finds a Dense or convolution layer with `use_bias=True` and no
    non-linear activation whose every consumer normalizes the bias away:
    each path from its output reaches a BatchNormalization through
    shape-only layers (zero padding excepted: its zeros carry no bias),
    pooling and linear merges (Add, Subtract, Average, Concatenate) only,
    or an instance normalization (a `GroupNormalization` with one channel
    per group, `groups=-1`, on the channel axis) through pooling and Add,
    Subtract or Average. A GroupNormalization with several channels per
    group and a LayerNormalization cancel only the group's mean bias, not
    each channel's: they are not reported.
    A residual `Add` of biased convolutions whose sum feeds only BNs (a
    RetinaNet-style FPN, a pre-activation ResNet stage) is reported for
    each convolution.

    A layer whose output also feeds anything else (an activation, a weight
    layer, a `Concatenate` read without a BN, a shortcut, the model output)
    is not reported: that consumer sees the bias.

    ## Why is this bad?
    BN subtracts the batch mean of every channel, and a per-channel bias
    shifts that mean by exactly the bias: the bias is cancelled and BN's
    `beta` takes its role. The bias costs parameters, memory and an add per
    value, and its gradient is always zero.

    ## Example
    ```python
    x = keras.layers.Conv2D(32, 3)(x)  # use_bias=True by default
    x = keras.layers.BatchNormalization()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(32, 3, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    ```

    ## References
    - Ioffe & Szegedy (2015), section 3.2: "the bias b can be ignored since
      its effect will be canceled by the subsequent mean subtraction",
      arXiv:1502.03167.
    """

    code = "KO106"
    name = "bias-before-batchnorm"
    severity = "info"
    pattern = PathPattern(
        start=LayerPattern({"weight"}, where=_affine_with_bias),
        through=BIAS_KEEPING,
        end=any_of(BATCH_NORM_NODE, GROUP_NORM_NODE),
    )
    fix = "Set use_bias=False on the layer before the batch normalization."
    reference = "Ioffe & Szegedy 2015, arXiv:1502.03167, section 3.2"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        weight, end = nodes[0], nodes[-1]
        if GROUP_NORM_NODE.matches(end) and not (
            _instance_norm_of(weight, end)
            and all(_CHANNEL_KEEPING.matches(node) for node in nodes[1:-1])
        ):
            return False

        def cancels(node: Node) -> bool:
            return BATCH_NORM_NODE.matches(node) or _instance_norm_of(weight, node)

        return graph.every_path_ends_in(weight.index, BIAS_KEEPING.matches, cancels)

    @classmethod
    def more_targets_note(cls, others: Sequence[str]) -> str:
        return f"Its other consumers, {quoted_list(others)}, cancel it too."

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        weight, batch_norm = nodes[0], nodes[-1]
        return (
            f"{weight.describe()} has a bias, and its output reaches "
            f"{batch_norm.describe()}{via(nodes)}, which subtracts the channel "
            "mean and so cancels the bias: it only costs parameters and time."
        )

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Drops the bias and folds it into the BN's moving mean (exact at
        inference)."""
        import numpy as np

        weight, *between, batch_norm = finding.layers
        if graph.head(batch_norm).layer_class == "GroupNormalization":
            # Instance normalization keeps no moving statistics: nothing to fold.
            return cls.make_fix(
                finding,
                f"dropped the bias of '{weight}' (instance normalization "
                f"'{batch_norm}' cancels it in training and inference)",
                SetConfig(weight, {"use_bias": False}),
                NewWeights(weight, tuple(model.get_layer(weight).get_weights()[:-1])),
            )
        # A pooling adds the bias unchanged (max(x + b) = max(x) + b, and so
        # for the average); shape layers may spread it over other features.
        if any(graph.head(layer).kind != kinds.POOL for layer in between):
            return "shape layers between the weight layer and BN reshape the bias"
        if not kinds.is_batch_norm_class(graph.head(batch_norm).layer_class):
            return "the batch normalization is part of a BNActDropout"
        weight_layer, bn_layer = model.get_layer(weight), model.get_layer(batch_norm)
        config = weight_layer.get_config()
        channels_first = config.get("data_format") == "channels_first"
        rank = len(bn_layer.input.shape)
        if "use_bias" not in config or bn_layer.axis % rank != (
            1 if channels_first else rank - 1
        ):
            return "the BN axis is not the weight layer's channel axis"
        weight_values = weight_layer.get_weights()
        bias = np.asarray(weight_values[-1])
        mean_index = int(bn_layer.scale) + int(bn_layer.center)
        # BN(x + b) = BN'(x) with moving_mean' = moving_mean - b.
        folded = list(bn_layer.get_weights())
        folded[mean_index] = folded[mean_index] - bias
        return cls.make_fix(
            finding,
            f"dropped the bias of '{weight}', folded into '{batch_norm}'",
            SetConfig(weight, {"use_bias": False}),
            NewWeights(weight, tuple(weight_values[:-1])),
            NewWeights(batch_norm, tuple(folded)),
        )

    VALID = (
        Example(
            title="two channels per group: only the group's mean is taken out",
            input_shape=(16, 3),
            layers=(
                ("Conv1D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("GroupNormalization", {"groups": 2, "name": "group_norm"}),
                ("ReLU", {"name": "relu"}),
            ),
        ),
        Example(
            title="the biased output also feeds an un-normalized branch",
            inputs={"image": (8, 8, 3)},
            nodes=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}, ["image"]),
                ("BatchNormalization", {"name": "bn"}, ["conv"]),
                ("ReLU", {"name": "relu"}, ["bn"]),
                ("Concatenate", {"name": "concat"}, ["relu", "conv"]),
            ),
            outputs=("concat",),
        ),
        Example(
            title="no bias before BN",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "use_bias": False, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
        ),
        Example(
            title="a non-linear activation in between",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "activation": "relu", "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="a biased convolution before instance normalization",
            input_shape=(16, 3),
            layers=(
                ("Conv1D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("GroupNormalization", {"groups": -1, "name": "instance_norm"}),
                ("ReLU", {"name": "relu"}),
            ),
            expect=("conv", "instance_norm"),
        ),
        Example(
            title="two biased convolutions summed, then BN (an FPN merge)",
            inputs={"lateral": (8, 8, 3), "top_down": (8, 8, 3)},
            nodes=(
                (
                    "Conv2D",
                    {"filters": 4, "kernel_size": 1, "name": "lateral_conv"},
                    ["lateral"],
                ),
                (
                    "Conv2D",
                    {"filters": 4, "kernel_size": 1, "name": "top_down_conv"},
                    ["top_down"],
                ),
                ("Add", {"name": "merge"}, ["lateral_conv", "top_down_conv"]),
                ("BatchNormalization", {"name": "bn"}, ["merge"]),
            ),
            outputs=("bn",),
            expect=("lateral_conv", "merge", "bn"),
            fixable=False,  # The bias reaches BN through the merge.
        ),
        Example(
            title="a biased convolution, then BN through Flatten",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("Flatten", {"name": "flatten"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("conv", "flatten", "bn"),
            fixable=False,  # Flatten spreads each channel's bias over features.
        ),
        Example(
            title="a biased dense layer directly before BN",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("dense", "bn"),
        ),
    )
