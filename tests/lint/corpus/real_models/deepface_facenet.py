# ruff: noqa: E501
"""serengil/deepface FaceNet: Inception-ResNet-v1 (David Sandberg's facenet) in Keras: a Conv2D(use_bias=False) -> BN(momentum=0.995, epsilon=0.001, scale=False) -> relu stem with a 3x3/2 max pooling, 5 Block35, Mixed_6a, 10 Block17, Mixed_7a and 6 Block8 residual blocks (the branches concatenated, a biased 1x1 Conv2D scaled by a Lambda and added to the trunk), global average pooling, Dropout(1.0 - 0.8), a bias-free Dense(128) bottleneck and a BN as the embedding.

Source: https://github.com/serengil/deepface/blob/0b22c5482de9ae58d51f50359fd8fa23e459e0ca/deepface/basemodels/Facenet.py (MIT).
Transcribed: `InceptionResNetV2(dimension=128)` (the library's name for
Inception-ResNet-v1) without the weight download (`weights=None`). The
source unrolls every block by hand; they are loops here, with the same
layers, kernel shapes, strides, paddings, BN settings, Lambda scales (0.17,
0.1, 0.2, and 1 with no activation for the last Block8) and the
`Dropout(1.0 - 0.8)` (a keep probability of 0.8 correctly turned into a
rate of 0.2) as in the source; layer names follow the source's pattern
(its copy-paste numbering of Block17 / Block8 branches is not kept).
Shrunk for CPU speed: every filter count divided by 4 (the residual widths
256 / 896 / 1792 become 64 / 224 / 448); the 160x160 input and the
128-dimensional embedding are kept. The library does not compile the
model; neither does this file.
"""

