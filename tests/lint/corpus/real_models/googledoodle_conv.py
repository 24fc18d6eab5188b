# ruff: noqa: E501
"""GoogleDoodle DoodleConv1 (Quick, Draw! classifier): blocks of strided Conv2D pairs -> relu -> Dropout(0.3) -> BatchNormalization, Dense head.

Source: https://github.com/bzhang610/GoogleDoodle/blob/3cf1d56f06e979be7fda5807c544dcde06e700c1/utils/models.py (no license file found in the index).
Transcribed: `DoodleConv1(xdim=(256, 256, 1), cdim=10)` (the caller's xdim
and cdim are not in the file; 256x256 leaves a 2x2 map after the strided
convs and the pooling), with Keras 2's default pool size written out
(AveragePooling2D((2, 2)), which Keras 3 requires); the file does not
compile the model.
"""

SOURCE = "https://github.com/bzhang610/GoogleDoodle/blob/3cf1d56f06e979be7fda5807c544dcde06e700c1/utils/models.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO101": 3, "KO102": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO101": "Each of the 3 Dropout(0.3) layers feeds the next block's BN "
    "directly: that BN learns its variance on dropped-out activations.",
    "KO102": "Those 3 BNs normalize relu outputs (through the dropout) instead "
    "of pre-activations (info).",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        AveragePooling2D,
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
    )

    model = keras.Sequential([keras.Input((256, 256, 1))])
    model.add(BatchNormalization())
    model.add(Conv2D(32, (7, 7), strides=(2, 2)))
    model.add(Conv2D(32, (7, 7), strides=(2, 2)))
    model.add(Activation("relu"))
    model.add(Dropout(0.3))

    model.add(BatchNormalization())
    model.add(Conv2D(64, (5, 5), strides=(2, 2)))
    model.add(Conv2D(64, (5, 5), strides=(2, 2)))
    model.add(Activation("relu"))
    model.add(Dropout(0.3))

    model.add(BatchNormalization())
    model.add(Conv2D(64, (3, 3), strides=(2, 2)))
    model.add(AveragePooling2D((2, 2)))
    model.add(Activation("relu"))
    model.add(Dropout(0.3))

    model.add(BatchNormalization())
    model.add(Flatten())
    model.add(Dense(512))
    model.add(Activation("relu"))
    model.add(Dense(10))
    model.add(Activation("softmax"))
    return model
