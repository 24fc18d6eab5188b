# ruff: noqa: E501
"""TensorFlow tutorial "Image classification": the flowers CNN with data augmentation and Dropout (the "overfitting" version).

Source: https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/images/classification.ipynb (Apache-2.0).
Transcribed: input 32x32x3 instead of 180x180x3; the nested data_augmentation
Sequential, layer order and settings as in the source (5 classes, logits,
SparseCategoricalCrossentropy(from_logits=True)).
"""

SOURCE = "https://github.com/tensorflow/docs/blob/7c3650212740204359d4ceae481abc79345541be/site/en/tutorials/images/classification.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 3}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Three Conv2D(activation='relu') each feed only a MaxPooling2D: "
    "pooling first gives the same output for less work (info).",
}


def build():
    import keras
    from keras import layers

    size = 32
    data_augmentation = keras.Sequential(
        [
            keras.Input((size, size, 3)),
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.1),
            layers.RandomZoom(0.1),
        ]
    )
    model = keras.Sequential(
        [
            keras.Input((size, size, 3)),
            data_augmentation,
            layers.Rescaling(1.0 / 255),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(5, name="outputs"),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model
