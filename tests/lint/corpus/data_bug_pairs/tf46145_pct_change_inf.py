"""`DataFrame.pct_change()` features make the loss `nan`.

The report: a model trains on a pandas DataFrame, but once the features go
through `df.pct_change()` the loss is always `nan`. `pct_change` divides by
the previous value: a zero gives inf (and the first row NaN), and one inf in
a batch turns the loss and every weight NaN. Transcribed with a small Dense
regressor (the report's notebook is not in the issue): price-like columns
with some zeros, their percent changes as features; the fix replaces the
non-finite changes by 0.
"""

SOURCE = "https://github.com/tensorflow/tensorflow/issues/46145"
RULE = "KO307"


def _build(clean: bool):
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    prices = rng.integers(0, 5, size=(65, 4)).astype("float64")  # Zeros occur.
    with np.errstate(divide="ignore", invalid="ignore"):
        changes = prices[1:] / prices[:-1] - 1  # pct_change without its NaN row.
    if clean:
        changes[~np.isfinite(changes)] = 0.0
    x = changes.astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer="adam")
    return model, x, y, 32


def build_buggy():
    return _build(clean=False)


def build_fixed():
    return _build(clean=True)
