"""`LintCallback`: lint a model before `fit` runs its first step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import keras

from .lint.api import _resolve_ignores, lint_model
from .lint.config import NOT_GIVEN, ConfigSource, with_config_and_fail_on
from .lint.lint_error import LintError
from .lint.registry import resolve
from .preflight_data import check_batch_size

if TYPE_CHECKING:
    from .lint.report import LintReport


_LINT_OPTIONS = frozenset(
    {"select", "ignore", "extend_select", "convention", "per_layer_ignores"}
)

AFTER_FIRST_STEP_NOTE = (
    "The model was not built when fit began (on TensorFlow, fit builds a "
    "subclassed model, or a Sequential without an Input, in its first "
    "step), so it was linted after that step. For a check before any step, "
    "give LintCallback `data=` or build the model first (`model.build(shape)`)."
)


class LintCallback(keras.callbacks.Callback):
    """Lints the model in `on_train_begin`, before any training step.

    Reads `[tool.keras_ordering]` from the nearest pyproject.toml (the
    current directory when the callback is created, then its parents), as
    the command line does; each argument given here overrides the file's key
    of the same name.

    Args:
        fail_on: `"error"`, `"warning"` or `"info"`: raise `LintError` (and so
            stop `fit` before the first batch) when a finding is at least
            this severe. `None` never raises. Default: the file's `fail-on`,
            else `"warning"`. Findings that do not stop `fit` are printed,
            every severity included, with the report's table.
        config: True finds pyproject.toml from the current directory upward;
            a path reads that file; False reads none.
        data: also run the data-aware rules (KO3xx) of `preflight` on this
            data before the first step: a `tf.data.Dataset`, `PyDataset` or
            generator, or an `(x, y)` / `(x, y, sample_weight)` tuple of
            arrays (often the training data given to `fit`).
        batch_size: with `data`, the batch size `fit` trains with.
        **options: the keyword options of `lint_model` (`select`, `ignore`,
            `extend_select`, `convention`, `per_layer_ignores`).

    Example:

    ```python
    model.fit(x, y, callbacks=[keras_ordering.LintCallback(fail_on="warning")])
    ```

    A model that passes trains exactly as it would without the callback: the
    lint only reads the model. A model that is not built when `fit` begins
    (on TensorFlow, a subclassed model or a `Sequential` without an `Input`:
    `fit` builds it in its first step) is built on `data` when given, as
    `fit` would build it; without `data` it is linted after the first step,
    and the report's notes say so.
    """

    def __init__(
        self,
        fail_on: str | None = NOT_GIVEN,
        *,
        config: ConfigSource = True,
        data: Any = None,
        batch_size: int | None = None,
        **options: Any,
    ):
        super().__init__()
        if "warn" in options:
            raise TypeError("LintCallback prints its findings; `warn` is not an option")
        unknown = sorted(set(options) - _LINT_OPTIONS)
        if unknown:
            raise TypeError(
                f"LintCallback got unexpected keyword argument(s) {unknown}: it "
                "takes fail_on, config, data, batch_size and lint_model's "
                f"options {', '.join(sorted(_LINT_OPTIONS))}"
            )
        self.fail_on, self.options = with_config_and_fail_on(fail_on, options, config)
        # Bad options fail here, in one line, not when fit has started.
        resolve(
            self.options.get("select"),
            self.options.get("ignore"),
            self.options.get("extend_select"),
            self.options.get("convention", "standard"),
        )
        _resolve_ignores(self.options.get("per_layer_ignores"))
        check_batch_size(batch_size)
        self.data = data
        self.batch_size = batch_size
        self.report: LintReport | None = None
        self._deferred = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._deferred = self.data is None and not self.model.built
        if not self._deferred:
            self._check()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._deferred:
            # TensorFlow's fit builds an unbuilt model in its first step.
            self._deferred = False
            self._check(AFTER_FIRST_STEP_NOTE)

    def _check(self, note: str | None = None) -> None:
        if self.data is None:
            self.report = lint_model(self.model, **self.options)
        else:
            from .preflight_run import preflight_on

            self.report = preflight_on(
                self.model, self.data, self.batch_size, self.options
            )
        if note is not None:
            self.report.notes = (note, *self.report.notes)
        if self.fail_on is not None and self.report.at_or_above(self.fail_on):
            raise LintError(self.report, self.fail_on)
        if self.report.findings or self.report.opaque_layers:
            # Printed, not logged: absl hides INFO records by default, and
            # every finding must show, info included.
            print(self.report, flush=True)
