# ruff: noqa: E501
"""Hands-On Machine Learning, 2nd ed. (Géron), chapter 11 "Alpha Dropout": a self-normalizing Fashion-MNIST MLP, Flatten -> AlphaDropout(0.2) -> Dense(300, selu, lecun_normal) -> AlphaDropout(0.2) -> Dense(100, selu, lecun_normal) -> AlphaDropout(0.2) -> Dense(10, softmax).

Source: https://github.com/ageron/handson-ml2/blob/1e2115277b50f6c584cd668fa30e3af309a5b136/11_training_deep_neural_networks.ipynb (Apache-2.0).
Transcribed: the cell of the "Alpha Dropout" section unchanged (28 x 28
inputs, which the notebook standardizes), compiled as there with sparse
categorical cross-entropy and SGD(learning_rate=0.01, momentum=0.9,
nesterov=True).
"""

SOURCE = "https://github.com/ageron/handson-ml2/blob/1e2115277b50f6c584cd668fa30e3af309a5b136/11_training_deep_neural_networks.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The SELU network drops with AlphaDropout, the dropout made for it (it keeps
# the mean and variance SELU relies on), so KO115 must stay quiet; no BN, no
# max pooling, a softmax head with a sparse categorical loss.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    model = keras.models.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.AlphaDropout(rate=0.2),
            keras.layers.Dense(
                300, activation="selu", kernel_initializer="lecun_normal"
            ),
            keras.layers.AlphaDropout(rate=0.2),
            keras.layers.Dense(
                100, activation="selu", kernel_initializer="lecun_normal"
            ),
            keras.layers.AlphaDropout(rate=0.2),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=optimizer,
        metrics=["accuracy"],
    )
    return model
