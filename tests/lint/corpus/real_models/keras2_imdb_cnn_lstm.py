# ruff: noqa: E501
"""Keras 2 example imdb_cnn_lstm.py, "a recurrent convolutional network on the IMDB sentiment classification task": Embedding -> Dropout(0.25) -> Conv1D(64, 5, relu) -> MaxPooling1D(4) -> LSTM(70) -> Dense(1) -> Activation("sigmoid").

Source: https://github.com/keras-team/keras/blob/068116016d08e7e67569787f3322ddab5b7a31a8/examples/imdb_cnn_lstm.py (MIT).
Transcribed: the model unchanged (max_features 20000, maxlen 100,
embedding_size 128, filters 64, kernel_size 5, pool_size 4,
lstm_output_size 70; `input_length=maxlen` becomes an Input of 100 token
ids), compiled as in the source with binary cross-entropy and Adam.
"""

SOURCE = "https://github.com/keras-team/keras/blob/068116016d08e7e67569787f3322ddab5b7a31a8/examples/imdb_cnn_lstm.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The Dropout after the Embedding feeds the Conv1D's weights (not an
# activation, not a pooling); the sigmoid head with binary cross-entropy is
# right.
EXPECTED: dict[str, int] = {"KO104": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The Conv1D's relu feeds only MaxPooling1D(pool_size=4): "
    "pooling first gives the same output on 4x fewer values (info).",
}


def build():
    from keras import Input
    from keras.layers import (
        LSTM,
        Activation,
        Conv1D,
        Dense,
        Dropout,
        Embedding,
        MaxPooling1D,
    )
    from keras.models import Sequential

    max_features = 20000
    maxlen = 100
    embedding_size = 128
    kernel_size = 5
    filters = 64
    pool_size = 4
    lstm_output_size = 70

    model = Sequential()
    model.add(Input(shape=(maxlen,), dtype="int32"))
    model.add(Embedding(max_features, embedding_size))
    model.add(Dropout(0.25))
    model.add(
        Conv1D(filters, kernel_size, padding="valid", activation="relu", strides=1)
    )
    model.add(MaxPooling1D(pool_size=pool_size))
    model.add(LSTM(lstm_output_size))
    model.add(Dense(1))
    model.add(Activation("sigmoid"))

    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model
