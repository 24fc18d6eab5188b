"""BatchNormalization on the last axis after channels-first convolutions.

The bug: with Theano's `dim_ordering="th"` (channels first), the default
`BatchNormalization(axis=-1)` normalizes along the image width instead of
the channels; fchollet's answer is `axis=1` for such convolutions.
Transcribed: a small channels-first Conv2D -> BN -> ReLU stack in Keras 3
(`data_format="channels_first"` is today's `dim_ordering="th"`; sizes
illustrative); the fix sets `axis=1`.
"""

SOURCE = "https://github.com/keras-team/keras/issues/1921"
RULE = "KO111"


def _build(axis: int):
    import keras

    return keras.Sequential(
        [
            keras.Input((3, 32, 32)),
            keras.layers.Conv2D(32, 3, data_format="channels_first", name="conv1"),
            keras.layers.BatchNormalization(axis=axis, name="bn1"),
            keras.layers.Activation("relu", name="relu1"),
            keras.layers.Conv2D(32, 3, data_format="channels_first", name="conv2"),
            keras.layers.BatchNormalization(axis=axis, name="bn2"),
            keras.layers.Activation("relu", name="relu2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(10, activation="softmax", name="probs"),
        ]
    )


def build_buggy():
    return _build(axis=-1)


def build_fixed():
    return _build(axis=1)
