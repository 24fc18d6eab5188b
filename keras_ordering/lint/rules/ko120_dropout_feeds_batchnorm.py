"""KO120 dropout-feeds-batchnorm (opt-in)."""

from __future__ import annotations

from ...graph import kinds
from ...graph.node import Node
from ..example import Example
from ..patterns import (
    ACTIVATION_NODE,
    BATCH_NORM_NODE,
    MERGE_NODE,
    NOISE_NODE,
    NORMALIZATION_NODE,
    POOL_NODE,
    SHAPE_NODE,
    WEIGHT_NODE,
    LayerPattern,
    PathPattern,
    any_of,
)
from ..rule import Rule, via


class DropoutFeedsBatchnorm(Rule):
    """## What it does
    Li et al.'s strict rule: finds a noise layer anywhere upstream of a
    BatchNormalization, weight layers included. Off by default: enable it
    with `extend_select=["KO120"]`. It reports each noise layer with the
    nearest BNs it feeds.

    The dropout that recurrent and attention layers draw themselves counts
    too. A recurrent layer's `dropout=` drops its inputs (one mask for all
    time steps), so it is a noise part before the layer's weights, which
    every rule sees (`Dropout -> LSTM(dropout=0.2)` is also two dropouts in
    a row for KO108). A recurrent layer's `recurrent_dropout=` (on the
    state) and the `dropout=` of `MultiHeadAttention`, `Attention`,
    `AdditiveAttention` and grouped-query attention (on the attention
    weights) act inside the layer and reach its output only through its
    weights: only this rule reports them, with the layer as the source.
    KO101, KO103, KO105, KO108 and KO110 do not, since no dropped value
    leaves the layer as such.

    ## Why is this bad?
    A weight layer between dropout and BN mixes the dropped units, but the
    variance it passes on still differs between training and inference, so
    the BN's moving variance is still shifted (Li et al. measure the shift
    through convolutions too). The shift is smaller than with dropout right
    before BN, which is why this rule is opt-in. The strict remedy is to
    put all dropout after the last BN, or to re-estimate the BN statistics
    with dropout off (`keras_ordering.diagnostics.recalibrate_batchnorm`).

    ## Example
    ```python
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.Dense(64, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dense(64, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Dropout(0.3)(x)  # after the last BN
    ```

    ## References
    - Li, Chen, Hu, Yang (2018), arXiv:1801.05134, section 4: "apply
      Dropout after all BN layers".
    """

    code = "KO120"
    name = "dropout-feeds-batchnorm"
    severity = "info"
    default_enabled = False
    pattern = PathPattern(
        start=LayerPattern(
            {kinds.NOISE, kinds.WEIGHT},
            where=lambda node: (
                node.kind == kinds.NOISE or "internal_dropout" in node.attrs
            ),
        ),
        through=any_of(
            WEIGHT_NODE,
            SHAPE_NODE,
            POOL_NODE,
            ACTIVATION_NODE,
            MERGE_NODE,
            NOISE_NODE,
            NORMALIZATION_NODE,
        ),
        end=BATCH_NORM_NODE,
    )
    fix = "Place every dropout after the last BN, or recalibrate the BN statistics."
    reference = "Li et al. 2018, arXiv:1801.05134"

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        noise, batch_norm = nodes[0], nodes[-1]
        source = noise.describe()
        if noise.kind == kinds.WEIGHT:
            kind, rate = noise.attrs["internal_dropout"], noise.attrs["rate"]
            source = f"The {kind} dropout ({rate:.2g}) of {source}"
        return (
            f"{source} is upstream of {batch_norm.describe()}"
            f"{via(nodes)}: the BN's moving variance is learned with dropout on "
            "and used with dropout off."
        )

    VALID = (
        Example(
            title="dropout after the last BN",
            input_shape=(16,),
            layers=(
                ("Dense", {"units": 8, "use_bias": False, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
                ("ReLU", {"name": "relu"}),
                ("Dropout", {"rate": 0.3, "name": "dropout"}),
                ("Dense", {"units": 2, "name": "head"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="dropout, a weight layer, then BN",
            input_shape=(16,),
            layers=(
                ("Dropout", {"rate": 0.3, "name": "dropout"}),
                ("Dense", {"units": 8, "use_bias": False, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("dropout", "dense", "bn"),
        ),
        Example(
            title="an LSTM's recurrent dropout, then BN",
            input_shape=(5, 8),
            layers=(
                ("LSTM", {"units": 8, "recurrent_dropout": 0.2, "name": "lstm"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("lstm", "bn"),
        ),
        Example(
            title="a GRU's input dropout, a weight layer, then BN",
            input_shape=(5, 8),
            layers=(
                ("GRU", {"units": 8, "dropout": 0.2, "name": "gru"}),
                ("Dense", {"units": 8, "use_bias": False, "name": "dense"}),
                ("BatchNormalization", {"name": "bn"}),
            ),
            expect=("gru", "dense", "bn"),
        ),
    )
