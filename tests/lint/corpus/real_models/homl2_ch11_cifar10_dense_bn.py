# ruff: noqa: E501
"""Hands-On Machine Learning, 2nd ed. (Géron), chapter 11 exercise 8c, the CIFAR-10 deep MLP with Batch Normalization: Flatten -> BatchNormalization, then 20 blocks of Dense(100, he_normal) -> BatchNormalization -> Activation("elu"), and a softmax Dense(10).

Source: https://github.com/ageron/handson-ml2/blob/1e2115277b50f6c584cd668fa30e3af309a5b136/11_training_deep_neural_networks.ipynb (Apache-2.0).
Transcribed: the solution cell of exercise 8c unchanged (20 hidden layers of
100 units, the Dense layers keep their default bias), compiled as there
with sparse categorical cross-entropy and Nadam(learning_rate=5e-4);
callbacks left out.
"""

SOURCE = "https://github.com/ageron/handson-ml2/blob/1e2115277b50f6c584cd668fa30e3af309a5b136/11_training_deep_neural_networks.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The BN after Flatten normalizes the input pixels (no activation before it)
# and every BN after it reads a linear Dense: the only flaw is the 20 biases
# that the BNs cancel (the book's own chapter 11 text recommends
# use_bias=False there).
EXPECTED: dict[str, int] = {"KO106": 20}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Each of the 20 hidden Dense(100) layers keeps use_bias=True "
    "and feeds only a BatchNormalization, whose mean subtraction cancels "
    "the bias (info).",
}


def build():
    import keras

    model = keras.models.Sequential()
    model.add(keras.Input(shape=(32, 32, 3)))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.BatchNormalization())
    for _ in range(20):
        model.add(keras.layers.Dense(100, kernel_initializer="he_normal"))
        model.add(keras.layers.BatchNormalization())
        model.add(keras.layers.Activation("elu"))
    model.add(keras.layers.Dense(10, activation="softmax"))

    optimizer = keras.optimizers.Nadam(learning_rate=5e-4)
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=optimizer,
        metrics=["accuracy"],
    )
    return model
