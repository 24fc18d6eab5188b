# ruff: noqa: E501
"""Cross Validated "Batch Normalization decreasing model accuracy": Bidirectional LSTM(64) -> three Conv1D -> BatchNormalization -> relu -> MaxPooling1D stages -> Dropout(0.3) -> Flatten -> two Dense -> BatchNormalization -> relu -> Dropout(0.4) blocks -> Dense softmax.

Source: https://imathworks.com/cv/solved-batch-normalization-decreasing-model-accuracy
(a mirror of the Cross Validated question of that title).
Transcribed: the question's Sequential as written; its input shape
`(X_train.shape[1], X_train.shape[2])` and `dummy_y.shape[1]` classes are
not given, here 128 time steps of 9 features and 6 classes. Compiled as in
the question with categorical cross-entropy and Adam, metrics left out.
"""

SOURCE = (
    "https://imathworks.com/cv/solved-batch-normalization-decreasing-model-accuracy"
)
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The accepted answer (move BN after the activation) is a convention, not a
# fix: the order here is the textbook one. Only the biases the BNs cancel
# are worth a note, with the relu -> MaxPooling1D order.
EXPECTED: dict[str, int] = {"KO104": 3, "KO106": 5}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Each conv stage's Activation('relu') feeds only a "
    "MaxPooling1D(2): pooling first gives the same output with half the "
    "relu work (info).",
    "KO106": "The three Conv1D layers, Dense(150) and Dense(10) keep "
    "use_bias=True and feed only a BatchNormalization, which cancels the "
    "bias (info).",
}


def build():
    from keras import Input
    from keras.layers import (
        LSTM,
        Activation,
        BatchNormalization,
        Bidirectional,
        Conv1D,
        Dense,
        Dropout,
        Flatten,
        MaxPooling1D,
    )
    from keras.models import Sequential

    timesteps, features, classes = 128, 9, 6

    model = Sequential()
    model.add(Input(shape=(timesteps, features)))
    model.add(Bidirectional(LSTM(64, return_sequences=True)))

    model.add(Conv1D(filters=16, kernel_size=3, padding="same"))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    model.add(MaxPooling1D(pool_size=2))

    model.add(Conv1D(filters=32, kernel_size=3, padding="same"))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    model.add(MaxPooling1D(pool_size=2))

    model.add(Conv1D(filters=64, kernel_size=3, padding="same"))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    model.add(MaxPooling1D(pool_size=2))

    model.add(Dropout(0.3))
    model.add(Flatten())

    model.add(Dense(150))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    model.add(Dropout(0.4))

    model.add(Dense(10))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    model.add(Dropout(0.4))

    model.add(Dense(classes, activation="softmax"))

    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model
