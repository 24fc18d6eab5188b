"""A six-class text classifier ending in one softmax unit: it always says 1.

The report: text in 6 classes (one-hot `Y_train` shown in the thread),
classified with Keras' `imdb_bidirectional_lstm.py` (an Embedding, a
forward and a backward LSTM, concatenated, Dropout(0.5)) whose output was
kept as `Dense(1, activation='softmax')`; every prediction is 1. The
answer: replace it with `Dense(nb_classes, activation='softmax')`.
Transcribed with the example's sizes (20000 words, 100 tokens, 128-d
embedding, LSTM(64) each way) as a Keras 3 functional model; the loss is
not shown in the thread, categorical cross-entropy for the one-hot labels
is assumed. The fix gives the softmax its 6 units.
"""

SOURCE = "https://github.com/keras-team/keras/issues/1261"
RULE = "KO201"


def _build(units: int):
    import keras
    from keras import layers

    inputs = keras.Input((100,), dtype="int32")
    embedded = layers.Embedding(20000, 128)(inputs)
    forwards = layers.LSTM(64)(embedded)
    backwards = layers.LSTM(64, go_backwards=True)(embedded)
    merged = layers.Concatenate()([forwards, backwards])
    after_dp = layers.Dropout(0.5)(merged)
    output = layers.Dense(units, activation="softmax")(after_dp)
    model = keras.Model(inputs, output)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def build_buggy():
    return _build(1)


def build_fixed():
    return _build(6)
