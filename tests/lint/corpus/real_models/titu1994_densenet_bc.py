# ruff: noqa: E501
"""DenseNet-BC of titu1994/DenseNet with dropout: BN -> relu -> 1x1 conv -> Dropout -> BN -> relu -> 3x3 conv -> Dropout, concatenated features, compressing transitions.

Source: https://github.com/titu1994/DenseNet/blob/007ca3dff354744ec293640e664f098daeb4b0d9/densenet.py (no license file in the repository).
Transcribed: the repository's first `create_dense_net` (conv_block,
transition_block, dense_block) in Keras 3 names, called with nb_classes=10,
img_dim=(32, 32, 3), depth=22, growth_rate=12, bottleneck=True,
reduction=0.5, dropout_rate=0.2 (3 blocks of 3 bottleneck layers: 20 Dropout
layers); BN regularizers and layer order as in the source.
"""

SOURCE = "https://github.com/titu1994/DenseNet/blob/007ca3dff354744ec293640e664f098daeb4b0d9/densenet.py"
# A DenseNet-BC: its build takes about 1 s: its cases run with -m slow.
SLOW = True
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO101": 20, "KO105": 2}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO101": "Each of the 20 Dropout layers reaches a BN with no weight layer in "
    "between (directly, through the dense concatenations, or through a "
    "transition's average pooling): one finding per dropout, its later BNs "
    "grouped.",
    "KO105": "Each transition applies elementwise Dropout right before "
    "AveragePooling2D: the 2x2 average smooths the noise away (info).",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        AveragePooling2D,
        BatchNormalization,
        Concatenate,
        Conv2D,
        Dense,
        Dropout,
        GlobalAveragePooling2D,
        Input,
    )
    from keras.regularizers import l2

    weight_decay = 1e-4

    def bn():
        return BatchNormalization(
            axis=-1,
            gamma_regularizer=l2(weight_decay),
            beta_regularizer=l2(weight_decay),
        )

    def conv(filters, size):
        return Conv2D(
            filters,
            size,
            kernel_initializer="he_uniform",
            padding="same",
            use_bias=False,
            kernel_regularizer=l2(weight_decay),
        )

    def conv_block(ip, nb_filter, dropout_rate):
        x = bn()(ip)
        x = Activation("relu")(x)
        x = conv(nb_filter * 4, 1)(x)
        x = Dropout(dropout_rate)(x)
        x = bn()(x)
        x = Activation("relu")(x)
        x = conv(nb_filter, 3)(x)
        return Dropout(dropout_rate)(x)

    def transition_block(ip, nb_filter, compression, dropout_rate):
        x = bn()(ip)
        x = Activation("relu")(x)
        x = conv(int(nb_filter * compression), 1)(x)
        x = Dropout(dropout_rate)(x)
        return AveragePooling2D((2, 2), strides=(2, 2))(x)

    def dense_block(x, nb_layers, nb_filter, growth_rate, dropout_rate):
        feature_list = [x]
        for _ in range(nb_layers):
            x = conv_block(x, growth_rate, dropout_rate)
            feature_list.append(x)
            x = Concatenate(axis=-1)(feature_list)
            nb_filter += growth_rate
        return x, nb_filter

    depth, growth_rate, dropout_rate, compression = 22, 12, 0.2, 0.5
    nb_layers = int((depth - 4) / 3) // 2
    nb_filter = 2 * growth_rate
    model_input = Input(shape=(32, 32, 3))
    x = Conv2D(
        nb_filter,
        3,
        kernel_initializer="he_uniform",
        padding="same",
        name="initial_conv2D",
        use_bias=False,
        kernel_regularizer=l2(weight_decay),
    )(model_input)
    for _ in range(2):
        x, nb_filter = dense_block(x, nb_layers, nb_filter, growth_rate, dropout_rate)
        x = transition_block(x, nb_filter, compression, dropout_rate)
        nb_filter = int(nb_filter * compression)
    x, nb_filter = dense_block(x, nb_layers, nb_filter, growth_rate, dropout_rate)
    x = bn()(x)
    x = Activation("relu")(x)
    x = GlobalAveragePooling2D()(x)
    x = Dense(
        10,
        activation="softmax",
        kernel_regularizer=l2(weight_decay),
        bias_regularizer=l2(weight_decay),
    )(x)
    model = keras.Model(model_input, x, name="create_dense_net")
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    return model
