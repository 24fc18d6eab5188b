"""`LintReport`: the findings of one lint, for people and for machines."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Sequence
from typing import Any

from .finding import SEVERITIES, Finding

# Where `_repr_html_` links each rule's docs; anchors are `#ko101`, ...
RULES_DOCS_URL = "docs/rules.md"
_COLOURS = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


class LintReport:
    """The findings of `lint_model`, iterable and sized.

    Attributes:
        findings: the `Finding`s, in graph order.
        model_name: the linted model's name.
        rules: codes of the rules that ran.
        opaque_layers: `(layer path, class, reason)` of layers the rules could
            not see through: paths stop at them.
        suppressed: findings left out by `per_layer_ignores`.
        notes: other things the reader should know (e.g. a traced model).
    """

    def __init__(
        self,
        findings: Sequence[Finding],
        *,
        model_name: str = "model",
        rules: Sequence[str] = (),
        opaque_layers: Sequence[tuple[str, str, str]] = (),
        suppressed: Sequence[Finding] = (),
        notes: Sequence[str] = (),
    ):
        self.findings = tuple(findings)
        self.model_name = model_name
        self.rules = tuple(rules)
        self.opaque_layers = tuple(opaque_layers)
        self.suppressed = tuple(suppressed)
        self.notes = tuple(notes)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, index: int) -> Finding:
        return self.findings[index]

    @property
    def summary(self) -> dict[str, int]:
        """Number of findings per severity, every severity present."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def at_or_above(self, severity: str) -> list[Finding]:
        """Findings at least as severe as `severity`."""
        return [finding for finding in self.findings if finding.reaches(severity)]

    def codes(self) -> list[str]:
        """The codes found, in order, with repeats."""
        return [finding.code for finding in self.findings]

    def _headline(self) -> str:
        counts = ", ".join(f"{n} {severity}" for severity, n in self.summary.items())
        plural = "" if len(self) == 1 else "s"
        return f"Model '{self.model_name}': {len(self)} finding{plural} ({counts})"

    def __str__(self) -> str:
        lines = [self._headline()]
        if self.findings:
            rows = [
                (f.code, f.severity, f.name, " -> ".join(f.layers))
                for f in self.findings
            ]
            header = ("code", "severity", "rule", "layers")
            widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
            lines.append(_row(header, widths))
            for finding, row in zip(self.findings, rows, strict=True):
                lines.append(_row(row, widths))
                indent = " " * (sum(widths) + 6)
                lines.append(f"{indent}{finding.message}")
                lines.append(f"{indent}fix: {finding.fix}")
        lines.extend(self._footer())
        return "\n".join(lines)

    def _footer(self) -> list[str]:
        lines = []
        if self.opaque_layers:
            lines.append("Opaque layers (the rules cannot see through them):")
            lines += [
                f"  {path} ({cls}): {why}" for path, cls, why in self.opaque_layers
            ]
        if self.suppressed:
            lines.append(
                f"{len(self.suppressed)} finding(s) suppressed by per-layer-ignores: "
                + ", ".join(
                    f"{f.code} {' -> '.join(f.layers)}" for f in self.suppressed
                )
            )
        lines += [f"Note: {note}" for note in self.notes]
        return lines

    def __repr__(self) -> str:
        return f"<LintReport {self._headline()}>"

    def _repr_html_(self) -> str:
        from .registry import get_rule

        escape = html.escape
        parts = [f"<div><p><b>{escape(self._headline())}</b></p>"]
        if self.findings:
            parts.append(
                "<table><thead><tr><th>code</th><th>severity</th><th>layers</th>"
                "<th>message</th></tr></thead><tbody>"
            )
            for finding in self.findings:
                colour = _COLOURS[finding.severity]
                anchor = f"{RULES_DOCS_URL}#{finding.code.lower()}"
                docs = escape(get_rule(finding.code).docs())
                parts.append(
                    "<tr>"
                    f'<td><a href="{escape(anchor)}" title="{escape(finding.name)}">'
                    f"{finding.code}</a></td>"
                    f'<td><span style="color:white;background:{colour};'
                    f'padding:1px 6px;border-radius:3px">{finding.severity}</span></td>'
                    f"<td><code>{escape(' → '.join(finding.layers))}</code></td>"
                    f"<td>{escape(finding.message)}<br><i>fix:</i> "
                    f"{escape(finding.fix)}<details><summary>{finding.code} "
                    f"{escape(finding.name)} docs</summary><pre>{docs}</pre>"
                    "</details></td></tr>"
                )
            parts.append("</tbody></table>")
        parts += [f"<p>{escape(line)}</p>" for line in self._footer()]
        parts.append("</div>")
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "summary": self.summary,
            "findings": [finding.to_dict() for finding in self.findings],
            "rules": list(self.rules),
            "opaque_layers": [
                {"layer": path, "class": cls, "reason": why}
                for path, cls, why in self.opaque_layers
            ],
            "suppressed": [finding.to_dict() for finding in self.suppressed],
            "notes": list(self.notes),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, cells[-1]]).rstrip()
