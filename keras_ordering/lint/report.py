"""`LintReport`: the findings of one lint, for people and for machines."""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from .._markdown import markdown_to_html
from .._report_view import ReportView
from .._text import counted, severity_counts
from .finding import SEVERITIES, SEVERITY_RANK, Finding

# Each HTML rendering numbers its anchors, so that several reports in one
# notebook page link each rule code to their own embedded docs.
_RENDERINGS = itertools.count(1)
_COLOURS = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


class LintReport(ReportView):
    """The findings of `lint_model`, iterable and sized.

    Attributes:
        findings: the `Finding`s, in graph order. The text and HTML views
            list them most severe first (`by_severity()`).
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

    def by_severity(self) -> list[Finding]:
        """The findings most severe first, in graph order within a severity.

        The order of the text and HTML views: an error is never the last row
        of a long table."""
        return sorted(self.findings, key=lambda f: -SEVERITY_RANK[f.severity])

    def codes(self) -> list[str]:
        """The codes found, in order, with repeats."""
        return [finding.code for finding in self.findings]

    def _headline(self) -> str:
        return (
            f"Model '{self.model_name}': {counted(len(self), 'finding')} "
            f"({severity_counts(self.summary)})"
        )

    _summary = _title = _headline

    def _header(self) -> tuple[str, ...]:
        return ("code", "severity", "rule", "layers")

    def _rows(self) -> list[tuple[str, ...]]:
        return [
            (f.code, f.severity, f.name, " -> ".join(f.layers))
            for f in self.by_severity()
        ]

    def __str__(self) -> str:
        # One text rendering, shared with the command line.
        from .output.text import report_text

        return report_text(self)

    def _footer(self) -> list[str]:
        lines = []
        if self.opaque_layers:
            lines.append("Opaque layers (the rules cannot see through them):")
            lines += [
                f"  {path} ({cls}): {why}" for path, cls, why in self.opaque_layers
            ]
        if self.suppressed:
            lines.append(
                f"{counted(len(self.suppressed), 'finding')} suppressed by "
                "per-layer-ignores: "
                + ", ".join(
                    f"{f.code} {' -> '.join(f.layers)}" for f in self.suppressed
                )
            )
        lines += [f"Note: {note}" for note in self.notes]
        return lines

    def _html_header(self) -> tuple[str, ...]:
        return ("code", "severity", "layers", "message")

    def _html_rows(self) -> list[list[str]]:
        from .registry import get_rule

        escape = html.escape
        rows = []
        documented: set[str] = set()
        # The rule docs travel inside the report, so the links work offline
        # and from any notebook directory: no URL to go stale.
        prefix = f"keras-ordering-{next(_RENDERINGS)}"
        for finding in self.by_severity():
            colour = _COLOURS[finding.severity]
            anchor = f"{prefix}-{finding.code.lower()}"
            docs = ""
            if finding.code not in documented:  # Once per rule, not per finding.
                documented.add(finding.code)
                docs = (
                    f'<details id="{anchor}"><summary>{finding.code} '
                    f"{escape(finding.name)} docs</summary>"
                    f"{markdown_to_html(get_rule(finding.code).docs())}</details>"
                )
            rows.append(
                [
                    f'<a href="#{anchor}" title="{escape(finding.name)}">'
                    f"{finding.code}</a>",
                    f'<span style="color:white;background:{colour};'
                    f'padding:1px 6px;border-radius:3px">{finding.severity}</span>',
                    f"<code>{escape(' → '.join(finding.layers))}</code>",
                    f"{escape(finding.message)}<br><i>fix:</i> "
                    f"{escape(finding.fix)}{docs}",
                ]
            )
        return rows

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
