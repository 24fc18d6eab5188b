"""KO305 training-flag-ignored."""

from __future__ import annotations

from collections.abc import Iterator

from ...preflight_rule import DataExample, DataRule, PreflightFacts
from ..finding import Finding


class TrainingFlagIgnored(DataRule):
    """## What it does
    Runs `keras_ordering.diagnostics.audit_training_flag` on the first batch
    of the user's data and reports every stochastic or stateful layer
    (Dropout, noise, BatchNormalization, BNActDropout) that ignores or
    forces the `training` flag: a dropout that drops at inference or never
    drops, a BN that normalizes with batch statistics at inference or never
    uses them in training. A Functional or Sequential model made only of
    Keras' own layers and operations, holding no user code (no `Lambda`,
    no user function as an `activation`), is not audited: when `fit`,
    `evaluate`, `predict` (and preflight) pass the model a `training`
    flag, Keras passes it to every layer call, replacing a hard-coded
    `training=`, and its own layers follow it.

    ## Why is this bad?
    A custom layer or model whose `call` hard-codes `training=True`, or
    never passes the flag on, trains one network and serves another:
    predictions are random at inference, or BN statistics never update.
    The graph cannot always show it (a subclassed `call` decides at run
    time); running the model on the user's batch in both modes does.

    ## Example
    ```python
    class MyBN(keras.layers.BatchNormalization):
        def call(self, inputs, training=None):
            return super().call(inputs, training=True)  # always batch statistics
    ```

    ## Use instead
    ```python
    class MyBN(keras.layers.BatchNormalization):
        def call(self, inputs, training=None):
            return super().call(inputs, training=training)
    ```

    ## References
    - Keras, "The training argument in the call() method":
      https://keras.io/guides/making_new_layers_and_models_via_subclassing/
    """

    code = "KO305"
    name = "training-flag-ignored"
    severity = "warning"
    fix = "Pass the `training` argument through to the layer instead of fixing it."
    reference = "Keras guide: making new layers and models via subclassing"

    VALID = (
        DataExample(
            title="a custom BatchNormalization passing the flag on",
            factory=("custom_bn_model", {"forced": False}),
            y=("normal", (32, 1), 0.0, 1.0),
        ),
    )
    INVALID = (
        DataExample(
            title="a custom BatchNormalization forcing training=True",
            factory=("custom_bn_model", {"forced": True}),
            y=("normal", (32, 1), 0.0, 1.0),
            expect=("custom_bn",),
        ),
    )

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        for layer, layer_class, explanation in facts.flag_failures:
            detail = explanation.rstrip(".")
            yield cls.finding(
                (layer,),
                f"{layer_class} '{layer}' does not follow the training flag on "
                f"this batch: {detail}.",
            )
