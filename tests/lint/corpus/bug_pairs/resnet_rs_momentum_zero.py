"""ResNet-RS in keras.applications: BatchNormalization with `momentum=0.0`.

The bug: the ResNet-RS application built every BN with `bn_momentum=0.0`
(the value in tf-keras' `applications/resnet_rs.py`), so the moving
statistics are just those of the last training batch; the discussion on
keras-team/keras#16001 and the fix keras-team/keras#16726 say the momentum
must not be 0, as it harms training from scratch and fine-tuning.
Transcribed: the ResNet-RS stem (Conv -> BN -> ReLU, twice) and one
bottleneck block with projection shortcut, BN `momentum=0.0,
epsilon=1e-5`, sizes illustrative; the fix uses a nonzero momentum (here
0.99, the Keras default; the exact value of the fix is not transcribed).
"""

SOURCE = "https://github.com/keras-team/keras/pull/16726"
RULE = "KO112"


def _build(momentum: float):
    import keras

    def conv_bn_relu(x, filters, kernel, name, relu=True):
        x = keras.layers.Conv2D(
            filters, kernel, padding="same", use_bias=False, name=f"{name}_conv"
        )(x)
        x = keras.layers.BatchNormalization(
            momentum=momentum, epsilon=1e-5, name=f"{name}_batch_norm"
        )(x)
        if relu:
            x = keras.layers.Activation("relu", name=f"{name}_act")(x)
        return x

    inputs = keras.Input((32, 32, 3), name="image")
    x = conv_bn_relu(inputs, 32, 3, "stem_1")
    x = conv_bn_relu(x, 64, 3, "stem_2")
    shortcut = conv_bn_relu(x, 256, 1, "projection", relu=False)
    y = conv_bn_relu(x, 64, 1, "block_1")
    y = conv_bn_relu(y, 64, 3, "block_2")
    y = conv_bn_relu(y, 256, 1, "block_3", relu=False)
    x = keras.layers.Add(name="add")([y, shortcut])
    x = keras.layers.Activation("relu", name="output_act")(x)
    return keras.Model(inputs, x, name="resnet_rs_block")


def build_buggy():
    return _build(momentum=0.0)


def build_fixed():
    return _build(momentum=0.99)
