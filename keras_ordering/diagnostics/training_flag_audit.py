"""`TrainingFlagAudit`: the per-layer verdicts of `audit_training_flag`."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from typing import Any

from .layer_audit import LayerAudit


class TrainingFlagAudit:
    """Per-layer pass / fail of the training-flag audit.

    Attributes:
        entries: one `LayerAudit` per stochastic or stateful layer call.
        notes: what the reader should know (e.g. nothing to audit).
    """

    def __init__(self, entries: Sequence[LayerAudit], notes: Sequence[str] = ()):
        self.entries = tuple(entries)
        self.notes = tuple(notes)

    def __iter__(self) -> Iterator[LayerAudit]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def passed(self) -> bool:
        """True when every audited layer followed the flag."""
        return all(entry.passed for entry in self.entries)

    @property
    def failures(self) -> list[LayerAudit]:
        return [entry for entry in self.entries if not entry.passed]

    def __getitem__(self, layer: str) -> LayerAudit:
        for entry in self.entries:
            if entry.layer == layer:
                return entry
        raise KeyError(f"no audited layer {layer!r}")

    def __str__(self) -> str:
        verdict = "all passed" if self.passed else f"{len(self.failures)} failed"
        lines = [f"Training-flag audit: {len(self)} layer(s), {verdict}"]
        width = max([5, *(len(entry.layer) for entry in self.entries)])
        for entry in self.entries:
            mark = "PASS" if entry.passed else "FAIL"
            lines.append(f"  {mark}  {entry.layer.ljust(width)}  {entry.explanation}")
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<TrainingFlagAudit: {len(self)} layers, {len(self.failures)} failed>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><td style="color:{"#2e7d32" if e.passed else "#c62828"}">'
            f"<b>{'PASS' if e.passed else 'FAIL'}</b></td>"
            f"<td>{html.escape(e.layer)}</td><td>{html.escape(e.layer_class)}</td>"
            f"<td>{html.escape(e.explanation)}</td></tr>"
            for e in self.entries
        )
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self.notes)
        return (
            "<div><p><b>Training-flag audit</b></p><table><thead><tr><th></th>"
            "<th>layer</th><th>class</th><th>explanation</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{notes}</div>"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "entries": [entry.to_dict() for entry in self.entries],
            "notes": list(self.notes),
        }
