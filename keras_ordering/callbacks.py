"""`LintCallback`: lint a model before `fit` runs its first step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import keras
from absl import logging

from .lint.api import lint_model
from .lint.finding import check_severity
from .lint.lint_error import LintError

if TYPE_CHECKING:
    from .lint.report import LintReport

_LOG = {"error": logging.error, "warning": logging.warning, "info": logging.info}


class LintCallback(keras.callbacks.Callback):
    """Lints the model in `on_train_begin`, before any training step.

    Args:
        fail_on: `"error"`, `"warning"` or `"info"`: raise `LintError` (and so
            stop `fit` before the first batch) when a finding is at least
            this severe. `None` only logs the findings through absl logging.
        **options: the keyword options of `lint_model` (`select`, `ignore`,
            `extend_select`, `convention`, `per_layer_ignores`).

    Example:

    ```python
    model.fit(x, y, callbacks=[keras_ordering.LintCallback(fail_on="warning")])
    ```

    A model that passes trains exactly as it would without the callback: the
    lint only reads the model.
    """

    def __init__(self, fail_on: str | None = "warning", **options: Any):
        super().__init__()
        if fail_on is not None:
            check_severity(fail_on, "fail_on")
        if "warn" in options:
            raise TypeError("LintCallback logs its findings; `warn` is not an option")
        self.fail_on = fail_on
        self.options = options
        self.report: LintReport | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.report = lint_model(self.model, **self.options)
        if self.fail_on is not None and self.report.at_or_above(self.fail_on):
            raise LintError(self.report, self.fail_on)
        for finding in self.report:
            _LOG[finding.severity](
                "%s %s [%s]: %s",
                finding.code,
                finding.name,
                " -> ".join(finding.layers),
                finding.message,
            )
