# ruff: noqa: E501
"""keras-io "Using pre-trained word embeddings": a frozen Embedding, three Conv1D(relu) layers, the first two followed by MaxPooling1D(5) and the last by GlobalMaxPooling1D, then Dense(relu) -> Dropout(0.5) -> a 20-class softmax.

Source: https://github.com/keras-team/keras-io/blob/1909c6710cd3f5af6401f1176dcee9e26781b4f3/examples/nlp/pretrained_word_embeddings.py (Apache-2.0).
Transcribed: the model on integer sequences unchanged; the source's frozen
Embedding(20002, 100) starts from a GloVe matrix, here from the default
initializer (no download), still trainable=False. The 20 Newsgroups classes
give 20 units; compiled as in the source (sparse categorical cross-entropy,
RMSprop).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/1909c6710cd3f5af6401f1176dcee9e26781b4f3/examples/nlp/pretrained_word_embeddings.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Each Conv1D(activation='relu') feeds only a max pooling "
    "(MaxPooling1D(5) twice, GlobalMaxPooling1D once): pooling first gives "
    "the same output with relu on far fewer values (info).",
}


def build():
    import keras
    from keras import layers

    num_tokens, embedding_dim, num_classes = 20002, 100, 20
    embedding_layer = layers.Embedding(num_tokens, embedding_dim, trainable=False)

    int_sequences_input = keras.Input(shape=(None,), dtype="int32")
    embedded_sequences = embedding_layer(int_sequences_input)
    x = layers.Conv1D(128, 5, activation="relu")(embedded_sequences)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(128, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(128, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    preds = layers.Dense(num_classes, activation="softmax")(x)
    model = keras.Model(int_sequences_input, preds)
    model.compile(
        loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["acc"]
    )
    return model
