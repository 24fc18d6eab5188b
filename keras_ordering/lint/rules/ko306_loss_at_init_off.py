"""KO306 loss-at-init-off."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ...graph.activations import names_with
from ...graph.losses import loss_family
from ...preflight_rule import DataExample, DataRule, OutputFacts, PreflightFacts
from ..finding import Finding

_SIGMOIDS = names_with(probability_output=True, elementwise=True)
_SOFTMAXES = names_with(probability_output=True, normalizes_axis=True)
# Standard errors of the batch mean allowed on either side.
Z = 3.0


def _entropy(frequencies) -> float:
    import numpy as np

    p = np.asarray(frequencies, dtype="float64")
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


# The highest loss at init, in multiples of the expected one, that a correct
# model reaches. Over C classes: the He-initialized softmax head of Keras
# 2's CIFAR-10 ResNet v1 starts between 3.7 and 6.4 (log 10 = 2.3) over six
# seeds, while a wrong activation, loss or label encoding lies further
# (unscaled MNIST pixels at 14.8). A binary head keeps twice log 2: one
# saturated sigmoid unit starts near 4 (5.6 times log 2).
CEILING = {"categorical": 3.0, "binary": 2.0}


def _judged(
    output: OutputFacts, losses: Any = None
) -> tuple[float, float, float, float] | None:
    """(measured loss, expected, lowest, highest) for a classification
    output, None when the rule does not apply. `losses`: per-sample losses
    to judge instead of the training-mode ones."""
    import numpy as np

    family = loss_family(output.loss)
    losses = output.sample_losses if losses is None else losses
    labels = output.numeric_labels()
    if family is None or losses is None or labels is None or len(losses) < 8:
        return None
    units = output.units or 1
    if family == "categorical":
        if not (output.from_logits or output.activation in _SOFTMAXES) or units < 2:
            return None
        expected = math.log(units)
        if labels.ndim == 2 and labels.shape[1] == units:
            frequencies = labels.mean(axis=0)
        else:
            index = labels.reshape(-1).astype("int64")
            if index.min() < 0 or index.max() >= units:
                return None  # KO301's finding.
            frequencies = np.bincount(index, minlength=units) / index.size
        floor = _entropy(frequencies / max(frequencies.sum(), 1e-12))
    else:
        if not (output.from_logits or output.activation in _SIGMOIDS):
            return None
        expected = math.log(2.0)
        rate = np.clip(labels.reshape(len(labels), -1).mean(axis=0), 0, 1)
        floor = float(np.mean([_entropy([r, 1 - r]) for r in rate]))
    measured = float(np.mean(losses))
    error = Z * float(np.std(losses)) / math.sqrt(len(losses))
    return measured, expected, floor - error, CEILING[family] * expected + error


def _noise_explains(output: OutputFacts, high: float) -> bool:
    """Training-mode noise alone lifts the loss: in inference (no dropout,
    the rows the inference pass ran on) it lies within `high`, the bound of
    the training-mode loss (the whole batch's: the inference rows are fewer
    and would widen their own). A wrong activation, loss or label encoding
    is off in both modes; the logits of a deep residual stack under dropout
    0.5 (keras-io's GNN baseline) grow only in training."""
    inference = _judged(output, output.inference_losses)
    if output.inference_losses is None or inference is None:
        return False
    return inference[0] <= high


class LossAtInitOff(DataRule):
    """## What it does
    Computes the compiled classification loss on the first batch at
    initialization, in training mode as the first step of `fit` does, and
    compares it with its expected value: log C for
    categorical cross-entropy over C classes (a softmax head or logits),
    log 2 for binary cross-entropy per unit (a sigmoid head or logits; any
    other head is KO203's). The tolerance comes from the
    batch: the loss must lie between the entropy of the batch's own labels
    (no prediction made without looking at the inputs scores lower) and
    three times the expected value for categorical losses (a
    He-initialized softmax head, as in Keras 2's CIFAR-10 ResNet v1, starts
    at up to 2.8 times log 10) and twice for binary ones, each widened by 3
    standard errors of the
    batch mean. A loss above is reported only when the loss of the
    inference-mode predictions (no dropout; the rows the inference pass ran
    on) is above that bound too: dropout noise alone lifts the training-mode logits of a
    deep residual stack (keras-io's GNN baseline, five blocks under dropout
    0.5), while a wrong activation, loss or label encoding is off in both.

    ## Why is this bad?
    An untrained classifier knows nothing, so its loss is that of a uniform
    guess. A loss far above means saturated initial outputs (inputs far
    from unit scale, a wrong activation, logits read as probabilities); a
    loss below the labels' entropy means the loss does not read the labels
    as the head encodes them (a wrong loss or label encoding). Checking the
    loss at init is the first step of Karpathy's recipe for training neural
    networks.

    ## Example
    ```python
    # softmax over 10 classes: expected about log(10) = 2.3
    model.evaluate(x[:32], y[:32])  # 41.7
    ```

    ## Use instead
    ```python
    # Scale the inputs, fix the head's activation or the loss's from_logits,
    # or encode the labels as the loss expects.
    ```

    ## References
    - Karpathy, "A Recipe for Training Neural Networks", 2019:
      https://karpathy.github.io/2019/04/25/recipe/
    """

    code = "KO306"
    name = "loss-at-init-off"
    severity = "warning"
    fix = (
        "Check the input scale, the output activation, from_logits and the "
        "label encoding against the loss."
    )
    reference = "Karpathy 2019, A Recipe for Training Neural Networks"

    VALID = (
        DataExample(
            title="a softmax head on standardized inputs",
            layers=(
                ("Dense", {"units": 16, "activation": "relu", "name": "hidden"}),
                ("Dense", {"units": 10, "activation": "softmax", "name": "head"}),
            ),
            input_shape=(8,),
            loss=("CategoricalCrossentropy", {}),
            x=("normal", (64, 8), 0.0, 1.0),
            y=("onehot", 64, 10),
        ),
    )
    INVALID = (
        DataExample(
            title="a softmax head on inputs in the thousands",
            layers=(
                ("Dense", {"units": 16, "activation": "relu", "name": "hidden"}),
                ("Dense", {"units": 10, "activation": "softmax", "name": "head"}),
            ),
            input_shape=(8,),
            loss=("CategoricalCrossentropy", {}),
            x=("normal", (64, 8), 0.0, 1000.0),
            y=("onehot", 64, 10),
            expect=("head",),
        ),
    )

    @classmethod
    def needs_inference(cls, output: OutputFacts) -> bool:
        # Only a training-mode loss above its bound asks `_noise_explains`.
        judged = _judged(output)
        return judged is not None and judged[0] > judged[3]

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        for output in facts.outputs:
            judged = _judged(output)
            if judged is None:
                continue
            measured, expected, low, high = judged
            if low <= measured <= high:
                continue
            if measured > high and _noise_explains(output, high):
                continue
            side = "above" if measured > high else "below"
            bound = high if measured > high else low
            yield cls.finding(
                (output.name,),
                f"The loss '{output.loss}' of output '{output.name}' at "
                f"initialization is {measured:.3g} on the first batch, expected "
                f"about {expected:.3g}; it lies {side} {bound:.3g}, the bound "
                "this batch allows.",
            )
