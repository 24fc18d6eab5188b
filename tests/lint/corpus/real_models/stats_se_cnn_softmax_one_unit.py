# ruff: noqa: E501
"""Cross Validated "Convolutional neural network fails even when given answer": two Conv2D(relu), Flatten, Dense(1, activation='softmax') with categorical cross-entropy.

Source: https://stats.stackexchange.com/questions/481881/convolutional-neural-network-fails-even-when-given-answer (CC BY-SA 4.0).
Transcribed: the question's `CNN()` model unchanged ((99, 25, 2) input, 30
and 64 filters, categorical cross-entropy, adam).
"""

SOURCE = "https://stats.stackexchange.com/questions/481881/convolutional-neural-network-fails-even-when-given-answer"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO201": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO201": "Dense(1, activation='softmax') outputs a constant 1.0, so the model "
    "cannot learn: the cause given in the answer.",
}


def build():
    import keras
    from keras.layers import Conv2D, Dense, Flatten

    model = keras.Sequential(
        [
            keras.Input((99, 25, 2)),
            Conv2D(30, kernel_size=3, activation="relu"),
            Conv2D(64, kernel_size=3, activation="relu"),
            Flatten(),
            Dense(1, activation="softmax"),
        ]
    )
    model.compile("adam", loss="categorical_crossentropy")
    return model
