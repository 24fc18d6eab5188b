# ruff: noqa: E501
"""Learnable image resizer: a naive Resizing skip, Conv2D -> LeakyReLU -> Conv2D -> LeakyReLU -> BatchNormalization, a bottleneck Resizing, a residual block of bias-free conv -> BN blocks, projection and skip Adds.

Source: https://github.com/keras-team/keras-io/blob/05bb46b409a14ad675e7b2556d56a56f2bcca4c8/examples/vision/learnable_resizer.py (Apache-2.0).
Transcribed: `get_learnable_resizer(filters=16, num_res_blocks=1)` with the
source's TARGET_SIZE (150, 150), bilinear interpolation and variable-size
input; conv_block's default `activation=layers.LeakyReLU(0.2)` (one instance,
used once here) is built inside the block; the source builds the resizer as
its own model and trains it inside a DenseNet121 classifier, so the resizer
itself is not compiled.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/05bb46b409a14ad675e7b2556d56a56f2bcca4c8/examples/vision/learnable_resizer.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "The second block is Conv2D -> LeakyReLU -> BN: the BN normalizes "
    "the activation's output instead of the pre-activations (info).",
}


def build():
    import keras
    from keras import layers

    target_size, interpolation, filters = (150, 150), "bilinear", 16

    def conv_block(x, filters, kernel_size, strides, activation=True):
        x = layers.Conv2D(
            filters, kernel_size, strides, padding="same", use_bias=False
        )(x)
        x = layers.BatchNormalization()(x)
        if activation:
            x = layers.LeakyReLU(0.2)(x)
        return x

    def res_block(x):
        inputs = x
        x = conv_block(x, 16, 3, 1)
        x = conv_block(x, 16, 3, 1, activation=False)
        return layers.Add()([inputs, x])

    inputs = layers.Input(shape=[None, None, 3])
    naive_resize = layers.Resizing(*target_size, interpolation=interpolation)(inputs)
    x = layers.Conv2D(filters=filters, kernel_size=7, strides=1, padding="same")(inputs)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(filters=filters, kernel_size=1, strides=1, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.BatchNormalization()(x)
    bottleneck = layers.Resizing(*target_size, interpolation=interpolation)(x)
    x = res_block(bottleneck)
    x = layers.Conv2D(
        filters=filters, kernel_size=3, strides=1, padding="same", use_bias=False
    )(x)
    x = layers.BatchNormalization()(x)
    x = layers.Add()([bottleneck, x])
    x = layers.Conv2D(filters=3, kernel_size=7, strides=1, padding="same")(x)
    final_resize = layers.Add()([naive_resize, x])
    return keras.Model(inputs, final_resize, name="learnable_resizer")
