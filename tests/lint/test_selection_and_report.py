"""select / ignore / extend_select / convention, and the LintReport formats."""

from __future__ import annotations

import dataclasses
import json
import re

import keras
import pytest

from keras_ordering import Finding, LintReport, lint_model
from keras_ordering.lint.registry import all_rules, get_rule, resolve


def _codes(**options) -> list[str]:
    return [rule.code for rule in resolve(**options)]


# Derived from the registry, so adding a rule needs no edit here: the
# expectations below spell out the selection semantics over these lists.
ALL = [rule.code for rule in all_rules()]
DEFAULT = [rule.code for rule in all_rules() if rule.default_enabled]
IC_OFF = {rule.code for rule in all_rules() if "ic" in rule.conventions_off}


def _prefixed(prefix: str, codes: list[str] = ALL) -> list[str]:
    return [code for code in codes if code.startswith(prefix)]


def test_default_set_leaves_out_opt_in_rules():
    assert _codes() == DEFAULT
    assert "KO120" in ALL and "KO120" not in DEFAULT
    assert "KO102" in IC_OFF


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"select": "KO101"}, ["KO101"]),
        ({"select": ["KO2"]}, _prefixed("KO2")),
        ({"select": ["dropout-before-batchnorm", "KO109"]}, ["KO101", "KO109"]),
        ({"select": "ALL"}, ALL),
        ({"extend_select": "KO120"}, sorted({*DEFAULT, "KO120"})),
        ({"ignore": ["KO1"]}, [c for c in DEFAULT if not c.startswith("KO1")]),
        (
            {"select": "KO1", "ignore": "consecutive-dropout"},
            [c for c in _prefixed("KO1") if c != "KO108"],
        ),
        (
            {"select": "KO10", "extend_select": "KO201"},
            sorted({*_prefixed("KO10"), "KO201"}),
        ),
        ({"convention": "ic"}, [c for c in DEFAULT if c not in IC_OFF]),
        (
            {"convention": "ic", "select": "KO1"},
            [c for c in _prefixed("KO1") if c not in IC_OFF],
        ),
        # Named by exact code, a rule survives the convention.
        (
            {"convention": "ic", "extend_select": "KO102"},
            [c for c in DEFAULT if c not in IC_OFF - {"KO102"}],
        ),
    ],
)
def test_selection(options, expected):
    assert _codes(**options) == expected


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"select": "KO999"}, ValueError, r"Unknown rule selector 'KO999' in `select`"),
        ({"ignore": ["no-such-rule"]}, ValueError, r"'no-such-rule' in `ignore`"),
        ({"extend_select": "X1"}, ValueError, r"`extend_select`"),
        ({"select": [101]}, TypeError, r"`select` entries must be strings"),
        ({"ignore": 5}, TypeError, r"`ignore` must be"),
        ({"convention": "pre-activation"}, ValueError, r"Unknown convention"),
    ],
)
def test_bad_options_raise(options, error, message):
    with pytest.raises(error, match=message):
        resolve(**options)


def _risky_model() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(8, activation="relu", name="dense"),
            keras.layers.Dropout(0.5, name="dropout"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(1, activation="softmax", name="out"),
        ],
        name="risky",
    )


def test_lint_model_applies_options_and_convention():
    model = _risky_model()
    assert [f.code for f in lint_model(model)] == ["KO102", "KO101", "KO201"]
    assert [f.code for f in lint_model(model, convention="ic")] == ["KO101", "KO201"]
    assert [f.code for f in lint_model(model, ignore="KO2")] == ["KO102", "KO101"]
    with pytest.raises(ValueError, match="Unknown rule selector"):
        lint_model(model, select="KO5")


def test_report_is_iterable_sized_and_summarised():
    report = lint_model(_risky_model())
    assert isinstance(report, LintReport)
    assert len(report) == 3 and list(report) == list(report.findings)
    assert report.summary == {"error": 1, "warning": 1, "info": 1}
    finding = report[1]
    assert isinstance(finding, Finding)
    assert (finding.code, finding.name, finding.severity) == (
        "KO101",
        "dropout-before-batchnorm",
        "warning",
    )
    assert finding.layers == ("dropout", "bn")
    assert "'dropout'" in finding.message and "'bn'" in finding.message
    assert "keep probability (0.5)" in finding.message
    assert finding.reference.startswith("Li et al. 2018")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.code = "KO999"


def _finding(code: str, severity: str, layer: str) -> Finding:
    return Finding(code, "rule", severity, "message.", (layer,), "fix.", "ref")


