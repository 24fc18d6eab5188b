"""MNIST standardized by a Normalization adapted where border pixels are 0.

The report: `keras.layers.Normalization(axis=-1)` adapted on the flattened
MNIST training images; the pixels that are 0 in every training image get
variance 0, Keras divides them by `epsilon` instead, and the test images,
whose digits reach some of those pixels, come out of the layer with a
variance of 1.47e10. scikit-learn's `StandardScaler` uses 1 for a zero
variance. Transcribed: 512 training images of 28x28 whose 4-pixel border
is 0 and 256 test images, one in 8 of which lights one pixel of the
border's innermost row, flattened to 784 floats in 0-255; Normalization ->
Dense(128, relu) -> Dense(10, softmax) with sparse categorical
cross-entropy, run on the test images as the report runs them. The fix
gives the zero-variance pixels a variance of 1, as `StandardScaler` does.
"""

SOURCE = "https://github.com/keras-team/keras/issues/20011"
RULE = "KO302"


def _images(rng, count: int, reach_border: bool):
    """Digits: 20% of the inner 20x20 pixels lit; with `reach_border`, one
    image in 8 also lights one pixel of the ring just outside it."""
    import numpy as np

    images = np.zeros((count, 28, 28), "float32")
    lit = rng.random((count, 20, 20)) < 0.2
    images[:, 4:24, 4:24] = lit * rng.integers(1, 256, size=(count, 20, 20))
    if reach_border:
        for index in range(0, count, 8):
            images[index, 3, rng.integers(3, 25)] = rng.integers(64, 256)
    return images.reshape(count, 784)


def _build(floor_zero_variance: bool):
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    train = _images(rng, 512, reach_border=False)
    test = _images(rng, 256, reach_border=True)
    adapted = keras.layers.Normalization(axis=-1)
    adapted.adapt(train)
    normalization = adapted
    if floor_zero_variance:
        mean = keras.ops.convert_to_numpy(adapted.mean).reshape(-1)
        variance = keras.ops.convert_to_numpy(adapted.variance).reshape(-1)
        normalization = keras.layers.Normalization(
            axis=-1, mean=mean, variance=np.where(variance == 0, 1.0, variance)
        )
    model = keras.Sequential(
        [
            keras.Input((784,)),
            normalization,
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    y = np.arange(256) % 10
    return model, test, y, 32


def build_buggy():
    return _build(False)


def build_fixed():
    return _build(True)
