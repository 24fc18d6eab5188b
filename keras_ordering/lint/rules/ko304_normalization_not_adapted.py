"""KO304 normalization-not-adapted."""

from __future__ import annotations

from collections.abc import Iterator

from ...graph.graph import Graph
from ...lint.example import Example
from ..finding import Finding
from ..rule import Rule


class NormalizationNotAdapted(Rule):
    """## What it does
    Finds a `Normalization`, `StringLookup`, `IntegerLookup` or
    `TextVectorization` layer that was never adapted and was given no
    statistics or vocabulary: a Normalization whose mean is still 0 and
    variance 1, a lookup whose vocabulary is empty. `lint_model` reports it
    on a live model, without data; a saved config does not tell, so
    `lint_file` cannot. A Normalization right after a fixed `Rescaling`
    (keras.applications' EfficientNet, whose statistics come with its
    weights) is left alone.

    ## Why is this bad?
    Keras runs an unadapted Normalization as the identity and an empty
    lookup maps every token to the out-of-vocabulary index, without an
    error: the model trains on unnormalized features, or on one token.
    `adapt()` has to run on the training data before `fit`.

    ## Example
    ```python
    norm = keras.layers.Normalization()
    model = keras.Sequential([keras.Input((4,)), norm, keras.layers.Dense(1)])
    model.fit(x, y)  # norm.adapt(x) never ran
    ```

    ## Use instead
    ```python
    norm.adapt(x)  # or Normalization(mean=..., variance=...)
    ```

    ## References
    - Keras, "Working with preprocessing layers", the adapt() method:
      https://keras.io/guides/preprocessing_layers/
    """

    code = "KO304"
    name = "normalization-not-adapted"
    severity = "warning"
    live_only = True
    fix = (
        "Call the layer's adapt() on the training data, or give its statistics "
        "or vocabulary."
    )
    reference = "Keras guide: working with preprocessing layers (adapt)"

    VALID = (
        Example(
            title="a Normalization with explicit statistics",
            input_shape=(4,),
            layers=(
                ("Normalization", {"mean": 0.5, "variance": 2.0, "name": "norm"}),
                ("Dense", {"units": 1, "name": "head"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="a Normalization never adapted",
            input_shape=(4,),
            layers=(
                ("Normalization", {"name": "norm"}),
                ("Dense", {"units": 1, "name": "head"}),
            ),
            expect=("norm",),
        ),
    )

    @classmethod
    def check(cls, graph: Graph) -> Iterator[Finding]:
        seen: set[str] = set()
        for node in graph.nodes:
            if node.attrs.get("adapted") is not False or node.path in seen:
                continue
            seen.add(node.path)
            yield Finding(
                code=cls.code,
                name=cls.name,
                severity=cls.severity,
                message=(
                    f"{node.layer_class} '{node.path}' was never adapted and has no "
                    "explicit statistics or vocabulary: it passes its inputs "
                    "through unchanged (or maps every token to out-of-vocabulary)."
                ),
                layers=(node.path,),
                fix=cls.fix,
                reference=cls.reference,
            )
