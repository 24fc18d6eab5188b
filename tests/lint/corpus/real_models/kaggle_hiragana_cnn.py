# ruff: noqa: E501
"""Kaggle-style Kuzushiji hiragana CNN: Conv2D(relu) -> BatchNormalization pairs, a strided conv -> BN -> Dropout per stage, Dense(relu) -> BN -> Dropout, softmax.

Source: https://github.com/aaa34bbb56ccc/py-cursive-hiragana-images-classification/blob/327121211e896bd5bb7f0a64c4f18dca9b68de6f/models/model_20190329.py (no license file found in the index).
Transcribed: the file's Sequential model unchanged, with the hiragana
images' 28x28x1 input and 49 classes (IMG_ROWS, IMG_COLS and NUM_CLASSES
are defined elsewhere in the repository); the file does not compile the
model.
"""

SOURCE = "https://github.com/aaa34bbb56ccc/py-cursive-hiragana-images-classification/blob/327121211e896bd5bb7f0a64c4f18dca9b68de6f/models/model_20190329.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 9, "KO106": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "8 Conv2D(activation='relu') and the Dense(activation='relu') are "
    "each followed by a BN that normalizes rectified values (info).",
    "KO106": "The first stage's strided Conv2D has no activation and keeps "
    "use_bias=True before its BN, which cancels the bias.",
}


def build():
    import keras
    from keras.layers import BatchNormalization, Conv2D, Dense, Dropout, Flatten
    from keras.regularizers import l2

    def conv(filters, strides=(1, 1), activation="relu"):
        return Conv2D(
            filters,
            kernel_size=(3, 3),
            strides=strides,
            activation=activation,
            padding="same",
            kernel_initializer="he_normal",
            kernel_regularizer=l2(0.0005),
        )

    model = keras.Sequential([keras.Input((28, 28, 1))])
    for filters, last_activation, rate in (
        (32, None, 0.25),
        (64, "relu", 0.4),
        (128, "relu", 0.4),
    ):
        model.add(conv(filters))
        model.add(BatchNormalization())
        model.add(conv(filters))
        model.add(BatchNormalization())
        model.add(conv(filters, strides=(2, 2), activation=last_activation))
        model.add(BatchNormalization())
        model.add(Dropout(rate))
    model.add(Flatten())
    model.add(Dense(256, kernel_initializer="he_normal", activation="relu"))
    model.add(BatchNormalization())
    model.add(Dropout(0.4))
    model.add(Dense(49, activation="softmax"))
    return model
