"""MNIST fed as raw 0-255 floats to a small MLP: accuracy stays at 11%.

The report: the end-to-end Sequential example of a TensorFlow 2.0 book
converts the MNIST pixels to float tensors without scaling them, one-hot
encodes the labels, and trains Flatten -> Dense(100, relu) -> Dense(100,
relu) -> Dense(10, softmax) with categorical cross-entropy and plain SGD
at batch size 32; accuracy stays at about 11%, and "this is only resolved
when the inputs are scaled by 255". Transcribed as in the example, with
random 28x28 float images in 0-255 (the fix divides them by 255) and
one-hot labels of the ten digits. KO302 finds the raw pixels: floats of
height x width holding whole numbers up to 255 are 8-bit pixels cast to
float (KO306 finds the loss at init too, about 15 against log 10).
"""

SOURCE = "https://github.com/tensorflow/tensorflow/issues/32899"
RULE = "KO302"


def _build(scale: float):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        loss=keras.losses.categorical_crossentropy,
        optimizer=keras.optimizers.SGD(),
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(128, 28, 28)).astype("float32")
    x = pixels * scale
    y = keras.utils.to_categorical(np.arange(128) % 10, 10)
    return model, x, y, 32


def build_buggy():
    return _build(1.0)


def build_fixed():
    return _build(1 / 255)
