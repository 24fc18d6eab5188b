"""A binary CNN ends in one softmax unit and predicts the same class always.

The report: a CNN "giving the prediction as true for everything regardless
of input", even when the answer is fed in as an input channel: Conv2D(30, 3,
relu) on (99, 25, 2) -> Conv2D(64, 3, relu) -> Flatten -> Dense(1,
softmax), compiled with categorical cross-entropy. The answer: softmax
normalizes over its units (y_i = e^x_i / sum_j e^x_j), so one unit always
outputs 1. Transcribed as in the question; the fix is the binary head for
a one-unit boolean target, sigmoid with binary cross-entropy.
"""

SOURCE = "https://stats.stackexchange.com/questions/481881"
RULE = "KO201"


def _build(activation: str, loss: str):
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((99, 25, 2)),
            layers.Conv2D(30, kernel_size=3, activation="relu", name="conv2d_11"),
            layers.Conv2D(64, kernel_size=3, activation="relu", name="conv2d_12"),
            layers.Flatten(name="flatten_4"),
            layers.Dense(1, activation=activation, name="dense_4"),
        ]
    )
    model.compile("adam", loss=loss, metrics=["accuracy"])
    return model


def build_buggy():
    return _build("softmax", "categorical_crossentropy")


def build_fixed():
    return _build("sigmoid", "binary_crossentropy")
