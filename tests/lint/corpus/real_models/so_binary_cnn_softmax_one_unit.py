# ruff: noqa: E501
"""Stack Overflow "Why does a binary Keras CNN always predict 1?": Conv1D -> BN -> LeakyReLU -> Dropout blocks, Dense -> BN -> LeakyReLU, and Dense(1) -> Activation('softmax') trained with binary cross-entropy.

Source: https://stackoverflow.com/questions/45378493/why-does-a-binary-keras-cnn-always-predict-1 (CC BY-SA 3.0).
Transcribed: the question's model in Keras 3 names (Conv1D(16, 4,
padding="same") for Convolution1D(nb_filter=16, filter_length=4,
border_mode='same')), (10, 4) input, sizes and the binary cross-entropy as
in the question.
"""

SOURCE = "https://stackoverflow.com/questions/45378493/why-does-a-binary-keras-cnn-always-predict-1"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 3, "KO201": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Both Conv1D and the Dense(64) keep use_bias=True and feed only a BN.",
    "KO201": "Activation('softmax') over the single output unit always gives "
    "1.0: the bug that makes the model always predict 1, as the accepted answer "
    "explains.",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        BatchNormalization,
        Conv1D,
        Dense,
        Dropout,
        Flatten,
        LeakyReLU,
    )

    model = keras.Sequential([keras.Input((10, 4))])
    for filters in (16, 8):
        model.add(Conv1D(filters, 4, padding="same"))
        model.add(BatchNormalization())
        model.add(LeakyReLU())
        model.add(Dropout(0.2))
    model.add(Flatten())
    model.add(Dense(64))
    model.add(BatchNormalization())
    model.add(LeakyReLU())
    model.add(Dense(1))
    model.add(Activation("softmax"))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model
