"""An LSTM guitar-effect regressor with a softmax head: outputs stuck in (0, 1).

The report: an LSTM learns to mimic a guitar effect from the 100 raw
stereo samples before each instant; the targets, the effected pair of
samples, run from about -27 to 27, yet every prediction lies between 0 and
1. The model: LSTM(256, return_sequences=True) -> Dropout(0.4) ->
LSTM(256) -> Dropout(0.4) -> Dense(2, softmax), categorical cross-entropy,
Adam, batch size 20. The answer: the softmax output always returns numbers
between 0 and 1 that sum to 1; a regression wants a linear output and a
regression loss. Transcribed with random waveforms in that range (x of
shape (N, 100, 2), y of shape (N, 2)); the fix is the answer's: Dense(2)
with mean squared error.
"""

SOURCE = "https://discuss.tensorflow.org/t/lstm-only-yielding-outputs-between-0-1/3471"
RULE = "KO301"
SLOW = True


def _build(fixed: bool):
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.uniform(-27, 27, size=(40, 100, 2)).astype("float32")
    y = rng.uniform(-27, 27, size=(40, 2)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((100, 2)),
            keras.layers.LSTM(256, return_sequences=True),
            keras.layers.Dropout(0.4),
            keras.layers.LSTM(256),
            keras.layers.Dropout(0.4),
            keras.layers.Dense(2, activation=None if fixed else "softmax"),
        ]
    )
    model.compile(loss="mse" if fixed else "categorical_crossentropy", optimizer="adam")
    return model, x, y, 20


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
