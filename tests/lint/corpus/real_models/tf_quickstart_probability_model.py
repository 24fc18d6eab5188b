# ruff: noqa: E501
"""TensorFlow 2 quickstart for beginners: the MNIST MLP with logits, wrapped with a Softmax layer into probability_model.

Source: https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/quickstart/beginner.ipynb (Apache-2.0).
Transcribed: unchanged (Flatten -> Dense(128, relu) -> Dropout(0.2) ->
Dense(10) nested in `Sequential([model, Softmax()])`); the inner model is
compiled with SparseCategoricalCrossentropy(from_logits=True) as in the
source, the probability model is not compiled.
"""

SOURCE = "https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/quickstart/beginner.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return keras.Sequential([keras.Input((28, 28)), model, keras.layers.Softmax()])
