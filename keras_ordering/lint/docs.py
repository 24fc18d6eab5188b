"""Renders the rule catalogue as Markdown (`docs/rules.md`)."""

from __future__ import annotations

import re

from .registry import all_rules
from .rule import Rule

HEADER = """# keras-ordering rules

Generated from the rule registry by `python docs/generate_rules.py`; do not
edit by hand. Select rules with `lint_model(select=..., ignore=...,
extend_select=...)` by code (`KO101`), code prefix (`KO1`), name
(`dropout-before-batchnorm`) or `ALL`.
"""


def _table() -> list[str]:
    lines = ["| code | name | default severity | on by default |", "|---|---|---|---|"]
    for rule in all_rules():
        enabled = "yes" if rule.default_enabled else "no (opt-in)"
        lines.append(
            f"| [{rule.code}](#{rule.code.lower()}) | {rule.name} | {rule.severity} "
            f"| {enabled} |"
        )
    return lines


def _section(rule: type[Rule]) -> list[str]:
    docs = re.sub(r"^## ", "### ", rule.docs(), flags=re.M)
    lines = [
        f'<a id="{rule.code.lower()}"></a>',
        "",
        f"## {rule.code} {rule.name}",
        "",
        f"- Default severity: {rule.severity}",
        f"- On by default: {'yes' if rule.default_enabled else 'no (opt-in)'}",
    ]
    if rule.conventions_off:
        off = ", ".join(f'`convention="{c}"`' for c in sorted(rule.conventions_off))
        lines.append(f"- Off under: {off}")
    lines += [f"- Fix: {rule.fix}", f"- Reference: {rule.reference}", "", docs, ""]
    lines += ["### Tested examples", ""]
    for label, examples in (("Flagged", rule.INVALID), ("Not flagged", rule.VALID)):
        for example in examples:
            lines += [f"{label}: {example.title}", "", "```python", example.code()]
            lines += ["```", ""]
    return lines


def render_rules_markdown() -> str:
    lines = [HEADER, *_table(), ""]
    for rule in all_rules():
        lines += _section(rule)
    return "\n".join(lines).rstrip() + "\n"
