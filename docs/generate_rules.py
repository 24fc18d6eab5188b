"""Writes docs/rules.md from the rule registry. Run: python docs/generate_rules.py"""

from __future__ import annotations

from pathlib import Path

from keras_ordering.lint.docs import render_rules_markdown

RULES_MD = Path(__file__).resolve().parent / "rules.md"

if __name__ == "__main__":
    RULES_MD.write_text(render_rules_markdown())
    print(f"wrote {RULES_MD}")
