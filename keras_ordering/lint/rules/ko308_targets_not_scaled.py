"""KO308 targets-not-scaled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...graph.activations import output_range
from ...graph.losses import is_regression_loss
from ...preflight_rule import DataExample, DataRule, OutputFacts, PreflightFacts
from ..finding import Finding

# At least this many rows before the targets' scale is judged.
MIN_ROWS = 8
# Targets this many times the scale the output starts at (at least 1):
# sale prices of 10^5 against predictions of 1. Ages (tens), temperatures in
# kelvin (hundreds) and counts of a few hundred stay under it; they train,
# slowly, where the head's weights grow to reach them.
FAR_SCALE = 1000.0


def _scale(values) -> tuple[float, float, float]:
    """(scale, |mean|, std): the scale is the larger of the two."""
    import numpy as np

    mean = float(np.abs(np.mean(values)))
    std = float(np.std(values))
    return max(mean, std), mean, std


def _judged_targets(output: OutputFacts) -> Any:
    """The targets of an output this rule judges (a regression loss, a head
    not bounded above, enough finite rows), as float64; None otherwise."""
    import numpy as np

    y = output.numeric_labels()
    if not is_regression_loss(output.loss) or y is None:
        return None
    if y.ndim == 0 or y.shape[0] < MIN_ROWS or not np.all(np.isfinite(y)):
        return None
    bounds = output_range(None if output.from_logits else output.activation)
    if bounds is not None and np.isfinite(bounds[1]):
        return None  # A bounded head: targets past it are KO301's.
    return y


def _problem(output: OutputFacts) -> str | None:
    import numpy as np

    y = _judged_targets(output)
    if y is None or output.predictions is None:
        return None
    predictions = np.asarray(output.predictions, dtype="float64")
    if not np.all(np.isfinite(predictions)):
        return None
    target_scale, mean, std = _scale(y)
    start = max(_scale(predictions)[0], 1.0)
    if target_scale <= FAR_SCALE * start:
        return None
    return (
        f"The targets of the output '{output.name}' have a mean of {mean:.3g} "
        f"in size and a spread of {std:.3g}: {target_scale / start:.3g} times "
        f"the scale its predictions start at ({start:.3g}). Under "
        f"{output.loss} the first gradients are that large (SGD overflows to "
        "NaN within a few steps), or the head takes thousands of steps to "
        "reach them. Standardize the targets (subtract their mean, divide by "
        "their spread, and invert that on the predictions), or rescale the "
        "output."
    )


def _regressor(title: str, y: tuple, rescale: float | None = None) -> DataExample:
    """A small MLP on 32 rows of 4 standardized features, MSE."""
    return DataExample(
        title=title,
        layers=(
            ("Dense", {"units": 8, "activation": "relu", "name": "dense"}),
            ("Dense", {"units": 1, "name": "head"}),
            *(
                (("Rescaling", {"scale": rescale, "name": "rescale"}),)
                if rescale
                else ()
            ),
        ),
        input_shape=(4,),
        loss=("MeanSquaredError", {}),
        x=("normal", (32, 4), 0.0, 1.0),
        y=y,
        expect=() if rescale else ("head",),
    )


class TargetsNotScaled(DataRule):
    """## What it does
    For each output trained with a regression loss (mean squared or
    absolute error, Huber, log-cosh) under a head that is not bounded above
    (linear, ReLU, softplus...), compares the scale of the targets in the
    user's data (up to 4 batches) with the scale of the output's
    predictions at initialization (at least 1): the larger of the targets'
    mean in size and their spread. It reports targets over 1000 times that
    scale, such as sale prices of 10^5 fed raw to a `Dense(1)` head.

    Scale-free losses (mean squared logarithmic, mean absolute percentage
    error) and bounded heads (their range is KO301's) are not judged. A
    model that rescales its own output (a `Rescaling` or an inverted
    `Normalization` after the head) starts near its targets and is quiet.

    ## Why is this bad?
    A head initialized for unit-scale outputs predicts values near 1. The
    squared error of targets near 10^5 is near 10^10 and its gradients are
    of the targets' size: one step of plain SGD moves the weights by
    thousands and the next overflows to inf and NaN. Adaptive optimizers
    bound the step instead, so the head's weights need thousands of steps
    to grow to the targets' scale, and the model looks stuck.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((40,)),
        keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(x, sale_price)  # 35 000 to 755 000
    ```

    ## Use instead
    ```python
    mean, std = sale_price.mean(), sale_price.std()
    model.fit(x, (sale_price - mean) / std)
    prices = model.predict(x_new) * std + mean
    ```

    ## References
    - LeCun et al., "Efficient BackProp", 1998 (targets in the range of the
      output, inputs and outputs normalized).
    - Bug reports: rstudio-conf-2020/dl-keras-tf#9 (Ames sale prices, NaN
      in the first epoch), keras-team/keras#2576.
    """

    code = "KO308"
    name = "targets-not-scaled"
    severity = "warning"
    fix = (
        "Standardize the regression targets (and invert that on the "
        "predictions), or rescale the model's output."
    )
    reference = "LeCun et al. 1998, Efficient BackProp"

    VALID = (
        _regressor("standardized targets", ("normal", (32, 1), 0.0, 1.0)),
        _regressor("targets of a few tens (ages)", ("uniform", (32, 1), 18.0, 90.0)),
        _regressor(
            "sale prices with the output rescaled to their scale",
            ("uniform", (32, 1), 35000.0, 755000.0),
            rescale=300000.0,
        ),
    )
    INVALID = (
        _regressor(
            "sale prices fed raw to a Dense(1) head",
            ("uniform", (32, 1), 35000.0, 755000.0),
        ),
    )

    @classmethod
    def needs_inference(cls, output: OutputFacts) -> bool:
        return _judged_targets(output) is not None

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        for output in facts.outputs:
            message = _problem(output)
            if message is not None:
                yield cls.finding((output.name,), message)
