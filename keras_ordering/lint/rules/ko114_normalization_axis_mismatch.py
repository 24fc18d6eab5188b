"""KO114 normalization-axis-mismatch."""

from __future__ import annotations

from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..patterns import NORMALIZATION_NODE, LayerPattern, PathPattern
from ..rule import Rule, via
from .ko111_batchnorm_axis_mismatch import (
    channel_layout_into,
    data_format_name,
    normalized_axis,
)


def _axes_of(node: Node, rank: int) -> frozenset[int] | None:
    """The axes a normalization layer normalizes, as non-negative indices."""
    axis = node.attrs.get("axis")
    axes = axis if isinstance(axis, tuple) else (axis,)
    found = [normalized_axis(a, rank) for a in axes]
    if not found or any(a is None for a in found):
        return None
    return frozenset(a for a in found if a is not None)


def _groups_channels(node: Node) -> bool:
    """GroupNormalization: its `axis` is the one its groups are cut along."""
    return "groups" in node.attrs


def mismatch_of(node: Node, rank: int, channel_axis: int) -> bool:
    """True when the layer's axes leave out the channel axis.

    Normalizing over every spatial axis and not the channels is instance
    normalization, a layout of its own: it is not reported.
    """
    axes = _axes_of(node, rank)
    if axes is None:
        return False
    if _groups_channels(node):
        return axes != {channel_axis}
    spatial = frozenset(range(1, rank)) - {channel_axis}
    return channel_axis not in axes and axes != spatial


class NormalizationAxisMismatch(Rule):
    """## What it does
    Finds a LayerNormalization, RMSNormalization, UnitNormalization or
    GroupNormalization whose `axis` leaves out the channel axis of its
    input, as set by the `data_format` of the convolution, pooling, padding
    or upsampling before it (followed as for KO111). A GroupNormalization
    is reported when its groups are cut along another axis than the
    channels. Normalizing over every spatial axis and not the channels
    (instance normalization) is not reported, nor is anything where the
    layout is unknown (after a Dense, a Reshape, a custom layer, or from a
    model input): sequence models that normalize their features over
    `axis=-1` are the normal case.

    ## Why is this bad?
    LayerNormalization computes one mean and variance for every index of
    the axes it does *not* normalize. `LayerNormalization(axis=1)` after a
    channels-last Conv2D normalizes each column of each channel over the
    height alone: the channels are never normalized together, the layer's
    scale and offset are per row rather than per channel, and their size
    depends on the input size. GroupNormalization along another axis forms
    its groups from rows or columns instead of channels. The model trains
    without an error, but the normalization is not the one the paper
    describes, and results degrade.

    ## Example
    ```python
    x = keras.layers.Conv2D(32, 3)(x)  # channels_last: channels on axis -1
    x = keras.layers.LayerNormalization(axis=1)(x)  # normalizes over height
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(32, 3)(x)
    x = keras.layers.LayerNormalization(axis=-1)(x)
    ```

    ## References
    - Keras documentation, `LayerNormalization`: "axis: Integer or List/Tuple.
      The axis or axes to normalize across. Typically, this is the features
      axis/axes."
    - Bug reports and fixes: tensorflow/addons#2142 (the normalizations
      tutorial's LayerNormalization on axis 1 after channels-last
      convolutions, moved to the channel axis), keras-team/keras#18231 and
      tensorflow/tensorflow#39942 (which axes LayerNormalization normalizes
      after a convolution), titu1994/Keras-Group-Normalization#7 (the
      GroupNormalization axis after a channels-first convolution).
    """

    code = "KO114"
    name = "normalization-axis-mismatch"
    severity = "warning"
    pattern = PathPattern(
        start=LayerPattern(NORMALIZATION_NODE.kinds, where=lambda n: "axis" in n.attrs)
    )
    fix = (
        "Normalize over the channel axis: axis=-1 for channels_last, 1 for "
        "channels_first (for GroupNormalization, the axis its groups cut)."
    )
    reference = "https://keras.io/api/layers/normalization_layers/layer_normalization/"

    @classmethod
    def reported_path(cls, nodes: list[Node], graph: Graph) -> list[Node] | None:
        """From the layer that sets the layout to the normalization layer
        (found walking back, as KO111 does), when it normalizes another axis."""
        index = nodes[0].index
        layout = channel_layout_into(graph, index)
        if layout is None:
            return None
        rank, channel_axis, path = layout
        if not mismatch_of(graph.nodes[index], rank, channel_axis):
            return None
        return [graph.nodes[i] for i in path]

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        source, norm = nodes[0], nodes[-1]
        rank, channel_axis = source.attrs["rank"], source.attrs["channel_axis"]
        data_format = data_format_name(rank, channel_axis)
        wanted = -1 if data_format == "channels_last" else 1
        axis = norm.attrs["axis"]
        shown = list(axis) if isinstance(axis, tuple) else axis
        layout = (
            f"{source.describe()}{via(nodes)} is {data_format} with its "
            f"channels on axis {channel_axis}"
        )
        if _groups_channels(norm):
            return (
                f"{norm.describe()} cuts its groups along axis {shown}, but "
                f"{layout}: the groups are made of rows or columns, not of "
                f"channels. Use axis={wanted}."
            )
        return (
            f"{norm.describe()} normalizes axis {shown}, but {layout}: it keeps "
            "separate statistics per position and never normalizes the "
            f"channels together. Use axis={wanted}."
        )

    VALID = (
        Example(
            title="channels-last convolution, LayerNormalization over the channels",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("LayerNormalization", {"axis": -1, "name": "norm"}),
            ),
        ),
        Example(
            title="a sequence model normalizing its features",
            input_shape=(10, 16),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("LayerNormalization", {"axis": -1, "name": "norm"}),
            ),
        ),
        Example(
            title="instance normalization: every spatial axis, per channel",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("LayerNormalization", {"axis": [1, 2], "name": "norm"}),
            ),
        ),
        Example(
            title="channels-first convolution, GroupNormalization on axis 1",
            input_shape=(4, 8, 8),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 4,
                        "kernel_size": 3,
                        "data_format": "channels_first",
                        "name": "conv",
                    },
                ),
                ("GroupNormalization", {"groups": 2, "axis": 1, "name": "norm"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="channels-last convolution, LayerNormalization over height",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("ReLU", {"name": "relu"}),
                ("LayerNormalization", {"axis": 1, "name": "norm"}),
            ),
            expect=("conv", "relu", "norm"),
        ),
        Example(
            title="channels-first convolution, GroupNormalization on axis -1",
            input_shape=(4, 8, 8),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 4,
                        "kernel_size": 3,
                        "data_format": "channels_first",
                        "name": "conv",
                    },
                ),
                ("GroupNormalization", {"groups": 2, "name": "norm"}),
            ),
            expect=("conv", "norm"),
        ),
    )
