"""keras.applications' InceptionV3 applied BatchNormalization after the ReLU.

The report: `conv2d_bn` in `keras/applications/inception_v3.py` built
`Convolution2D(..., activation='relu')` followed by
`BatchNormalization(axis=bn_axis)`, while the TensorFlow (slim), Caffe and
MXNet Inception-v3 put BN before the ReLU, as the BN paper does. Keras 2
rewrote `conv2d_bn` as Conv2D(use_bias=False) -> BatchNormalization(
scale=False) -> Activation('relu'). Transcribed: InceptionV3's stem on a
(299, 299, 3) channels-last image (conv2d_bn 32 3x3 stride 2 valid, 32 3x3
valid, 64 3x3 same, MaxPooling 3x3 stride 2, 80 1x1 valid, 192 3x3 valid,
MaxPooling 3x3 stride 2) and its head (global average pooling, Dense(1000,
softmax)); the fix is the Keras 2 `conv2d_bn`.
"""

SOURCE = "https://github.com/keras-team/keras/issues/4618"
RULE = "KO102"


def _build(fixed: bool):
    import keras
    from keras import layers

    def conv2d_bn(x, filters, size, strides=(1, 1), padding="same", name=None):
        if fixed:
            x = layers.Conv2D(
                filters,
                size,
                strides=strides,
                padding=padding,
                use_bias=False,
                name=f"{name}_conv",
            )(x)
            x = layers.BatchNormalization(axis=3, scale=False, name=f"{name}_bn")(x)
            return layers.Activation("relu", name=name)(x)
        x = layers.Conv2D(
            filters,
            size,
            strides=strides,
            padding=padding,
            activation="relu",
            name=f"{name}_conv",
        )(x)
        return layers.BatchNormalization(axis=3, name=f"{name}_bn")(x)

    img_input = keras.Input((299, 299, 3), name="image")
    x = conv2d_bn(img_input, 32, 3, strides=(2, 2), padding="valid", name="c1")
    x = conv2d_bn(x, 32, 3, padding="valid", name="c2")
    x = conv2d_bn(x, 64, 3, name="c3")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), name="pool1")(x)
    x = conv2d_bn(x, 80, 1, padding="valid", name="c4")
    x = conv2d_bn(x, 192, 3, padding="valid", name="c5")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), name="pool2")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(1000, activation="softmax", name="predictions")(x)
    model = keras.Model(img_input, outputs, name="inception_v3_stem")
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
    return model


def build_buggy():
    return _build(fixed=False)


def build_fixed():
    return _build(fixed=True)
