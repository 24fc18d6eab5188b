"""Images "normalized" to [0, 1] while the array was still an integer one.

The report: a two-class CNN whose loss sits at 17.27 and accuracy at 0.5;
the images had been divided by 255 in an integer array, so every pixel
became 0. Normalizing them as floats fixed training. Transcribed:
Conv2D(32, 3, relu) -> MaxPooling2D -> Flatten -> Dense(2, softmax) with
categorical cross-entropy on 64 images of 32x32x3 and one-hot labels of two
classes; the buggy data is the integer quotient (every pixel 0), the fix
the float one (pixels in [0, 1]).
"""

SOURCE = "https://github.com/keras-team/keras/issues/255"
RULE = "KO302"


def _build(as_float: bool):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(64, 32, 32, 3)).astype("int64")
    x = (pixels / 255 if as_float else pixels // 255).astype("float32")
    y = keras.utils.to_categorical(np.arange(64) % 2, 2)
    return model, x, y, 32


def build_buggy():
    return _build(False)


def build_fixed():
    return _build(True)
