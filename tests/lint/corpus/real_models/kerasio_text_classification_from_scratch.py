# ruff: noqa: E501
"""Text classification from scratch: Embedding -> Dropout -> two strided Conv1D(relu) -> GlobalMaxPooling1D -> Dense(relu) -> Dropout -> sigmoid unit.

Source: https://github.com/keras-team/keras-io/blob/01ae2db402523e96f804c6fc3b0a59582e6a671e/examples/nlp/text_classification_from_scratch.py (Apache-2.0).
Transcribed: the model on vectorized text (max_features 20000, embedding
128, 128 filters, kernel 7, stride 3, as in the source) with a vocabulary
of 2000 instead of 20000; the TextVectorization step runs in tf.data in the
source and is left out; binary cross-entropy.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/01ae2db402523e96f804c6fc3b0a59582e6a671e/examples/nlp/text_classification_from_scratch.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The second Conv1D(activation='relu') feeds only "
    "GlobalMaxPooling1D: max-pooling first gives the same output with relu on "
    "one value per channel (info).",
}


def build():
    import keras
    from keras import layers

    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(2000, 128)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(inputs, predictions)
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model
