# ruff: noqa: E501
"""keras-team/keras#6599 "Problem of BatchNormalization during testing": four Conv2D -> BatchNormalization -> LeakyReLU(0.1) stages with MaxPool2D between, a 15x15 AveragePooling2D, Reshape and a Dense(500, relu) -> Dense(1, sigmoid) head.

Source: https://github.com/keras-team/keras/issues/6599
Transcribed: the issue's `network()` in Keras 3 spelling (a 120x120x3 Input
instead of `InputLayer(input_tensor=...)`, `keras.layers.LeakyReLU` for
`advanced_activations.LeakyReLU`); the issue's training code is cut before
its compile call, so it is compiled here with binary cross-entropy for the
binary task it describes. The poor results the issue reports come from
testing with batch size 1, not from the layer order.
"""

SOURCE = "https://github.com/keras-team/keras/issues/6599"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 3, "KO106": 4}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The first three LeakyReLUs feed only a 2x2 MaxPool2D: pooling "
    "first gives the same output with the activation on 4x fewer values "
    "(info).",
    "KO106": "All four Conv2D layers keep use_bias=True and feed only a BN, "
    "which cancels the bias (info).",
}


def build():
    import keras
    import keras.layers as kl

    model = keras.models.Sequential()
    model.add(keras.Input(shape=(120, 120, 3)))

    def c_b_l(num):
        model.add(kl.Conv2D(num, (3, 3), padding="same"))
        model.add(kl.BatchNormalization())
        model.add(kl.LeakyReLU(0.1))

    c_b_l(32)
    model.add(kl.MaxPool2D())
    c_b_l(32)
    model.add(kl.MaxPool2D())
    c_b_l(64)
    model.add(kl.MaxPool2D())
    c_b_l(96)
    model.add(kl.AveragePooling2D((15, 15)))
    model.add(kl.Reshape([96]))
    model.add(kl.Dense(500, activation=keras.activations.relu))
    model.add(kl.Dense(1, activation=keras.activations.sigmoid))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model
