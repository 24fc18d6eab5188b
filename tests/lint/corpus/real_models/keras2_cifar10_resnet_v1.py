# ruff: noqa: E501
"""Keras 2 example ResNet v1 (ResNet20): Conv2D -> BN -> relu stacks, projection shortcuts, relu after each addition.

Source: https://github.com/keras-team/keras/blob/08f8f0a74954dfeb45fe05df644290217e9fe646/examples/cifar10_resnet.py (MIT).
Transcribed: `resnet_v1(input_shape=(32, 32, 3), depth=20)` with
`resnet_layer` as in the source; the source's `keras.layers.Add([x, y])` is
written `keras.layers.add([x, y])` (the call the example means); compiled
with categorical cross-entropy as in the source.
"""

SOURCE = "https://github.com/keras-team/keras/blob/08f8f0a74954dfeb45fe05df644290217e9fe646/examples/cifar10_resnet.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 19}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "resnet_layer builds Conv2D with the default use_bias=True before its "
    "BN: the stem and the 2 convs of each of the 9 blocks (19) have a cancelled "
    "bias; the 2 projection convs have no BN and are rightly not reported.",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        AveragePooling2D,
        BatchNormalization,
        Conv2D,
        Dense,
        Flatten,
        Input,
    )
    from keras.regularizers import l2

    def resnet_layer(
        inputs,
        num_filters=16,
        kernel_size=3,
        strides=1,
        activation="relu",
        batch_normalization=True,
    ):
        x = Conv2D(
            num_filters,
            kernel_size=kernel_size,
            strides=strides,
            padding="same",
            kernel_initializer="he_normal",
            kernel_regularizer=l2(1e-4),
        )(inputs)
        if batch_normalization:
            x = BatchNormalization()(x)
        if activation is not None:
            x = Activation(activation)(x)
        return x

    num_filters, num_res_blocks = 16, 3
    inputs = Input(shape=(32, 32, 3))
    x = resnet_layer(inputs=inputs)
    for stack in range(3):
        for res_block in range(num_res_blocks):
            strides = 2 if stack > 0 and res_block == 0 else 1
            y = resnet_layer(inputs=x, num_filters=num_filters, strides=strides)
            y = resnet_layer(inputs=y, num_filters=num_filters, activation=None)
            if stack > 0 and res_block == 0:
                x = resnet_layer(
                    inputs=x,
                    num_filters=num_filters,
                    kernel_size=1,
                    strides=strides,
                    activation=None,
                    batch_normalization=False,
                )
            x = keras.layers.add([x, y])
            x = Activation("relu")(x)
        num_filters *= 2
    x = AveragePooling2D(pool_size=8)(x)
    y = Flatten()(x)
    outputs = Dense(10, activation="softmax", kernel_initializer="he_normal")(y)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model
