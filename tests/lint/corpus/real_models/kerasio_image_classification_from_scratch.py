# ruff: noqa: E501
"""Image classification from scratch: a small Xception-like network (Conv/SeparableConv -> BN -> relu, residual projections).

Source: https://github.com/keras-team/keras-io/blob/0e918412690b44285f82f699ce19d919fb14cee2/examples/vision/image_classification_from_scratch.py (Apache-2.0).
Transcribed: input 32x32x3 instead of 180x180x3 and widths divided by 8
(4/8, then 16/32/64/91, then 128); layer order and settings as in the source
(`make_model(..., num_classes=2)`: Dense(1, sigmoid), binary cross-entropy).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0e918412690b44285f82f699ce19d919fb14cee2/examples/vision/image_classification_from_scratch.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 11, "KO107": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Every Conv2D/SeparableConv2D before a BN keeps use_bias=True (2 entry "
    "convs + 8 separable convs in the blocks + the last one): BN cancels the bias.",
    "KO107": "The entry block ends with Activation('relu') and the first block "
    "starts with another Activation('relu'): relu is applied twice in a row.",
}


def build():
    import keras
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(4, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    x = layers.Conv2D(8, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x
    for size in [16, 32, 64, 91]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        residual = layers.Conv2D(size, 1, strides=2, padding="same")(
            previous_block_activation
        )
        x = layers.add([x, residual])
        previous_block_activation = x

    x = layers.SeparableConv2D(128, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return model
