"""`Change`: one thing a rewrite did, or chose not to do."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .._report_view import printable

RECALIBRATE_ADVICE = (
    "re-estimate the BN statistics on training data: "
    "keras_ordering.recalibrate_batchnorm(model, data), "
    "or fix_model(model, recalibrate_with=data)"
)


@dataclass(frozen=True)
class Change:
    """One rewrite step.

    Attributes:
        code: the rule code it answers (e.g. `"KO101"`), or `"fuse"` /
            `"unfuse"`.
        applied: False when the finding was left in place (with the reason).
        description: what was done, or why not.
        layers: the layers involved.
        exact: False when the rewrite changes what the trained model
            computes at inference (a BN moved across an activation keeps
            statistics measured elsewhere).
        recalibrated: True when `fix_model(recalibrate_with=...)` has
            re-estimated the BN statistics after this inexact rewrite.
    """

    code: str
    applied: bool
    description: str
    layers: tuple[str, ...] = ()
    exact: bool = True
    recalibrated: bool = False

    @property
    def note(self) -> str:
        """What the user should know beyond the description, or `""`."""
        if not self.applied or self.exact:
            return ""
        if self.recalibrated:
            return "changes predictions; BN statistics recalibrated"
        return f"changes predictions; {RECALIBRATE_ADVICE}"

    def __str__(self) -> str:
        mark = "fixed" if self.applied else "left "
        note = f" [{self.note}]" if self.note else ""
        # Layer names come from user code and files: no raw newline or escape.
        return printable(f"{mark} {self.code}: {self.description}{note}")

    def _repr_html_(self) -> str:
        colour = "#2e7d32" if self.applied else "#ef6c00"
        mark = "fixed" if self.applied else "left"
        note = f"<br><em>{html.escape(self.note)}</em>" if self.note else ""
        return (
            f'<div style="text-align: left"><b style="color: {colour}">{mark}</b> '
            f"<code>{html.escape(self.code)}</code> "
            f"{html.escape(self.description)}{note}</div>"
        )
