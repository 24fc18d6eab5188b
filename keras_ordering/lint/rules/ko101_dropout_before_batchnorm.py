"""KO101 dropout-before-batchnorm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...graph import kinds
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..fix import Edit, Fix, InsertAfter, MoveAfter, NewLayer, Skip
from ..patterns import (
    ACTIVATION_NODE,
    BATCH_NORM_NODE,
    MERGE_NODE,
    NOISE_NODE,
    POOL_NODE,
    SHAPE_NODE,
    PathPattern,
    any_of,
)
from ..rule import Rule, via

if TYPE_CHECKING:
    from ..finding import Finding


def is_drop_path_on_residual(nodes: list[Node]) -> bool:
    """A per-sample drop-path (stochastic depth) that joins a residual Add."""
    return nodes[0].attrs.get("noise") == "per-sample" and any(
        node.kind == kinds.MERGE and node.layer_class == "Add" for node in nodes
    )


# Noise drawn independently per value commutes with rearranging layers, and
# may follow the poolings it came before (the recommended order).
_ELEMENTWISE_NOISE = frozenset({"elementwise", "gaussian", "additive"})
ACTIVATION = kinds.ACTIVATION


def _whole_layer(graph: Graph, node: Node) -> bool:
    """`node` is all of its layer's single call (not a part of a bigger one)."""
    heads, tails = graph.heads_and_tails()
    return (
        node.part is None
        and heads.get(node.path) == [node.index]
        and tails.get(node.path) == [node.index]
    )


def _single_node_layer(graph: Graph, node: Node, kind: str) -> bool:
    return node.kind == kind and _whole_layer(graph, node)


def _passable(graph: Graph, node: Node, noise_kind: Any) -> bool:
    """Whether the moved noise may go on past `node` (a sole consumer)."""
    if not _whole_layer(graph, node):
        return False
    if node.kind == kinds.POOL:
        return noise_kind in _ELEMENTWISE_NOISE or noise_kind == "spatial"
    return (
        node.layer_class in kinds.REARRANGING_CLASSES
        and noise_kind in _ELEMENTWISE_NOISE
    )


def _between(graph: Graph, layers: tuple[str, ...]) -> list[Node]:
    """The heads of the layers strictly between the noise and the BN."""
    return [graph.head(layer) for layer in layers[1:-1]]


def _plain_dropout(layer: Any) -> NewLayer:
    import keras  # Here, not at module level: rules load without keras.

    rate, seed, name = float(layer.rate), getattr(layer, "seed", None), layer.name
    return NewLayer(keras.layers.Dropout, {"rate": rate, "seed": seed, "name": name})


def variance_shift_note(noise: Node) -> str:
    if noise.attrs.get("noise") == "additive":
        return "by the variance of the added noise"
    keep = 1.0 - noise.attrs["rate"]
    return f"to about the keep probability ({keep:.2g}) for zero-mean input"


