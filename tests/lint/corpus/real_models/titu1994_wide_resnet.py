# ruff: noqa: E501
"""Wide Residual Network (WRN-16-2) of titu1994/Wide-Residual-Networks: pre-activation blocks BN -> relu -> conv -> Dropout -> BN -> relu -> conv.

Source: https://github.com/titu1994/Wide-Residual-Networks/blob/12d8aa84c88a3e41eca4e78a4587448c9a989283/wide_residual_network.py (no license file in the repository).
Transcribed: `create_wide_residual_network((32, 32, 3), nb_classes=10, N=2,
k=2, dropout=0.3)` in Keras 3 names (Conv2D for Convolution2D); the BN
settings (momentum=0.1, epsilon=1e-5, gamma_initializer='uniform') and the
layer order as in the source; compiled with categorical cross-entropy as in
the repository's cifar10 scripts.
"""

SOURCE = "https://github.com/titu1994/Wide-Residual-Networks/blob/12d8aa84c88a3e41eca4e78a4587448c9a989283/wide_residual_network.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO101": 3, "KO112": 13}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO101": "Each of the 3 residual blocks puts Dropout(0.3) between its first "
    "conv and the next BN: that BN learns its variance on dropped-out activations.",
    "KO112": "All 13 BNs use momentum=0.1, PyTorch's convention (Keras 0.9): the "
    "moving statistics follow only the last batches (titu1994/Wide-Residual-"
    "Networks#21).",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        Add,
        AveragePooling2D,
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        Input,
    )

    def bn():
        return BatchNormalization(
            axis=-1, momentum=0.1, epsilon=1e-5, gamma_initializer="uniform"
        )

    def conv(filters, kernel, strides=(1, 1)):
        return Conv2D(
            filters,
            kernel,
            padding="same",
            strides=strides,
            kernel_initializer="he_normal",
            use_bias=False,
        )

    def expand_conv(init, base, k, strides=(1, 1)):
        x = conv(base * k, (3, 3), strides)(init)
        x = bn()(x)
        x = Activation("relu")(x)
        x = conv(base * k, (3, 3))(x)
        skip = conv(base * k, (1, 1), strides)(init)
        return Add()([x, skip])

    def conv_block(inputs, filters, dropout):
        x = bn()(inputs)
        x = Activation("relu")(x)
        x = conv(filters, (3, 3))(x)
        if dropout > 0.0:
            x = Dropout(dropout)(x)
        x = bn()(x)
        x = Activation("relu")(x)
        x = conv(filters, (3, 3))(x)
        return Add()([inputs, x])

    n, k, dropout = 2, 2, 0.3
    ip = Input(shape=(32, 32, 3))
    x = conv(16, (3, 3))(ip)
    x = bn()(x)
    x = Activation("relu")(x)
    for base, strides in ((16, (1, 1)), (32, (2, 2)), (64, (2, 2))):
        if base != 16:
            x = bn()(x)
            x = Activation("relu")(x)
        x = expand_conv(x, base, k, strides)
        for _ in range(n - 1):
            x = conv_block(x, base * k, dropout)
    x = bn()(x)
    x = Activation("relu")(x)
    x = AveragePooling2D((8, 8))(x)
    x = Flatten()(x)
    x = Dense(10, activation="softmax")(x)
    model = keras.Model(ip, x)
    model.compile(loss="categorical_crossentropy", optimizer="adadelta")
    return model
