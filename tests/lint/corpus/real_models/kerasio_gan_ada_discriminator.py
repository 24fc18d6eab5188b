# ruff: noqa: E501
"""keras-io "Data-efficient GANs with Adaptive Discriminator Augmentation": the DCGAN discriminator, four strided Conv2D(use_bias=False) -> BatchNormalization(scale=False) -> LeakyReLU(0.2) stages, then Flatten -> Dropout(0.4) -> Dense(1) logit.

Source: https://github.com/keras-team/keras-io/blob/0292f0df2d6ab6064e3058140898363d8245dae7/examples/generative/gan_ada.py (Apache-2.0).
Transcribed: `get_discriminator()` unchanged with the source's depth 4,
kernel 4, strides 2, leaky_relu_slope 0.2 and dropout_rate 0.4
(`LeakyReLU(alpha=...)` is Keras 3's `negative_slope`). Shrunk for CPU
speed: 32x32 images and width 32 (the source: 64x64 and 128). The source
trains it inside `GAN_ADA` with Adam(2e-4, beta_1=0.5) and a
non-saturating binary cross-entropy on the logits (`from_logits=True`); it
is compiled here with that optimizer and loss.
"""

SOURCE = "https://github.com/keras-team/keras-io/blob/0292f0df2d6ab6064e3058140898363d8245dae7/examples/generative/gan_ada.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing to report: bias-free convolutions feed BNs that feed LeakyReLUs
# (the textbook order), the one Dropout sits after Flatten and feeds the
# output Dense, and the logit output is trained with from_logits=True.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras
    from keras import layers

    image_size = 32
    width = 32
    depth = 4
    leaky_relu_slope = 0.2
    dropout_rate = 0.4
    learning_rate = 2e-4
    beta_1 = 0.5

    def get_discriminator():
        image_input = keras.Input(shape=(image_size, image_size, 3))
        x = image_input
        for _ in range(depth):
            x = layers.Conv2D(
                width,
                kernel_size=4,
                strides=2,
                padding="same",
                use_bias=False,
            )(x)
            x = layers.BatchNormalization(scale=False)(x)
            x = layers.LeakyReLU(negative_slope=leaky_relu_slope)(x)
        x = layers.Flatten()(x)
        x = layers.Dropout(dropout_rate)(x)
        output_score = layers.Dense(1)(x)

        return keras.Model(image_input, output_score, name="discriminator")

    model = get_discriminator()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, beta_1),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    return model
