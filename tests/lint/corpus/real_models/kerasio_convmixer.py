# ruff: noqa: E501
"""ConvMixer-256/8: patch-embedding conv, then depthwise/pointwise convs each followed by gelu -> BatchNormalization.

Source: https://github.com/keras-team/keras-io/blob/031c426a8ee43960b236c8fd0172cfcba8471cb7/examples/vision/convmixer.py (Apache-2.0).
Transcribed: `get_conv_mixer_256_8()` with 32 filters instead of 256 (depth
8, kernel 5, patch 2, 32x32 input as in the source); the data_augmentation
pipeline runs in tf.data in the source and is left out; AdamW replaced by
Adam (the optimizer does not matter to the linter).
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/031c426a8ee43960b236c8fd0172cfcba8471cb7/examples/vision/convmixer.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 17}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "ConvMixer's activation_block is gelu -> BN: the stem and the two "
    "convs of each of the 8 blocks normalize post-activation values (info; the "
    "paper's deliberate convention, which convention='ic' switches off).",
}


def build():
    import keras
    from keras import layers

    filters, depth, kernel_size, patch_size = 32, 8, 5, 2

    def activation_block(x):
        x = layers.Activation("gelu")(x)
        return layers.BatchNormalization()(x)

    inputs = keras.Input((32, 32, 3))
    x = layers.Rescaling(scale=1.0 / 255)(inputs)
    x = layers.Conv2D(filters, kernel_size=patch_size, strides=patch_size)(x)
    x = activation_block(x)
    for _ in range(depth):
        x0 = x
        x = layers.Conv2D(
            filters, kernel_size=kernel_size, groups=filters, padding="same"
        )(x)
        x = layers.Add()([activation_block(x), x0])
        x = layers.Conv2D(filters, kernel_size=1)(x)
        x = activation_block(x)
    x = layers.GlobalAvgPool2D()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
