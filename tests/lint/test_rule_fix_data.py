"""Fixes as data (issue 19 item 5): `Rule.autofix` returns a `Fix` (ordered
edits plus one `Applicability`) and changes nothing; `rewrite/` applies it;
every rule builds its findings through the base class machinery."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_ordering.graph.from_keras import graph_from_model
from keras_ordering.lint import fix as edits
from keras_ordering.lint.api import lint_model
from keras_ordering.lint.finding import Finding
from keras_ordering.lint.fix import Applicability, Fix
from keras_ordering.lint.registry import all_rules, fixable_rules, get_rule
from keras_ordering.lint.rule import Rule
from keras_ordering.rewrite._plan import RewritePlan
from keras_ordering.rewrite.fix import _apply_autofix

RULES_DIR = Path(__file__).resolve().parents[2] / "keras_ordering" / "lint" / "rules"

FIXABLE_EXAMPLES = [
    pytest.param(rule, index, id=f"{rule.code}-{index}")
    for rule in fixable_rules()
    for index, example in enumerate(rule.INVALID)
    if example.fixable
]


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(w) for w in model.weights]


def test_applicability_has_exactly_three_values():
    assert {a.value for a in Applicability} == {
        "exact",
        "changes-predictions",
        "on-request",
    }


STRICTNESS = (
    Applicability.EXACT,
    Applicability.CHANGES_PREDICTIONS,
    Applicability.ON_REQUEST,
)


@pytest.mark.parametrize(("rule", "index"), FIXABLE_EXAMPLES)
def test_autofix_returns_one_fix_and_changes_nothing(rule, index):
    model = rule.INVALID[index].build()
    graph = graph_from_model(model)
    findings = [f for f in lint_model(model, select=rule.code) if f.code == rule.code]
    assert findings
    config, weights = model.get_config(), _weights(model)
    fixes = []
    for finding in findings:
        first = rule.autofix(finding, graph, model)
        second = rule.autofix(finding, graph, model)
        assert first == second  # A value: the same finding gives the same fix.
        if isinstance(first, Fix):
            fixes.append(first)
    assert fixes, f"{rule.code} fixed none of its findings"
    for fix in fixes:
        # The class declares the strictest applicability of its fixes.
        assert STRICTNESS.index(fix.applicability) <= STRICTNESS.index(
            rule.autofix_applicability
        )
        assert fix.edits and all(isinstance(e, edits.Edit) for e in fix.edits)
        assert fix.layers and fix.description
    # Nothing was changed: not the model, not its weights.
    assert model.get_config() == config
    for old, new in zip(weights, _weights(model), strict=True):
        np.testing.assert_array_equal(old, new)


def test_each_fixable_rule_declares_its_applicability():
    declared = {rule.code: rule.autofix_applicability for rule in fixable_rules()}
    assert declared["KO102"] is Applicability.CHANGES_PREDICTIONS
    assert declared["KO111"] is Applicability.CHANGES_PREDICTIONS
    assert declared["KO113"] is Applicability.ON_REQUEST
    assert declared["KO101"] is Applicability.EXACT
    # The old flag is still readable, derived from the applicability.
    for rule in all_rules():
        assert rule.autofix_on_request is (
            rule.autofix_applicability is Applicability.ON_REQUEST
        )


def test_the_old_on_request_flag_still_means_on_request():
    class Legacy(Rule):
        autofix_on_request = True

    class Inherits(Legacy):
        pass

    assert Legacy.autofix_applicability is Applicability.ON_REQUEST
    assert Inherits.autofix_on_request is True


def _finding(layers: tuple[str, ...]) -> Finding:
    return Finding("KO999", "test-rule", "info", "m", layers, "f", "r")


def test_a_fix_is_applied_onto_the_plan_in_order():
    new = edits.NewLayer(keras.layers.Dropout, {"rate": 0.5, "name": "new"})
    fix = Fix(
        edits=(
            edits.MoveAfter("drop", "bn"),
            edits.InsertAfter("bn", new),
            edits.MoveBefore("act", "bn"),
            edits.SetConfig("bn", {"axis": 1}),
            edits.SetConfig("bn", {"momentum": 0.9}),
            edits.NewWeights("bn", (np.ones(2),)),
            edits.Replace("other", new),
            edits.Skip("gone"),
        ),
        applicability=Applicability.CHANGES_PREDICTIONS,
        description="did it",
        layers=("drop", "bn"),
    )
    plan = RewritePlan()
    plan.apply("KO999", fix, model=None)
    assert plan.skip == {"drop", "act", "gone"}
    assert plan.after["bn"][0] == "drop"
    assert isinstance(plan.after["bn"][1](), keras.layers.Dropout)
    assert plan.before == {"bn": ["act"]}
    assert plan.config == {"bn": {"axis": 1, "momentum": 0.9}}
    np.testing.assert_array_equal(plan.new_weights["bn"][0], np.ones(2))
    assert plan.replace["other"]().rate == 0.5
    (change,) = plan.changes
    assert (change.code, change.description, change.layers) == (
        "KO999",
        "did it",
        ("drop", "bn"),
    )
    assert change.exact is False  # Read from the applicability.


def test_split_activation_edit_names_its_origin():
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="relu", name="dense")]
    )
    fix = Fix(
        (edits.SplitActivation("dense", after="dense"),),
        Applicability.EXACT,
        "split",
        ("dense",),
    )
    plan = RewritePlan()
    plan.apply("KO999", fix, model)
    assert plan.config == {"dense": {"activation": "linear"}}
    assert plan.origins == {"dense_activation": "dense"}
    layer = plan.after["dense"][0]()
    assert layer.name == "dense_activation"
    assert plan.changes[0].exact is True


def test_new_weights_compare_by_value():
    a = edits.NewWeights("bn", (np.array([1.0, 2.0]),))
    assert a == edits.NewWeights("bn", (np.array([1.0, 2.0]),))
    assert a != edits.NewWeights("bn", (np.array([1.0, 3.0]),))
    assert a != edits.NewWeights("bn", (np.array([1.0, 2.0, 3.0]),))
    assert a != edits.NewWeights("other", (np.array([1.0, 2.0]),))


def test_a_fix_needs_an_applicability():
    with pytest.raises(TypeError, match="Applicability"):
        Fix((edits.Skip("x"),), "exact", "d", ("x",))  # type: ignore[arg-type]


class _OnRequestFix(Rule):
    """A rule whose fix says it runs on request, though its class does not."""

    code = "KO999"
    name = "test-rule"

    @classmethod
    def autofix(cls, finding, graph, model):
        return Fix((edits.Skip("x"),), Applicability.ON_REQUEST, "skip x", ("x",))


def test_the_fix_applicability_decides_on_request():
    # The Fix's applicability is the source, whatever the class declares.
    assert _OnRequestFix.autofix_on_request is False
    plan = RewritePlan()
    reason = _apply_autofix(_OnRequestFix, _finding(("x",)), None, None, plan, set())
    assert reason == "fixed only on request: select='KO999'"
    assert not plan.skip and not plan.changes
    requested = {"KO999"}
    assert (
        _apply_autofix(_OnRequestFix, _finding(("x",)), None, None, plan, requested)
        is None
    )
    assert plan.skip == {"x"} and plan.changes[0].applied


class _LegacyRule(Rule):
    code = "KO999"
    name = "test-rule"

    @classmethod
    def autofix(cls, finding, graph, model, plan):
        plan.skip.add("x")
        plan.record(cls.code, "skipped x", finding.layers)
        return None


def test_a_rule_written_to_the_old_plan_interface_still_fixes():
    plan = RewritePlan()
    assert (
        _apply_autofix(_LegacyRule, _finding(("x",)), None, None, plan, set()) is None
    )
    assert plan.skip == {"x"}
    assert plan.changes[0].description == "skipped x"


def _functions_raising_not_implemented(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Raise) and "NotImplementedError" in (
                    ast.unparse(inner.exc) if inner.exc else ""
                ):
                    found.append(node.name)
    return found


def test_no_rule_message_raises():
    offenders = {
        path.name: names
        for path in RULES_DIR.glob("ko*.py")
        if (names := _functions_raising_not_implemented(path))
    }
    assert offenders == {}


def test_every_rule_writes_its_messages_through_message_hooks():
    for rule in all_rules():
        if rule.code.startswith("KO3"):
            continue  # Data-aware and live-only rules (KO3xx): not this change.
        writes = (
            rule.message.__func__ is not Rule.message.__func__  # type: ignore[attr-defined]
            or rule.message_in.__func__ is not Rule.message_in.__func__  # type: ignore[attr-defined]
        )
        assert writes, rule.code


@pytest.mark.parametrize("code", ["KO111", "KO130", "KO203", "KO114", "KO204"])
def test_the_former_custom_checks_use_the_base_check(code):
    rule = get_rule(code)
    assert "check" not in vars(rule)
    assert inspect.getsource(rule).count("yield Finding") == 0


def test_one_patterns_module():
    from keras_ordering.lint import path_pattern, patterns

    assert path_pattern.PathPattern is patterns.PathPattern
    assert path_pattern.__all__ == ["PathPattern"]
    source = (RULES_DIR.parent / "path_pattern.py").read_text()
    assert "class " not in source  # A re-export only.
    for path in RULES_DIR.glob("ko[12]*.py"):
        assert "path_pattern" not in path.read_text(), path.name


def test_a_shared_batchnorm_gets_one_ko111_finding_as_other_rules_do():
    # Through the base check, KO111 groups a shared BN's calls like every
    # rule: one finding naming the call sites (it wrote one per call before).
    a, b = keras.Input((3, 8, 8)), keras.Input((3, 8, 8))
    conv_a = keras.layers.Conv2D(4, 3, data_format="channels_first", name="ca")(a)
    conv_b = keras.layers.Conv2D(4, 3, data_format="channels_first", name="cb")(b)
    bn = keras.layers.BatchNormalization(name="bn")
    model = keras.Model([a, b], [bn(conv_a), bn(conv_b)])
    (finding,) = lint_model(model, select="KO111")
    assert finding.layers in (("ca", "bn"), ("cb", "bn"))
    assert finding.targets == ("bn",)
    assert sorted(finding.call_sites) == ["bn on ca", "bn on cb"]
    assert "reported once for the 2 calls" in finding.message


def test_every_graph_rule_builds_its_finding_in_the_base_rule():
    """No KO1xx/KO2xx rule builds a `Finding` itself: the base `check` and
    `grouped_finding` do, through the hooks (KO130 used to override
    `grouped_finding` to name the call and pick its fix)."""
    for rule in all_rules():
        if rule.code.startswith("KO3"):
            continue  # Data-aware rules judge facts, not matched paths.
        assert "check" not in vars(rule), rule.code
        assert "grouped_finding" not in vars(rule), rule.code
        assert "Finding(" not in inspect.getsource(rule), rule.code
