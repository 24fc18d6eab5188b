"""Preflight stays quiet on the real-model corpus fed well-formed data.

For every model of `tests/lint/corpus/real_models` whose inputs are images
(height x width x channels) or tabular features (one float vector), the
data is synthetic but well formed: images in the range the model expects
(raw pixels in [0, 255] when it rescales them itself, else [0, 1]),
standardized features, and labels that fit each head (class indices for a
sparse loss, one-hot rows for a categorical one, 0 / 1 for a binary one,
targets inside the output activation's range otherwise). No data-aware
finding (KO3xx) of warning or error severity may appear.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ordering import preflight
from keras_ordering.graph import kinds
from keras_ordering.graph.activations import output_range
from keras_ordering.graph.from_keras import graph_from_model
from keras_ordering.graph.losses import loss_family
from keras_ordering.lint.rules.ko203_activation_loss_mismatch import output_head
from tests.lint.test_corpus_real_models import SLUGS, corpus_module

BATCH = 32

# slug -> what preflight gets wrong on that model fed well-formed data
# (strict xfail: a fix shows up as an unexpected pass).
KNOWN_DIFFERENCES: dict[str, str] = {}

# (backend, slug) -> the error Keras' own training step raises there on
# well-formed data. Preflight must refuse in one line, as `fit` does; the
# test checks that `train_on_batch` still fails (a Keras fix shows up).
FIT_FAILS_ON_BACKEND: dict[tuple[str, str], str] = {
    # Keras 3.15's torch sparse cross-entropy (F.nll_loss on a moved axis)
    # has no backward pass for (H, W) label masks.
    ("torch", "kerasio_oxford_pets_unet"): "grad_input must be contiguous",
}


def _cases() -> list:
    return [
        pytest.param(
            slug,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[slug])]
            if slug in KNOWN_DIFFERENCES
            else [],
        )
        for slug in SLUGS
    ]


def _input_kind(tensor) -> str | None:
    shape = tuple(tensor.shape[1:])
    if "int" in str(tensor.dtype) or "string" in str(tensor.dtype):
        return None
    if len(shape) == 1 and shape[0]:
        return "tabular"
    if len(shape) == 3 and shape[-1] in (1, 3, 4) and all(shape):
        return "image"
    return None


def _raw_pixels(model) -> bool:
    """The model rescales by 1/255 (or 1/127.5) before its first weight
    layer, or its first layer is a Normalization adapted on raw pixels (an
    adapted mean above 1, as keras-io's MLP-Mixer adapts on x_train)."""
    from keras_ordering.preflight_run import _layers, _preprocessing

    scaling, _, _ = _preprocessing(model)
    if scaling is not None:
        return abs(scaling[0]) <= 1 / 64
    for layer in _layers(model)[1:]:
        if isinstance(layer, keras.layers.Normalization) and layer.built:
            return float(np.mean(keras.ops.convert_to_numpy(layer.mean))) > 1
        if layer.weights and not hasattr(layer, "layers"):
            return False
    return False


def _labels(rng, graph, index, output_shape):
    node = graph.nodes[index]
    loss = node.attrs.get("loss")
    family = loss_family(loss)
    shape = (BATCH, *output_shape[1:])
    units = shape[-1]
    if family == "categorical" and "sparse" in str(loss):
        return rng.integers(0, units, size=shape[:-1])
    if family == "categorical":
        return np.eye(units, dtype="float32")[rng.integers(0, units, size=shape[:-1])]
    if family == "binary":
        return rng.integers(0, 2, size=shape).astype("float32")
    head = output_head(graph, index)
    activation = None
    if head and head[0].kind == kinds.ACTIVATION and not node.attrs.get("from_logits"):
        activation = head[0].attrs.get("activation")
    bounds = output_range(activation)
    if bounds is None:
        return rng.normal(size=shape).astype("float32")
    low, high = bounds
    high = min(high, low + 1.0)
    return rng.uniform(low, high, size=shape).astype("float32")


def well_formed_data(model):
    """`(x, y)` for `model`, or None when an input is neither image nor tabular."""
    rng = np.random.default_rng(0)
    xs = []
    for tensor in model.inputs:
        kind = _input_kind(tensor)
        if kind is None:
            return None
        shape = (BATCH, *tensor.shape[1:])
        if kind == "tabular":
            xs.append(rng.normal(size=shape).astype("float32"))
        elif _raw_pixels(model):
            xs.append(rng.integers(0, 256, size=shape).astype("float32"))
        else:
            xs.append(rng.uniform(0, 1, size=shape).astype("float32"))
    graph = graph_from_model(model)
    ys = [
        _labels(rng, graph, index, tuple(tensor.shape))
        for index, tensor in zip(graph.outputs, model.outputs, strict=True)
    ]
    return (
        xs[0] if len(xs) == 1 else xs,
        ys[0] if len(ys) == 1 else ys,
    )


@pytest.mark.slow
@pytest.mark.parametrize("slug", _cases())
def test_preflight_raises_no_warning_on_well_formed_data(slug):
    if keras.backend.backend() == "jax":
        pytest.skip("corpus models are not built on JAX (initializer compiles)")
    # The same initial weights whatever ran before in this process.
    keras.utils.set_random_seed(0)
    model = corpus_module(slug).build()
    data = well_formed_data(model)
    if data is None:
        pytest.skip("text or sequence input: neither image nor tabular")
    x, y = data
    fit_error = FIT_FAILS_ON_BACKEND.get((keras.backend.backend(), slug))
    if fit_error is not None:
        with pytest.raises(Exception, match=fit_error):
            model.train_on_batch(x[:BATCH], y[:BATCH])
        with pytest.raises(ValueError, match="fails in its backward pass") as raised:
            preflight(model, x, y, batch_size=BATCH)
        assert fit_error in str(raised.value) and "\n" not in str(raised.value)
        return
    report = preflight(model, x, y, batch_size=BATCH)
    loud = [
        (f.code, f.message)
        for f in report
        if f.code.startswith("KO3") and f.severity in ("warning", "error")
    ]
    assert loud == []


def test_known_differences_name_real_slugs():
    assert set(KNOWN_DIFFERENCES) <= set(SLUGS), KNOWN_DIFFERENCES
    assert {slug for _, slug in FIT_FAILS_ON_BACKEND} <= set(SLUGS)