def test_views_list_the_most_severe_first_in_stable_order():
    graph_order = [
        _finding("KO102", "info", "a"),
        _finding("KO101", "warning", "b"),
        _finding("KO106", "info", "c"),
        _finding("KO202", "error", "d"),
        _finding("KO101", "warning", "e"),
    ]
    report = LintReport(graph_order, model_name="m")
    assert list(report) == graph_order  # The data keeps graph order.
    assert [f.layers[0] for f in report.by_severity()] == list("dbeac")
    lines = str(report).splitlines()
    assert lines[0] == "Model 'm': 5 findings (1 error, 2 warnings, 2 info)"
    assert [line.split()[0] for line in lines[2::3]] == [
        "KO202",
        "KO101",
        "KO101",
        "KO102",
        "KO106",
    ]
    assert [line.split()[-1] for line in lines[2::3]] == list("dbeac")
    page = report._repr_html_()
    positions = [page.index(f"<code>{name}</code>") for name in "dbeac"]
    assert positions == sorted(positions)


def test_report_text_table():
    text = str(lint_model(_risky_model()))
    lines = text.splitlines()
    assert lines[0] == "Model 'risky': 3 findings (1 error, 1 warning, 1 info)"
    assert lines[1].split() == ["code", "severity", "rule", "layers"]
    assert "KO101  warning   dropout-before-batchnorm" in text
    assert "dropout -> bn" in text
    assert "fix: Move the dropout after the batch normalization" in text


def test_report_html_has_colours_and_linked_docs():
    page = lint_model(_risky_model())._repr_html_()
    assert page.count("<tr>") == 1 + 3  # Header and one row per finding.
    assert "#c62828" in page and "#ef6c00" in page and "#1565c0" in page
    # Each code links to its rule's docs, embedded in the same output, so the
    # link works from any notebook directory and offline.
    anchors = re.findall(r'<a href="#([^"]+)"[^>]*>KO101</a>', page)
    assert len(anchors) == 1
    assert (
        f'<details id="{anchors[0]}"><summary>KO101 dropout-before-batchnorm '
        "docs</summary>" in page
    )
    # A second rendering numbers its anchors anew: two reports in one page
    # never share an id.
    assert anchors[0] not in lint_model(_risky_model())._repr_html_()
    # Rendered, not raw Markdown: headings, code blocks, inline code.
    assert "<h2>Why is this bad?</h2>" in page and "## Why" not in page
    assert '<pre><code class="language-python">' in page and "```" not in page
    assert "<code>BNActDropout" in page or "<code>keras_ordering" in page
    assert 'style="text-align:left' in page


def test_report_dict_and_json():
    report = lint_model(_risky_model())
    data = json.loads(report.to_json())
    assert data == report.to_dict()
    assert data["model"] == "risky"
    assert data["summary"] == {"error": 1, "warning": 1, "info": 1}
    assert data["findings"][1] == {
        "code": "KO101",
        "name": "dropout-before-batchnorm",
        "severity": "warning",
        "message": report[1].message,
        "layers": ["dropout", "bn"],
        "fix": report[1].fix,
        "reference": report[1].reference,
        "targets": ["bn"],
        "call_sites": [],
    }
    assert "KO120" not in data["rules"] and "KO101" in data["rules"]


def test_empty_report_and_finding_validation():
    clean = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="clean")
    report = lint_model(clean)
    assert len(report) == 0 and not report
    assert str(report) == "Model 'clean': 0 findings (0 errors, 0 warnings, 0 info)"
    with pytest.raises(ValueError, match="`severity` must be one of"):
        Finding("KO101", "x", "fatal", "m", (), "f.", "r")


def test_get_rule_by_code_or_name():
    assert get_rule("ko101") is get_rule("dropout-before-batchnorm")
    with pytest.raises(ValueError, match="Unknown rule 'KO1'"):
        get_rule("KO1")


def test_text_output_escapes_newlines_and_terminal_codes_in_names():
    hostile = "drop\nKO999  error     forged-line\x1b[2J"
    finding = Finding(
        "KO101",
        "dropout-before-batchnorm",
        "warning",
        f"'{hostile}' feeds 'bn'.",
        (hostile, "bn"),
        "Move it.",
        "Li et al. 2018",
    )
    report = LintReport(
        [finding],
        model_name="m\x1b[31m",
        opaque_layers=[(hostile, "Custom", "unknown")],
        suppressed=[finding],
    )
    text = str(report)
    assert "\x1b" not in text and "\r" not in text
    assert len(text.splitlines()) == 1 + 1 + 3 + 2 + 1  # Nothing forged.
    assert not any(line.startswith("KO999") for line in text.splitlines())
    assert r"drop\nKO999  error     forged-line\x1b[2J -> bn" in text
    assert text.startswith(r"Model 'm\x1b[31m': 1 finding")
    # The HTML view escapes its own way; the data keeps the names unchanged.
    assert report.to_dict()["findings"][0]["layers"][0] == hostile
