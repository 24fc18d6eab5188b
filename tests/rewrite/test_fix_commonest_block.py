"""fix_model fixes the commonest block (issue 22 item 5).

Conv(relu) -> Dropout -> BN -> MaxPooling, the block of the ordering table
quoted in docs/evidence.md (examples/ordering_study.py builds its ten
orderings) and of the quickstart's risky model, becomes weight -> BN ->
activation -> pooling -> Dropout. The real-model corpus' googledoodle_conv
is fixed too. Every moved or fused layer keeps its weights, and the change
list says where predictions change.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_ordering import fix_model, lint_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The table's orderings with a KO101 or KO102; the block (CADBP) and
# one more run by default, the rest with the slow tests (about 5 s each).
ORDERS = [
    "CADBP",
    "CDABP",
    *(
        pytest.param(order, marks=pytest.mark.slow)
        for order in ("CADPB", "CABPD", "CABDP", "CDAPB", "CDBAP")
    ),
]
L = keras.layers


def _example(name: str):
    sys.path.insert(0, str(EXAMPLES))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(EXAMPLES))


def _with_statistics(model):
    """Gives every BN the statistics and scale of a trained one: an untrained
    BN is almost the identity, and would commute with anything."""
    rng = np.random.default_rng(1)
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights(
                [
                    rng.uniform(0.5, 2.0, gamma.shape),
                    rng.normal(size=beta.shape),
                    rng.normal(size=mean.shape),
                    rng.uniform(0.5, 2.0, variance.shape),
                ]
            )
    return model


def _ordering_codes(model) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (f.code, f.layers) for f in lint_model(model) if f.code in ("KO101", "KO102")
    ]


def _check_weights_kept(original, fixed) -> None:
    """Kernels, gammas, betas and variances are the originals'; a bias that a
    fix dropped is folded into the BN's moving mean, nowhere lost."""
    for layer in fixed.layers:
        if not layer.weights or layer.name not in {x.name for x in original.layers}:
            continue
        before = original.get_layer(layer.name).get_weights()
        after = layer.get_weights()
        if isinstance(layer, L.BatchNormalization):
            for index in (0, 1, 3):  # gamma, beta, moving variance
                np.testing.assert_array_equal(after[index], before[index])
        else:
            np.testing.assert_array_equal(after[0], before[0])  # the kernel
            assert len(after) in (len(before), len(before) - 1)


def _same_predictions(original, fixed) -> bool:
    x = np.random.default_rng(0).normal(size=(4, *original.input_shape[1:]))
    return np.allclose(
        original.predict(x, verbose=0), fixed.predict(x, verbose=0), atol=1e-5
    )


@pytest.mark.parametrize("order", ORDERS)
def test_the_ordering_table_blocks_are_fixed(order):
    model = _with_statistics(_example("ordering_study").build(order))
    assert _ordering_codes(model)
    fixed, changes = fix_model(model, return_changes=True)
    assert _ordering_codes(fixed) == []
    assert not [c for c in changes if not c.applied and c.code in ("KO101", "KO102")]
    _check_weights_kept(model, fixed)
    # Moving a dropout is exact at inference; moving a BN across its
    # activation (KO102) is not, and its change says so.
    inexact = [c for c in changes if c.applied and not c.exact]
    assert {c.code for c in inexact} <= {"KO102"}
    assert _same_predictions(model, fixed) == (not inexact)


def test_the_table_block_becomes_the_recommended_order():
    fixed = fix_model(_example("ordering_study").build("CADBP"))
    kinds = [type(layer).__name__ for layer in fixed.layers][:5]
    # Conv -> BN -> (pool, relu: KO104 pools first, exactly) -> Dropout.
    assert kinds[:2] == ["Conv2D", "BatchNormalization"]
    assert kinds.index("Dropout") > kinds.index("MaxPooling2D")
    assert fixed.get_layer("conv1").use_bias is False


def test_the_quickstart_risky_model_is_fixed():
    model = _with_statistics(_example("quickstart").risky_model())
    fixed, changes = fix_model(model, return_changes=True)
    assert _ordering_codes(fixed) == [] and lint_model(fixed).codes() == []
    _check_weights_kept(model, fixed)
    names = [layer.name for layer in fixed.layers]
    assert names.index("dropout") > names.index("pool")
    (moved_bn,) = [c for c in changes if c.code == "KO102" and c.applied]
    assert not moved_bn.exact and "changes predictions" in str(moved_bn)


