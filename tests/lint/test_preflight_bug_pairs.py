"""Public bug reports only data shows: each buggy model gets its data-aware
finding from `preflight`, and its fix does not (any KO3xx finding)."""

from __future__ import annotations

import importlib
import pkgutil

import keras
import pytest

from keras_ordering import preflight
from tests.lint.corpus import data_bug_pairs

MODULES = [
    importlib.import_module(f"{data_bug_pairs.__name__}.{info.name}")
    for info in pkgutil.iter_modules(data_bug_pairs.__path__)
]
PAIRS = [
    pytest.param(
        module,
        id=module.__name__.rsplit(".", 1)[-1],
        marks=[pytest.mark.slow] if getattr(module, "SLOW", False) else [],
    )
    for module in MODULES
]


def _data_findings(model, x, y, batch_size):
    report = preflight(model, x, y, batch_size=batch_size)
    return [f for f in report if f.code.startswith("KO3")]


def test_every_data_aware_rule_has_a_public_pair():
    assert {module.RULE for module in MODULES} == {f"KO30{i}" for i in range(1, 9)}
    for module in MODULES:
        assert module.SOURCE.startswith("https://")


@pytest.mark.parametrize("module", PAIRS)
def test_buggy_gets_the_finding_and_fixed_does_not(module):
    # The same initial weights whatever ran before in this process.
    keras.utils.set_random_seed(0)
    buggy = _data_findings(*module.build_buggy())
    assert module.RULE in [f.code for f in buggy], [f.message for f in buggy]
    keras.utils.set_random_seed(0)
    fixed = _data_findings(*module.build_fixed())
    assert fixed == [], [(f.code, f.message) for f in fixed]
