"""Class labels from Keras' Tokenizer start at 1: one past a 5-unit softmax.

The report: in the BBC news assignment, "Using Keras' Tokenizer yields
values that start at 1 rather than at 0" (0 is reserved), so the labels of
the 5 categories are 1 to 5; with Dense(5, softmax) and sparse categorical
cross-entropy the label 5 has no unit (the course's notebook subtracts 1).
Transcribed: Embedding(1000, 16) over sequences of 120 ->
GlobalAveragePooling1D -> Dense(24, relu) -> Dense(5, softmax), sparse
categorical cross-entropy, 64 articles with labels 1..5 at batch 32; the
fix subtracts 1.
"""

SOURCE = (
    "https://community.deeplearning.ai/t/"
    "using-keras-tokenizer-yields-values-that-start-at-1-rather-than-at-0/204963"
)
RULE = "KO301"


def _build(fixed: bool):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((120,), dtype="int32"),
            keras.layers.Embedding(1000, 16),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(24, activation="relu"),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    labels = np.arange(64) % 5 + 1  # label_tokenizer ids 1..5
    x = rng.integers(1, 1000, size=(64, 120))
    return model, x, labels - 1 if fixed else labels, 32


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
