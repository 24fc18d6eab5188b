"""BatchNormalization trained on batches of one: an all-zero output.

The report (TensorFlow's migration guide model): conv2d(32, 3, relu) ->
max_pooling2d(2, 1) -> flatten -> dropout(0.1) -> dense(64, relu) ->
batch_normalization -> dense(10), called on `tf.ones((1, 28, 28, 1))`:
with `training=True` the output is all zeros, with `training=False` it is
not. The answer: with a batch of 1 the batch mean of each channel is the
value itself, so BN outputs beta. Transcribed as a Keras 3 Sequential; the
fixed pair trains with batches of 32 (random images, as ones would have no
variance at all).
"""

SOURCE = "https://example-a.com/answer/67856852"  # A mirror of SO question 67856852.
RULE = "KO303"


def _build(batch_size: int):
    import keras
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D((2, 2), 1),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.BatchNormalization(name="batch_normalization"),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer="sgd",
    )
    rng = np.random.default_rng(0)
    if batch_size == 1:
        x = np.ones((1, 28, 28, 1), dtype="float32")
    else:
        x = rng.uniform(0, 1, size=(batch_size, 28, 28, 1)).astype("float32")
    y = np.arange(len(x)) % 10
    return model, x, y, batch_size


def build_buggy():
    return _build(1)


def build_fixed():
    return _build(32)
