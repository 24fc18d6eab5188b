# ruff: noqa: E501
"""Keras 2 example DenseNet-BC on CIFAR-10 (no augmentation, so with dropout): BN -> relu -> biased 1x1 conv -> Dropout -> BN -> relu -> 3x3 conv -> Dropout bottlenecks, concatenations, BN -> conv -> Dropout -> MaxPooling2D transitions.

Source: https://github.com/keras-team/keras/blob/07222a6185ca2610b71cbf85ca0e1244a18d7e7f/examples/cifar10_densenet.py (MIT).
Transcribed: the source's model with `data_augmentation = False` (the branch
that adds the Dropout(0.2) layers) and 4 bottleneck layers per dense block
instead of 32; growth rate 12, compression 0.5, 7x7 stem conv, layer order
and settings as in the source; categorical cross-entropy.
"""

SOURCE = "https://github.com/keras-team/keras/blob/07222a6185ca2610b71cbf85ca0e1244a18d7e7f/examples/cifar10_densenet.py"
# A 100-layer DenseNet: its build takes over 1 s: its cases run with -m slow.
SLOW = True
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO101": 25, "KO105": 2, "KO106": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO101": "25 of the 26 Dropout layers reach a BN with no weight layer in "
    "between: each bottleneck's first dropout directly, each 3x3 dropout through "
    "the concatenation (all but the very last one, which only reaches the "
    "classifier), each transition dropout through its MaxPooling2D; one finding "
    "per dropout.",
    "KO105": "Each transition applies elementwise Dropout right before "
    "MaxPooling2D: the max is taken over scaled survivors in training.",
    "KO106": "The biased 7x7 stem conv feeds the first BN and the dense "
    "concatenations, whose every consumer in the first block is a BN: its bias "
    "is cancelled.",
}


def build():
    import keras
    from keras.layers import (
        Activation,
        AveragePooling2D,
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        Input,
        MaxPooling2D,
    )

    num_dense_blocks, num_bottleneck_layers, growth_rate = 3, 4, 12
    num_filters_bef_dense_block, compression_factor = 2 * growth_rate, 0.5
    inputs = Input(shape=(32, 32, 3))
    x = BatchNormalization()(inputs)
    x = Activation("relu")(x)
    x = Conv2D(
        num_filters_bef_dense_block,
        kernel_size=7,
        padding="same",
        kernel_initializer="he_normal",
        strides=1,
    )(x)
    for i in range(num_dense_blocks):
        for _ in range(num_bottleneck_layers):
            y = BatchNormalization()(x)
            y = Activation("relu")(y)
            y = Conv2D(
                4 * growth_rate,
                kernel_size=1,
                padding="same",
                kernel_initializer="he_normal",
            )(y)
            y = Dropout(0.2)(y)
            y = BatchNormalization()(y)
            y = Activation("relu")(y)
            y = Conv2D(
                growth_rate,
                kernel_size=3,
                padding="same",
                kernel_initializer="he_normal",
            )(y)
            y = Dropout(0.2)(y)
            x = keras.layers.concatenate([x, y])
        if i == num_dense_blocks - 1:
            continue
        num_filters_bef_dense_block += num_bottleneck_layers * growth_rate
        num_filters_bef_dense_block = int(
            num_filters_bef_dense_block * compression_factor
        )
        y = BatchNormalization()(x)
        y = Conv2D(
            num_filters_bef_dense_block,
            kernel_size=1,
            padding="same",
            kernel_initializer="he_normal",
        )(y)
        y = Dropout(0.2)(y)
        x = MaxPooling2D()(y)
    x = AveragePooling2D(pool_size=7)(x)
    y = Flatten()(x)
    outputs = Dense(10, kernel_initializer="he_normal", activation="softmax")(y)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(
        loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(1e-3)
    )
    return model
