# ruff: noqa: E501
"""WGAN-GP critic: strided Conv2D -> LeakyReLU blocks with Dropout on two of them, Flatten -> Dropout -> one linear output.

Source: https://github.com/keras-team/keras-io/blob/0e2325b31f291531990c55fec009feee850b6ca9/examples/generative/wgan_gp.py (Apache-2.0).
Transcribed: `get_discriminator_model()` with widths divided by 4
(16/32/64/128); conv_block settings and layer order as in the source. The
source trains it in a custom train_step: not compiled.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0e2325b31f291531990c55fec009feee850b6ca9/examples/generative/wgan_gp.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    def conv_block(x, filters, use_dropout):
        x = layers.Conv2D(filters, (5, 5), strides=(2, 2), padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
        if use_dropout:
            x = layers.Dropout(0.3)(x)
        return x

    img_input = layers.Input(shape=(28, 28, 1))
    x = layers.ZeroPadding2D((2, 2))(img_input)
    x = conv_block(x, 16, use_dropout=False)
    x = conv_block(x, 32, use_dropout=True)
    x = conv_block(x, 64, use_dropout=True)
    x = conv_block(x, 128, use_dropout=False)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(1)(x)
    return keras.models.Model(img_input, x, name="discriminator")
