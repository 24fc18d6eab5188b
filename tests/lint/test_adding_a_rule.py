"""Adding a rule is one file: a throwaway rule module, written to a temporary
directory on the rules package's path, shows up everywhere the catalogue is
read, with no other edit."""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest

import keras_ordering
from keras_ordering import cli
from keras_ordering.lint import registry
from keras_ordering.lint import rules as rules_package
from keras_ordering.lint.docs import render_rules_markdown, with_rules_table
from keras_ordering.rewrite import fix_model

MODULE = "ko999_doomed_dropout"
THROWAWAY_RULE = '''
"""KO999 doomed-dropout: a throwaway rule for the registry tests."""

from __future__ import annotations

from ..example import Example
from ..fix import Skip
from ..patterns import LayerPattern, PathPattern
from ..rule import Rule


class DoomedDropout(Rule):
    """## What it does
    Finds a noise layer whose name starts with "doomed".

    ## Why is this bad?
    It is doomed.

    ## Example
    ```python
    x = keras.layers.Dropout(0.5, name="doomed")(x)
    ```

    ## Use instead
    ```python
    x = keras.layers.Dropout(0.5)(x)
    ```

    ## References
    - This test.
    """

    code = "KO999"
    name = "doomed-dropout"
    severity = "info"
    pattern = PathPattern(
        start=LayerPattern({"noise"}, where=lambda n: n.name.startswith("doomed"))
    )
    fix = "Remove the doomed layer."
    reference = "tests/lint/test_adding_a_rule.py"

    @classmethod
    def message(cls, nodes):
        return f"{nodes[0].describe()} is doomed."

    @classmethod
    def autofix(cls, finding, graph, model):
        (name,) = finding.layers
        return cls.make_fix(finding, f"removed '{name}'", Skip(name))

    VALID = (
        Example(
            title="a plain dropout",
            input_shape=(4,),
            layers=(
                ("Dropout", {"rate": 0.5, "name": "drop"}),
                ("Dense", {"units": 2, "name": "out"}),
            ),
        ),
    )
    INVALID = (
        Example(
            title="a doomed dropout",
            input_shape=(4,),
            layers=(
                ("Dropout", {"rate": 0.5, "name": "doomed"}),
                ("Dense", {"units": 2, "name": "out"}),
            ),
            expect=("doomed",),
        ),
    )
'''


@pytest.fixture
def throwaway_rule(tmp_path, monkeypatch):
    (tmp_path / f"{MODULE}.py").write_text(textwrap.dedent(THROWAWAY_RULE))
    monkeypatch.setattr(
        rules_package, "__path__", [*rules_package.__path__, str(tmp_path)]
    )
    importlib.invalidate_caches()
    registry.all_rules.cache_clear()
    yield registry.get_rule("KO999")
    sys.modules.pop(f"{rules_package.__name__}.{MODULE}", None)
    registry.all_rules.cache_clear()


def test_a_new_rule_file_is_in_the_registry_docs_cli_readme_and_fixes(
    throwaway_rule, capsys
):
    rule = throwaway_rule
    assert rule.__name__ == "DoomedDropout"
    # The registry and the selection.
    assert rule in registry.all_rules()
    assert "KO999" in [r.code for r in registry.resolve()]
    assert [r.code for r in registry.resolve(select="doomed-dropout")] == ["KO999"]
    assert "KO999" in registry.fixable_codes()
    assert "KO999" in [entry["code"] for entry in keras_ordering.rules()]
    # The docs and the README table.
    markdown = render_rules_markdown()
    assert '<a id="ko999"></a>' in markdown and "## KO999 doomed-dropout" in markdown
    assert "Flagged: a doomed dropout" in markdown
    readme = with_rules_table("<!-- begin rules table -->\n<!-- end rules table -->")
    assert "| [KO999](docs/rules.md#ko999) | doomed-dropout | info | yes |" in readme
    # The command line.
    assert cli.main(["rules"]) == 0
    assert "KO999" in capsys.readouterr().out
    assert cli.main(["rule", "KO999"]) == 0
    assert "It is doomed." in capsys.readouterr().out
    # The linter and fix_model, through the rule's own examples and fix.
    model = rule.INVALID[0].build()
    assert [f.layers for f in keras_ordering.lint_model(model, select="KO999")] == [
        ("doomed",)
    ]
    assert (
        keras_ordering.lint_model(rule.VALID[0].build(), select="KO999").codes() == []
    )
    fixed, changes = fix_model(model, return_changes=True)
    assert [str(c) for c in changes] == ["fixed KO999: removed 'doomed'"]
    assert [layer.name for layer in fixed.layers] == ["out"]


def test_the_throwaway_rule_is_gone_afterwards():
    assert "KO999" not in [rule.code for rule in registry.all_rules()]
