"""`LintError`: raised by `check` and `LintCallback` when findings reach `fail_on`."""

from __future__ import annotations

from .._text import counted
from .report import LintReport


class LintError(ValueError):
    """Findings reached the `fail_on` severity.

    Attributes:
        report: the full `LintReport`.
        fail_on: the severity that was reached.
    """

    def __init__(self, report: LintReport, fail_on: str):
        self.report = report
        self.fail_on = fail_on
        failing = report.at_or_above(fail_on)
        super().__init__(
            f"{counted(len(failing), 'finding')} at or above '{fail_on}' in model "
            f"'{report.model_name}':\n{report}"
        )
