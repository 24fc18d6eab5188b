"""KO307 non-finite-values."""

from __future__ import annotations

from collections.abc import Iterator

from ...preflight_rule import DataExample, DataRule, PreflightFacts
from ..finding import Finding


class NonFiniteValues(DataRule):
    """## What it does
    Runs the model on the first batch of the user's data (a forward pass in
    training mode, then the loss and gradients of one training step, with
    no optimizer update) and reports the first place where NaN or inf
    appear: the data itself (inputs and labels, in every batch read), the
    first layer whose output holds them while
    its inputs did not, the loss, or the gradients: there, the layer whose
    weights the backward pass reaches first with NaN or inf (the last such
    layer in the model's order; the operation after it produced them).

    ## Why is this bad?
    One NaN spreads to every weight in a step, and the training loss turns
    `nan` with no hint of where it came from. The usual causes are data
    with missing values, an activation that overflows (`exponential`,
    a large `softplus` input), a log or a division of zero in a custom
    layer or loss, or a `sqrt` / `log` whose gradient is infinite at zero.

    ## Example
    ```python
    keras.layers.Dense(4, activation="exponential")  # on inputs in the hundreds
    ```

    ## Use instead
    ```python
    keras.layers.Dense(4, activation="softplus")  # or scale the inputs first
    ```

    ## References
    - Keras, `keras.callbacks.TerminateOnNaN`:
      https://keras.io/api/callbacks/terminate_on_nan/
    """

    code = "KO307"
    name = "non-finite-values"
    severity = "error"
    fix = (
        "Remove NaN/inf from the data, or bound the layer named (scale its "
        "inputs, use a stable activation or loss)."
    )
    reference = "Keras TerminateOnNaN callback"

    VALID = (
        DataExample(
            title="a softplus head on scaled inputs",
            layers=(("Dense", {"units": 4, "activation": "softplus", "name": "head"}),),
            input_shape=(8,),
            loss=("MeanSquaredError", {}),
            x=("uniform", (32, 8), 0.0, 1.0),
            y=("uniform", (32, 4), 0.0, 1.0),
        ),
    )
    INVALID = (
        DataExample(
            title="an exponential activation on inputs in the hundreds",
            layers=(
                (
                    "Dense",
                    {
                        "units": 4,
                        "activation": "exponential",
                        "kernel_initializer": "ones",
                        "name": "head",
                    },
                ),
            ),
            input_shape=(8,),
            loss=("MeanSquaredError", {}),
            x=("uniform", (32, 8), 100.0, 300.0),
            y=("uniform", (32, 4), 0.0, 1.0),
            expect=("head",),
        ),
    )

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        if facts.non_finite is None:
            return
        what, where, detail = facts.non_finite
        if what == "input":
            yield cls.finding(
                (),
                f"The data for input '{where}' holds NaN or inf ({detail} of the "
                "batches read): every layer downstream computes NaN.",
            )
        elif what == "labels":
            yield cls.finding(
                (where,),
                f"The labels for output '{where}' hold NaN or inf ({detail} of "
                "the batches read): the loss, and then every weight, turn NaN.",
            )
        elif what == "output":
            yield cls.finding(
                (where,),
                f"NaN or inf first appear in the output of {detail} '{where}' "
                "(its inputs were finite), in a training-mode forward pass on "
                "the first batch.",
            )
        elif what == "loss":
            yield cls.finding(
                (where,),
                f"The loss on output '{where}' is NaN or inf on the first batch, "
                "although the model's outputs are finite.",
            )
        elif where:
            yield cls.finding(
                (where,),
                "The gradients of one training step on the first batch hold NaN "
                "or inf, although the outputs and the loss are finite. Going "
                f"back from the loss, they first appear in the weights of '{where}'"
                + (
                    f" (every layer whose weights get them: {detail})"
                    if "," in detail
                    else ""
                )
                + f": an operation between '{where}' and the layers after it, "
                "whose gradients are finite, produced them (sqrt or log at 0, a "
                "division by zero...). The first update would turn the weights NaN.",
            )
        else:
            yield cls.finding(
                (),
                "The gradients of one training step on the first batch hold NaN "
                "or inf, although the outputs and the loss are finite: the "
                "first update would turn the weights NaN.",
            )
