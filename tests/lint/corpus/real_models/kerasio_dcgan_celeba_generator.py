# ruff: noqa: E501
"""keras-io "DCGAN to generate face images", the generator: a 128-d latent vector -> Dense(8*8*128) (no activation) -> Reshape -> three Conv2DTranspose(kernel 4, strides 2) -> LeakyReLU(0.2) blocks -> Conv2D(3, 5, sigmoid).

Source: https://github.com/keras-team/keras-io/blob/cca4efba8e0b8514ae3817931696294039b3bfc9/examples/generative/dcgan_overriding_train_step.py (Apache-2.0).
Transcribed: the `generator` Sequential as in the source except the
Conv2DTranspose widths, divided by 4 (32, 64, 128 instead of 128, 256, 512)
to keep the build small; `alpha=0.2` spelled `negative_slope=0.2`. Trained
in the GAN's overridden train_step: not compiled.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/cca4efba8e0b8514ae3817931696294039b3bfc9/examples/generative/dcgan_overriding_train_step.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No BN, no dropout, no compiled loss. The Dense projection has no
# activation before the first Conv2DTranspose (two linear maps in a row,
# through a Reshape), but KO116 leaves a reshape in between and a
# non-pointwise convolution alone on purpose, so it is no finding here.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    latent_dim = 128
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(8 * 8 * 128),
            layers.Reshape((8, 8, 128)),
            layers.Conv2DTranspose(32, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(64, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    return generator
