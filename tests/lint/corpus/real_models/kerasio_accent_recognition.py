# ruff: noqa: E501
"""keras-io "English speaker accent recognition using Transfer Learning": a 1024-d YAMNet embedding -> four Dense(relu) -> Dropout blocks (256/0.15, 384/0.2, 192/0.25, 384/0.2) -> Dense(7, softmax).

Source: https://github.com/keras-team/keras-io/blob/0fc6593722e743ff67e86f3ff8a7966b0f656297/examples/audio/uk_ireland_accent_recognition.py (Apache-2.0).
Transcribed: `build_and_compile_model()` as in the source (7 classes: six
accents and "Not a speech"; layer names kept, the output's "ouput"
included); compiled as in the source with Adam(1.9644e-5), categorical
cross-entropy, accuracy and AUC. The YAMNet feature extractor (TF Hub) is
left out: its embeddings are the model's input.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0fc6593722e743ff67e86f3ff8a7966b0f656297/examples/audio/uk_ireland_accent_recognition.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: each Dropout follows a relu Dense and feeds a Dense, and
# the softmax head matches the categorical cross-entropy.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    class_names = [
        "Irish",
        "Midlands",
        "Northern",
        "Scottish",
        "Southern",
        "Welsh",
        "Not a speech",
    ]
    inputs = keras.layers.Input(shape=(1024,), name="embedding")
    x = keras.layers.Dense(256, activation="relu", name="dense_1")(inputs)
    x = keras.layers.Dropout(0.15, name="dropout_1")(x)
    x = keras.layers.Dense(384, activation="relu", name="dense_2")(x)
    x = keras.layers.Dropout(0.2, name="dropout_2")(x)
    x = keras.layers.Dense(192, activation="relu", name="dense_3")(x)
    x = keras.layers.Dropout(0.25, name="dropout_3")(x)
    x = keras.layers.Dense(384, activation="relu", name="dense_4")(x)
    x = keras.layers.Dropout(0.2, name="dropout_4")(x)
    outputs = keras.layers.Dense(len(class_names), activation="softmax", name="ouput")(
        x
    )
    model = keras.Model(inputs=inputs, outputs=outputs, name="accent_recognition")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1.9644e-5),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=["accuracy", keras.metrics.AUC(name="auc")],
    )
    return model
