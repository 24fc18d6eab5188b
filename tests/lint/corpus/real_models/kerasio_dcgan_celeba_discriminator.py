# ruff: noqa: E501
"""keras-io "DCGAN to generate face images", the discriminator: three Conv2D(kernel 4, strides 2) -> LeakyReLU(0.2) blocks on 64x64x3 CelebA faces, Flatten -> Dropout(0.2) -> Dense(1, sigmoid).

Source: https://github.com/keras-team/keras-io/blob/cca4efba8e0b8514ae3817931696294039b3bfc9/examples/generative/dcgan_overriding_train_step.py (Apache-2.0).
Transcribed: the `discriminator` Sequential as in the source (widths 64,
128, 128; `alpha=0.2` spelled `negative_slope=0.2`, Keras 3's name). The
source trains it in the GAN's overridden train_step with
BinaryCrossentropy() on its sigmoid output: not compiled.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/cca4efba8e0b8514ae3817931696294039b3bfc9/examples/generative/dcgan_overriding_train_step.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing is wrong: no BN, no pooling, and the one Dropout sits before the
# output Dense, where it belongs.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    discriminator = keras.Sequential(
        [
            keras.Input(shape=(64, 64, 3)),
            layers.Conv2D(64, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )
    return discriminator
