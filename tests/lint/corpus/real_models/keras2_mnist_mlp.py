# ruff: noqa: E501
"""Keras 2 example mnist_mlp.py: flattened MNIST (784 floats in [0, 1]) -> Dense(512, relu) -> Dropout(0.2) -> Dense(512, relu) -> Dropout(0.2) -> Dense(10, softmax).

Source: https://github.com/keras-team/keras/blob/10bfb1c565582803982e2205d41b095bc929d4a4/examples/mnist_mlp.py (MIT).
Transcribed: unchanged (an Input instead of `input_shape=`); compiled as in
the source with categorical cross-entropy and RMSprop.
"""

SOURCE = "https://github.com/keras-team/keras/blob/10bfb1c565582803982e2205d41b095bc929d4a4/examples/mnist_mlp.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: each Dropout follows a relu Dense and feeds a Dense, and
# the softmax head matches the categorical cross-entropy.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    from keras import Input
    from keras.layers import Dense, Dropout
    from keras.models import Sequential
    from keras.optimizers import RMSprop

    num_classes = 10
    model = Sequential()
    model.add(Input(shape=(784,)))
    model.add(Dense(512, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(512, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(num_classes, activation="softmax"))
    model.compile(
        loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"]
    )
    return model
