# ruff: noqa: E501
"""hfawaz/dl-4-tsc (Fawaz et al., "Deep learning for time series classification: a review") ResNet: three residual blocks of Conv1D(8) -> BN -> relu -> Conv1D(5) -> BN -> relu -> Conv1D(3) -> BN, added to a Conv1D(1) -> BN shortcut (the third block: a BN on the identity), relu after the sum, then GlobalAveragePooling1D and a softmax Dense.

Source: https://github.com/hfawaz/dl-4-tsc/blob/21b8ac2f2e570aa730835b32f714c837583373aa/classifiers/resnet.py (GPL-3.0).
Transcribed: `Classifier_RESNET.build_model()` unchanged (n_feature_maps 64,
kernel sizes 8 / 5 / 3, biased convolutions, `keras.layers.add`), compiled
as in the source with categorical cross-entropy and Adam(). Input: a
univariate series of 128 steps and 5 classes (the source takes both from
the UCR dataset it is run on); callbacks left out.
"""

SOURCE = "https://github.com/hfawaz/dl-4-tsc/blob/21b8ac2f2e570aa730835b32f714c837583373aa/classifiers/resnet.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Every Conv1D keeps its default bias and feeds only a BN: 3 + 1 in block 1,
# 3 + 1 in block 2 (the shortcuts are 1x1 convolutions), 3 in block 3
# (identity shortcut) = 11. Block 3's shortcut BN normalizes block 2's
# relu output.
EXPECTED: dict[str, int] = {"KO106": 11, "KO102": 1}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO106": "Each of the 11 Conv1D layers has use_bias=True and feeds only "
    "a BatchNormalization, which subtracts the per-channel mean and cancels "
    "the bias (info).",
    "KO102": "Block 3's shortcut BatchNormalization normalizes "
    "output_block_2, the output of a relu Activation, instead of "
    "pre-activations (info).",
}


def build():
    import keras

    input_shape = (128, 1)
    nb_classes = 5
    n_feature_maps = 64

    input_layer = keras.layers.Input(input_shape)

    # BLOCK 1

    conv_x = keras.layers.Conv1D(filters=n_feature_maps, kernel_size=8, padding="same")(
        input_layer
    )
    conv_x = keras.layers.BatchNormalization()(conv_x)
    conv_x = keras.layers.Activation("relu")(conv_x)

    conv_y = keras.layers.Conv1D(filters=n_feature_maps, kernel_size=5, padding="same")(
        conv_x
    )
    conv_y = keras.layers.BatchNormalization()(conv_y)
    conv_y = keras.layers.Activation("relu")(conv_y)

    conv_z = keras.layers.Conv1D(filters=n_feature_maps, kernel_size=3, padding="same")(
        conv_y
    )
    conv_z = keras.layers.BatchNormalization()(conv_z)

    # expand channels for the sum
    shortcut_y = keras.layers.Conv1D(
        filters=n_feature_maps, kernel_size=1, padding="same"
    )(input_layer)
    shortcut_y = keras.layers.BatchNormalization()(shortcut_y)

    output_block_1 = keras.layers.add([shortcut_y, conv_z])
    output_block_1 = keras.layers.Activation("relu")(output_block_1)

    # BLOCK 2

    conv_x = keras.layers.Conv1D(
        filters=n_feature_maps * 2, kernel_size=8, padding="same"
    )(output_block_1)
    conv_x = keras.layers.BatchNormalization()(conv_x)
    conv_x = keras.layers.Activation("relu")(conv_x)

    conv_y = keras.layers.Conv1D(
        filters=n_feature_maps * 2, kernel_size=5, padding="same"
    )(conv_x)
    conv_y = keras.layers.BatchNormalization()(conv_y)
    conv_y = keras.layers.Activation("relu")(conv_y)

    conv_z = keras.layers.Conv1D(
        filters=n_feature_maps * 2, kernel_size=3, padding="same"
    )(conv_y)
    conv_z = keras.layers.BatchNormalization()(conv_z)

    # expand channels for the sum
    shortcut_y = keras.layers.Conv1D(
        filters=n_feature_maps * 2, kernel_size=1, padding="same"
    )(output_block_1)
    shortcut_y = keras.layers.BatchNormalization()(shortcut_y)

    output_block_2 = keras.layers.add([shortcut_y, conv_z])
    output_block_2 = keras.layers.Activation("relu")(output_block_2)

    # BLOCK 3

    conv_x = keras.layers.Conv1D(
        filters=n_feature_maps * 2, kernel_size=8, padding="same"
    )(output_block_2)
    conv_x = keras.layers.BatchNormalization()(conv_x)
    conv_x = keras.layers.Activation("relu")(conv_x)

    conv_y = keras.layers.Conv1D(
        filters=n_feature_maps * 2, kernel_size=5, padding="same"
    )(conv_x)
    conv_y = keras.layers.BatchNormalization()(conv_y)
    conv_y = keras.layers.Activation("relu")(conv_y)

    conv_z = keras.layers.Conv1D(
        filters=n_feature_maps * 2, kernel_size=3, padding="same"
    )(conv_y)
    conv_z = keras.layers.BatchNormalization()(conv_z)

    # no need to expand channels because they are equal
    shortcut_y = keras.layers.BatchNormalization()(output_block_2)

    output_block_3 = keras.layers.add([shortcut_y, conv_z])
    output_block_3 = keras.layers.Activation("relu")(output_block_3)

    # FINAL

    gap_layer = keras.layers.GlobalAveragePooling1D()(output_block_3)

    output_layer = keras.layers.Dense(nb_classes, activation="softmax")(gap_layer)

    model = keras.models.Model(inputs=input_layer, outputs=output_layer)

    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    return model
