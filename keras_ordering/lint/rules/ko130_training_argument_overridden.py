"""KO130 training-argument-overridden."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ...graph import kinds
from ...graph.graph import Graph
from ...graph.node import Node
from ..example import Example
from ..finding import Finding
from ..fix import Applicability, Fix, NewLayer, Replace, SetConfig
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule

# Keras noise classes MonteCarloDropout replaces, with its `dropout=` kind.
_MONTE_CARLO_KINDS = {
    **dict.fromkeys(("Dropout",), "standard"),
    **dict.fromkeys(
        ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"), "spatial"
    ),
    "GaussianDropout": "gaussian",
}


def is_monte_carlo_noise(node: Node) -> bool:
    """A noise layer (or BNActDropout's noise) called with `training=True`."""
    return node.kind == kinds.NOISE and node.attrs.get("training") is True


def is_pinned_trainable_batch_norm(node: Node) -> bool:
    """A trainable BN called with `training=False`, itself or by an enclosing
    model call. A frozen BN (`trainable=False`) already runs in inference."""
    return (
        node.kind == kinds.BATCH_NORM
        and node.attrs.get("training") is False
        and node.attrs.get("trainable", True) is not False
    )


def _overridden(node: Node) -> bool:
    return is_monte_carlo_noise(node) or is_pinned_trainable_batch_norm(node)


def _keras_major(graph: Graph) -> int:
    return 2 if graph.attrs.get("keras_major") == 2 else 3


class TrainingArgumentOverridden(Rule):
    """## What it does
    Finds a layer or nested model called with a hard-coded `training=`
    inside a Functional graph, where Keras replaces it. Two faces:

    - Monte-Carlo dropout: `Dropout(...)(x, training=True)` (any noise
      layer, or the noise of `BNActDropout`);
    - fine-tuning: `BatchNormalization()(x, training=False)`, or
      `base_model(x, training=False)` around a model with a trainable BN.
      A BN frozen with `trainable=False` is not reported.

    A Keras 2 model (a file that records `keras_version` 2.x, or a live
    tf_keras model) does what its code says: the finding is then a
    migration hazard, at info, with a fix that tf_keras can use.

    ## Why is this bad?
    In Keras 3, `fit`, `evaluate` and `predict` pass their own `training` flag to every
    layer of a Functional graph, replacing the value written when the graph
    was built (verified on Keras 3.15.1 with TensorFlow 2.21, JAX 0.10.2
    and torch 2.13; `tests/lint/test_keras_training_flag_facts.py` checks it
    on every backend):

    - with `training=True` on dropout, `predict` and `evaluate` run with the
      noise off: Monte-Carlo samples are all the same deterministic answer,
      and the uncertainty estimate collapses to zero. Only a direct
      `model(x)` call keeps the noise;
    - with `training=False` on BN, `fit` still runs BN in training mode once
      its layers are trainable: it normalizes with batch statistics and
      updates its moving mean and variance, which is what the hard-coded
      flag was meant to prevent when fine-tuning a pretrained model. Only
      `trainable=False` keeps a BN in inference mode in Keras 3.

    Keras 2 (checked with tf_keras 2.21) keeps both flags: `Dropout(0.5)(x,
    training=True)` stays on in `predict`, and `base(x, training=False)`
    keeps BN in inference mode in `fit`. The same file loaded and run under
    Keras 3 silently changes behaviour.

    ## Example
    ```python
    x = keras.layers.Dropout(0.5)(x, training=True)  # Monte-Carlo dropout
    features = base_model(inputs, training=False)  # then base_model.trainable = True
    ```

    ## Use instead
    ```python
    x = keras_ordering.layers.MonteCarloDropout(0.5)(x)  # noise on in predict
    for layer in base_model.layers:  # BN in inference mode in fit
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    ```

    ## References
    - Keras transfer-learning guide, "Fine-tuning": BatchNormalization
      layers and `trainable=False`.
    - Gal & Ghahramani (2016), "Dropout as a Bayesian Approximation",
      arXiv:1506.02142.
    - Bug reports: keras-team/keras#9412 and rstudio/keras3#358
      (Monte-Carlo dropout with `training=True`); keras-team/keras#20285
      (`training=False` on the base model of the transfer-learning guide).
    """

    code = "KO130"
    name = "training-argument-overridden"
    severity = "warning"
    severity_note = "warning (Keras 3) or info (a Keras 2 model: a migration hazard)"
    pattern = PathPattern(start=LayerPattern({"noise", "batch-norm"}, _overridden))
    fix = (
        "Noise: keras_ordering.layers.MonteCarloDropout stays on in predict. "
        "BN: trainable=False, or keras_ordering.freeze_batchnorm(model), keeps "
        "it in inference mode in fit."
    )
    # MonteCarloDropout makes predict random (Keras 3 ran the old noise off
    # there); freezing a BN keeps inference as it was.
    autofix_applicability = Applicability.CHANGES_PREDICTIONS
    # Each face gets its own fix, and a Keras 2 model one that tf_keras can
    # use (MonteCarloDropout and freeze_batchnorm are Keras 3 only).
    FIXES: ClassVar[dict[tuple[int, str], str]] = {
        (3, "noise"): (
            "Use keras_ordering.layers.MonteCarloDropout, which stays on "
            "whatever flag predict and evaluate pass."
        ),
        (3, "batch-norm"): (
            "Freeze the BN with trainable=False, or every BN of a model with "
            "keras_ordering.freeze_batchnorm(model)."
        ),
        (2, "noise"): (
            "Nothing to change while it runs on Keras 2 (tf_keras). Before "
            "running it under Keras 3, make the noise unconditional in the layer "
            "itself (its call passes training=True to the dropout), since "
            "Keras 3 replaces a call's training= flag."
        ),
        (2, "batch-norm"): (
            "Set trainable=False on those BatchNormalization layers: it keeps "
            "them in inference mode in fit under Keras 2 and Keras 3 alike, so "
            "the model behaves the same after a migration."
        ),
    }
    reference = "https://keras.io/guides/transfer_learning/"

    @classmethod
    def fix_texts(cls) -> tuple[str, ...]:
        return tuple(cls.FIXES.values())

    @classmethod
    def group_key(cls, nodes: list[Node]) -> tuple[str, bool]:
        # One finding per call site: a nested model call with training=False
        # is one mistake, however many BNs it holds.
        node = nodes[0]
        return node.attrs.get("training_call") or node.path, node.attrs["training"]

    @classmethod
    def reported_layers(
        cls, matches: list[list[Node]], graph: Graph
    ) -> tuple[str, ...]:
        # The finding names the call: a nested model's, or the layer's own.
        return (cls.group_key(matches[0])[0],)

    @classmethod
    def fix_in(cls, nodes: list[Node], graph: Graph) -> str:
        """The fix of the call's face (noise or BN) and Keras version."""
        face = kinds.NOISE if cls.group_key(nodes)[1] else kinds.BATCH_NORM
        return cls.FIXES[_keras_major(graph), face]

    @classmethod
    def more_targets_note(cls, others: Sequence[str]) -> str:
        return ""  # The message counts the layers the call overrides.

    @classmethod
    def severity_in(cls, nodes: list[Node], graph: Graph) -> str:
        return cls.severity if _keras_major(graph) == 3 else "info"

    @classmethod
    def message_in(cls, nodes: list[Node], graph: Graph) -> str:
        """The message of one overridden layer's call."""
        return cls.group_message([nodes], graph)

    @classmethod
    def group_message(cls, matches: list[list[Node]], graph: Graph) -> str:
        """The message of one call: a layer's own, or a nested model's with
        every noise / BN layer inside it that the call overrides."""
        nodes = [path[0] for path in matches]
        call, training = cls.group_key(nodes)
        return cls.describe_call(call, training, nodes, _keras_major(graph))

    @classmethod
    def describe_call(
        cls, call: str, training: bool, nodes: list[Node], keras: int = 3
    ) -> str:
        nested = nodes[0].attrs.get("training_call") is not None
        if training:
            subject = (
                f"Model '{call}' is called with training=True around "
                f"{_count(nodes, 'noise layer')}"
                if nested
                else f"{nodes[0].describe()} is called with training=True"
            )
            if keras == 2:
                return (
                    f"{subject}. This is a Keras 2 model, where the noise stays "
                    "on in predict as written; loaded and run under Keras 3, "
                    "predict and evaluate replace that flag and silently turn "
                    "the noise off, so Monte-Carlo samples become identical "
                    "(a migration hazard)."
                )
            return (
                f"{subject}, but predict and evaluate replace that flag: the "
                "noise is off there, so Monte-Carlo samples are identical and "
                "the uncertainty collapses. Use MonteCarloDropout, which stays "
                "on whatever flag Keras passes."
            )
        subject = (
            f"Model '{call}' is called with training=False around "
            f"{_count(nodes, 'trainable BatchNormalization')}"
            if nested
            else f"{nodes[0].describe()} is called with training=False"
        )
        if keras == 2:
            return (
                f"{subject}. This is a Keras 2 model, where that keeps BN in "
                "inference mode in fit as written; loaded and run under Keras 3, "
                "fit replaces that flag and silently trains BN with batch "
                "statistics and updates its moving mean and variance (a "
                "migration hazard)."
            )
        remedy = (
            f"Call keras_ordering.freeze_batchnorm on '{call}' to keep its BNs "
            "in inference mode."
            if nested
            else "Set trainable=False on the BN to keep it in inference mode."
        )
        return (
            f"{subject}, but fit replaces that flag: BN normalizes with batch "
            f"statistics and updates its moving mean and variance. {remedy}"
        )

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """Monte-Carlo noise becomes `MonteCarloDropout`; a BN called with
        `training=False` is frozen (`trainable=False`)."""
        (name,) = finding.layers
        node = graph.head(name)
        if node.part is not None:
            return "the layer is a BNActDropout: change its call by hand"
        layer = model.get_layer(name)
        if node.kind == kinds.BATCH_NORM:
            return cls.make_fix(
                finding,
                f"froze '{name}' (trainable=False): it now stays in inference "
                "mode in fit, as training=False meant; its gamma and beta stop "
                "training too, so fine-tuning results change; retrain",
                SetConfig(name, {"trainable": False}),
                # Inference already used the moving statistics.
                applicability=Applicability.EXACT,
            )
        kind = _MONTE_CARLO_KINDS.get(node.layer_class)
        if kind is None:
            return f"MonteCarloDropout has no {node.layer_class} kind"
        # Imported here: rules load without keras.
        from ...layers.monte_carlo_dropout import MonteCarloDropout

        arguments: dict[str, Any] = {
            "dropout": kind,
            "seed": getattr(layer, "seed", None),
        }
        if kind == "standard" and getattr(layer, "noise_shape", None) is not None:
            arguments["noise_shape"] = tuple(layer.noise_shape)
        if kind == "spatial" and getattr(layer, "data_format", None) == (
            "channels_first"
        ):
            arguments["axis"] = 1  # SpatialDropout's channels are on axis 1.
        arguments.update(rate=float(layer.rate), name=name)
        return cls.make_fix(
            finding,
            f"replaced '{name}' with MonteCarloDropout: predict and evaluate "
            "now draw the noise too, so inference is random as Monte-Carlo "
            "dropout intends (no weights change)",
            Replace(name, NewLayer(MonteCarloDropout, arguments)),
        )

    VALID = (
        Example(
            title="dropout with the flag Keras passes",
            inputs={"features": (16,)},
            nodes=(
                ("Dense", {"units": 8, "name": "dense"}, ["features"]),
                ("Dropout", {"rate": 0.5, "name": "dropout"}, ["dense"]),
            ),
            outputs=("dropout",),
        ),
        Example(
            title="a frozen BN called with training=False",
            inputs={"features": (16,)},
            nodes=(
                (
                    "BatchNormalization",
                    {"trainable": False, "name": "bn"},
                    ["features"],
                    {"training": False},
                ),
            ),
            outputs=("bn",),
        ),
    )
    INVALID = (
        Example(
            title="Monte-Carlo dropout with training=True",
            inputs={"features": (16,)},
            nodes=(
                ("Dense", {"units": 8, "name": "dense"}, ["features"]),
                (
                    "Dropout",
                    {"rate": 0.5, "name": "mc_dropout"},
                    ["dense"],
                    {"training": True},
                ),
            ),
            outputs=("mc_dropout",),
            expect=("mc_dropout",),
        ),
        Example(
            title="a trainable BN called with training=False",
            inputs={"features": (16,)},
            nodes=(
                (
                    "Dense",
                    {"units": 8, "use_bias": False, "name": "dense"},
                    ["features"],
                ),
                (
                    "BatchNormalization",
                    {"name": "bn"},
                    ["dense"],
                    {"training": False},
                ),
            ),
            outputs=("bn",),
            expect=("bn",),
        ),
    )


def _count(nodes: list[Node], what: str) -> str:
    names = ", ".join(f"'{node.path}'" for node in nodes[:3])
    more = f" and {len(nodes) - 3} more" if len(nodes) > 3 else ""
    plural = "s" if len(nodes) > 1 else ""
    return f"{len(nodes)} {what}{plural} ({names}{more})"
