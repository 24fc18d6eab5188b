"""A LeNet on MNIST trained without `X_train /= 255`: lower accuracy.

The report: a LeNet-like network (Conv2D(20, 5, same, relu) -> MaxPool ->
Conv2D(50, 5, same, relu) -> MaxPool -> Flatten -> Dense(500, relu) ->
Dense(10, softmax)), Adam, batch 128, categorical cross-entropy on one-hot
digits; without the normalization step the accuracy drops for the same
epochs. Transcribed with channels last (the report's (1, 28, 28) input is
Theano ordering) on 128 digit-like images of 0-255 pixels; the fix divides
by 255.
"""

SOURCE = "https://stackoverflow.com/questions/48284427/why-should-we-normalize-data-for-deep-learning-in-keras"
RULE = "KO302"


def _build(scale: float):
    import keras
    import numpy as np
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(20, 5, padding="same", activation="relu"),
            layers.MaxPooling2D(2, 2),
            layers.Conv2D(50, 5, padding="same", activation="relu"),
            layers.MaxPooling2D(2, 2),
            layers.Flatten(),
            layers.Dense(500),
            layers.Activation("relu"),
            layers.Dense(10),
            layers.Activation("softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(0)
    images = np.zeros((128, 28, 28, 1), dtype="float32")
    images[:, 6:22, 8:20, :] = rng.integers(0, 256, size=(128, 16, 12, 1))
    y = keras.utils.to_categorical(np.arange(128) % 10, 10)
    return model, images * scale, y, 128


def build_buggy():
    return _build(1.0)


def build_fixed():
    return _build(1 / 255)
