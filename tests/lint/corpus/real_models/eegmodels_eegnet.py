# ruff: noqa: E501, N806
"""vlawhern/arl-eegmodels EEGNet (Lawhern et al. 2018): a temporal Conv2D without bias -> BN, a DepthwiseConv2D spatial filter without bias -> BN -> elu -> AveragePooling2D -> Dropout, a SeparableConv2D without bias -> BN -> elu -> AveragePooling2D -> Dropout, then Flatten, a max-norm Dense and a softmax Activation.

Source: https://github.com/vlawhern/arl-eegmodels/blob/4a512e503198db2010848813ead9afbf8cd54c97/EEGModels.py (CC0-1.0 / Apache-2.0).
Transcribed: `EEGNet()` unchanged in its channels-last form, configured as
the repository's examples/ERP.py calls it (EEGNet-8,2,16: 4 classes, 60
channels, 151 samples, dropoutRate 0.5, kernLength 32, dropoutType
"Dropout"; norm_rate 0.25 by default) and compiled as there with
categorical cross-entropy and Adam.
"""

SOURCE = "https://github.com/vlawhern/arl-eegmodels/blob/4a512e503198db2010848813ead9afbf8cd54c97/EEGModels.py"
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
# Every convolution is use_bias=False before its BN, each BN normalizes a
# linear output, elu feeds average pooling (no KO104: it only concerns max
# pooling) and each Dropout feeds a weight layer or the Flatten before the
# Dense: nothing to report.
EXPECTED: dict[str, int] = {}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {}


def build():
    from keras.constraints import max_norm
    from keras.layers import (
        Activation,
        AveragePooling2D,
        BatchNormalization,
        Conv2D,
        Dense,
        DepthwiseConv2D,
        Dropout,
        Flatten,
        Input,
        SeparableConv2D,
        SpatialDropout2D,
    )
    from keras.models import Model

    nb_classes, Chans, Samples = 4, 60, 151
    dropoutRate, kernLength, F1, D, F2 = 0.5, 32, 8, 2, 16
    norm_rate, dropoutType = 0.25, "Dropout"

    if dropoutType == "SpatialDropout2D":
        dropoutType = SpatialDropout2D
    elif dropoutType == "Dropout":
        dropoutType = Dropout

    input1 = Input(shape=(Chans, Samples, 1))

    block1 = Conv2D(F1, (1, kernLength), padding="same", use_bias=False)(input1)
    block1 = BatchNormalization()(block1)
    block1 = DepthwiseConv2D(
        (Chans, 1),
        use_bias=False,
        depth_multiplier=D,
        depthwise_constraint=max_norm(1.0),
    )(block1)
    block1 = BatchNormalization()(block1)
    block1 = Activation("elu")(block1)
    block1 = AveragePooling2D((1, 4))(block1)
    block1 = dropoutType(dropoutRate)(block1)

    block2 = SeparableConv2D(F2, (1, 16), use_bias=False, padding="same")(block1)
    block2 = BatchNormalization()(block2)
    block2 = Activation("elu")(block2)
    block2 = AveragePooling2D((1, 8))(block2)
    block2 = dropoutType(dropoutRate)(block2)

    flatten = Flatten(name="flatten")(block2)

    dense = Dense(nb_classes, name="dense", kernel_constraint=max_norm(norm_rate))(
        flatten
    )
    softmax = Activation("softmax", name="softmax")(dense)

    model = Model(inputs=input1, outputs=softmax)
    model.compile(
        loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    return model
