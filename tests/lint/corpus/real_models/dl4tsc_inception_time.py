# ruff: noqa: E501
"""hfawaz/dl-4-tsc InceptionTime (Fawaz et al. 2020): six inception modules, each a linear bias-free 1x1 bottleneck Conv1D feeding three bias-free Conv1D of kernels 40 / 20 / 10 next to a MaxPool1D(3, stride 1, same) -> 1x1 Conv1D branch, concatenated -> BN -> relu; a bias-free 1x1 Conv1D -> BN shortcut added every third module, relu after the sum; GlobalAveragePooling1D and a softmax Dense.

Source: https://github.com/hfawaz/dl-4-tsc/blob/21b8ac2f2e570aa730835b32f714c837583373aa/classifiers/inception.py (GPL-3.0).
Transcribed: `_inception_module()`, `_shortcut_layer()` and `build_model()`
unchanged with the class defaults (nb_filters 32, bottleneck_size 32,
depth 6, use_residual and use_bottleneck True, kernel_size 41 - 1 = 40,
activation 'linear' inside the module), compiled as in the source with
categorical cross-entropy and Adam(0.001). Input: a univariate series of
128 steps and 5 classes (the source takes both from its UCR dataset);
callbacks left out.
"""

SOURCE = "https://github.com/hfawaz/dl-4-tsc/blob/21b8ac2f2e570aa730835b32f714c837583373aa/classifiers/inception.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Nothing to report. The linear 1x1 bottleneck feeds wide (k = 40 / 20 / 10)
# convolutions, a deliberate low-rank bottleneck, not a missing
# nonlinearity into a pointwise layer. The max pooling (stride 1, same) keeps
# the size and its input also feeds the bottleneck: no activation-before-
# pooling saving. All convolutions are bias-free before the BNs.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    import keras

    input_shape = (128, 1)
    nb_classes = 5
    nb_filters = 32
    use_residual = True
    use_bottleneck = True
    depth = 6
    kernel_size = 41 - 1
    bottleneck_size = 32
    lr = 0.001

    def _inception_module(input_tensor, stride=1, activation="linear"):
        if use_bottleneck and int(input_tensor.shape[-1]) > bottleneck_size:
            input_inception = keras.layers.Conv1D(
                filters=bottleneck_size,
                kernel_size=1,
                padding="same",
                activation=activation,
                use_bias=False,
            )(input_tensor)
        else:
            input_inception = input_tensor

        kernel_size_s = [kernel_size // (2**i) for i in range(3)]

        conv_list = []
        for i in range(len(kernel_size_s)):
            conv_list.append(
                keras.layers.Conv1D(
                    filters=nb_filters,
                    kernel_size=kernel_size_s[i],
                    strides=stride,
                    padding="same",
                    activation=activation,
                    use_bias=False,
                )(input_inception)
            )

        max_pool_1 = keras.layers.MaxPool1D(
            pool_size=3, strides=stride, padding="same"
        )(input_tensor)

        conv_6 = keras.layers.Conv1D(
            filters=nb_filters,
            kernel_size=1,
            padding="same",
            activation=activation,
            use_bias=False,
        )(max_pool_1)

        conv_list.append(conv_6)

        x = keras.layers.Concatenate(axis=2)(conv_list)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation(activation="relu")(x)
        return x

    def _shortcut_layer(input_tensor, out_tensor):
        shortcut_y = keras.layers.Conv1D(
            filters=int(out_tensor.shape[-1]),
            kernel_size=1,
            padding="same",
            use_bias=False,
        )(input_tensor)
        shortcut_y = keras.layers.BatchNormalization()(shortcut_y)

        x = keras.layers.Add()([shortcut_y, out_tensor])
        x = keras.layers.Activation("relu")(x)
        return x

    input_layer = keras.layers.Input(input_shape)

    x = input_layer
    input_res = input_layer

    for d in range(depth):
        x = _inception_module(x)

        if use_residual and d % 3 == 2:
            x = _shortcut_layer(input_res, x)
            input_res = x

    gap_layer = keras.layers.GlobalAveragePooling1D()(x)

    output_layer = keras.layers.Dense(nb_classes, activation="softmax")(gap_layer)

    model = keras.models.Model(inputs=input_layer, outputs=output_layer)

    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(lr),
        metrics=["accuracy"],
    )
    return model
