# ruff: noqa: E501
"""Keras 2 example "Convolution1D for text classification": Embedding -> Dropout -> Conv1D(relu) -> MaxPooling1D, then Dense -> Dropout -> Activation('relu') and a sigmoid unit.

Source: https://github.com/keras-team/keras/blob/05295d6fd96d5365582949c88e7c33588ceb0205/examples/imdb_cnn.py (MIT).
Transcribed: Keras 3 names for the Keras 1 API (Conv1D(250, 3,
padding="valid", activation="relu", strides=1) for Convolution1D,
MaxPooling1D(2)); sizes as in the source (5000 words, 100 tokens, 100-dim
embedding, 250 filters, 250 hidden units); binary cross-entropy, rmsprop.
"""

SOURCE = "https://github.com/keras-team/keras/blob/05295d6fd96d5365582949c88e7c33588ceb0205/examples/imdb_cnn.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Conv1D(activation='relu') feeds only MaxPooling1D: pooling first "
    "gives the same output for less work (info). The Dropout before "
    "Activation('relu') commutes with relu and is rightly not reported.",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        Conv1D,
        Dense,
        Dropout,
        Embedding,
        Flatten,
        MaxPooling1D,
    )

    model = keras.Sequential([keras.Input((100,), dtype="int32")])
    model.add(Embedding(5000, 100))
    model.add(Dropout(0.25))
    model.add(Conv1D(250, 3, padding="valid", activation="relu", strides=1))
    model.add(MaxPooling1D(pool_size=2))
    model.add(Flatten())
    model.add(Dense(250))
    model.add(Dropout(0.25))
    model.add(Activation("relu"))
    model.add(Dense(1))
    model.add(Activation("sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="rmsprop")
    return model
