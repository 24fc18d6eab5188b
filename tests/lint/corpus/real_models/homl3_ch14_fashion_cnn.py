# ruff: noqa: E501, N806
"""Hands-On Machine Learning, 3rd ed. (Géron), chapter 14 "CNN Architectures": the Fashion-MNIST CNN built from a `partial(Conv2D, kernel_size=3, padding="same", activation="relu", kernel_initializer="he_normal")`, Conv(64, 7) -> MaxPool -> 2 x Conv(128) -> MaxPool -> 2 x Conv(256) -> MaxPool -> Flatten -> Dense(128, relu) -> Dropout(0.5) -> Dense(64, relu) -> Dropout(0.5) -> Dense(10, softmax).

Source: https://github.com/ageron/handson-ml3/blob/e3f3f9e66d58cfa1d068a498433063a1d3fba9ef/14_deep_computer_vision_with_cnns.ipynb (Apache-2.0).
Transcribed: the `DefaultConv2D` cell unchanged (28 x 28 x 1 inputs, the
notebook scales the pixels to [0, 1]), compiled as in the next cell with
sparse categorical cross-entropy and Nadam.
"""

SOURCE = "https://github.com/ageron/handson-ml3/blob/e3f3f9e66d58cfa1d068a498433063a1d3fba9ef/14_deep_computer_vision_with_cnns.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# No BN; each Dropout feeds a Dense layer (relu or softmax after the weights,
# not directly after the dropout).
EXPECTED: dict[str, int] = {"KO104": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "The relu of Conv(64, 7), of the second Conv(128) and of the "
    "second Conv(256) each feed only a 2 x 2 MaxPool2D: pooling first gives "
    "the same output on 4x fewer values (info).",
}


def build():
    from functools import partial

    import keras

    DefaultConv2D = partial(
        keras.layers.Conv2D,
        kernel_size=3,
        padding="same",
        activation="relu",
        kernel_initializer="he_normal",
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            DefaultConv2D(filters=64, kernel_size=7),
            keras.layers.MaxPool2D(),
            DefaultConv2D(filters=128),
            DefaultConv2D(filters=128),
            keras.layers.MaxPool2D(),
            DefaultConv2D(filters=256),
            DefaultConv2D(filters=256),
            keras.layers.MaxPool2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(
                units=128, activation="relu", kernel_initializer="he_normal"
            ),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(
                units=64, activation="relu", kernel_initializer="he_normal"
            ),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(units=10, activation="softmax"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy", optimizer="nadam", metrics=["accuracy"]
    )
    return model
