# ruff: noqa: E501
"""keras-yolo3: the Tiny YOLOv3 body (Darknet Conv2D -> BN -> LeakyReLU blocks, max poolings of stride 2 and one of stride 1 with "same" padding).

Source: https://github.com/qqwweee/keras-yolo3/blob/036cd817f789bd5e462df770f5762db1b4dd6b92/yolo3/model.py (MIT).
Transcribed: `tiny_yolo_body(Input((64, 64, 3)), num_anchors=3,
num_classes=1)` with every filter count divided by 16 (the 1x1 head convs
keep their 18 outputs); `DarknetConv2D_BN_Leaky` is Conv2D(use_bias=False,
kernel_regularizer=l2(5e-4), padding="same") -> BatchNormalization ->
LeakyReLU(0.1), as in the source. Layer order, poolings and the two-scale
head as in the source.
"""

SOURCE = "https://github.com/qqwweee/keras-yolo3/blob/036cd817f789bd5e462df770f5762db1b4dd6b92/yolo3/model.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO104": 4}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO104": "Four LeakyReLUs feed only a 2x2 max pooling of stride 2: pooling "
    "first gives the same output and applies the activation to 4x fewer values "
    "(info). The fifth also feeds the Concatenate of the second scale, so it "
    "must stay where it is. The sixth pooling has strides=1 and padding='same': its output is "
    "as large as its input, so moving the activation saves nothing and KO104 "
    "is silent there (issue 22 item 2).",
}


def build():
    import keras

    def conv_bn_leaky(x, filters, kernel):
        x = keras.layers.Conv2D(
            filters,
            kernel,
            padding="same",
            use_bias=False,
            kernel_regularizer=keras.regularizers.l2(5e-4),
        )(x)
        x = keras.layers.BatchNormalization()(x)
        return keras.layers.LeakyReLU(negative_slope=0.1)(x)

    def pool(x, strides):
        return keras.layers.MaxPooling2D(
            pool_size=(2, 2), strides=strides, padding="same"
        )(x)

    def head_conv(x):
        return keras.layers.Conv2D(
            3 * (1 + 5),
            (1, 1),
            padding="same",
            kernel_regularizer=keras.regularizers.l2(5e-4),
        )(x)

    inputs = keras.Input((64, 64, 3))
    x1 = conv_bn_leaky(inputs, 1, (3, 3))
    x1 = pool(x1, (2, 2))
    x1 = conv_bn_leaky(x1, 2, (3, 3))
    x1 = pool(x1, (2, 2))
    x1 = conv_bn_leaky(x1, 4, (3, 3))
    x1 = pool(x1, (2, 2))
    x1 = conv_bn_leaky(x1, 8, (3, 3))
    x1 = pool(x1, (2, 2))
    x1 = conv_bn_leaky(x1, 16, (3, 3))
    x2 = pool(x1, (2, 2))
    x2 = conv_bn_leaky(x2, 32, (3, 3))
    x2 = pool(x2, (1, 1))
    x2 = conv_bn_leaky(x2, 64, (3, 3))
    x2 = conv_bn_leaky(x2, 16, (1, 1))
    y1 = head_conv(conv_bn_leaky(x2, 32, (3, 3)))
    x2 = conv_bn_leaky(x2, 8, (1, 1))
    x2 = keras.layers.UpSampling2D(2)(x2)
    y2 = keras.layers.Concatenate()([x2, x1])
    y2 = head_conv(conv_bn_leaky(y2, 16, (3, 3)))
    return keras.Model(inputs, [y1, y2])
