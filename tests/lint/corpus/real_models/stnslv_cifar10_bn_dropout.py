# ruff: noqa: E501
"""A CIFAR-10 homework CNN "model_normalize": three Conv2D(relu) -> BatchNormalization -> MaxPooling2D -> Dropout(0.2) stages, Flatten -> Dropout(0.5) -> Dense(512, relu) -> Dense(10, softmax).

Source: https://github.com/Stnslv/ML-Homeworks/blob/a46f75efeeab1301c12b595e70794223fd5f9e1e/HW2/model_normalize.ipynb
Transcribed: the notebook's Keras 2 Sequential in Keras 3 spelling (an
Input instead of `input_shape=`), compiled as in the notebook with
sparse_categorical_crossentropy and RMSprop(learning_rate=1e-4) (`lr=` in
the source), metrics left out.
"""

SOURCE = "https://github.com/Stnslv/ML-Homeworks/blob/a46f75efeeab1301c12b595e70794223fd5f9e1e/HW2/model_normalize.ipynb"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The Dropouts feed a Conv2D or the Flatten, never a BN: no KO101.
EXPECTED: dict[str, int] = {"KO102": 3, "KO108": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO102": "Each stage's BN normalizes the output of a "
    "Conv2D(activation='relu') instead of its pre-activations (info).",
    "KO108": "The last stage's Dropout(0.2) reaches Dropout(0.5) through a "
    "Flatten only: two dropouts in a row that act as one keeping 40% of the units (info).",
}


def build():
    from keras import Input, layers, models, optimizers

    model = models.Sequential()
    model.add(Input(shape=(32, 32, 3)))

    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.MaxPooling2D(2, 2))
    model.add(layers.Dropout(0.2))

    model.add(layers.Conv2D(128, (3, 3), activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.MaxPooling2D(2, 2))
    model.add(layers.Dropout(0.2))

    model.add(layers.Conv2D(256, (3, 3), activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.MaxPooling2D(2, 2))
    model.add(layers.Dropout(0.2))

    model.add(layers.Flatten())
    model.add(layers.Dropout(0.5))

    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))

    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=optimizers.RMSprop(learning_rate=1e-4),
    )
    return model
