# ruff: noqa: E501
"""CNN-LSTM sign-language video classifier: a Sequential CNN feature extractor (Conv2D(relu) -> MaxPooling2D, twice, Flatten) applied to every frame by TimeDistributed, then two LSTM + Dropout stages and a softmax head.

Source: https://github.com/pratham-asthana/MADHYAM/blob/3eb3393109fbddaabba6b6893d2b7f11fb31c425/CNN_LSTM.py
Transcribed: unchanged layers and sizes (30 frames of 64x64x3, 47 classes);
the frame extractor's `input_shape=` is given as a `keras.Input`. Until the
builder looked inside `TimeDistributed(Sequential(...))`, the extractor was
one opaque node and both findings below were missed.
"""

SOURCE = "https://github.com/pratham-asthana/MADHYAM/blob/3eb3393109fbddaabba6b6893d2b7f11fb31c425/CNN_LSTM.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Inside the per-frame extractor, each Conv2D(activation='relu') feeds "
    "only a MaxPooling2D: pooling first is identical and cheaper (info), once per "
    "conv stage.",
}


def build():
    import keras
    from keras import layers

    feature_extractor = keras.Sequential(
        [
            keras.Input((64, 64, 3)),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
        ]
    )
    model = keras.Sequential(
        [
            keras.Input((30, 64, 64, 3)),
            layers.TimeDistributed(feature_extractor),
            layers.LSTM(64, return_sequences=True),
            layers.Dropout(0.2),
            layers.LSTM(64),
            layers.Dropout(0.2),
            layers.Dense(128, activation="relu"),
            layers.Dense(47, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model
