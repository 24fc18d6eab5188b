# ruff: noqa: E501
"""Keras-GAN's semi-supervised GAN (SGAN) discriminator: a Sequential trunk of strided Conv2D -> LeakyReLU -> Dropout(0.25) blocks with BatchNormalization(momentum=0.8) after the dropouts, and two heads on the flattened features, a sigmoid real/fake unit and an 11-way softmax (10 digits + "fake").

Source: https://github.com/eriklindernoren/Keras-GAN/blob/41f7ba531ce27d4d338459bce0024223655a12f9/sgan/sgan.py (MIT).
Transcribed: `SGAN.build_discriminator()` as in the source (the Sequential
trunk called on a Functional input, then `Dense(1, sigmoid)` and
`Dense(num_classes + 1, softmax)`), compiled as the source compiles it:
loss ['binary_crossentropy', 'categorical_crossentropy'], loss_weights
[0.5, 0.5], Adam(0.0002, 0.5) (`beta_1` by keyword), metrics left out
(Keras 3 wants one metric list per output). LeakyReLU's `alpha` is
`negative_slope` in Keras 3.
"""

SOURCE = "https://github.com/eriklindernoren/Keras-GAN/blob/41f7ba531ce27d4d338459bce0024223655a12f9/sgan/sgan.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No KO106: the 64-filter Conv2D reaches its BN only through ZeroPadding2D
# and a LeakyReLU (an activation reads the bias), the 128-filter one through
# a LeakyReLU too. No KO110: the last Dropout is followed by Flatten and the
# two Dense heads. Both heads match their losses (sigmoid + BCE, softmax
# over 11 + CCE).
EXPECTED: dict[str, int] = {"KO101": 2, "KO102": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO101": "The second and third Dropout(0.25) feed a BatchNormalization(momentum=0.8) "
    "directly: the BN's moving variance is learnt on dropped-and-rescaled "
    "activations and is off at inference (variance shift).",
    "KO102": "Both BNs normalize LeakyReLU outputs (through the dropouts) "
    "instead of pre-activations (info, a convention).",
}


def build():
    import keras
    from keras.layers import (
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        Input,
        LeakyReLU,
        ZeroPadding2D,
    )
    from keras.models import Model, Sequential

    img_shape = (28, 28, 1)
    num_classes = 10

    model = Sequential()
    model.add(Input(shape=img_shape))
    model.add(Conv2D(32, kernel_size=3, strides=2, padding="same"))
    model.add(LeakyReLU(negative_slope=0.2))
    model.add(Dropout(0.25))
    model.add(Conv2D(64, kernel_size=3, strides=2, padding="same"))
    model.add(ZeroPadding2D(padding=((0, 1), (0, 1))))
    model.add(LeakyReLU(negative_slope=0.2))
    model.add(Dropout(0.25))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Conv2D(128, kernel_size=3, strides=2, padding="same"))
    model.add(LeakyReLU(negative_slope=0.2))
    model.add(Dropout(0.25))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Conv2D(256, kernel_size=3, strides=1, padding="same"))
    model.add(LeakyReLU(negative_slope=0.2))
    model.add(Dropout(0.25))
    model.add(Flatten())

    img = Input(shape=img_shape)
    features = model(img)
    valid = Dense(1, activation="sigmoid")(features)
    label = Dense(num_classes + 1, activation="softmax")(features)
    discriminator = Model(img, [valid, label])
    discriminator.compile(
        loss=["binary_crossentropy", "categorical_crossentropy"],
        loss_weights=[0.5, 0.5],
        optimizer=keras.optimizers.Adam(0.0002, beta_1=0.5),
    )
    return discriminator
