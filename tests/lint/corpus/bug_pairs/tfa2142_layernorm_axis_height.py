"""TensorFlow Addons normalizations tutorial: LayerNormalization over height.

The bug: the tutorial's LayerNormalization example puts
`LayerNormalization(axis=1, center=True, scale=True)` after a channels-last
Conv2D, so each column of each channel is normalized over the image height
alone; the pull request moved it to the channel axis, the last one.
Transcribed as in the tutorial: Reshape((28, 28, 1)) -> Conv2D(10, 3,
channels_last) -> LayerNormalization -> Flatten -> Dense(128, relu) ->
Dropout(0.2) -> Dense(10, softmax) on 28x28 MNIST images; the fix
normalizes axis 3.
"""

SOURCE = "https://github.com/tensorflow/addons/pull/2142"
RULE = "KO114"


def _build(axis: int):
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Reshape((28, 28, 1), name="reshape"),
            keras.layers.Conv2D(10, (3, 3), data_format="channels_last", name="conv2d"),
            keras.layers.LayerNormalization(
                axis=axis, center=True, scale=True, name="layer_norm"
            ),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(128, activation="relu", name="dense"),
            keras.layers.Dropout(0.2, name="dropout"),
            keras.layers.Dense(10, activation="softmax", name="dense_1"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


def build_buggy():
    return _build(axis=1)


def build_fixed():
    return _build(axis=3)
