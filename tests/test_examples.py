"""The examples run as documented."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# Trains two models (about 5 s); the README runs the quickstart too.
@pytest.mark.slow
def test_quickstart_trains_and_prints_losses(capsys):
    runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")
    output = capsys.readouterr().out
    assert "dropout" in output and "batch_norm" in output
    # The linter shows the problem, the most severe finding first.
    report = output.split("2. ", 1)[1].split("3. ", 1)[0]
    ko101 = "KO101  warning   dropout-before-batchnorm    dropout -> batch_norm"
    assert ko101 in report
    assert report.index("KO101") < report.index("KO102")
    # The risky and the fixed model side by side, the changes, and a clean
    # fixed model made of the same layers in the recommended order.
    fix = output.split("3. ", 1)[1].split("4. ", 1)[0]
    columns = fix.splitlines()[2].split()
    assert columns == ["risky", "fixed"]
    assert "BNActDropout" in fix and "no bias" in fix
    assert any(line.split()[:2] == ["KO101", "fixed"] for line in fix.splitlines())
    # Every finding fixed: nothing left.
    assert fix.split("Rewrite:")[1].splitlines()[0].endswith(", 0 left")
    assert "Model 'fixed': 0 findings" in fix
    losses = [
        float(line.split("loss")[1].split()[0])
        for line in output.splitlines()
        if line.strip().startswith("epoch")
    ]
    assert len(losses) == 3
    assert losses[-1] < losses[0]


def _example_main(name: str):
    return runpy.run_path(str(EXAMPLES / name), run_name="example")["main"]


@pytest.mark.slow
def test_ordering_study_quick_writes_its_table_and_plot(tmp_path):
    rows = _example_main("ordering_study.py")(["--quick", "--out", str(tmp_path)])
    assert len(rows) == 10
    assert [row["rank"] for row in rows] == list(range(1, 11))
    assert all(row["seeds"] == 2 for row in rows)
    table = (tmp_path / "ordering_study.md").read_text()
    assert table.count("\n| ") == 11  # Header and ten orderings.
    assert "Conv - BatchNorm - Activation - Dropout - Pool" in table
    runs = (tmp_path / "ordering_runs.csv").read_text().splitlines()
    assert len(runs) == 1 + 20
    assert (tmp_path / "ordering_study.png").read_bytes()[:4] == b"\x89PNG"
    by_order = {row["order"]: row for row in rows}
    # Linter findings per ordering come from lint_model.
    assert by_order["CDBAP"]["findings"] == "KO101 KO104"
    # Dropout and ReLU commute exactly: orders that only swap them, trained
    # with the same seeds, give identical results.
    assert by_order["CADBP"]["loss_mean"] == by_order["CDABP"]["loss_mean"]


@pytest.mark.slow
def test_variance_shift_demo_quick_reproduces_li_et_al(tmp_path):
    rows = _example_main("variance_shift_demo.py")(["--quick", "--out", str(tmp_path)])
    for row in rows:
        assert abs(row["dropout_before_bn"] - row["keep_probability"]) < 0.1
        assert abs(row["after_recalibration"] - 1.0) < 0.05
        assert abs(row["bn_act_dropout"] - 1.0) < 0.1
    assert (tmp_path / "variance_shift.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "variance_shift.csv").read_text().startswith("keep_probability")


@pytest.mark.slow
def test_preflight_digits_finds_the_label_bug_and_passes_the_fix(capsys):
    reports = _example_main("preflight_digits.py")()
    assert "KO301" in reports["buggy"].codes()
    assert [c for c in reports["fixed"].codes() if c.startswith("KO3")] == []
    assert "trained one epoch" in capsys.readouterr().out
