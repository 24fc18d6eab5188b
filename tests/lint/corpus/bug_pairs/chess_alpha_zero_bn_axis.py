"""chess-alpha-zero: channels-first board planes with `axis=-1`.

The bug: the network's convolutions are channels first (board planes
first), but its BatchNormalization layers used `axis=-1`; the pull request
changes them to `axis=1`, "If channels first, then batch normalization
should be on the axis 1 (channel axis)". Transcribed: the input convolution
block and one residual block (Conv -> BN -> ReLU -> Conv -> BN -> Add ->
ReLU) on 18x8x8 planes, layer sizes illustrative; the fix sets `axis=1`.
"""

SOURCE = "https://github.com/Zeta36/chess-alpha-zero/pull/90"
RULE = "KO111"


def _build(axis: int):
    import keras

    conv = {"padding": "same", "data_format": "channels_first", "use_bias": False}
    inputs = keras.Input((18, 8, 8), name="planes")
    x = keras.layers.Conv2D(64, 5, name="input_conv", **conv)(inputs)
    x = keras.layers.BatchNormalization(axis=axis, name="input_bn")(x)
    x = keras.layers.Activation("relu", name="input_relu")(x)
    shortcut = x
    x = keras.layers.Conv2D(64, 3, name="res1_conv1", **conv)(x)
    x = keras.layers.BatchNormalization(axis=axis, name="res1_bn1")(x)
    x = keras.layers.Activation("relu", name="res1_relu1")(x)
    x = keras.layers.Conv2D(64, 3, name="res1_conv2", **conv)(x)
    x = keras.layers.BatchNormalization(axis=axis, name="res1_bn2")(x)
    x = keras.layers.Add(name="res1_add")([shortcut, x])
    x = keras.layers.Activation("relu", name="res1_relu2")(x)
    return keras.Model(inputs, x, name="chess_tower")


def build_buggy():
    return _build(axis=-1)


def build_fixed():
    return _build(axis=1)
