"""KO111 batchnorm-axis-mismatch."""

from __future__ import annotations

from typing import Any

from ...graph import kinds
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..finding import Finding
from ..fix import Applicability, Edit, Fix, NewWeights, SetConfig
from ..patterns import BATCH_NORM_NODE, PathPattern
from ..rule import Rule, via

# Nodes whose output keeps the rank and channel axis of their input.
_KEEPS_LAYOUT_KINDS = frozenset(
    {kinds.ACTIVATION, kinds.NOISE, kinds.BATCH_NORM, kinds.NORMALIZATION}
)
# A backward walk longer than this gives up: the layout stays unknown.
_MAX_NODES_VISITED = 256


def _keeps_layout(node: Node) -> bool:
    if node.kind in _KEEPS_LAYOUT_KINDS:
        return True
    if node.kind == kinds.MERGE:
        return node.layer_class != "Dot"
    return node.kind == kinds.SHAPE and node.layer_class in kinds.SAME_SHAPE_CLASSES


def channel_layout_into(graph: Graph, index: int) -> tuple[int, int, list[int]] | None:
    """(rank, channel axis, path from the layer that set them) of the input of
    node `index`, or None where it is unknown or ambiguous.

    Walks back through layers that keep the layout (activations, noise,
    normalizations, elementwise merges, Concatenate) to the convolutions,
    poolings, paddings and upsamplings whose `data_format` fixes it.
    """
    parents: dict[int, int] = {}
    frontier = list(graph.predecessors[index])
    for predecessor in frontier:
        parents[predecessor] = index
    layouts: set[tuple[int, int]] = set()
    source = None
    visited = 0
    while frontier:
        current = frontier.pop()
        visited += 1
        if visited > _MAX_NODES_VISITED:
            return None
        node = graph.nodes[current]
        if "channel_axis" in node.attrs:
            layouts.add((node.attrs["rank"], node.attrs["channel_axis"]))
            source = current if source is None else source
            continue
        if not _keeps_layout(node) or not graph.predecessors[current]:
            return None
        for predecessor in graph.predecessors[current]:
            if predecessor not in parents:
                parents[predecessor] = current
                frontier.append(predecessor)
    if len(layouts) != 1 or source is None:
        return None
    (rank, channel_axis), path = layouts.pop(), [source]
    while path[-1] != index:
        path.append(parents[path[-1]])
    return rank, channel_axis, path


def normalized_axis(axis: object, rank: int) -> int | None:
    """A BN `axis` (an int or a list of one) as a non-negative index."""
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            return None
        axis = axis[0]
    if isinstance(axis, bool) or not isinstance(axis, int) or not -rank <= axis < rank:
        return None
    return axis % rank


def data_format_name(rank: int, channel_axis: int) -> str:
    return "channels_last" if channel_axis == rank - 1 else "channels_first"


