"""`lint/` imports nothing from `rewrite/`, not even for types (issue 19,
"Fixes as data"): rules write to the `PlanEditor` protocol of lint/fix.py."""

from __future__ import annotations

import ast
from pathlib import Path

LINT = Path(__file__).resolve().parents[2] / "keras_ordering" / "lint"


def _imported_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def test_no_lint_module_imports_rewrite():
    offenders = {
        str(path.relative_to(LINT)): module
        for path in LINT.rglob("*.py")
        for module in _imported_modules(path)
        if "rewrite" in module.split(".")
    }
    assert offenders == {}


def test_the_rewrite_plan_is_a_plan_editor():
    from keras_ordering.lint.fix import PlanEditor
    from keras_ordering.rewrite._plan import RewritePlan

    plan = RewritePlan()
    for name in PlanEditor.__annotations__:
        assert hasattr(plan, name), name
    for name in ("move_after", "move_before", "split_activation", "record"):
        assert callable(getattr(plan, name)), name
