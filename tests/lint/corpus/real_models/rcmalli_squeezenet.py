# ruff: noqa: E501
"""rcmalli/keras-squeezenet SqueezeNet v1.1: a strided Conv2D(64) -> relu -> MaxPooling2D(3, 2) stem, eight fire modules (1x1 squeeze conv -> relu, then parallel 1x1 and 3x3 expand convs -> relu, concatenated) with max pooling after fire 3 and fire 5, then Dropout(0.5) -> Conv2D(classes, 1) -> relu -> GlobalAveragePooling2D -> softmax.

Source: https://github.com/rcmalli/keras-squeezenet/blob/19ab11bc8ba282b968fc8dc2d8bcbb4263e6f43c/keras_squeezenet/squeezenet.py (MIT).
Transcribed: `fire_module()` and `SqueezeNet(include_top=True,
weights=None)` unchanged in layer order, names and sizes (Keras 3 refuses the "/" in the
source's layer names: "fire2/squeeze1x1" is "fire2_squeeze1x1")
(`Convolution2D` is `Conv2D`, channels last). Shrunk for CPU speed: 64x64
inputs and 10 classes (the source: 227x227 and 1000). The library does
not compile the model; it is compiled here with categorical cross-entropy
and Adam, the usual pairing for its softmax head.
"""

SOURCE = "https://github.com/rcmalli/keras-squeezenet/blob/19ab11bc8ba282b968fc8dc2d8bcbb4263e6f43c/keras_squeezenet/squeezenet.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# The stem's relu feeds only pool1 (3x3, stride 2): pooling first is the
# same output for a ninth of the relu work. pool3 and pool5 pool a
# Concatenate of two relus: the same identity holds per channel, but the
# rule's scope (and its fix, a swap of two layers) is an activation
# directly before the pooling; not counted.
# The relu on conv10 before the average pooling and softmax is the paper's
# design (non-negative class scores), not a redundant activation pair.
EXPECTED: dict[str, int] = {"KO104": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "relu_conv1 feeds only MaxPooling2D pool1 (3x3, stride 2): "
    "max pooling commutes with relu, so pooling first gives the same "
    "output with less work (info).",
}


def build():
    from keras.layers import (
        Activation,
        Conv2D,
        Dropout,
        GlobalAveragePooling2D,
        Input,
        MaxPooling2D,
        concatenate,
    )
    from keras.models import Model

    sq1x1 = "squeeze1x1"
    exp1x1 = "expand1x1"
    exp3x3 = "expand3x3"
    relu = "relu_"

    def fire_module(x, fire_id, squeeze=16, expand=64):
        s_id = "fire" + str(fire_id) + "_"
        channel_axis = 3

        x = Conv2D(squeeze, (1, 1), padding="valid", name=s_id + sq1x1)(x)
        x = Activation("relu", name=s_id + relu + sq1x1)(x)

        left = Conv2D(expand, (1, 1), padding="valid", name=s_id + exp1x1)(x)
        left = Activation("relu", name=s_id + relu + exp1x1)(left)

        right = Conv2D(expand, (3, 3), padding="same", name=s_id + exp3x3)(x)
        right = Activation("relu", name=s_id + relu + exp3x3)(right)

        x = concatenate([left, right], axis=channel_axis, name=s_id + "concat")
        return x

    classes = 10
    img_input = Input(shape=(64, 64, 3))

    x = Conv2D(64, (3, 3), strides=(2, 2), padding="valid", name="conv1")(img_input)
    x = Activation("relu", name="relu_conv1")(x)
    x = MaxPooling2D(pool_size=(3, 3), strides=(2, 2), name="pool1")(x)

    x = fire_module(x, fire_id=2, squeeze=16, expand=64)
    x = fire_module(x, fire_id=3, squeeze=16, expand=64)
    x = MaxPooling2D(pool_size=(3, 3), strides=(2, 2), name="pool3")(x)

    x = fire_module(x, fire_id=4, squeeze=32, expand=128)
    x = fire_module(x, fire_id=5, squeeze=32, expand=128)
    x = MaxPooling2D(pool_size=(3, 3), strides=(2, 2), name="pool5")(x)

    x = fire_module(x, fire_id=6, squeeze=48, expand=192)
    x = fire_module(x, fire_id=7, squeeze=48, expand=192)
    x = fire_module(x, fire_id=8, squeeze=64, expand=256)
    x = fire_module(x, fire_id=9, squeeze=64, expand=256)

    x = Dropout(0.5, name="drop9")(x)

    x = Conv2D(classes, (1, 1), padding="valid", name="conv10")(x)
    x = Activation("relu", name="relu_conv10")(x)
    x = GlobalAveragePooling2D()(x)
    x = Activation("softmax", name="loss")(x)

    model = Model(img_input, x, name="squeezenet")
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model
