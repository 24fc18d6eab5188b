"""KO301 labels-do-not-fit-output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...graph.activations import names_with, output_range
from ...graph.losses import loss_family
from ...preflight_rule import DataExample, DataRule, OutputFacts, PreflightFacts
from ..finding import Finding

_SIGMOIDS = names_with(probability_output=True, elementwise=True)
_SOFTMAXES = names_with(probability_output=True, normalizes_axis=True)
# At least this many rows before a label encoding is judged from a batch.
MIN_ROWS = 8


def rows_text(rows: Any, limit: int = 5) -> str:
    """`rows 0, 3 and 7` (then `and 12 more`), for messages."""
    listed = [str(int(row)) for row in rows[:limit]]
    more = len(rows) - len(listed)
    if more:
        return f"rows {', '.join(listed)} and {more} more"
    if len(listed) == 1:
        return f"row {listed[0]}"
    return f"rows {', '.join(listed[:-1])} and {listed[-1]}"


def _problem(output: OutputFacts) -> str | None:
    import numpy as np

    y = output.numeric_labels()
    if y is None or y.ndim == 0 or y.shape[0] < MIN_ROWS or not np.all(np.isfinite(y)):
        return None
    units = output.units or 1
    family = loss_family(output.loss)
    sparse = isinstance(output.loss, str) and "sparse" in output.loss.lower()
    activation = None if output.from_logits else output.activation
    where = f"the output '{output.name}'"
    integral = bool(np.all(y == np.round(y)))
    if sparse:
        bad = np.flatnonzero(((y < 0) | (y >= units)).reshape(len(y), -1).any(axis=1))
        if not (integral and bad.size and units > 1):
            return None
        first, last = int(y.min()), int(y.max())
        if first < 0:
            needed = last - first + 1
            return (
                f"The labels of {where} hold negative class indices (from {first} "
                f"to {last}), but its {units} units are indices 0 to {units - 1}: "
                f"{rows_text(bad)}. Shift the labels by {-first} (labels - ({first}))"
                + (f" and give the head {needed} units." if needed > units else ".")
            )
        return (
            f"The labels of {where} are class indices up to {last}, but it "
            f"has {units} units (indices 0 to {units - 1}): {rows_text(bad)}. "
            f"Number the classes from 0, or give the head {last + 1} units."
        )
    binary_values = bool(np.all((y == 0) | (y == 1)))
    rows = y.reshape(len(y), -1)
    if (
        family == "categorical"
        and units > 1
        and integral
        and rows.shape[1] == 1
        and y.max() > 1
    ):
        return (
            f"The labels of {where} are integer class indices (e.g. "
            f"{rows_text(np.flatnonzero(rows[:, 0] > 1))} hold {int(rows.max())}), "
            f"but its loss '{output.loss}' expects one-hot rows over {units} units. "
            "Use sparse_categorical_crossentropy, or one-hot encode the labels "
            "(keras.utils.to_categorical)."
        )
    if binary_values and rows.shape[1] == units and units > 1:
        sums = rows.sum(axis=1)
        if family == "binary" and activation in _SIGMOIDS and np.all(sums == 1):
            return (
                f"Every label row of {where} is one-hot (mutually exclusive "
                f"classes, {rows_text(np.arange(len(rows)))}), but it is trained "
                f"with {activation} and '{output.loss}', which treats the "
                f"{units} classes as independent. Use softmax and "
                "categorical_crossentropy."
            )
        multi = np.flatnonzero(sums > 1)
        if family == "categorical" and activation in _SOFTMAXES and multi.size:
            return (
                f"Label {rows_text(multi)} of {where} have several classes set "
                f"(multi-hot), but {activation} makes the {units} classes "
                "mutually exclusive. Use sigmoid and binary_crossentropy."
            )
    # Without a compiled loss, nothing says the labels are targets of the
    # output's values (integer labels under softmax are class indices).
    bounds = output_range(activation) if output.loss is not None else None
    if bounds is not None:
        low, high = bounds
        outside = np.flatnonzero(((rows < low) | (rows > high)).any(axis=1))
        if outside.size:
            return (
                f"Targets of {where} lie outside [{low:g}, {high:g}], the range of "
                f"its {activation} activation ({rows_text(outside)}; from "
                f"{y.min():g} to {y.max():g}): it can never reach them. Use a "
                "linear output (or one whose range covers the targets), or "
                "rescale the targets."
            )
    return None


class LabelsDoNotFitOutput(DataRule):
    """## What it does
    Reads the labels given to `preflight` and checks them against each
    output's activation, units and loss: one-hot rows (exclusive classes)
    trained with sigmoid and binary cross-entropy; multi-hot rows with
    softmax; integer labels with a categorical (not sparse) loss; class
    indices at or above the number of units; targets outside the output
    activation's range (negative targets under ReLU, outside [0, 1] under
    sigmoid, outside [-1, 1] under tanh). The labels of up to 4 batches are
    read; the message names the rows.

    ## Why is this bad?
    Keras trains on such labels without an error, and the model learns the
    wrong task or cannot learn: independent sigmoids reach 75% "accuracy"
    on four exclusive classes by predicting all zeros, a softmax cannot
    give two classes probability 1, integer labels broadcast against a
    categorical loss, an index past the last unit is dropped or wraps, and a
    ReLU head never outputs the negative targets it is asked for.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((8,)),
        keras.layers.Dense(4, activation="sigmoid")])
    model.compile(loss="binary_crossentropy")
    y = keras.utils.to_categorical(classes, 4)  # one-hot rows
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input((8,)),
        keras.layers.Dense(4, activation="softmax")])
    model.compile(loss="categorical_crossentropy")
    ```

    ## References
    - Keras losses: https://keras.io/api/losses/probabilistic_losses/
    - Humbatova et al., "Taxonomy of Real Faults in Deep Learning Systems",
      ICSE 2020 (wrong loss or label encoding among the most common faults).
    """

    code = "KO301"
    name = "labels-do-not-fit-output"
    severity = "error"
    fix = "Match the labels, the output activation and the loss (see the message)."
    reference = (
        "Humbatova et al. 2020, Taxonomy of Real Faults in Deep Learning Systems"
    )

    VALID = (
        DataExample(
            title="one-hot labels with softmax and categorical cross-entropy",
            layers=(("Dense", {"units": 4, "activation": "softmax", "name": "head"}),),
            input_shape=(8,),
            loss=("CategoricalCrossentropy", {}),
            y=("onehot", 32, 4),
        ),
        DataExample(
            title="signed targets with a linear output",
            layers=(("Dense", {"units": 1, "name": "head"}),),
            input_shape=(8,),
            loss=("MeanSquaredError", {}),
            y=("normal", (32, 1), 0.0, 1.0),
        ),
    )
    INVALID = (
        DataExample(
            title="one-hot labels with sigmoid and binary cross-entropy",
            layers=(("Dense", {"units": 4, "activation": "sigmoid", "name": "head"}),),
            input_shape=(8,),
            loss=("BinaryCrossentropy", {}),
            y=("onehot", 32, 4),
            expect=("head",),
        ),
        DataExample(
            title="signed targets under a ReLU output",
            layers=(("Dense", {"units": 1, "activation": "relu", "name": "head"}),),
            input_shape=(8,),
            loss=("MeanSquaredError", {}),
            y=("normal", (32, 1), 0.0, 1.0),
            expect=("head",),
        ),
        DataExample(
            title="multi-hot labels with softmax",
            layers=(("Dense", {"units": 4, "activation": "softmax", "name": "head"}),),
            input_shape=(8,),
            loss=("CategoricalCrossentropy", {}),
            y=("multihot", 32, 4),
            expect=("head",),
        ),
    )

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        for output in facts.outputs:
            if output.labels is None:
                continue
            message = _problem(output)
            if message is not None:
                yield cls.finding((output.name,), message)
