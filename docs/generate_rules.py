"""Writes docs/rules.md and the README's rules table from the rule registry.

Run: python docs/generate_rules.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # This checkout's package, whatever is installed.

from keras_ordering.lint.docs import (  # noqa: E402
    render_rules_markdown,
    with_rules_table,
)

RULES_MD = ROOT / "docs" / "rules.md"
README = ROOT / "README.md"

if __name__ == "__main__":
    RULES_MD.write_text(render_rules_markdown())
    README.write_text(with_rules_table(README.read_text()))
    print(f"wrote {RULES_MD} and the rules table of {README}")
