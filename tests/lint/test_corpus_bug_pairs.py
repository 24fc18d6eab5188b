"""The buggy / fixed model pairs of `tests/lint/corpus/bug_pairs`.

Each pair is transcribed from a public bug report (its `SOURCE`): the buggy
model gets its rule's finding, the fixed one does not, and the saved
`.keras` file of each gives the same findings as the live model.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter

import pytest

from keras_ordering import lint_file, lint_model
from keras_ordering.lint.registry import get_rule
from tests.lint.corpus import bug_pairs

PAIRS = sorted(
    module.name
    for module in pkgutil.iter_modules(bug_pairs.__path__)
    if not module.name.startswith("_")
)
_REPORT_URL = re.compile(
    r"^https://(github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+"
    r"|stackoverflow\.com/questions/\d+(/[\w-]+)?"
    r"|(stats|datascience)\.stackexchange\.com/questions/\d+(/[\w-]+)?)$"
)


def _pair(name: str):
    return importlib.import_module(f"{bug_pairs.__name__}.{name}")


def _findings(report) -> list[tuple]:
    return [(f.code, f.layers, f.severity, f.message) for f in report]


# The rules of catalogue v3 (issue 20), each with at least two pairs.
CATALOGUE_V3 = ("KO114", "KO115", "KO116", "KO117", "KO204", "KO205")


def test_the_corpus_has_at_least_15_pairs_covering_every_new_rule():
    assert len(PAIRS) >= 15
    # Every rule of catalogues v2 and v3 has a pair; older rules may too.
    assert {_pair(name).RULE for name in PAIRS} >= {
        "KO111",
        "KO112",
        "KO113",
        "KO130",
        "KO203",
        *CATALOGUE_V3,
    }


def test_catalogue_v3_has_two_pairs_per_rule():
    rules = Counter(_pair(name).RULE for name in PAIRS)
    assert {code: rules[code] for code in CATALOGUE_V3 if rules[code] < 2} == {}


@pytest.mark.parametrize("name", PAIRS)
def test_pair_cites_its_source_and_says_what_it_transcribed(name):
    pair = _pair(name)
    assert _REPORT_URL.match(pair.SOURCE), pair.SOURCE
    get_rule(pair.RULE)  # A rule of the catalogue.
    assert "Transcribed" in (pair.__doc__ or "")


@pytest.mark.parametrize("name", PAIRS)
def test_buggy_model_is_flagged_and_its_fix_is_not(name):
    pair = _pair(name)
    buggy = [f.code for f in lint_model(pair.build_buggy())]
    fixed_report = lint_model(pair.build_fixed())
    fixed = [f.code for f in fixed_report]
    assert pair.RULE in buggy, f"{name}: {pair.RULE} not in {buggy}"
    assert pair.RULE not in fixed, f"{name}: {pair.RULE} still in {fixed}"
    # An opaque layer in the fixed model would hide the rule's path: "not in
    # fixed" would then pass whatever the rule does.
    assert fixed_report.opaque_layers == (), fixed_report.opaque_layers


@pytest.mark.slow
@pytest.mark.parametrize("name", PAIRS)
def test_live_and_file_lint_agree(name, tmp_path):
    pair = _pair(name)
    for kind in ("buggy", "fixed"):
        model = getattr(pair, f"build_{kind}")()
        path = tmp_path / f"{kind}.keras"
        model.save(path)
        assert _findings(lint_file(path, select="ALL")) == _findings(
            lint_model(model, select="ALL")
        ), f"{name} ({kind}): live and file findings differ"
