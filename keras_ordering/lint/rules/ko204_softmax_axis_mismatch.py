"""KO204 softmax-axis-mismatch."""

from __future__ import annotations

from ...graph import kinds
from ...graph.activations import names_with
from ...graph.graph import Graph
from ...graph.losses import loss_family
from ...graph.node import Node
from ..example import Example
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule, describe_activation, via
from .ko111_batchnorm_axis_mismatch import channel_layout_into, normalized_axis

_NORMALIZING = names_with(normalizes_axis=True)


def _softmax_over_one_axis(node: Node) -> bool:
    # A size-1 axis is KO201's; several axes at once are left alone.
    return (
        node.attrs.get("activation") in _NORMALIZING
        and isinstance(node.attrs.get("axis"), int)
        and node.attrs.get("axis_size") != 1
    )


def _same_shape(node: Node) -> bool:
    """Layers whose output has the shape of their input, axis for axis."""
    if node.kind == kinds.NOISE:
        return True
    return node.kind == kinds.SHAPE and node.layer_class in kinds.SAME_SHAPE_CLASSES


def _returned_output(graph: Graph, index: int) -> Node | None:
    """The model output the softmax is returned as, unchanged in shape; None
    when its values go anywhere else (attention weights multiplied back)."""
    current = index
    while True:
        successors = graph.successors[current]
        if len(successors) != 1:
            return None
        node = graph.nodes[successors[0]]
        if node.kind == kinds.OUTPUT:
            return node
        if not _same_shape(node):
            return None
        current = node.index


def _class_axis(graph: Graph, index: int) -> tuple[int, int, int, list[int]] | None:
    """(rank, class axis, classes, path from the layer that set them) of the
    softmax input: the channels of a convolution (its `data_format`), or the
    units of a Dense layer on the last axis."""
    layout = channel_layout_into(graph, index)
    if layout is not None:
        rank, channel_axis, path = layout
        units = graph.nodes[path[0]].attrs.get("units")
        return (rank, channel_axis, units, path) if isinstance(units, int) else None
    path = [index]
    current = index
    while len(graph.predecessors[current]) == 1:
        current = graph.predecessors[current][0]
        node = graph.nodes[current]
        path.append(current)
        if node.kind == kinds.WEIGHT:
            input_rank = node.attrs.get("input_rank")
            dense_units = node.attrs.get("units")
            if "rank" in node.attrs or not node.attrs.get("affine"):
                return None
            if not isinstance(input_rank, int) or not isinstance(dense_units, int):
                return None
            return input_rank, input_rank - 1, dense_units, list(reversed(path))
        if not _same_shape(node) and node.kind != kinds.ACTIVATION:
            return None
    return None


