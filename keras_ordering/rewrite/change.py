"""`Change`: one thing a rewrite did, or chose not to do."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from typing import Any

from .._report_view import ReportView, printable
from .._text import counted

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


class ChangeList(list, ReportView):
    """The `Change`s of one rewrite: a plain list with a table view.

    `fix_model(..., return_changes=True)`, `fuse_model` and `unfuse_model`
    return it. It is a `list` (index it, iterate it, compare it with a list),
    and prints, in a terminal or a notebook, as a table: code, fixed or left,
    what changed, whether predictions change, and the reason or advice.
    """

    def _counts(self) -> str:
        applied = sum(change.applied for change in self)
        return f"{counted(applied, 'change')} applied, {len(self) - applied} left"

    def _summary(self) -> str:
        return self._counts()

    def _title(self) -> str:
        return f"Rewrite: {self._counts()}"

    def _header(self) -> tuple[str, ...]:
        return ("code", "status", "layers", "what changed", "predictions", "note")

    def _rows(self) -> list[tuple[str, ...]]:
        return [
            (
                change.code,
                "fixed" if change.applied else "left",
                " -> ".join(change.layers),
                change.description,
                _predictions(change),
                _advice(change),
            )
            for change in self
        ]

    def _html_rows(self) -> list[list[str]]:
        rows = super()._html_rows()
        for change, row in zip(self, rows, strict=True):
            row[2] = f"<code>{html.escape(' → '.join(change.layers))}</code>"
        return rows

    def _footer(self) -> list[str]:
        return []

    def to_dict(self) -> dict[str, Any]:
        return {
            "changes": [
                {**asdict(change), "layers": list(change.layers), "note": change.note}
                for change in self
            ]
        }

    # list's own repr would win over ReportView's: a table reads better.
    __repr__ = ReportView.__str__
    __str__ = ReportView.__str__


def _advice(change: Change) -> str:
    if not change.applied or change.exact:
        return ""
    return "BN statistics recalibrated" if change.recalibrated else RECALIBRATE_ADVICE


def _predictions(change: Change) -> str:
    if not change.applied:
        return "-"
    return "same" if change.exact else "change"
