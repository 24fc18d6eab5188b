"""Every rule: its contract, its docs, and its own VALID / INVALID examples."""

from __future__ import annotations

import re

import pytest

import keras_ordering
from keras_ordering.lint.registry import (
    RETIRED_CODES,
    all_rules,
    check_catalogue,
    get_rule,
)
from keras_ordering.lint.rule import DOC_SECTIONS

# The public contract of the rules released so far: code -> (name, severity,
# on). Codes, names and default severities never change; new rules only add.
CATALOGUE = {
    "KO101": ("dropout-before-batchnorm", "warning", True),
    "KO102": ("batchnorm-after-activation", "info", True),
    "KO103": ("dropout-before-activation", "warning", True),
    "KO104": ("activation-before-maxpool", "info", True),
    "KO105": ("dropout-before-pooling", "warning", True),
    "KO106": ("bias-before-batchnorm", "info", True),
    "KO107": ("redundant-activation", "warning", True),
    "KO108": ("consecutive-dropout", "info", True),
    "KO109": ("consecutive-batchnorm", "warning", True),
    "KO110": ("dropout-after-output", "warning", True),
    "KO111": ("batchnorm-axis-mismatch", "warning", True),
    "KO112": ("batchnorm-momentum-inverted", "warning", True),
    "KO113": ("dropout-rate-as-keep-probability", "warning", True),
    "KO114": ("normalization-axis-mismatch", "warning", True),
    "KO115": ("selu-with-standard-dropout", "warning", True),
    "KO116": ("missing-nonlinearity", "info", True),
    "KO117": ("constant-kernel-initializer", "warning", True),
    "KO120": ("dropout-feeds-batchnorm", "info", False),
    "KO130": ("training-argument-overridden", "warning", True),
    "KO201": ("softmax-on-single-unit", "error", True),
    "KO202": ("softmax-with-logits-loss", "error", True),
    "KO203": ("activation-loss-mismatch", "error", True),
    "KO204": ("softmax-axis-mismatch", "error", True),
    "KO205": ("bounded-output-for-regression-loss", "info", True),
    "KO301": ("labels-do-not-fit-output", "error", True),
    "KO302": ("inputs-not-scaled", "warning", True),
    "KO303": ("batch-too-small-for-batchnorm", "warning", True),
    "KO304": ("normalization-not-adapted", "warning", True),
    "KO305": ("training-flag-ignored", "warning", True),
    "KO306": ("loss-at-init-off", "warning", True),
    "KO307": ("non-finite-values", "error", True),
}
RULES = all_rules()
# The data-aware rules' examples (a model plus data) run through `preflight`
# in test_preflight.py.
EXAMPLES = [
    pytest.param(rule, kind, index, id=f"{rule.code}-{kind}-{index}")
    for rule in RULES
    if not rule.needs_data
    for kind in ("VALID", "INVALID")
    for index in range(len(getattr(rule, kind)))
]


def test_catalogue_keeps_the_public_contract():
    registered = {
        rule.code: (rule.name, rule.severity, rule.default_enabled) for rule in RULES
    }
    assert {code: registered.get(code) for code in CATALOGUE} == CATALOGUE
    listed = keras_ordering.rules()
    assert [entry["code"] for entry in listed] == [rule.code for rule in RULES]
    for entry in listed:
        rule = get_rule(entry["code"])
        assert (entry["name"], entry["severity"], entry["default_enabled"]) == (
            rule.name,
            rule.severity,
            rule.default_enabled,
        )
        assert entry["docs"].startswith("## What it does")


def test_no_retired_code_is_reused():
    assert not {rule.code for rule in RULES} & RETIRED_CODES
    # The check that guards it rejects a rule reusing a retired code.
    with pytest.raises(RuntimeError, match="reuses retired code KO108"):
        check_catalogue(list(RULES), retired=frozenset({"KO108"}))


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"code": "KO101", "name": "a-new-name"}, "Clash and .*: KO101"),
        ({"code": "KO998", "name": "dropout-before-batchnorm"}, "Clash and .*: drop"),
        ({"code": "K0998", "name": "a-new-name"}, "bad code 'K0998'"),
        ({"code": "KO998", "name": "Bad_Name"}, "bad code 'KO998' or name"),
    ],
)
def test_catalogue_check_rejects_duplicates_and_bad_names(attributes, message):
    clash = type("Clash", (get_rule("KO109"),), attributes)
    check_catalogue(list(RULES))  # The real catalogue passes.
    with pytest.raises(RuntimeError, match=message):
        check_catalogue([*RULES, clash])


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_has_docs_sections_examples_and_its_own_module(rule):
    docs = rule.docs()
    headers = re.findall(r"^## (.+)$", docs, re.M)
    assert headers == list(DOC_SECTIONS), f"{rule.code} docs sections: {headers}"
    for section in re.split(r"^## .+$", docs, flags=re.M)[1:]:
        assert section.strip(), f"{rule.code} has an empty docs section"
    assert rule.VALID, f"{rule.code} has no VALID example"
    assert rule.INVALID, f"{rule.code} has no INVALID example"
    for example in rule.INVALID:
        assert example.expect, f"{rule.code}: an INVALID example names no layers"
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
    assert rule.fix.endswith(".") and rule.reference


@pytest.mark.parametrize(("rule", "kind", "index"), EXAMPLES)
def test_rule_examples(rule, kind, index):
    example = getattr(rule, kind)[index]
    report = keras_ordering.lint_model(example.build(), select=rule.code)
    own = [finding for finding in report if finding.code == rule.code]
    if kind == "VALID":
        assert own == [], f"{rule.code} fired on a VALID example: {own}"
    else:
        assert any(f.layers == example.expect for f in own), (
            f"{rule.code} INVALID example: expected a finding on "
            f"{example.expect}, got {[f.layers for f in own]}"
        )
        for finding in own:
            assert finding.name == rule.name
            assert finding.fix in rule.fix_texts()
            missing = [name for name in finding.layers if name not in finding.message]
            assert not missing, f"{rule.code} message does not name {missing}"
