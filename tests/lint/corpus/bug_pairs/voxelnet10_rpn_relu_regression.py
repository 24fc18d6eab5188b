"""VoxelNet-tensorflow #10: the region proposal network's regression map ends in ReLU.

The bug: the RPN's last layers (the class score map and the box regression
map) apply ReLU like every other convolution, but "if you want to shrink
your anchor, you must have some negative prediction in regression"; the
maintainer fixed it (jeasinema/tf_voxelnet@a7a2729). Transcribed: a small
RPN of the same kind in Keras (Conv2D 3x3 + BN + ReLU twice on a 32x32x64
feature map) with a 1x1 regression head of 14 channels (2 anchors x 7 box
parameters) trained with a smooth-L1 (Huber) loss; the fix makes the
regression head linear. The score head is left out.
"""

SOURCE = "https://github.com/tsinghua-rll/VoxelNet-tensorflow/issues/10"
RULE = "KO205"


def _build(head_activation):
    import keras

    inputs = keras.Input((32, 32, 64), name="features")
    x = inputs
    for index in (1, 2):
        x = keras.layers.Conv2D(64, 3, padding="same", name=f"conv{index}")(x)
        x = keras.layers.BatchNormalization(name=f"bn{index}")(x)
        x = keras.layers.ReLU(name=f"relu{index}")(x)
    reg = keras.layers.Conv2D(14, 1, activation=head_activation, name="reg_map")(x)
    model = keras.Model(inputs, reg, name="rpn_regression")
    model.compile(loss=keras.losses.Huber(), optimizer="adam")
    return model


def build_buggy():
    return _build("relu")


def build_fixed():
    return _build(None)
