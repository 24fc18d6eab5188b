"""DefogGAN: channels-first Conv2D followed by `BatchNormalization(axis=-1)`.

The bug: the generator's `Conv2D(depth * 2, (3, 3), activation='relu',
padding='same', data_format='channels_first')` feeds
`BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001, ...)`; the report
and the reply agree the axis must be 1. Transcribed: those two layers as
quoted, on a channels-first input (depth and input size illustrative), then
a 1x1 convolution; the fix sets `axis=1`.
"""

SOURCE = "https://github.com/TeamSAIDA/DefogGAN/issues/1"
RULE = "KO111"


def _build(axis: int):
    import keras

    depth = 32
    inputs = keras.Input((66, 32, 32), name="img_input")
    x = keras.layers.Conv2D(
        depth * 2,
        (3, 3),
        strides=(1, 1),
        activation="relu",
        padding="same",
        data_format="channels_first",
        name="conv",
    )(inputs)
    x = keras.layers.BatchNormalization(
        axis=axis, momentum=0.99, epsilon=0.001, center=True, scale=True, name="bn"
    )(x)
    x = keras.layers.Conv2D(
        1, 1, data_format="channels_first", activation="relu", name="out"
    )(x)
    return keras.Model(inputs, x, name="defoggan_block")


def build_buggy():
    return _build(axis=-1)


def build_fixed():
    return _build(axis=1)
