"""`RecalibrationReport`: the variance shift before and after recalibration."""

from __future__ import annotations

import html
from typing import Any

from .variance_shift_report import VarianceShiftReport


class RecalibrationReport:
    """What `recalibrate_batchnorm` changed.

    Attributes:
        before: the `VarianceShiftReport` measured before recalibration.
        after: the one measured after it.
        batches: number of batches the statistics were averaged over.
    """

    def __init__(
        self, before: VarianceShiftReport, after: VarianceShiftReport, batches: int
    ):
        self.before = before
        self.after = after
        self.batches = batches

    def _rows(self) -> list[tuple[str, float, float]]:
        after = {entry.layer: entry.shift for entry in self.after}
        return [
            (e.layer, e.shift, after.get(e.layer, float("nan"))) for e in self.before
        ]

    def __str__(self) -> str:
        rows = self._rows()
        width = max([len("layer"), *(len(name) for name, _, _ in rows)])
        lines = [
            f"BN statistics re-estimated over {self.batches} batch(es), "
            "noise layers off",
            f"{'layer'.ljust(width)}  shift before  shift after",
        ]
        lines += [f"{n.ljust(width)}  {b:12.3f}  {a:11.3f}" for n, b, a in rows]
        lines += [f"Note: {note}" for note in self.before.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<RecalibrationReport: {len(self.before)} BN layers>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(n)}</td><td>{b:.3f}</td><td>{a:.3f}</td></tr>"
            for n, b, a in self._rows()
        )
        return (
            f"<div><p><b>BN recalibration</b> over {self.batches} batch(es)</p>"
            "<table><thead><tr><th>layer</th><th>shift before</th>"
            f"<th>shift after</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "batches": self.batches,
        }
