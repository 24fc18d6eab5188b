"""KO117 constant-kernel-initializer."""

from __future__ import annotations

from ...graph import kinds
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule, describe_activation, facts_of, via


def _constant_kernel(node: Node) -> bool:
    return "constant_kernel" in node.attrs


_PASS_THROUGH = frozenset(
    {kinds.SHAPE, kinds.NOISE, kinds.BATCH_NORM, kinds.NORMALIZATION}
)


def _dead_at_zero(weight: Node, activation: Node) -> bool:
    """A zero kernel before relu and its clipped variants: every unit sits
    at the floor, where the gradient is 0."""
    facts = facts_of(activation)
    return (
        weight.attrs["constant_kernel"] == "zeros"
        and facts is not None
        and facts.clipped_below
    )


def _next_weights_constant(graph: Graph, index: int) -> bool:
    """True when every weight layer the activation feeds (through shape,
    noise, normalization and activation layers) has a constant kernel too:
    nothing downstream tells the units apart."""
    frontier, seen, found = [index], {index}, 0
    while frontier:
        current = frontier.pop()
        for successor in graph.successors[current]:
            if successor in seen:
                continue
            seen.add(successor)
            node = graph.nodes[successor]
            if node.kind == kinds.WEIGHT:
                if "constant_kernel" not in node.attrs:
                    return False
                found += 1
            elif node.kind in _PASS_THROUGH or node.kind == kinds.ACTIVATION:
                frontier.append(successor)
            else:
                return False  # A merge, a pooling, an output: not known.
    return found > 0


class ConstantKernelInitializer(Rule):
    """## What it does
    Finds a weight layer (Dense, a convolution) whose `kernel_initializer`
    fills the kernel with one value (`"zeros"`, `"ones"`, `Constant(c)`)
    and whose output goes, through shape-only, noise or normalization
    layers, into a nonlinearity, when either

    - the kernel is zeros and the nonlinearity is ReLU or one of its
      clipped variants, or
    - every weight layer after the nonlinearity starts constant too.

    Biases, BN's gamma and beta and other non-kernel weights are not
    kernels. A constant layer followed by a randomly initialized one (a
    zero-initialized gate or output head, a residual branch that starts at
    zero) is common on purpose: the random layer gives each unit its own
    gradient, so it is not reported.

    ## Why is this bad?
    With one value in every entry of the kernel, every unit of the layer
    computes the same function of the input: the layer starts as one unit
    copied many times. When the layers after it are constant too, every
    copy also gets the same gradient, and the units never become
    different: the layer has the capacity of a single unit. With a zero
    kernel before ReLU each unit outputs 0, where ReLU's gradient is 0, so
    no gradient reaches the layer or anything before it and nothing is
    learned. Random initializers exist to break this symmetry.

    ## Example
    ```python
    x = keras.layers.Dense(64, activation="relu", kernel_initializer="zeros")(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dense(64, activation="relu")(x)  # glorot_uniform
    ```

    ## References
    - Stanford CS231n notes, "Neural Networks Part 2": "Pitfall: all zero
      initialization ... if every neuron in the network computes the same
      output, then they will also all compute the same gradients during
      backpropagation and undergo the exact same parameter updates."
    - Bug reports and fixes: yz93/LAVT-RIS#25 (a gate of two zero-initialized
      Linear layers around a ReLU: the first one gets no gradient),
      datascience.stackexchange.com/questions/19170 (why a Keras Dense layer
      must not start at zero), tensorflow/tensorflow#13935 ("W should not be
      initialized as zeros ... you will get a symmetric network") and
      wagonhelm/NaNmnist#2 (zero initialization in deep networks).
    """

    code = "KO117"
    name = "constant-kernel-initializer"
    severity = "warning"
    pattern = PathPattern(
        start=LayerPattern({kinds.WEIGHT}, where=_constant_kernel),
        through=LayerPattern(_PASS_THROUGH),
        end=LayerPattern({kinds.ACTIVATION}),
    )
    fix = (
        "Use a random kernel initializer (the default glorot_uniform, or "
        "he_normal before ReLU); keep constants for biases."
    )
    reference = "https://keras.io/api/layers/initializers/"

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        weight, activation = nodes[0], nodes[-1]
        return _dead_at_zero(weight, activation) or _next_weights_constant(
            graph, activation.index
        )

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        weight, activation = nodes[0], nodes[-1]
        constant = weight.attrs["constant_kernel"]
        before = (
            f"its {activation.part}={activation.attrs['activation']}"
            if activation.path == weight.path
            else f"{describe_activation(activation)}{via(nodes)}"
        )
        if _dead_at_zero(weight, activation):
            return (
                f"{weight.describe()} starts with a zero kernel before {before}: "
                "every unit outputs the activation's floor, where its gradient "
                "is 0, so this layer and the layers before it never learn. Use "
                "a random initializer such as he_normal."
            )
        return (
            f"{weight.describe()} starts with a constant kernel ({constant}) "
            f"before {before}, and the weight layers after it are constant "
            "too: all its units compute the same value and get the same "
            "gradient, so they stay copies of one unit. Use a random "
            "initializer such as glorot_uniform."
        )

    VALID = (
        Example(
            title="the default random initializer",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "relu", "name": "hidden"}),
                ("Dense", {"units": 4, "name": "out"}),
            ),
        ),
        Example(
            title="a zero-initialized gate behind a random layer (tanh(0) = 0)",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 16, "activation": "relu", "name": "hidden"}),
                (
                    "Dense",
                    {
                        "units": 16,
                        "activation": "tanh",
                        "kernel_initializer": "zeros",
                        "name": "gate",
                    },
                ),
                ("Dense", {"units": 4, "name": "out"}),
            ),
        ),
        Example(
            title="a zero-initialized softmax head (an output layer)",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 32, "activation": "relu", "name": "hidden"}),
                (
                    "Dense",
                    {
                        "units": 4,
                        "activation": "softmax",
                        "kernel_initializer": "zeros",
                        "name": "head",
                    },
                ),
            ),
        ),
        Example(
            title="a constant bias, not a constant kernel",
            input_shape=(16,),
            layers=(
                (
                    "Dense",
                    {
                        "units": 32,
                        "activation": "relu",
                        "bias_initializer": "ones",
                        "name": "hidden",
                    },
                ),
                ("Dense", {"units": 4, "name": "out"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="a hidden Dense layer of zeros before ReLU",
            input_shape=(16,),
            layers=(
                (
                    "Dense",
                    {
                        "units": 32,
                        "activation": "relu",
                        "kernel_initializer": "zeros",
                        "name": "hidden",
                    },
                ),
                ("Dense", {"units": 4, "name": "out"}),
            ),
            expect=("hidden",),
        ),
        Example(
            title="a convolution of ones, BN and tanh, then another of ones",
            input_shape=(8, 8, 3),
            layers=(
                (
                    "Conv2D",
                    {
                        "filters": 8,
                        "kernel_size": 3,
                        "kernel_initializer": "ones",
                        "name": "conv",
                    },
                ),
                ("BatchNormalization", {"name": "bn"}),
                ("Activation", {"activation": "tanh", "name": "tanh"}),
                (
                    "Conv2D",
                    {
                        "filters": 8,
                        "kernel_size": 3,
                        "kernel_initializer": "ones",
                        "name": "conv_2",
                    },
                ),
            ),
            expect=("conv", "bn", "tanh"),
        ),
    )
