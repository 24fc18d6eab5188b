# ruff: noqa: E501
"""Oxford-IIIT Pets segmentation: the U-Net Xception-style model (separable-conv encoder, Conv2DTranspose decoder, residual projections).

Source: https://github.com/keras-team/keras-io/blob/0c3c019ffc3f2650b5bfe3c822e0c60a815cf9e8/examples/vision/oxford_pets_image_segmentation.py (Apache-2.0).
Transcribed: `get_model(img_size, num_classes=3)` with input 32x32x3 instead
of 160x160x3 and widths divided by 8 (4; 8/16/32; 32/16/8/4); layer order
and settings as in the source (per-pixel softmax, sparse categorical
cross-entropy).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0c3c019ffc3f2650b5bfe3c822e0c60a815cf9e8/examples/vision/oxford_pets_image_segmentation.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 15, "KO107": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "The entry Conv2D, the 6 encoder SeparableConv2D and the 8 decoder "
    "Conv2DTranspose all keep use_bias=True and feed only a BN, which cancels it.",
    "KO107": "The entry block ends with Activation('relu') and the first encoder "
    "block starts with another Activation('relu'): relu twice in a row.",
}


def build():
    import keras
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x
    for filters in [8, 16, 32]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(
            previous_block_activation
        )
        x = layers.add([x, residual])
        previous_block_activation = x

    for filters in [32, 16, 8, 4]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.UpSampling2D(2)(x)

        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])
        previous_block_activation = x

    outputs = layers.Conv2D(3, 3, activation="softmax", padding="same")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    return model
