"""Renders the rule catalogue as Markdown: `docs/rules.md` and the README's
rules table, both from the registry (`python docs/generate_rules.py`)."""

from __future__ import annotations

import re

from .registry import all_rules
from .rule import Rule

HEADER = """# keras-ordering rules

Generated from the rule registry by `python docs/generate_rules.py`; do not
edit by hand. Select rules with `lint_model(select=..., ignore=...,
extend_select=...)` by code (`KO101`), code prefix (`KO1`), name
(`dropout-before-batchnorm`) or `ALL`.

Each problem is reported once, at its source layer. A dropout that reaches
several BNs is one finding: its `layers` are the path to the nearest one,
its `targets` name them all (in the message, JSON, SARIF and GitHub
output). A path stops at the next layer the rule starts from: of stacked
dropouts, the one nearest the BN is reported (the stack is KO108's
finding). A finding inside a layer or sub-model called several times (a
Siamese tower) is reported once, with its `call_sites`.
"""


TABLE_BEGIN = "<!-- begin rules table -->"
TABLE_END = "<!-- end rules table -->"


def _on_by_default(rule: type[Rule]) -> str:
    enabled = "yes" if rule.default_enabled else "no (opt-in)"
    if rule.conventions_off:
        off = ", ".join(f'`convention="{c}"`' for c in sorted(rule.conventions_off))
        enabled += f" (off with {off})"
    return enabled


def render_rules_table(docs_link: str = "") -> list[str]:
    """The catalogue as a Markdown table; codes link to `docs_link#ko101`."""
    lines = ["| code | name | default severity | on by default |", "|---|---|---|---|"]
    for rule in all_rules():
        lines.append(
            f"| [{rule.code}]({docs_link}#{rule.code.lower()}) | {rule.name} "
            f"| {rule.severity_note or rule.severity} | {_on_by_default(rule)} |"
        )
    return lines


def with_rules_table(readme: str) -> str:
    """`readme` with the table between its rules-table markers regenerated."""
    begin, end = readme.find(TABLE_BEGIN), readme.find(TABLE_END)
    if begin < 0 or end < begin:
        raise ValueError(
            f"The README has no {TABLE_BEGIN} ... {TABLE_END} markers around "
            "its rules table."
        )
    table = "\n".join(render_rules_table("docs/rules.md"))
    return f"{readme[: begin + len(TABLE_BEGIN)]}\n{table}\n{readme[end:]}"


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
    if rule.has_autofix():
        lines.append("- Automatic fix: `fix_model` rewrites it where it can")
    lines += [f"- Fix: {rule.fix}", f"- Reference: {rule.reference}", "", docs, ""]
    lines += ["### Tested examples", ""]
    for label, examples in (("Flagged", rule.INVALID), ("Not flagged", rule.VALID)):
        for example in examples:
            lines += [f"{label}: {example.title}", "", "```python", example.code()]
            lines += ["```", ""]
    return lines


def render_rules_markdown() -> str:
    lines = [HEADER, *render_rules_table(), ""]
    for rule in all_rules():
        lines += _section(rule)
    return "\n".join(lines).rstrip() + "\n"
