"""Iris species coded 1 to 3 for 3 softmax units: "label value of 3".

The report (R keras): iris with `sparse_categorical_crossentropy` and an
output layer of 3 units, one per species; the labels are the species'
factor codes, 1 to 3, and TensorFlow raises "Received a label value of 3
which is outside the valid range of [0, 3)" (on GPU it would train on NaN
instead). Transcribed in Python: 150 iris-like samples of 4 measurements in
centimetres, a Dense(8, relu) hidden layer (the report's hidden layers are
cut from its excerpt) and Dense(3, softmax); the fix subtracts 1 from the
codes, so the species are 0 to 2.
"""

SOURCE = "https://github.com/rstudio/keras3/issues/465"
RULE = "KO301"


def _build(first_code: int):
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    species = np.arange(150) % 3
    centres = np.array(
        [[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]]
    )
    x = (centres[species] + rng.normal(0, 0.3, size=(150, 4))).astype("float32")
    y = species + first_code
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer="adam",
        metrics=["accuracy"],
    )
    return model, x, y, 8 * 4


def build_buggy():
    return _build(first_code=1)


def build_fixed():
    return _build(first_code=0)
