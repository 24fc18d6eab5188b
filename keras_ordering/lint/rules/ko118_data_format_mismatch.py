"""KO118 data-format-mismatch."""

from __future__ import annotations

from ...graph import kinds
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule, via
from .ko111_batchnorm_axis_mismatch import channel_layout_into, data_format_name


def _read_layout(node: Node) -> tuple[int, int] | None:
    """(rank, channel axis) a convolution, pooling, padding, cropping or
    upsampling takes its input in, by its `data_format`."""
    attrs = node.attrs
    if "channel_axis" in attrs:
        return attrs["rank"], attrs["channel_axis"]
    if "input_channel_axis" in attrs:  # A global pooling.
        return attrs["input_layout_rank"], attrs["input_channel_axis"]
    return None


def _reads_a_layout(node: Node) -> bool:
    return _read_layout(node) is not None


class DataFormatMismatch(Rule):
    """## What it does
    Finds a convolution, pooling (global ones too), padding, cropping or
    upsampling whose `data_format` is not the layout of its input, as set by
    the `data_format` of the layer of the same rank before it. The layout is
    followed through activations, noise, normalizations and elementwise
    merges; where it is unknown (a model input, a Dense, a Reshape, a
    Permute, a custom layer) the rule says nothing.

    ## Why is this bad?
    A tensor has one physical layout. A `channels_first` layer fed a
    `channels_last` tensor takes the image height for its channels and the
    channels for the width: a `GlobalAveragePooling2D` then averages over
    the width and the channels and returns one value per row, and a
    convolution mixes rows instead of channels. Nothing fails where the
    shapes happen to fit; the model trains on scrambled features, and the
    output size follows the image size, not the number of channels.

    ## Example
    ```python
    x = keras.layers.Conv2D(16, 3)(x)  # channels_last
    x = keras.layers.GlobalAveragePooling2D(data_format="channels_first")(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(16, 3)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)  # the same data_format
    ```
    To change the layout on purpose, transpose with a `Permute` layer first.

    ## References
    - Keras documentation, `data_format`: "The ordering of the dimensions
      in the inputs."
    - Bug report: keras-team/keras#4908 (a channels-first global pooling
      after channels-last convolutions returns one value per row).
    """

    code = "KO118"
    name = "data-format-mismatch"
    severity = "warning"
    pattern = PathPattern(
        start=LayerPattern(
            {kinds.WEIGHT, kinds.POOL, kinds.SHAPE}, where=_reads_a_layout
        )
    )
    fix = (
        "Give the layer the data_format of the layers before it, or transpose "
        "with a Permute layer first."
    )
    reference = "https://keras.io/api/layers/convolution_layers/convolution2d/"

    @classmethod
    def reported_path(cls, nodes: list[Node], graph: Graph) -> list[Node] | None:
        """From the layer that set the layout to the one that reads another."""
        index = nodes[0].index
        layout = channel_layout_into(graph, index)
        if layout is None:
            return None
        rank, channel_axis, path = layout
        read = _read_layout(graph.nodes[index])
        if read is None or read[0] != rank or read[1] == channel_axis:
            return None
        return [graph.nodes[i] for i in path]

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        source, reader = nodes[0], nodes[-1]
        rank = source.attrs["rank"]
        read_rank, read_axis = _read_layout(reader) or (rank, 0)
        given = data_format_name(rank, source.attrs["channel_axis"])
        read = data_format_name(read_rank, read_axis)
        return (
            f"{reader.describe()} is {read}, but {source.describe()}{via(nodes)} "
            f"gives it a {given} tensor: it takes the channels from axis "
            f"{read_axis}, which holds a spatial dimension, "
            f"and mixes the channels into the image. Use data_format='{given}'."
        )

    VALID = (
        Example(
            title="the same data_format throughout",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("ReLU", {"name": "relu"}),
                ("GlobalAveragePooling2D", {"name": "pool"}),
            ),
        ),
        Example(
            title="channels_first throughout",
            input_shape=(3, 8, 8),
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
                (
                    "MaxPooling2D",
                    {"data_format": "channels_first", "name": "pool"},
                ),
            ),
        ),
        Example(
            title="a Permute changes the layout on purpose",
            input_shape=(8, 8, 3),
            layers=(
                ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
                ("Permute", {"dims": (3, 1, 2), "name": "permute"}),
                (
                    "GlobalAveragePooling2D",
                    {"data_format": "channels_first", "name": "pool"},
                ),
            ),
        ),
    )
    INVALID = (
        Example(
            title="a channels_first global pooling after channels_last convolutions",
            input_shape=(32, 32, 3),
            layers=(
                ("Conv2D", {"filters": 16, "kernel_size": 3, "name": "conv"}),
                ("ReLU", {"name": "relu"}),
                (
                    "GlobalAveragePooling2D",
                    {"data_format": "channels_first", "name": "pool"},
                ),
            ),
            expect=("conv", "relu", "pool"),
        ),
        Example(
            title="a channels_last convolution after a channels_first one",
            input_shape=(3, 16, 16),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 8,
                        "kernel_size": 3,
                        "data_format": "channels_first",
                        "name": "conv1",
                    },
                ),
                ("BatchNormalization", {"axis": 1, "name": "bn"}),
                ("Conv2D", {"filters": 8, "kernel_size": 3, "name": "conv2"}),
            ),
            expect=("conv1", "bn", "conv2"),
        ),
    )
