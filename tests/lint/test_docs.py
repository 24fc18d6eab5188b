"""docs/rules.md is generated from the registry and is current."""

from __future__ import annotations

from pathlib import Path

from keras_ordering.lint.docs import render_rules_markdown
from keras_ordering.lint.registry import all_rules

RULES_MD = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_md_is_current():
    assert RULES_MD.read_text() == render_rules_markdown(), (
        "docs/rules.md is stale: run `python docs/generate_rules.py`"
    )


def test_rules_md_has_an_anchor_and_examples_per_rule():
    text = RULES_MD.read_text()
    for rule in all_rules():
        assert f'<a id="{rule.code.lower()}"></a>' in text
        assert f"## {rule.code} {rule.name}" in text
    assert text.count("Flagged:") == sum(len(r.INVALID) for r in all_rules())
