# ruff: noqa: E501
"""TensorFlow tutorial pix2pix: the PatchGAN discriminator (input and target concatenated, downsample blocks, ZeroPadding2D -> Conv2D without bias -> BN -> LeakyReLU, one-channel logits).

Source: https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/generative/pix2pix.ipynb (Apache-2.0).
Transcribed: `Discriminator()` with its nested `downsample` Sequentials,
256x256x3 inputs as in the source, filters divided by 16. Trained with a
custom loop: not compiled.
"""

SOURCE = "https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/generative/pix2pix.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    initializer = keras.initializers.RandomNormal(0.0, 0.02)

    def downsample(filters, size, apply_batchnorm=True):
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

    inp = keras.layers.Input(shape=[256, 256, 3], name="input_image")
    tar = keras.layers.Input(shape=[256, 256, 3], name="target_image")
    x = keras.layers.concatenate([inp, tar])
    down1 = downsample(4, 4, False)(x)
    down2 = downsample(8, 4)(down1)
    down3 = downsample(16, 4)(down2)
    zero_pad1 = keras.layers.ZeroPadding2D()(down3)
    conv = keras.layers.Conv2D(
        32, 4, strides=1, kernel_initializer=initializer, use_bias=False
    )(zero_pad1)
    batchnorm1 = keras.layers.BatchNormalization()(conv)
    leaky_relu = keras.layers.LeakyReLU()(batchnorm1)
    zero_pad2 = keras.layers.ZeroPadding2D()(leaky_relu)
    last = keras.layers.Conv2D(1, 4, strides=1, kernel_initializer=initializer)(
        zero_pad2
    )
    return keras.Model(inputs=[inp, tar], outputs=last)
