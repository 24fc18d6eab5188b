"""A two-class convnet whose loss never moves: unscaled pixels.

The report: Convolution2D(32, 10x10, same) -> Flatten -> Dense(2) ->
softmax, categorical cross-entropy, SGD(lr=0.1), on grey 106x106 images
read from disk; the loss stays the same whatever the learning rate, batch
size or filters. The images are fed as read (0-255): the logits of the
360,000 flattened features start in the hundreds and the softmax
saturates, so the loss at initialization is far above log 2. Transcribed
with channels last (TensorFlow's CPU convolution has no channels-first
kernel), 64 images at batch 64 as in the report; the fix divides by 255.
"""

SOURCE = "https://github.com/keras-team/keras/issues/2711"
RULE = "KO306"
SLOW = True  # A 106x106 convnet with 360,000 flattened features.


def _build(scale: float):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((106, 106, 1)),
            keras.layers.Conv2D(32, 10, padding="same", name="conv1"),
            keras.layers.Flatten(),
            keras.layers.Dense(2, name="dense"),
            keras.layers.Activation("softmax", name="softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(64, 106, 106, 1)).astype("float32") * scale
    y = keras.utils.to_categorical(np.arange(64) % 2, 2)
    return model, x, y, 64


def build_buggy():
    return _build(1.0)


def build_fixed():
    return _build(1 / 255)
