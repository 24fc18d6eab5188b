# ruff: noqa: E501
"""TensorFlow tutorial pix2pix: the U-Net generator (downsample: Conv2D without bias -> BN -> LeakyReLU; upsample: Conv2DTranspose without bias -> BN -> Dropout -> ReLU; skip concatenations).

Source: https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/generative/pix2pix.ipynb (Apache-2.0).
Transcribed: `Generator()` with its nested `downsample`/`upsample`
Sequentials, 256x256x3 input, 8 down and 7 up stages as in the source,
filters divided by 16 (4..32 instead of 64..512). Trained with a custom
loop: not compiled.
"""

SOURCE = "https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/generative/pix2pix.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    def downsample(filters, size, apply_batchnorm=True):
        initializer = keras.initializers.RandomNormal(0.0, 0.02)
        result = keras.Sequential()
        result.add(
            keras.layers.Conv2D(
                filters,
                size,
                strides=2,
                padding="same",
                kernel_initializer=initializer,
                use_bias=False,
            )
        )
        if apply_batchnorm:
            result.add(keras.layers.BatchNormalization())
        result.add(keras.layers.LeakyReLU())
        return result

    def upsample(filters, size, apply_dropout=False):
        initializer = keras.initializers.RandomNormal(0.0, 0.02)
        result = keras.Sequential()
        result.add(
            keras.layers.Conv2DTranspose(
                filters,
                size,
                strides=2,
                padding="same",
                kernel_initializer=initializer,
                use_bias=False,
            )
        )
        result.add(keras.layers.BatchNormalization())
        if apply_dropout:
            result.add(keras.layers.Dropout(0.5))
        result.add(keras.layers.ReLU())
        return result

    inputs = keras.layers.Input(shape=[256, 256, 3])
    down_stack = [downsample(4, 4, apply_batchnorm=False), downsample(8, 4)]
    down_stack += [downsample(16, 4)] + [downsample(32, 4) for _ in range(5)]
    up_stack = [upsample(32, 4, apply_dropout=True) for _ in range(3)]
    up_stack += [upsample(32, 4), upsample(16, 4), upsample(8, 4), upsample(4, 4)]
    last = keras.layers.Conv2DTranspose(
        3,
        4,
        strides=2,
        padding="same",
        kernel_initializer=keras.initializers.RandomNormal(0.0, 0.02),
        activation="tanh",
    )
    x = inputs
    skips = []
    for down in down_stack:
        x = down(x)
        skips.append(x)
    skips = reversed(skips[:-1])
    for up, skip in zip(up_stack, skips, strict=True):
        x = up(x)
        x = keras.layers.Concatenate()([x, skip])
    x = last(x)
    return keras.Model(inputs=inputs, outputs=x)
