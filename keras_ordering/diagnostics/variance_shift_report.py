"""`VarianceShiftReport`: the variance shift of every BN of a model."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from typing import Any

from .batchnorm_shift import BatchNormShift


class VarianceShiftReport:
    """The `BatchNormShift` of every BN, printable, with HTML and a plot.

    Attributes:
        entries: one `BatchNormShift` per BN layer, in model order.
        notes: what the reader should know (e.g. a model without BN).
    """

    def __init__(self, entries: Sequence[BatchNormShift], notes: Sequence[str] = ()):
        self.entries = tuple(entries)
        self.notes = tuple(notes)

    def __iter__(self) -> Iterator[BatchNormShift]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, key: int | str) -> BatchNormShift:
        if isinstance(key, str):
            for entry in self.entries:
                if entry.layer == key:
                    return entry
            raise KeyError(f"no BN layer {key!r} in the report")
        return self.entries[key]

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        return [
            (
                entry.layer,
                f"{entry.shift:.3f}",
                f"{entry.ratio.min():.3f}..{entry.ratio.max():.3f}",
                str(entry.ratio.size),
                ", ".join(entry.noise_layers) or "-",
            )
            for entry in self.entries
        ]

    def __str__(self) -> str:
        header = ("layer", "shift", "per-channel range", "channels", "upstream noise")
        rows = self._rows()
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        lines = [
            "Variance shift: inference input variance / moving variance "
            "(1 = no shift; about p behind dropout with keep probability p)"
        ]
        for row in [header, *rows]:
            cells = [
                cell.ljust(width) for cell, width in zip(row, widths, strict=False)
            ]
            lines.append("  ".join([*cells, row[-1]]).rstrip())
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<VarianceShiftReport: {len(self)} BN layers>"

    def _repr_html_(self) -> str:
        escape = html.escape
        parts = [
            "<div><p><b>Variance shift</b>: inference input variance / moving "
            "variance (1 = no shift)</p><table><thead><tr><th>layer</th>"
            "<th>shift</th><th>per-channel range</th><th>channels</th>"
            "<th>upstream noise</th></tr></thead><tbody>"
        ]
        for entry, row in zip(self.entries, self._rows(), strict=True):
            colour = "#2e7d32" if abs(entry.shift - 1.0) < 0.1 else "#c62828"
            cells = [f"<td>{escape(cell)}</td>" for cell in row]
            cells[1] = f'<td style="color:{colour}"><b>{escape(row[1])}</b></td>'
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
        parts += [f"<p>{escape(note)}</p>" for note in self.notes]
        parts.append("</div>")
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": [entry.to_dict() for entry in self.entries],
            "notes": list(self.notes),
        }

    def plot(self, ax: Any = None, title: str = "Variance shift per BN layer") -> Any:
        """A bar chart of the shift per BN layer; returns the matplotlib Axes.

        Needs matplotlib (`pip install "keras-ordering[study]"`).
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError(
                "VarianceShiftReport.plot needs matplotlib: "
                'pip install "keras-ordering[study]"'
            ) from None
        if ax is None:
            _, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(self) + 2.0), 3.5))
        names = [entry.layer for entry in self.entries]
        shifts = [entry.shift for entry in self.entries]
        colours = ["#c62828" if entry.noise_layers else "#1565c0" for entry in self]
        ax.bar(range(len(shifts)), shifts, color=colours)
        ax.axhline(1.0, color="black", linewidth=1, linestyle="--", label="no shift")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=45, ha="right")
        ax.set_ylabel("Var_inference / moving variance")
        ax.set_title(title)
        ax.legend()
        return ax