class BatchnormAxisMismatch(Rule):
    """## What it does
    Finds a BatchNormalization (or `BNActDropout`) whose `axis` is not the
    channel axis of its input, as set by the `data_format` of the
    convolution, pooling, padding or upsampling before it. The data format
    is followed through activations, noise, normalizations and elementwise
    merges; where it is unknown (after a Dense, a Reshape, a custom layer,
    or from a model input) the rule says nothing.

    ## Why is this bad?
    BN keeps one mean, one variance, one scale and one offset per index of
    its `axis`. After a `channels_first` convolution the channels are on
    axis 1, so the default `axis=-1` normalizes per image column and mixes
    all channels together; after a `channels_last` convolution, `axis=1`
    normalizes per row. The model still trains, with no error raised, but
    the normalization no longer evens out the channels, its weights depend
    on the input size, and results degrade (artifacts, slower training).

    ## Example
    ```python
    x = keras.layers.Conv2D(32, 3, data_format="channels_first")(x)
    x = keras.layers.BatchNormalization()(x)  # axis=-1: the width axis
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(32, 3, data_format="channels_first")(x)
    x = keras.layers.BatchNormalization(axis=1)(x)
    ```

    ## References
    - Keras documentation, `BatchNormalization`: "For instance, after a
      Conv2D layer with data_format="channels_first", use axis=1."
    - Bug reports: keras-team/keras#1921, dblN/stochastic_depth_keras#1 and
      TeamSAIDA/DefogGAN#1 (channels first, `axis=-1`);
      DCASE-REPO/dcase2018_baseline#18 (channels last, `axis=1`).
    """

    code = "KO111"
    name = "batchnorm-axis-mismatch"
    severity = "warning"
    pattern = PathPattern(start=BATCH_NORM_NODE)
    # The BN now normalizes other values: predictions change.
    autofix_applicability = Applicability.CHANGES_PREDICTIONS
    fix = "Set the BN axis to the channel axis: 1 for channels_first, -1 otherwise."
    reference = "https://keras.io/api/layers/normalization_layers/batch_normalization/"

    @classmethod
    def reported_path(cls, nodes: list[Node], graph: Graph) -> list[Node] | None:
        """From the layer that sets the layout to the BN, when the BN
        normalizes another axis than its channels."""
        mismatch = cls.mismatch(graph, nodes[0].index)
        return None if mismatch is None else mismatch[0]

    @classmethod
    def mismatch(cls, graph: Graph, index: int) -> tuple[list[Node], int] | None:
        """The path from the layer that sets the layout to the BN, and the
        channel axis, when the BN normalizes another axis."""
        layout = channel_layout_into(graph, index)
        if layout is None:
            return None
        rank, channel_axis, path = layout
        axis = normalized_axis(graph.nodes[index].attrs.get("axis", -1), rank)
        if axis is None or axis == channel_axis:
            return None
        return [graph.nodes[i] for i in path], channel_axis

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        return cls.describe_mismatch(nodes, nodes[0].attrs["channel_axis"])

    @classmethod
    def describe_mismatch(cls, nodes: list[Node], channel_axis: int) -> str:
        source, batch_norm = nodes[0], nodes[-1]
        rank = source.attrs["rank"]
        data_format = data_format_name(rank, channel_axis)
        wanted = -1 if data_format == "channels_last" else 1
        return (
            f"{batch_norm.describe()} normalizes axis "
            f"{batch_norm.attrs.get('axis', -1)}, but {source.describe()}"
            f"{via(nodes)} is {data_format} with its channels on axis "
            f"{channel_axis}: BN keeps statistics per position along another "
            f"axis and mixes the channels. Use axis={wanted}."
        )

    @classmethod
    def autofix_layers(cls, finding: Finding) -> tuple[str, ...]:
        return finding.layers[-1:]  # Only the BN changes.

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Sets the BN axis to the channel axis; re-initialises the BN
        weights when their size changes."""
        import numpy as np

        name = finding.layers[-1]
        if not kinds.is_batch_norm_class(graph.head(name).layer_class):
            return "the BN is part of a BNActDropout: set its axis by hand"
        layer = model.get_layer(name)
        shape = tuple(layer.input.shape)
        rank = len(shape)
        channel_axis = next(
            (
                node.attrs["channel_axis"]
                for node in graph.nodes
                if node.path == finding.layers[0] and "channel_axis" in node.attrs
            ),
            None,
        )
        if channel_axis is None or shape[channel_axis] is None:
            return "the size of the channel axis is unknown"
        new_axis = -1 if channel_axis == rank - 1 else channel_axis
        edits: list[Edit] = [SetConfig(name, {"axis": new_axis})]
        channels = int(shape[channel_axis])
        old_size = shape[layer.axis % rank]
        change = f"set the axis of '{name}' from {layer.axis} to {new_axis}"
        if old_size != channels:
            # Statistics of another axis mean nothing for the channels.
            fresh = (
                [np.ones(channels)] * bool(layer.scale)
                + [np.zeros(channels)] * bool(layer.center)
                + [np.zeros(channels), np.ones(channels)]
            )
            edits.append(NewWeights(name, tuple(fresh)))
            change += (
                f" and re-initialised its weights ({old_size} -> {channels} "
                "values): the model computes something new; retrain"
            )
        else:
            change += ": its learned statistics belong to the old axis; retrain"
        return cls.make_fix(finding, change, *edits)

    VALID = (
        Example(
            title="channels_first convolution, BN on axis 1",
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
                ("BatchNormalization", {"axis": 1, "name": "bn"}),
            ),
        ),
        Example(
            title="axis=1 after a Dense layer is the feature axis",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "name": "dense"}),
                ("BatchNormalization", {"axis": 1, "name": "bn"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="channels_first convolution, default axis=-1",
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
                ("ReLU", {"name": "relu"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("conv", "relu", "bn"),
        ),
        Example(
            title="channels_last convolution, axis=1",
            input_shape=(16, 4),
            layers=(
                ("Conv1D", {"filters": 8, "kernel_size": 3, "name": "conv"}),
                ("BatchNormalization", {"axis": 1, "name": "bn"}),
            ),
            expect=("conv", "bn"),
        ),
    )
