"""Residual blocks on channels-first images with the default BN axis.

The bug: the stochastic-depth ResNet used Theano's `(samples, channels,
width, height)` ordering with `BatchNormalization()` (axis -1); fchollet
pointed out it needs `axis=1`, and the author fixed it. Transcribed: one
CIFAR-style residual block (Conv -> BN -> ReLU -> Conv -> BN, identity
shortcut, Add, ReLU) in channels-first Keras 3, sizes illustrative; the fix
sets `axis=1`.
"""

SOURCE = "https://github.com/dblN/stochastic_depth_keras/issues/1"
RULE = "KO111"


def _build(axis: int):
    import keras

    inputs = keras.Input((16, 32, 32), name="image")
    conv = {"padding": "same", "data_format": "channels_first"}
    x = keras.layers.Conv2D(16, 3, name="conv_a", **conv)(inputs)
    x = keras.layers.BatchNormalization(axis=axis, name="bn_a")(x)
    x = keras.layers.Activation("relu", name="relu_a")(x)
    x = keras.layers.Conv2D(16, 3, name="conv_b", **conv)(x)
    x = keras.layers.BatchNormalization(axis=axis, name="bn_b")(x)
    x = keras.layers.Add(name="add")([x, inputs])
    x = keras.layers.Activation("relu", name="relu_out")(x)
    return keras.Model(inputs, x, name="residual_block")


def build_buggy():
    return _build(axis=-1)


def build_fixed():
    return _build(axis=1)
