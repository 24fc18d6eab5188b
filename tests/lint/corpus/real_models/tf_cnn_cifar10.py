# ruff: noqa: E501
"""TensorFlow tutorial "Convolutional Neural Network (CNN)": a CIFAR-10 Conv2D/MaxPooling2D stack with a logits head.

Source: https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/images/cnn.ipynb (Apache-2.0).
Transcribed: unchanged (32x32x3 input, 32/64/64 filters, Dense(64) and a
Dense(10) logits head, SparseCategoricalCrossentropy(from_logits=True)).
"""

SOURCE = "https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/images/cnn.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Two Conv2D(activation='relu') feed only a MaxPooling2D: pooling first "
    "gives the same output with fewer relu evaluations (info).",
}


def build():
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(10),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model
