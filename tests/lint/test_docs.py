"""docs/rules.md and the README's rules table are generated from the registry
and are current."""

from __future__ import annotations

from pathlib import Path

import pytest

from keras_ordering.lint.docs import (
    TABLE_BEGIN,
    TABLE_END,
    render_rules_markdown,
    with_rules_table,
)
from keras_ordering.lint.registry import all_rules

ROOT = Path(__file__).resolve().parents[2]
RULES_MD = ROOT / "docs" / "rules.md"
README = ROOT / "README.md"


def test_rules_md_is_current():
    assert RULES_MD.read_text() == render_rules_markdown(), (
        "docs/rules.md is stale: run `python docs/generate_rules.py`"
    )


def test_readme_rules_table_is_current():
    readme = README.read_text()
    assert readme == with_rules_table(readme), (
        "The README's rules table is stale: run `python docs/generate_rules.py`"
    )
    table = readme.split(TABLE_BEGIN, 1)[1].split(TABLE_END, 1)[0]
    for rule in all_rules():
        assert f"| [{rule.code}](docs/rules.md#{rule.code.lower()}) |" in table


def test_readme_table_markers_are_required():
    with pytest.raises(ValueError, match="no <!-- begin rules table -->"):
        with_rules_table("# A README without markers\n")


def test_rules_md_has_an_anchor_and_examples_per_rule():
    text = RULES_MD.read_text()
    for rule in all_rules():
        assert f'<a id="{rule.code.lower()}"></a>' in text
        assert f"## {rule.code} {rule.name}" in text
    assert text.count("Flagged:") == sum(len(r.INVALID) for r in all_rules())
    assert text.count("Automatic fix:") == sum(r.has_autofix() for r in all_rules())


EXAMPLES = [
    pytest.param(example, id=f"{rule.code}-{kind}-{index}")
    for rule in all_rules()
    for kind in ("VALID", "INVALID")
    for index, example in enumerate(getattr(rule, kind))
]


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_code_in_the_docs_runs_and_builds_the_example(example):
    import keras

    from keras_ordering import BNActDropout

    code = example.code()
    assert "keras.losses.keras" not in code and "keras.layers.keras" not in code
    namespace = {"keras": keras, "BNActDropout": BNActDropout}
    exec(code, namespace)  # The project's own docs examples.
    built = example.build()
    model = namespace["model"]
    assert [type(layer).__name__ for layer in model.layers] == [
        type(layer).__name__ for layer in built.layers
    ]
    if example.loss is not None:
        assert type(model.loss) is type(built.loss)