class SoftmaxAxisMismatch(Rule):
    """## What it does
    Finds a softmax (a `Softmax` layer, `activation="softmax"`, log_softmax
    or sparsemax) returned as a model output over another axis than the
    class axis of its input: the channels of the convolution before it (by
    its `data_format`), or the units of the Dense layer before it (the last
    axis). Examples are a channels-first segmentation head whose softmax
    runs over the width, and a per-timestep classifier whose softmax runs
    over time.

    The finding is an error when the compiled categorical cross-entropy
    reduces over yet another axis than the softmax, and a warning
    otherwise. A softmax whose output is not returned as it is (attention
    pooling: its weights are multiplied back onto the sequence) is not
    reported, nor is a softmax over a single class (that is KO201's), a
    score map of one channel (a spatial softmax) or an unknown layout.

    ## Why is this bad?
    Softmax makes the values along its axis sum to 1. Over the width of a
    segmentation map, each row becomes a distribution over column
    positions, and the class scores of one pixel no longer sum to 1; over
    time, each class becomes a distribution over the timesteps. Nothing
    fails: the model trains, but it learns where along the wrong axis a
    class is, not which class a position holds. When the cross-entropy
    reduces over the class axis while the softmax normalizes another one,
    Keras rescales the outputs along the class axis before the logarithm,
    so the loss is computed on values the softmax did not normalize and its
    gradients pull the wrong way.

    ## Example
    ```python
    x = keras.layers.Conv2D(5, 1, data_format="channels_first")(x)
    outputs = keras.layers.Softmax()(x)  # axis=-1: the width
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(5, 1, data_format="channels_first")(x)
    outputs = keras.layers.Softmax(axis=1)(x)  # the channels: the classes
    ```

    ## References
    - Keras documentation, `Softmax`: "axis: Integer, or list of Integers,
      axis along which the softmax normalization is applied."
    - Bug reports and fixes: MrGiovanni/ModelsGenesis#8 (a channels-first
      3D segmentation head with `Activation("softmax")` over the width),
      keras-team/keras#8841 (the `Softmax` layer added for its `axis`, as
      channels-first heads normalized the width), keras-team/keras#5873
      (softmax for fully convolutional networks).
    """

    code = "KO204"
    name = "softmax-axis-mismatch"
    severity = "error"
    severity_note = "error (the categorical loss reduces over another axis) or warning"
    pattern = PathPattern(
        start=LayerPattern({kinds.ACTIVATION}, where=_softmax_over_one_axis)
    )
    fix = (
        "Set the softmax axis to the class axis: 1 after a channels_first "
        "layer, -1 after a Dense or channels_last layer."
    )
    reference = "https://keras.io/api/layers/activation_layers/softmax/"

    @classmethod
    def reported_path(cls, nodes: list[Node], graph: Graph) -> list[Node] | None:
        """From the layer that sets the classes (found walking back from the
        softmax, as KO111 finds a BN's layout) to the output it reaches (for
        the loss), when the softmax normalizes another axis."""
        index = nodes[0].index
        output = _returned_output(graph, index)
        found = _class_axis(graph, index) if output is not None else None
        if output is None or found is None:
            return None
        rank, class_axis, classes, path = found
        axis = normalized_axis(graph.nodes[index].attrs["axis"], rank)
        if classes < 2 or axis is None or axis == class_axis:
            return None
        return [graph.nodes[i] for i in path] + [output]

    @classmethod
    def _axes(cls, nodes: list[Node]) -> tuple[int, int, int, int | None]:
        """(rank, class axis, softmax axis, loss axis or None) of a finding's
        path: the layer setting the classes, ..., the softmax, the output."""
        source, softmax, output = nodes[0], nodes[-2], nodes[-1]
        if "channel_axis" in source.attrs:
            rank, class_axis = source.attrs["rank"], source.attrs["channel_axis"]
        else:
            rank = source.attrs["input_rank"]
            class_axis = rank - 1
        axis = softmax.attrs["axis"] % rank
        loss_axis = None
        if loss_family(output.attrs.get("loss")) == "categorical":
            loss_axis = normalized_axis(output.attrs.get("loss_axis", -1), rank)
        return rank, class_axis, axis, loss_axis

    @classmethod
    def severity_of(cls, nodes: list[Node]) -> str:
        _, _, axis, loss_axis = cls._axes(nodes)
        return "error" if loss_axis is not None and loss_axis != axis else "warning"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        source, softmax, output = nodes[0], nodes[-2], nodes[-1]
        rank, class_axis, axis, loss_axis = cls._axes(nodes)
        wanted = -1 if class_axis == rank - 1 else class_axis
        classes = f"{source.attrs['units']} classes on axis {class_axis}"
        where = (
            f"it puts its {classes}"
            if source.path == softmax.path
            else f"{source.describe()}{via(nodes[:-1])} puts its {classes}"
        )
        text = (
            f"{describe_activation(softmax)} normalizes axis "
            f"{softmax.attrs['axis']}, but {where}: the output holds "
            f"distributions along axis {axis}, and the class scores of one "
            "position do not sum to 1."
        )
        if loss_axis is not None and loss_axis != axis:
            text += (
                f" Its loss '{output.attrs['loss']}' reduces over axis "
                f"{loss_axis}, so it rescales values the softmax did not "
                "normalize and trains on a mismatched objective."
            )
        return text + f" Use axis={wanted}."

    VALID = (
        Example(
            title="channels-first head, softmax over the channels",
            input_shape=(3, 8, 8),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 5,
                        "kernel_size": 1,
                        "data_format": "channels_first",
                        "name": "head",
                    },
                ),
                ("Softmax", {"axis": 1, "name": "probs"}),
            ),
        ),
        Example(
            title="a per-timestep classifier, softmax over the classes",
            input_shape=(10, 16),
            layers=(("Dense", {"units": 4, "activation": "softmax", "name": "probs"}),),
            loss=("CategoricalCrossentropy", {}),
        ),
        Example(
            title="one score per timestep: a softmax over time (attention weights)",
            input_shape=(10, 16),
            layers=(
                ("Dense", {"units": 1, "name": "score"}),
                ("Softmax", {"axis": 1, "name": "weights"}),
            ),
        ),
    )
    # The per-timestep case (Softmax(axis=1) after a Dense on a sequence) is
    # tested in tests/lint/test_catalogue_v3_rules.py: as a Sequential file
    # its softmax layer has no recorded input shape, so the generic
    # live-equals-file graph test would see a missing axis_size.
    INVALID = (
        Example(
            title="channels-first segmentation head, softmax over the width",
            input_shape=(3, 8, 8),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 5,
                        "kernel_size": 1,
                        "data_format": "channels_first",
                        "activation": "softmax",
                        "name": "head",
                    },
                ),
            ),
            expect=("head",),
        ),
    )
