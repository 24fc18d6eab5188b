# ruff: noqa: E501
"""Kaggle competition basic CNN: blocks of two bias-free Conv2D(relu) -> BatchNormalization(scale=False) -> MaxPooling2D(4) -> Dropout, Dense(relu), softmax.

Source: https://github.com/salahediine/Kaggle_competition/blob/06989bac0646536dae5fc169afe7195e6f777002/basic_cnn.py (no license file found in the index).
Transcribed: the file's Sequential model with input 64x64x3 instead of
299x299x3 and 10 classes (the source counts the classes of its training
data); the file does not compile the model.
"""

SOURCE = "https://github.com/salahediine/Kaggle_competition/blob/06989bac0646536dae5fc169afe7195e6f777002/basic_cnn.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "Each block's BN normalizes the output of a Conv2D(activation="
    "'relu') instead of its pre-activations (info).",
}


def build():
    import keras
    from keras.layers import (
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        MaxPooling2D,
    )

    def conv(filters):
        return Conv2D(
            filters=filters,
            kernel_size=(3, 3),
            padding="same",
            use_bias=False,
            activation="relu",
        )

    model = keras.Sequential([keras.Input((64, 64, 3))])
    for filters in (16, 32):
        model.add(conv(filters))
        model.add(conv(filters))
        model.add(BatchNormalization(scale=False))
        model.add(MaxPooling2D(pool_size=(4, 4), strides=(4, 4), padding="same"))
        model.add(Dropout(0.25))
    model.add(conv(64))
    model.add(conv(64))
    model.add(BatchNormalization(axis=3, scale=False))
    model.add(Flatten())
    model.add(Dense(128, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    return model
