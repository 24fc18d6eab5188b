"""`Normalization(axis=-1)` that does not normalize: it was never adapted.

The report: `keras.layers.Normalization(axis=-1)` applied to
`[[1, 2, 3, 4, 5]]` returns the input unchanged (mean 3, variance 2 before
and after). Without `adapt()` (or `mean=` / `variance=`) the layer keeps
mean 0 and variance 1. Transcribed as a regression model that puts the
layer in front of Dense(16, relu) -> Dense(1), on five features with the
report's means 1 to 5; the fix adapts the layer to the training data.
"""

SOURCE = "https://github.com/keras-team/keras/issues/16296"
RULE = "KO304"


def _build(adapt: bool):
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    scale = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    x = (rng.normal(size=(64, 5)) * scale + scale).astype("float32")
    normalization = keras.layers.Normalization(axis=-1, name="normalization")
    if adapt:
        normalization.adapt(x)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            normalization,
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer="adam")
    y = x.sum(axis=1, keepdims=True)
    return model, x, y, 32


def build_buggy():
    return _build(False)


def build_fixed():
    return _build(True)
