# ruff: noqa: E501
"""A BERT classification head from a course project: `Lambda(lambda model: model[:, 0])` takes the [CLS] position of the encoder output, concatenated with 4 extra features, then two Dense(1024) -> BN -> tanh blocks and Dense(3, sigmoid).

Source: https://github.com/andy94077/SDML/blob/d29756f0ab5eb304d1522b7de4d318f3b1605228/hw1/model.md (the "model_cite" entry).
Transcribed: the head exactly as written; the BERT encoder in front
(`model.layers[-9].output`) is stood in for by an input of its output shape
(128 tokens x 768), since the head is what the linter is about.

The Lambda only slices. A live model is traced on TensorFlow, so the slice is
a shape node there; a saved file never runs the Lambda and lists it as
opaque. Either way no path crosses it, so both give the same findings.
"""

SOURCE = "https://github.com/andy94077/SDML/blob/d29756f0ab5eb304d1522b7de4d318f3b1605228/hw1/model.md"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Each Dense(1024) keeps its default bias and feeds a BN directly, "
    "which cancels it (info, twice).",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        BatchNormalization,
        Concatenate,
        Dense,
        Input,
        Lambda,
    )

    encoder_output = Input(shape=(128, 768))
    x = Lambda(lambda model: model[:, 0])(encoder_output)
    c = Input(shape=(4,))
    x = Concatenate()([x, c])
    x = Dense(1024)(x)
    x = BatchNormalization()(x)
    x = Activation("tanh")(x)
    x = Dense(1024)(x)
    x = BatchNormalization()(x)
    x = Activation("tanh")(x)
    output_layer = Dense(3, activation="sigmoid")(x)
    return keras.Model([encoder_output, c], output_layer)
