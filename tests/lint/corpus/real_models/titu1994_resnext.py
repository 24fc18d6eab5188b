# ruff: noqa: E501, N806
"""titu1994/Keras-ResNeXt: a ResNeXt for CIFAR-10 written by hand, a Conv2D(64) -> BN -> relu stem, bottleneck blocks whose grouped convolution is `cardinality` parallel paths of 1x1 conv -> BN -> relu -> 3x3 conv -> BN -> relu concatenated, a 1x1 conv -> BN, a projection shortcut (1x1 conv -> BN) where the width changes, Add -> relu, then GlobalAveragePooling2D and a bias-free softmax Dense; every conv bias-free, he_normal, L2(5e-4).

Source: https://github.com/titu1994/Keras-ResNeXt/blob/001ede18fc1496efd3fe56241f29554025333905/resnext.py (MIT).
Transcribed: `__initial_conv_block()`, `__grouped_convolution_block()`,
`__bottleneck_block()` and `__create_res_next()` unchanged in layer order
and settings (channels last; `init._keras_shape[-1]` is `init.shape[-1]`),
compiled as in the repository's cifar10.py with categorical cross-entropy
and Adam(1e-3). Shrunk for CPU speed: depth [1, 1, 1] (one bottleneck per
stage), cardinality 4 and width 4 (cifar10.py: depth 29, cardinality 8,
width 16).
"""

SOURCE = "https://github.com/titu1994/Keras-ResNeXt/blob/001ede18fc1496efd3fe56241f29554025333905/resnext.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing to report: every convolution is bias-free and feeds its BN, every
# BN feeds a relu or the residual Add, no dropout, softmax with categorical
# cross-entropy.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    from keras.layers import (
        Activation,
        BatchNormalization,
        Conv2D,
        Dense,
        GlobalAveragePooling2D,
        Input,
        add,
        concatenate,
    )
    from keras.models import Model
    from keras.optimizers import Adam
    from keras.regularizers import l2

    channel_axis = -1

    def initial_conv_block(input, weight_decay):
        x = Conv2D(
            64,
            (3, 3),
            padding="same",
            use_bias=False,
            kernel_initializer="he_normal",
            kernel_regularizer=l2(weight_decay),
        )(input)
        x = BatchNormalization(axis=channel_axis)(x)
        x = Activation("relu")(x)
        return x

    def grouped_convolution_block(
        input, grouped_channels, cardinality, strides, weight_decay
    ):
        init = input
        group_list = []
        for _c in range(cardinality):
            x = Conv2D(
                grouped_channels,
                (1, 1),
                padding="same",
                use_bias=False,
                kernel_initializer="he_normal",
                kernel_regularizer=l2(weight_decay),
            )(init)
            x = BatchNormalization(axis=channel_axis)(x)
            x = Activation("relu")(x)

            x = Conv2D(
                grouped_channels,
                (3, 3),
                padding="same",
                use_bias=False,
                strides=(strides, strides),
                kernel_initializer="he_normal",
                kernel_regularizer=l2(weight_decay),
            )(x)
            x = BatchNormalization(axis=channel_axis)(x)
            x = Activation("relu")(x)

            group_list.append(x)

        return concatenate(group_list, axis=channel_axis)

    def bottleneck_block(
        input, filters=64, cardinality=8, width=4, strides=1, weight_decay=5e-4
    ):
        init = input
        grouped_channels = int(filters * (width / 64))

        if init.shape[-1] != grouped_channels * 4:
            init = Conv2D(
                grouped_channels * 4,
                (1, 1),
                activation="linear",
                padding="same",
                strides=(strides, strides),
                use_bias=False,
                kernel_initializer="he_normal",
                kernel_regularizer=l2(weight_decay),
            )(init)
            init = BatchNormalization(axis=channel_axis)(init)

        x = grouped_convolution_block(
            input, grouped_channels, cardinality, strides, weight_decay
        )

        x = Conv2D(
            grouped_channels * 4,
            (1, 1),
            padding="same",
            use_bias=False,
            kernel_initializer="he_normal",
            kernel_regularizer=l2(weight_decay),
        )(x)
        x = BatchNormalization(axis=channel_axis)(x)

        x = add([init, x])
        x = Activation("relu")(x)
        return x

    def create_res_next(
        nb_classes,
        img_input,
        include_top,
        depth=29,
        cardinality=8,
        width=4,
        weight_decay=5e-4,
    ):
        if type(depth) is list or type(depth) is tuple:
            N = list(depth)
        else:
            N = [(depth - 2) // 9 for _ in range(3)]

        filters = 64
        filters_list = []
        for _i in range(len(N)):
            filters_list.append(filters)
            filters *= 2

        x = initial_conv_block(img_input, weight_decay)

        for _i in range(N[0]):
            x = bottleneck_block(
                x,
                filters_list[0],
                cardinality,
                width,
                strides=1,
                weight_decay=weight_decay,
            )

        N = N[1:]
        filters_list = filters_list[1:]

        for block_idx, n_i in enumerate(N):
            for i in range(n_i):
                x = bottleneck_block(
                    x,
                    filters_list[block_idx],
                    cardinality,
                    width,
                    strides=2 if i == 0 else 1,
                    weight_decay=weight_decay,
                )

        x = GlobalAveragePooling2D()(x)

        if include_top:
            x = Dense(
                nb_classes,
                use_bias=False,
                kernel_regularizer=l2(weight_decay),
                kernel_initializer="he_normal",
                activation="softmax",
            )(x)

        return x

    img_input = Input(shape=(32, 32, 3))
    x = create_res_next(
        10, img_input, include_top=True, depth=[1, 1, 1], cardinality=4, width=4
    )
    model = Model(img_input, x, name="resnext")
    model.compile(
        loss="categorical_crossentropy",
        optimizer=Adam(learning_rate=1e-3),
        metrics=["accuracy"],
    )
    return model