SOURCE = "https://github.com/serengil/deepface/blob/0b22c5482de9ae58d51f50359fd8fa23e459e0ca/deepface/basemodels/Facenet.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Every convolution before a BN has use_bias=False; the biased 1x1 "up"
# convolutions feed a Lambda and a residual Add, not a BN. The max poolings
# of Mixed_6a and Mixed_7a read a trunk relu that also feeds the conv
# branches (not their only consumer). Dropout(0.2) reaches the embedding BN
# only through the Bottleneck Dense: a weight layer in between, so not
# KO101 (the opt-in KO120 reports it as info).
EXPECTED: dict[str, int] = {"KO104": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Conv2d_2b_3x3_Activation (relu) feeds only MaxPool_3a_3x3 (3x3, "
    "stride 2): pooling first gives the same output with less relu work (info).",
}


def build():
    from keras.layers import (
        Activation,
        BatchNormalization,
        Concatenate,
        Conv2D,
        Dense,
        Dropout,
        GlobalAveragePooling2D,
        Input,
        Lambda,
        MaxPooling2D,
        add,
    )
    from keras.models import Model

    def scaling(x, scale):
        return x * scale

    def conv_bn(x, filters, kernel, strides=1, padding="same", name=""):
        x = Conv2D(
            filters, kernel, strides=strides, padding=padding, use_bias=False, name=name
        )(x)
        x = BatchNormalization(
            axis=3, momentum=0.995, epsilon=0.001, scale=False, name=name + "_BatchNorm"
        )(x)
        return Activation("relu", name=name + "_Activation")(x)

    def residual(x, branches, width, scale, name, activation=True):
        mixed = Concatenate(axis=3, name=name + "_Concatenate")(branches)
        up = Conv2D(
            width,
            1,
            strides=1,
            padding="same",
            use_bias=True,
            name=name + "_Conv2d_1x1",
        )(mixed)
        up = Lambda(scaling, output_shape=up.shape[1:], arguments={"scale": scale})(up)
        x = add([x, up])
        if activation:
            x = Activation("relu", name=name + "_Activation")(x)
        return x

    dimension = 128
    inputs = Input(shape=(160, 160, 3))
    x = conv_bn(inputs, 8, 3, strides=2, padding="valid", name="Conv2d_1a_3x3")
    x = conv_bn(x, 8, 3, strides=1, padding="valid", name="Conv2d_2a_3x3")
    x = conv_bn(x, 16, 3, strides=1, padding="same", name="Conv2d_2b_3x3")
    x = MaxPooling2D(3, strides=2, name="MaxPool_3a_3x3")(x)
    x = conv_bn(x, 20, 1, strides=1, padding="valid", name="Conv2d_3b_1x1")
    x = conv_bn(x, 48, 3, strides=1, padding="valid", name="Conv2d_4a_3x3")
    x = conv_bn(x, 64, 3, strides=2, padding="valid", name="Conv2d_4b_3x3")

    # 5x Block35 (Inception-ResNet-A block)
    for i in range(1, 6):
        n = f"Block35_{i}"
        branch_0 = conv_bn(x, 8, 1, name=n + "_Branch_0_Conv2d_1x1")
        branch_1 = conv_bn(x, 8, 1, name=n + "_Branch_1_Conv2d_0a_1x1")
        branch_1 = conv_bn(branch_1, 8, 3, name=n + "_Branch_1_Conv2d_0b_3x3")
        branch_2 = conv_bn(x, 8, 1, name=n + "_Branch_2_Conv2d_0a_1x1")
        branch_2 = conv_bn(branch_2, 8, 3, name=n + "_Branch_2_Conv2d_0b_3x3")
        branch_2 = conv_bn(branch_2, 8, 3, name=n + "_Branch_2_Conv2d_0c_3x3")
        x = residual(x, [branch_0, branch_1, branch_2], 64, 0.17, n)

    # Mixed 6a (Reduction-A block)
    branch_0 = conv_bn(
        x, 96, 3, strides=2, padding="valid", name="Mixed_6a_Branch_0_Conv2d_1a_3x3"
    )
    branch_1 = conv_bn(x, 48, 1, name="Mixed_6a_Branch_1_Conv2d_0a_1x1")
    branch_1 = conv_bn(branch_1, 48, 3, name="Mixed_6a_Branch_1_Conv2d_0b_3x3")
    branch_1 = conv_bn(
        branch_1,
        64,
        3,
        strides=2,
        padding="valid",
        name="Mixed_6a_Branch_1_Conv2d_1a_3x3",
    )
    branch_pool = MaxPooling2D(
        3, strides=2, padding="valid", name="Mixed_6a_Branch_2_MaxPool_1a_3x3"
    )(x)
    x = Concatenate(axis=3, name="Mixed_6a")([branch_0, branch_1, branch_pool])

    # 10x Block17 (Inception-ResNet-B block)
    for i in range(1, 11):
        n = f"Block17_{i}"
        branch_0 = conv_bn(x, 32, 1, name=n + "_Branch_0_Conv2d_1x1")
        branch_1 = conv_bn(x, 32, 1, name=n + "_Branch_1_Conv2d_0a_1x1")
        branch_1 = conv_bn(branch_1, 32, [1, 7], name=n + "_Branch_1_Conv2d_0b_1x7")
        branch_1 = conv_bn(branch_1, 32, [7, 1], name=n + "_Branch_1_Conv2d_0c_7x1")
        x = residual(x, [branch_0, branch_1], 224, 0.1, n)

    # Mixed 7a (Reduction-B block)
    branch_0 = conv_bn(x, 64, 1, name="Mixed_7a_Branch_0_Conv2d_0a_1x1")
    branch_0 = conv_bn(
        branch_0,
        96,
        3,
        strides=2,
        padding="valid",
        name="Mixed_7a_Branch_0_Conv2d_1a_3x3",
    )
    branch_1 = conv_bn(x, 64, 1, name="Mixed_7a_Branch_1_Conv2d_0a_1x1")
    branch_1 = conv_bn(
        branch_1,
        64,
        3,
        strides=2,
        padding="valid",
        name="Mixed_7a_Branch_1_Conv2d_1a_3x3",
    )
    branch_2 = conv_bn(x, 64, 1, name="Mixed_7a_Branch_2_Conv2d_0a_1x1")
    branch_2 = conv_bn(branch_2, 64, 3, name="Mixed_7a_Branch_2_Conv2d_0b_3x3")
    branch_2 = conv_bn(
        branch_2,
        64,
        3,
        strides=2,
        padding="valid",
        name="Mixed_7a_Branch_2_Conv2d_1a_3x3",
    )
    branch_pool = MaxPooling2D(
        3, strides=2, padding="valid", name="Mixed_7a_Branch_3_MaxPool_1a_3x3"
    )(x)
    x = Concatenate(axis=3, name="Mixed_7a")(
        [branch_0, branch_1, branch_2, branch_pool]
    )

    # 5x Block8 (Inception-ResNet-C block), then a sixth without activation
    for i in range(1, 7):
        n = f"Block8_{i}"
        branch_0 = conv_bn(x, 48, 1, name=n + "_Branch_0_Conv2d_1x1")
        branch_1 = conv_bn(x, 48, 1, name=n + "_Branch_1_Conv2d_0a_1x1")
        branch_1 = conv_bn(branch_1, 48, [1, 3], name=n + "_Branch_1_Conv2d_0b_1x3")
        branch_1 = conv_bn(branch_1, 48, [3, 1], name=n + "_Branch_1_Conv2d_0c_3x1")
        last = i == 6
        x = residual(
            x, [branch_0, branch_1], 448, 1 if last else 0.2, n, activation=not last
        )

    # Classification block
    x = GlobalAveragePooling2D(name="AvgPool")(x)
    x = Dropout(1.0 - 0.8, name="Dropout")(x)
    x = Dense(dimension, use_bias=False, name="Bottleneck")(x)
    x = BatchNormalization(
        momentum=0.995, epsilon=0.001, scale=False, name="Bottleneck_BatchNorm"
    )(x)
    return Model(inputs, x, name="inception_resnet_v1")
