"""Classes on a scale of -6 to +6 under sparse cross-entropy: NaN predictions.

The report: the book's `sparse_categorical_crossentropy` example, redone on
the reader's own data, gives nothing but NaN predictions; the reader found
the cause: the classes must be unsigned, counted up from 0, and theirs were
a scale from -6 to +6. Transcribed (the example's data come from a
scikit-learn generator): an MLP on 8 standardized features with a softmax of
13 units, one per step of the scale, and the steps -6 to +6 as labels; the
fix shifts them by 6, to 0 to 12.
"""

SOURCE = "https://github.com/tplusone/hanser_ml_zeitreihen/issues/3"
RULE = "KO301"


def _build(shift: int):
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(260, 8)).astype("float32")
    y = np.arange(260) % 13 - 6 + shift
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(13, activation="softmax"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer="adam",
        metrics=["accuracy"],
    )
    return model, x, y, 32


def build_buggy():
    return _build(shift=0)


def build_fixed():
    return _build(shift=6)
