# ruff: noqa: E501
"""Keras 2 example ResNet v2 (ResNet20v2): pre-activation bottleneck units BN -> relu -> Conv2D with biased convs, identity and projection shortcuts.

Source: https://github.com/keras-team/keras/blob/08f8f0a74954dfeb45fe05df644290217e9fe646/examples/cifar10_resnet.py (MIT).
Transcribed: `resnet_v2(input_shape=(32, 32, 3), depth=20)` (2 bottleneck
units per stage) with `resnet_layer` as in the source; `keras.layers.Add([x,
y])` written `keras.layers.add([x, y])`; categorical cross-entropy.
"""

SOURCE = "https://github.com/keras-team/keras/blob/08f8f0a74954dfeb45fe05df644290217e9fe646/examples/cifar10_resnet.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO106": 16}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "13 biased convs feed only a BN (the stem and the first two convs of "
    "each of the 6 units); in the last stage, the projection conv and both "
    "units' last convs reach only BNs through the residual Adds (the next unit's "
    "BN and the final BN), so their biases are cancelled too. "
    "Every other last conv feeds a stream that a weight layer also reads.",
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
        conv_first=True,
    ):
        conv = Conv2D(
            num_filters,
            kernel_size=kernel_size,
            strides=strides,
            padding="same",
            kernel_initializer="he_normal",
            kernel_regularizer=l2(1e-4),
        )
        x = inputs
        if conv_first:
            x = conv(x)
            if batch_normalization:
                x = BatchNormalization()(x)
            if activation is not None:
                x = Activation(activation)(x)
        else:
            if batch_normalization:
                x = BatchNormalization()(x)
            if activation is not None:
                x = Activation(activation)(x)
            x = conv(x)
        return x

    num_filters_in, num_res_blocks = 16, 2
    inputs = Input(shape=(32, 32, 3))
    x = resnet_layer(inputs=inputs, num_filters=num_filters_in, conv_first=True)
    for stage in range(3):
        for res_block in range(num_res_blocks):
            activation, batch_normalization, strides = "relu", True, 1
            if stage == 0:
                num_filters_out = num_filters_in * 4
                if res_block == 0:
                    activation, batch_normalization = None, False
            else:
                num_filters_out = num_filters_in * 2
                if res_block == 0:
                    strides = 2
            y = resnet_layer(
                inputs=x,
                num_filters=num_filters_in,
                kernel_size=1,
                strides=strides,
                activation=activation,
                batch_normalization=batch_normalization,
                conv_first=False,
            )
            y = resnet_layer(inputs=y, num_filters=num_filters_in, conv_first=False)
            y = resnet_layer(
                inputs=y, num_filters=num_filters_out, kernel_size=1, conv_first=False
            )
            if res_block == 0:
                x = resnet_layer(
                    inputs=x,
                    num_filters=num_filters_out,
                    kernel_size=1,
                    strides=strides,
                    activation=None,
                    batch_normalization=False,
                )
            x = keras.layers.add([x, y])
        num_filters_in = num_filters_out
    x = BatchNormalization()(x)
    x = Activation("relu")(x)
    x = AveragePooling2D(pool_size=8)(x)
    y = Flatten()(x)
    outputs = Dense(10, activation="softmax", kernel_initializer="he_normal")(y)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model