def test_a_real_corpus_model_is_fixed():
    model = importlib.import_module(
        "tests.lint.corpus.real_models.googledoodle_conv"
    ).build()
    fixed = fix_model(model)
    assert _ordering_codes(fixed) == []


def test_spatial_dropout_past_a_global_pooling_becomes_a_dropout():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            L.Conv2D(4, 3, use_bias=False, name="conv"),
            L.SpatialDropout2D(0.3, seed=1, name="sdrop"),
            L.GlobalAveragePooling2D(name="gap"),
            L.BatchNormalization(name="bn"),
            L.Dense(2, name="out"),
        ]
    )
    fixed, changes = fix_model(_with_statistics(model), return_changes=True)
    assert lint_model(fixed).codes() == []
    names = [layer.name for layer in fixed.layers]
    assert names == ["conv", "gap", "bn", "sdrop", "out"]
    assert type(fixed.get_layer("sdrop")) is L.Dropout
    assert fixed.get_layer("sdrop").rate == pytest.approx(0.3)
    (change,) = [c for c in changes if c.code == "KO101"]
    assert change.exact and "as a Dropout of the same rate" in change.description
    assert _same_predictions(model, fixed)


def test_a_dropout_moves_through_a_reshape():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            L.Conv2D(4, 3, use_bias=False, name="conv"),
            L.Dropout(0.3, name="drop"),
            L.Reshape((36, 4), name="reshape"),
            L.BatchNormalization(name="bn"),
            L.ReLU(name="relu"),
            L.Flatten(name="flat"),
            L.Dense(2, name="out"),
        ]
    )
    fixed = fix_model(_with_statistics(model))
    assert lint_model(fixed).codes() == []
    assert [layer.name for layer in fixed.layers] == [
        "conv",
        "reshape",
        "bn",
        "relu",
        "flat",
        "drop",
        "out",
    ]
    assert _same_predictions(model, fixed)


def _left(model):
    _, changes = fix_model(model, return_changes=True)
    return [c for c in changes if c.code == "KO101" and not c.applied]


def test_refused_where_no_order_preserving_rewrite_exists_and_says_why():
    spatial_then_flatten = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            L.Conv2D(4, 3, use_bias=False, name="conv"),
            L.SpatialDropout2D(0.3, name="sdrop"),
            L.Flatten(name="flat"),
            L.BatchNormalization(name="bn"),
            L.Dense(2, name="out"),
        ]
    )
    (left,) = _left(spatial_then_flatten)
    assert "no spatial dropout fits there" in left.description

    inputs = keras.Input((16,))
    inner = keras.Model(inputs, L.Dropout(0.3, name="drop")(L.Dense(8)(inputs)))
    outer_in = keras.Input((16,))
    outer = keras.Model(outer_in, L.BatchNormalization(name="bn")(inner(outer_in)))
    (left,) = _left(outer)
    assert "nested model's boundary" in left.description
    assert "each of its uses" in left.description


def _shared_noise_block(pool):
    # noise_shape shares draws along one axis: the dropout cannot follow the
    # pooling, so the move stops before it.
    return keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            L.Conv2D(4, 3, use_bias=False, name="conv"),
            L.Dropout(0.3, noise_shape=(None, 6, 1, 4), name="drop"),
            L.BatchNormalization(name="bn"),
            L.Activation("gelu", name="gelu"),
            pool,
            L.Flatten(name="flat"),
            L.Dense(2, name="out"),
        ]
    )


def test_a_fix_is_refused_for_an_equally_severe_new_finding():
    model = _shared_noise_block(L.MaxPooling2D(name="pool"))
    (left,) = _left(model)
    assert "fixing it would add KO105 (drop -> pool)" in left.description


def test_a_warning_is_not_kept_to_avoid_an_info():
    # Before average pooling, KO105 is an info; KO101 is a warning.
    model = _shared_noise_block(L.AveragePooling2D(2, name="pool"))
    fixed, changes = fix_model(model, return_changes=True)
    assert [c.code for c in changes if c.applied] == ["KO101"]
    assert "KO101" not in lint_model(fixed).codes()
    assert [f.severity for f in lint_model(fixed) if f.code == "KO105"] == ["info"]
