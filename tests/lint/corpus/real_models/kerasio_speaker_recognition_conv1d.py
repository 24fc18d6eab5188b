# ruff: noqa: E501
"""keras-io "Speaker Recognition": five residual Conv1D blocks on an FFT spectrum, each Conv1D -> relu ... -> Add with a 1x1 shortcut -> relu -> MaxPool1D, then an AveragePooling1D and a Dense head.

Source: https://github.com/keras-team/keras-io/blob/3a8622d94d7685d84435388a20316a1544d0af5c/examples/audio/speaker_recognition_using_cnn.py (Apache-2.0).
Transcribed: `residual_block()` and `build_model()` unchanged, with the
source's input of SAMPLING_RATE // 2 = 8000 FFT bins x 1 channel and 5
classes (the five speakers of its data set); compiled as in the source
(Adam, sparse categorical cross-entropy).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/3a8622d94d7685d84435388a20316a1544d0af5c/examples/audio/speaker_recognition_using_cnn.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 5}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Each of the five blocks ends Add -> Activation('relu') -> "
    "MaxPool1D(2, 2), the pooling being the relu's only consumer: pooling "
    "first gives the same output with relu on half the values (info).",
}


def build():
    import keras

    def residual_block(x, filters, conv_num=3, activation="relu"):
        # Shortcut
        s = keras.layers.Conv1D(filters, 1, padding="same")(x)
        for _ in range(conv_num - 1):
            x = keras.layers.Conv1D(filters, 3, padding="same")(x)
            x = keras.layers.Activation(activation)(x)
        x = keras.layers.Conv1D(filters, 3, padding="same")(x)
        x = keras.layers.Add()([x, s])
        x = keras.layers.Activation(activation)(x)
        return keras.layers.MaxPool1D(pool_size=2, strides=2)(x)

    inputs = keras.layers.Input(shape=(16000 // 2, 1), name="input")

    x = residual_block(inputs, 16, 2)
    x = residual_block(x, 32, 2)
    x = residual_block(x, 64, 3)
    x = residual_block(x, 128, 3)
    x = residual_block(x, 128, 3)

    x = keras.layers.AveragePooling1D(pool_size=3, strides=3)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(256, activation="relu")(x)
    x = keras.layers.Dense(128, activation="relu")(x)

    outputs = keras.layers.Dense(5, activation="softmax", name="output")(x)

    model = keras.models.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer="Adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model
