"""docs/layers.md: its Python blocks run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import keras_ordering
from keras_ordering.layers import LAYERS

LAYERS_MD = Path(__file__).resolve().parents[1] / "docs" / "layers.md"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_python_blocks_run(capsys):
    blocks = _python_blocks(LAYERS_MD.read_text())
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(LAYERS_MD), "exec"), namespace)
    # The freeze_batchnorm example prints the layers it froze.
    assert "['batch_normalization" in capsys.readouterr().out
    assert type(namespace["loaded"]) is type(namespace["model"])


def test_every_public_layer_and_freeze_batchnorm_are_documented():
    text = LAYERS_MD.read_text()
    for name in [*LAYERS, "freeze_batchnorm"]:
        assert f"## `{name}`" in text
        assert getattr(keras_ordering, name).__doc__
