# ruff: noqa: E501
"""Keras-GAN's MNIST DCGAN generator: Dense(128*7*7, relu) on a 100-d noise vector, Reshape, then BatchNormalization(momentum=0.8) -> UpSampling2D -> Conv2D -> relu blocks (BN after each activation) and a tanh Conv2D image, compiled on its own with binary cross-entropy.

Source: https://github.com/eriklindernoren/Keras-GAN/blob/98ec711d1bc61731b459237acd6e865fc9980f01/dcgan/dcgan.py (MIT).
Transcribed: `DCGAN.build_generator()` as in the source (the Sequential
wrapped in `Model(noise, img)`) and the source's
`self.generator.compile(loss='binary_crossentropy', optimizer=optimizer)`
with Adam(0.0002, 0.5) (`beta_1` by keyword). Sizes as in the source.
"""

SOURCE = "https://github.com/eriklindernoren/Keras-GAN/blob/98ec711d1bc61731b459237acd6e865fc9980f01/dcgan/dcgan.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No KO106: both biased Conv2D feed a relu, not the BN. No Dropout.
EXPECTED: dict[str, int] = {"KO102": 3, "KO203": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "All three BNs normalize relu outputs (the Dense's relu through the "
    "Reshape, then two Activation('relu')) instead of pre-activations (info).",
    "KO203": "The generator's tanh image in [-1, 1] is compiled with "
    "binary_crossentropy, which reads its outputs as probabilities: negative "
    "pixels are clipped to 1e-7. The source never fits the generator alone "
    "(the combined model trains it), but the compiled loss is wrong for this "
    "output.",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        BatchNormalization,
        Conv2D,
        Dense,
        Input,
        Reshape,
        UpSampling2D,
    )
    from keras.models import Model, Sequential

    noise_shape = (100,)

    model = Sequential()
    model.add(Input(shape=noise_shape))
    model.add(Dense(128 * 7 * 7, activation="relu"))
    model.add(Reshape((7, 7, 128)))
    model.add(BatchNormalization(momentum=0.8))
    model.add(UpSampling2D())
    model.add(Conv2D(128, kernel_size=3, padding="same"))
    model.add(Activation("relu"))
    model.add(BatchNormalization(momentum=0.8))
    model.add(UpSampling2D())
    model.add(Conv2D(64, kernel_size=3, padding="same"))
    model.add(Activation("relu"))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Conv2D(1, kernel_size=3, padding="same"))
    model.add(Activation("tanh"))

    noise = Input(shape=noise_shape)
    img = model(noise)
    generator = Model(noise, img)
    generator.compile(
        loss="binary_crossentropy",
        optimizer=keras.optimizers.Adam(0.0002, beta_1=0.5),
    )
    return generator
