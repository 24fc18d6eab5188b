# ruff: noqa: E501
"""TensorFlow tutorial "Basic text classification": the IMDB embedding-bag model and its export model, which appends Activation('sigmoid').

Source: https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/keras/text_classification.ipynb (Apache-2.0).
Transcribed: `export_model = Sequential([vectorize_layer, model,
Activation('sigmoid')])` with the TextVectorization layer replaced by an
integer token input of length 250 (the linter lints tensors, not strings);
the inner model (Embedding -> Dropout -> GlobalAveragePooling1D -> Dropout ->
Dense(1, sigmoid)) and the export's BinaryCrossentropy(from_logits=False)
as in the source, vocabulary 1000 instead of 10000.
"""

SOURCE = "https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/keras/text_classification.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO105": 1, "KO107": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO105": "Elementwise Dropout on the token embeddings right before "
    "GlobalAveragePooling1D: the average over 250 tokens smooths the noise away "
    "(info, average pooling).",
    "KO107": "The inner model already ends in Dense(1, activation='sigmoid'); the "
    "export appends Activation('sigmoid'), so probabilities are squashed into "
    "[0.5, 0.73]: a real bug of the tutorial.",
}


def build():
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((250,), dtype="int32"),
            layers.Embedding(1000, 16),
            layers.Dropout(0.2),
            layers.GlobalAveragePooling1D(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer="adam")
    export_model = keras.Sequential(
        [keras.Input((250,), dtype="int32"), model, layers.Activation("sigmoid")]
    )
    export_model.compile(
        loss=keras.losses.BinaryCrossentropy(from_logits=False), optimizer="adam"
    )
    return export_model