class DropoutBeforeBatchnorm(Rule):
    """## What it does
    Finds a noise layer (Dropout, SpatialDropout, GaussianDropout,
    GaussianNoise) whose output reaches a BatchNormalization with no weight
    layer and no other normalization in between. The path may pass through
    shape-only, pooling, activation and merge layers (Concatenate and Add
    included). AlphaDropout is not a noise layer here: it keeps the mean and
    variance of its input by design, so the linter sees through it.

    ## Why is this bad?
    In training, BatchNormalization learns its moving variance from
    activations that dropout has scaled and zeroed. At inference dropout is
    off, so the variance BN sees shifts: for zero-mean input,
    Var_test / Var_train equals the keep probability p. BN then normalizes
    with the wrong variance, and every layer after it sees a distribution it
    was not trained on (the "variance shift" of Li et al. 2018).

    A per-sample drop-path on a residual branch (stochastic depth, as in
    EfficientNet: `Dropout(noise_shape=(None, 1, 1, 1))` before an `Add`) is
    a deliberate practice and is reported as info only.

    ## Example
    ```python
    x = keras.layers.Conv2D(32, 3)(x)
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Conv2D(32, 3, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Dropout(0.3)(x)
    ```
    or `keras_ordering.BNActDropout("relu", rate=0.3)`.

    ## References
    - Li, Chen, Hu, Yang (2018), "Understanding the Disharmony between
      Dropout and Batch Normalization by Variance Shift", arXiv:1801.05134.
    """

    code = "KO101"
    name = "dropout-before-batchnorm"
    severity = "warning"
    pattern = PathPattern(
        start=NOISE_NODE,
        through=any_of(SHAPE_NODE, POOL_NODE, ACTIVATION_NODE, MERGE_NODE, NOISE_NODE),
        end=BATCH_NORM_NODE,
    )
    fix = (
        "Move the dropout after the batch normalization and its activation "
        "(BN -> activation -> Dropout), e.g. with BNActDropout."
    )
    reference = "Li et al. 2018, arXiv:1801.05134 (variance shift)"

    @classmethod
    def severity_of(cls, nodes: list[Node]) -> str:
        return "info" if is_drop_path_on_residual(nodes) else cls.severity

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        noise, batch_norm = nodes[0], nodes[-1]
        text = (
            f"{noise.describe()} feeds {batch_norm.describe()}{via(nodes)}. "
            "BN learns its moving variance on dropped-out activations; at "
            "inference dropout is off and the variance BN sees shifts "
            f"{variance_shift_note(noise)}."
        )
        if is_drop_path_on_residual(nodes):
            text += " This is a per-sample drop-path on a residual branch, a "
            text += "deliberate practice: reported as info."
        return text

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Moves the noise after the BN, the activation layer after it, and
        the poolings and flattening layers after those: weight -> BN ->
        activation -> pooling -> Dropout, the recommended order (so the move
        adds no KO105). Dropout is off at inference: predictions do not
        change."""
        noise, batch_norm = finding.layers[0], finding.layers[-1]
        head = graph.head(noise)
        if head.layer_class == kinds.FUSED_CLASS:
            return "the noise is part of a BNActDropout"
        if not kinds.is_batch_norm_class(graph.head(batch_norm).layer_class):
            return "the batch normalization is part of a BNActDropout"
        target = batch_norm
        following = graph.sole_successor(batch_norm)
        if following is not None and _single_node_layer(graph, following, ACTIVATION):
            target = following.path
        noise_kind = head.attrs.get("noise")
        passed: list[Node] = []
        while (nxt := graph.sole_successor(target)) is not None and _passable(
            graph, nxt, noise_kind
        ):
            passed.append(nxt)
            target = nxt.path
            if noise_kind == "spatial" and nxt.attrs.get("global"):
                break  # The channel maps are gone: one draw per channel now.
        lower_rank = [
            node
            for node in (*_between(graph, finding.layers), *passed)
            if (node.kind == kinds.POOL and node.attrs.get("global"))
            or node.layer_class in kinds.REARRANGING_CLASSES
        ]
        what = f"moved '{noise}' after '{target}'"
        if noise_kind == "spatial" and lower_rank:
            if any(not node.attrs.get("global") for node in lower_rank):
                return (
                    f"'{noise}' drops whole channel maps and would land after "
                    f"'{lower_rank[0].path}', which flattens them: no spatial "
                    "dropout fits there; move it by hand"
                )
            # Spatial dropout, then global pooling = global pooling, then one
            # draw per channel: a plain Dropout, the same noise in law.
            edits: tuple[Edit, ...] = (
                Skip(noise),
                InsertAfter(target, _plain_dropout(model.get_layer(noise))),
            )
            what += (
                f", as a Dropout of the same rate: after the global pooling "
                f"'{lower_rank[0].path}' one draw per channel is what "
                f"{head.layer_class} drew"
            )
        else:
            edits = (MoveAfter(noise, target),)
        return cls.make_fix(finding, what, *edits)

    VALID = (
        Example(
            title="BN, activation, then dropout",
            input_shape=(8, 8, 3),
            layers=(
                (
                    "Conv2D",
                    {"filters": 4, "kernel_size": 3, "use_bias": False, "name": "conv"},
                ),
                ("BatchNormalization", {"name": "bn"}),
                ("ReLU", {"name": "relu"}),
                ("Dropout", {"rate": 0.3, "name": "dropout"}),
                ("Flatten", {"name": "flatten"}),
                ("Dense", {"units": 2, "name": "head"}),
            ),
        ),
        Example(
            title="a weight layer between dropout and BN",
            input_shape=(16,),
            layers=(
                ("Dropout", {"rate": 0.3, "name": "dropout"}),
                ("Dense", {"units": 8, "use_bias": False, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="dropout directly before BN",
            input_shape=(8, 8, 3),
            layers=(
                (
                    "Conv2D",
                    {"filters": 4, "kernel_size": 3, "use_bias": False, "name": "conv"},
                ),
                ("Dropout", {"rate": 0.3, "name": "dropout"}),
                ("BatchNormalization", {"name": "bn"}),
                ("ReLU", {"name": "relu"}),
                ("Flatten", {"name": "flatten"}),
                ("Dense", {"units": 2, "name": "head"}),
            ),
            expect=("dropout", "bn"),
        ),
        Example(
            title="through pooling and a concatenation",
            inputs={"image": (8, 8, 3)},
            nodes=(
                ("Conv2D", {"filters": 4, "kernel_size": 1, "name": "conv"}, ["image"]),
                ("SpatialDropout2D", {"rate": 0.2, "name": "drop"}, ["conv"]),
                ("MaxPooling2D", {"name": "pool"}, ["drop"]),
                ("MaxPooling2D", {"name": "skip"}, ["image"]),
                ("Concatenate", {"name": "concat"}, ["pool", "skip"]),
                ("BatchNormalization", {"name": "bn"}, ["concat"]),
            ),
            outputs=("bn",),
            expect=("drop", "pool", "concat", "bn"),
            # Moving the dropout past the merge would change the other branch.
            fixable=False,
        ),
    )
