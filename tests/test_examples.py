"""The examples run as documented."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_quickstart_trains_and_prints_losses(capsys):
    runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")
    output = capsys.readouterr().out
    assert "dropout" in output and "batch_norm" in output
    # The linter shows the problem, and the fused model is clean.
    assert (
        "KO101  warning   dropout-before-batchnorm    dropout -> batch_norm" in output
    )
    assert "Model 'fused': 0 findings" in output
    assert "BNActDropout" in output
    losses = [
        float(line.split("loss")[1].split()[0])
        for line in output.splitlines()
        if line.strip().startswith("epoch")
    ]
    assert len(losses) == 3
    assert losses[-1] < losses[0]
