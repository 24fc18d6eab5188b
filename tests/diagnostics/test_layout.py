"""The diagnostics package: one module per public function, one private engine."""

from __future__ import annotations

import ast
from pathlib import Path

import keras_ordering.diagnostics as diagnostics

PACKAGE = Path(diagnostics.__file__).parent
MODULES = {
    "variance_shift": {
        "measure_variance_shift",
        "VarianceShiftReport",
        "BatchNormShift",
    },
    "recalibrate": {"recalibrate_batchnorm", "RecalibrationReport"},
    "training_flag": {"audit_training_flag", "TrainingFlagAudit", "LayerAudit"},
}


def test_four_modules_each_with_its_function_and_result_types():
    files = {path.stem for path in PACKAGE.glob("*.py")}
    assert files == {"__init__", "_observe", *MODULES}
    for module, names in MODULES.items():
        for name in names:
            assert getattr(diagnostics, name).__module__ == (
                f"keras_ordering.diagnostics.{module}"
            )
    assert set(diagnostics.__all__) == set().union(*MODULES.values())


def test_recalibrate_takes_the_engine_from_observe_only():
    tree = ast.parse((PACKAGE / "recalibrate.py").read_text())
    from_variance_shift = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "variance_shift"
        for alias in node.names
    }
    # Only the result types (and their note), never the observation engine.
    assert from_variance_shift <= {"VarianceShiftReport", "NO_BATCH_NORM"}
