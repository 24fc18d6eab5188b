"""What the examples show while they run and in their figures (no training)."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _example(name: str) -> dict:
    return runpy.run_path(str(EXAMPLES / name), run_name="example")


def test_ordering_study_runs_under_one_bar_with_an_eta(capsys):
    study = _example("ordering_study.py")

    def runner(order, seed, epochs, data):
        return {"order": order, "test_loss": 0.5, "test_accuracy": 0.9}

    runs = study["run_all"](2, 3, data=None, runner=runner)
    assert len(runs) == 20
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Ordering study: 10 orderings x 2 seeds x 3 epochs = 20 runs"
    )
    lines = out.splitlines()[1:]
    assert len(lines) == 20  # Not a terminal: one line per run.
    assert lines[0].startswith("[" + "#" * 2 + "-" * 28 + "] 1/20 runs, elapsed ")
    assert all(", ETA " in line for line in lines[:-1])  # The time left.
    assert "20/20 runs, done in " in lines[-1] and "ETA" not in lines[-1]
    assert lines[-1].endswith("| last: CDBAP seed 1: test loss 0.5000, accuracy 0.9000")


def test_ordering_study_bar_redraws_in_place_on_a_terminal(capsys):
    study = _example("ordering_study.py")

    class Terminal:
        def __init__(self):
            self.text = ""

        def write(self, text):
            self.text += text

        def flush(self):
            pass

        def isatty(self):
            return True

    terminal = Terminal()
    progress = study["StudyProgress"](3, "label", stream=terminal)
    for done in (1, 2, 3):
        progress.update(done, "x")
    assert terminal.text.count("\n") == 2  # After the label, and at the end.
    assert terminal.text.count("\r") == 3
    assert study["clock"](3725) == "1:02:05" and study["clock"](65) == "1:05"


def test_variance_shift_demo_legend_names_every_colour(tmp_path):
    demo = _example("variance_shift_demo.py")
    rows = [
        {
            "keep_probability": p,
            "theory": p,
            "dropout_before_bn": p,
            "after_recalibration": 1.0,
            "bn_act_dropout": 1.0,
        }
        for p in (0.3, 0.6, 0.9)
    ]
    ax = demo["plot"](rows, tmp_path / "shift.png")
    legend = ax.get_legend()
    entries = {
        text.get_text(): line.get_color()
        for text, line in zip(legend.get_texts(), legend.get_lines(), strict=True)
    }
    lines = {line.get_label(): line.get_color() for line in ax.get_lines()}
    assert entries == lines and len(set(entries.values())) == 4
    assert entries["Dropout -> BN: shifted, ~ p"] == demo["NOISE_UPSTREAM_COLOUR"]
    assert entries["BN -> Dropout (BNActDropout): ~ 1"] == demo["NO_NOISE_COLOUR"]
    assert "1 = none" in legend.get_title().get_text()
    assert (tmp_path / "shift.png").read_bytes()[:4] == b"\x89PNG"
