# ruff: noqa: E501
"""WGAN-GP generator: Dense without bias -> BN -> LeakyReLU, then UpSampling2D -> Conv2D without bias -> BN -> activation blocks, tanh output cropped to 28x28.

Source: https://github.com/keras-team/keras-io/blob/0e2325b31f291531990c55fec009feee850b6ca9/examples/generative/wgan_gp.py (Apache-2.0).
Transcribed: `get_generator_model()` with widths divided by 4 (64; 32/16/1)
and noise_dim 128; layer order and settings as in the source. Trained in a
custom train_step: not compiled.
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

    def upsample_block(x, filters, activation):
        x = layers.UpSampling2D((2, 2))(x)
        x = layers.Conv2D(filters, (3, 3), padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        return activation(x)

    noise = layers.Input(shape=(128,))
    x = layers.Dense(4 * 4 * 64, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((4, 4, 64))(x)
    x = upsample_block(x, 32, layers.LeakyReLU(0.2))
    x = upsample_block(x, 16, layers.LeakyReLU(0.2))
    x = upsample_block(x, 1, layers.Activation("tanh"))
    x = layers.Cropping2D((2, 2))(x)
    return keras.models.Model(noise, x, name="generator")
