"""The changes of a rewrite print as a table, in a terminal and a notebook."""

from __future__ import annotations

import keras

from keras_ordering import fix_model, fuse_model
from keras_ordering.rewrite import Change, ChangeList


def _risky() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, name="dense"),
            keras.layers.ReLU(name="relu"),
            keras.layers.Dropout(0.3, name="drop"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2, name="out"),
        ]
    )


def test_fix_model_returns_a_change_list_that_renders_as_a_table():
    _, changes = fix_model(_risky(), return_changes=True)
    assert isinstance(changes, ChangeList) and isinstance(changes, list)
    assert changes and all(isinstance(change, Change) for change in changes)
    assert changes == list(changes)
    text = str(changes)
    assert repr(changes) == text  # No wall of Change(...) reprs.
    assert "Change(" not in text
    lines = text.splitlines()
    applied = sum(change.applied for change in changes)
    assert lines[0] == (
        f"Rewrite: {applied} change{'' if applied == 1 else 's'} applied, "
        f"{len(changes) - applied} left"
    )
    assert lines[1].split() == [
        "code",
        "status",
        "layers",
        "what",
        "changed",
        "predictions",
        "note",
    ]
    assert len(lines) == 2 + len(changes)
    for change, line in zip(changes, lines[2:], strict=True):
        assert line.startswith(change.code)
        assert change.description in line
    page = changes._repr_html_()
    assert page.count("<tr>") == 1 + len(changes)
    assert "text-align:left" in page


def test_the_table_says_whether_predictions_change_and_what_to_do():
    table = ChangeList(
        [
            Change("KO102", True, "moved 'bn' before 'relu'", ("relu", "bn"), False),
            Change("KO106", True, "dropped the bias of 'dense'", ("dense", "bn")),
            Change("KO101", False, "a merge follows 'drop'", ("drop", "bn")),
        ]
    )
    rows = str(table).splitlines()[2:]
    assert "change" in rows[0].split() and "recalibrate_batchnorm" in rows[0]
    assert "same" in rows[1].split() and "recalibrate" not in rows[1]
    assert rows[2].split()[1] == "left" and "a merge follows" in rows[2]
    assert table.to_dict()["changes"][0]["exact"] is False


def test_fuse_model_returns_a_change_list():
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, use_bias=False),
            keras.layers.BatchNormalization(),
            keras.layers.ReLU(),
        ]
    )
    _, changes = fuse_model(model, return_changes=True)
    assert isinstance(changes, ChangeList) and len(changes) == 1
    assert str(changes).splitlines()[2].split()[:2] == ["fuse", "fixed"]
