"""fix_model is honest about what it changes: every finding the user saw is
answered, inexact rewrites say so, and no fix adds a finding."""

from __future__ import annotations

import keras
import numpy as np

from keras_ordering import fix_model, lint_model
from keras_ordering.rewrite import Change

RNG = np.random.default_rng(0)


def _dense_relu_dropout_bn() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, name="dense"),
            keras.layers.ReLU(name="relu"),
            keras.layers.Dropout(0.3, name="drop"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2, name="out"),
        ]
    )
    bn = model.get_layer("bn")
    bn.set_weights(
        [
            RNG.uniform(0.5, 2.0, 16),
            RNG.normal(0, 0.5, 16),
            RNG.uniform(0.2, 1.0, 16),  # Statistics of post-ReLU inputs.
            RNG.uniform(0.5, 3.0, 16),
        ]
    )
    return model


def test_the_change_list_answers_every_finding_the_user_saw():
    model = _dense_relu_dropout_bn()
    seen = lint_model(model)
    assert seen.codes() == ["KO102", "KO101"]
    fixed, changes = fix_model(model, return_changes=True)
    assert lint_model(fixed).codes() == []
    by_code = {change.code: change for change in changes}
    for finding in seen:
        assert by_code[finding.code].applied, finding.code
    # KO101 went away with the KO102 move: the list says so.
    assert by_code["KO101"].layers == ("drop", "bn")
    assert "resolved by the KO102" in by_code["KO101"].description
    # KO106 was not reported on the input: the list says so too.
    assert "not reported on the input model" in by_code["KO106"].description


def test_a_rewrite_that_changes_predictions_says_so():
    model = _dense_relu_dropout_bn()
    fixed, changes = fix_model(model, return_changes=True)
    moved = next(change for change in changes if change.code == "KO102")
    assert not moved.exact and not moved.recalibrated
    assert "changes predictions" in str(moved)
    assert "recalibrate_batchnorm" in str(moved) and "recalibrate_with" in str(moved)
    x = RNG.normal(size=(16, 8)).astype("float32")
    assert not np.allclose(fixed.predict(x, verbose=0), model.predict(x, verbose=0))
    assert all(change.exact for change in changes if change.code != "KO102")


def test_recalibrate_with_reestimates_the_moved_batchnorm():
    model = _dense_relu_dropout_bn()
    x = RNG.normal(size=(64, 8)).astype("float32")
    fixed, changes = fix_model(model, return_changes=True, recalibrate_with=x)
    moved = next(change for change in changes if change.code == "KO102")
    assert moved.recalibrated and "recalibrated" in str(moved)
    assert "recalibrate_batchnorm(" not in str(moved)
    bn = fixed.get_layer("bn")
    assert [layer.name for layer in fixed.layers] == [
        "dense",
        "bn",
        "relu",
        "drop",
        "out",
    ]
    inputs = keras.ops.convert_to_numpy(fixed.get_layer("dense")(x))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(bn.moving_mean), inputs.mean(axis=0), atol=1e-4
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(bn.moving_variance), inputs.var(axis=0), atol=1e-3
    )
    # Without inexact rewrites there is nothing to recalibrate.
    exact = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(4, name="dense"),
            keras.layers.BatchNormalization(name="bn"),
        ]
    )
    before = keras.ops.convert_to_numpy(exact.get_layer("bn").moving_mean)
    fixed = fix_model(exact, recalibrate_with=x)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(fixed.get_layer("bn").moving_mean), before
    )


def test_a_fix_never_adds_a_finding():
    """Moving the dropout after BN -> gelu alone would put it before the max
    pool (KO105): it moves past the pool and the Flatten too (issue 22)."""
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3, use_bias=False, name="conv"),
            keras.layers.Dropout(0.3, name="drop"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Activation("gelu", name="gelu"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(2, name="out"),
        ]
    )
    assert lint_model(model).codes() == ["KO101"]
    fixed, changes = fix_model(model, return_changes=True)
    assert lint_model(fixed).codes() == []
    assert [str(change) for change in changes] == [
        "fixed KO101: moved 'drop' after 'flat'"
    ]
    # The refusal when no such move exists: test_fix_commonest_block.py.


def test_changes_print_and_display_readably():
    exact = Change("KO104", True, "moved 'relu' after 'pool'", ("relu", "pool"))
    assert str(exact) == "fixed KO104: moved 'relu' after 'pool'"
    left = Change("KO101", False, "a -> b: <merge>", ("a", "b"))
    assert str(left) == "left  KO101: a -> b: <merge>"
    page = left._repr_html_()
    assert "&lt;merge&gt;" in page and "<merge>" not in page
    assert "text-align: left" in page and ">left</b>" in page
    inexact = Change("KO102", True, "moved 'bn'", ("bn",), exact=False)
    assert "<em>changes predictions;" in inexact._repr_html_()


def test_change_text_escapes_newlines_and_terminal_codes():
    # Layer names come from user code and model files.
    hostile = Change("fuse", True, "bn\n\x1b[31mred -> BNActDropout", ("bn",))
    assert str(hostile) == "fixed fuse: bn\\n\\x1b[31mred -> BNActDropout"
