# ruff: noqa: E501
"""Stack Overflow "Why is my model overfitting after doing regularization and batchnormalization": a HAR CNN of Conv2D -> LeakyReLU -> BatchNormalization -> AveragePooling2D blocks and a Dense -> LeakyReLU -> BN head.

Source: https://stackoverflow.com/questions/58606582/why-is-my-model-overfitting-after-doing-regularization-and-batchnormalization (CC BY-SA 4.0).
Transcribed: the question's `make_dcnn_model()` unchanged (9x128x1 input,
activity regularizers, 6-class softmax); compiled with categorical
cross-entropy, which the question does not show.
"""

SOURCE = "https://stackoverflow.com/questions/58606582/why-is-my-model-overfitting-after-doing-regularization-and-batchnormalization"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO102": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "The three BNs each normalize the output of a LeakyReLU instead of "
    "the pre-activations (info).",
}


def build():
    import keras
    from keras import layers, regularizers

    model = keras.Sequential([keras.Input((9, 128, 1))])
    model.add(
        layers.Conv2D(
            5,
            (5, 5),
            padding="same",
            strides=(1, 2),
            activity_regularizer=regularizers.l1(0.001),
        )
    )
    model.add(layers.LeakyReLU())
    model.add(layers.BatchNormalization())
    model.add(layers.AveragePooling2D((4, 4), strides=(2, 4)))
    model.add(
        layers.Conv2D(
            10, (5, 5), padding="same", activity_regularizer=regularizers.l1(0.001)
        )
    )
    model.add(layers.LeakyReLU())
    model.add(layers.BatchNormalization())
    model.add(layers.AveragePooling2D((2, 2), strides=(1, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dense(50, activity_regularizer=regularizers.l1(0.001)))
    model.add(layers.LeakyReLU())
    model.add(layers.BatchNormalization())
    model.add(layers.Dense(6, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model
